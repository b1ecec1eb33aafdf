"""A measure of the same genre that the project has never seen is dropped into corpus/ without a catalogue
entry: the build takes it in (metadata from its own text), and the assistant answers from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fzqa.pipeline import build
from fzqa.qa import Assistant
from fzqa.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]

JIANGSU = """江苏省贯彻《党政主要负责人履行推进法治建设第一责任人职责规定》实施细则

（2022年3月1日印发）

第一条 为推动党政主要负责人履行职责，根据《党政主要负责人履行推进法治建设第一责任人职责规定》，制定本细则。

第二条 本细则适用于县级以上地方党委和政府主要负责人。

第三条 政府主要负责人应当履行下列职责：
（一）每半年至少听取一次依法行政工作汇报；
（二）每季度组织一次法治专题学习，任期内完成法治政府建设规划。
（三）不得以言代法、以权压法。

第四条 党委主要负责人每年年底前向上级党委书面报告履职情况。

第五条 党政主要负责人未履行本细则规定职责的，依照《中国共产党问责条例》予以问责。

第六条 乡镇党政主要负责人参照本细则执行。

第七条 本细则由省委办公厅负责解释，自印发之日起施行。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "corpus" / "jiangsu-2022.txt").write_text(JIANGSU, encoding="utf-8")
    settings = load_settings({"root": root})
    report = build(settings)
    assert report.measures == 3 and report.shacl == "conforms"
    from fzqa.pipeline import open_index

    yield Assistant(settings, index=open_index(settings))


@pytest.mark.slow
def test_a_new_measure_is_taken_in_and_answered(assistant: Assistant) -> None:
    info = assistant.lex.measure_info("jiangsu-2022")
    assert info.short == "江苏" and info.jurisdiction == "江苏省" and info.date == "2022-03-01"
    half = assistant.ask("江苏的县长每半年要做什么？")
    assert {c.key() for c in half.citations} == {("jiangsu-2022", 3, 1)} and "每半年" in half.answer
    quarter = assistant.ask("What must a county mayor do every quarter in Jiangsu?")
    assert {c.key() for c in quarter.citations} == {("jiangsu-2022", 3, 2)}
    monthly = assistant.ask("县长每月要做什么？")
    assert monthly.abstained and not monthly.citations and "三部办法" in monthly.answer
    interp = assistant.ask("江苏的办法由谁解释？")
    assert {c.key() for c in interp.citations} == {("jiangsu-2022", 7, None)}
    township = assistant.ask("乡长适用江苏的办法吗？")
    assert {c.key() for c in township.citations} == {("jiangsu-2022", 6, None)} and "参照" in township.answer
    other = assistant.ask("浙江的县长每年要做什么？")
    assert other.abstained and "江苏" in other.answer
