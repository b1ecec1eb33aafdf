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
# an unseen measure of the genre, written for these tests
JIANGSU = (ROOT / "tests" / "data" / "jiangsu-2022.txt").read_text(encoding="utf-8")


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
