"""A measure of the same genre that the project has never seen is dropped into corpus/ without a catalogue
entry: the build takes it in (metadata from its own text), and the assistant answers from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fzqa.lexicon import Lexicon, load_lexicon
from fzqa.pipeline import build
from fzqa.qa import Assistant, understand
from fzqa.settings import load_settings
from fzqa.store import KnowledgeGraph

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
    # by reference (its art. 6), beside the direct scope it is outside of (its art. 2)
    assert {c.key() for c in township.citations} == {("jiangsu-2022", 2, None), ("jiangsu-2022", 6, None)}
    assert "参照" in township.answer
    other = assistant.ask("浙江的县长每年要做什么？")
    assert other.abstained and "江苏" in other.answer
    # an article number all three measures have, asked with a topic only one of them treats there
    numbered = assistant.ask("第四条关于书面报告的要求是什么？")
    assert {c.key() for c in numbered.citations} == {("jiangsu-2022", 4, None)}, numbered.answer


# ------------------------------------------------------------------------------------------------------------
# Real regulations of the same family (tests/data/corpus-extra), dropped into an empty corpus/ without a catalogue:
# two small ones, to keep the build short (the 2019 decision procedure has chapters, a 法律责任 chapter and a
# 附则; the 2016 accountability regulation states its entry into force only in its last article).
EXTRA = ROOT / "tests" / "data" / "corpus-extra"
DECISIONS = "central-2019-major-administrative-decision-procedure"
ACCOUNTABILITY = "central-2016-ccp-accountability-regulation"
ID = "https://w3id.org/fzqa/id/"


@pytest.fixture(scope="module")
def extra_kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KnowledgeGraph, Lexicon]]:
    root = tmp_path_factory.mktemp("extra-project")
    (root / "corpus").mkdir()
    for mid in (DECISIONS, ACCOUNTABILITY):
        shutil.copy(EXTRA / f"{mid}.txt", root / "corpus" / f"{mid}.txt")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    settings = load_settings({"root": root})
    report = build(settings, skip_index=True)
    assert report.measures == 2 and report.shacl == "conforms" and report.owl.startswith("consistent")
    yield KnowledgeGraph(settings), load_lexicon(settings)


@pytest.mark.slow
def test_real_regulations_are_taken_in_with_their_own_metadata(extra_kg: tuple[KnowledgeGraph, Lexicon]) -> None:
    kg, lex = extra_kg
    dec, acc = lex.measure_info(DECISIONS), lex.measure_info(ACCOUNTABILITY)
    assert dec.title == "重大行政决策程序暂行条例" and dec.issuers == ("中华人民共和国国务院",)
    assert (dec.date, dec.effective) == ("2019-04-20", "2019-09-01")
    assert acc.title == "中国共产党问责条例" and acc.effective == "2016-07-08"  # from its last article (art. 13)
    meta = {r["measure"]: r for r in kg.select("measure_metadata")}
    assert str(meta[ID + DECISIONS]["inForce"]) == "2019-09-01" and "国务院" in meta[ID + DECISIONS]["issuers"]
    assert str(meta[ID + ACCOUNTABILITY]["inForce"]) == "2016-07-08"
    # 第十二条 本条例由中央纪律检查委员会负责解释; the decision procedure names no interpreting body
    assert acc.interpreted_by == "中央纪律检查委员会" and dec.interpreted_by is None
    assert str(meta[ID + ACCOUNTABILITY]["interpretedBy"]) == "中央纪律检查委员会"
    assert "interpretedBy" not in meta[ID + DECISIONS] or meta[ID + DECISIONS]["interpretedBy"] is None
    # a measure of no place is named by its title (and without 中国共产党), in answers and in questions
    assert (acc.short, dec.short) == ("中国共产党问责条例", "重大行政决策程序暂行条例")
    assert lex.measure_for("问责条例由谁解释？") == [ACCOUNTABILITY]
    assert lex.measure_for("《重大行政决策程序暂行条例》什么时候施行？") == [DECISIONS]
    # a regulation of no place gets an English name composed from its title's words (questions.ttl TitleWord)
    assert (acc.short_en, dec.short_en) == (
        "accountability regulation",
        "major administrative decision procedure interim regulation",
    )
    assert lex.measure_for("What does Article 10 of the accountability regulations say?") == [ACCOUNTABILITY]
    assert lex.measure_for("Under the major administrative decision procedure regulation, who decides?") == [DECISIONS]
    # an English question naming the regulation in Chinese is English, about that regulation
    intent = understand("Who interprets the 问责条例?", lex)
    assert intent.lang == "en" and intent.measures == (ACCOUNTABILITY,) and "interpretation" in intent.facts


@pytest.mark.slow
def test_real_regulations_bearers_kinds_deadlines_and_chapters(extra_kg: tuple[KnowledgeGraph, Lexicon]) -> None:
    kg, _ = extra_kg

    def norms(article: int) -> list[dict[str, Any]]:
        return kg.select("provision_norms", provision=f"{ID}{DECISIONS}/art_{article}")

    # bearers read from each norm's own words, minted as written (no default role of the seed measures)
    assert {"专家、专业机构", "决策承办单位"} <= {r["bearer"] for r in norms(19)}
    assert {r["kind"] for r in norms(21)} == {"obligation", "permission"}  # 应当建立…专家库; 可以根据需要建立
    # a deadline: 听证会材料应当于召开听证会7日前送达
    deadlines = kg.run(
        "PREFIX fzqa: <https://w3id.org/fzqa#> SELECT ?d WHERE { ?n fzqa:sourceProvision "
        f"<{ID}{DECISIONS}/art_16> ; fzqa:deadline ?d }}"
    )
    assert "7日前" in {row[0].value for row in deadlines.rows}
    # 第五章 法律责任: every norm a sanction; 第六章 附则: the entry into force a meta rule, 参照…执行 a scope rule
    sanctions = {r["article"] for r in kg.select("sanctions", measure=ID + DECISIONS)}
    assert {38, 39, 40, 41} <= sanctions
    assert all(r["kind"] == "sanction" for a in (38, 39, 40, 41) for r in norms(a))
    assert {r["kind"] for r in norms(44)} == {"meta"}
    assert {r["topic"] for r in kg.select("meta_rules", measure=ID + DECISIONS)} >= {"entry-into-force"}
    assert "scope" in {r["kind"] for r in norms(42)}
    # the accountability regulation: its sanctions fall on the bearers its text names
    acc = kg.select("sanctions", measure=ID + ACCOUNTABILITY)
    assert {"党组织", "党的领导干部"} <= {r["bearer"] for r in acc if r["article"] == 7}


@pytest.mark.slow
def test_real_regulations_minted_roles_have_english_only_when_composed(
    extra_kg: tuple[KnowledgeGraph, Lexicon],
) -> None:
    kg, _ = extra_kg
    res = kg.run(
        "PREFIX fzqa: <https://w3id.org/fzqa#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?zh ?en WHERE { ?r fzqa:mintedIn ?m ; skos:prefLabel ?zh . FILTER(LANG(?zh) = 'zh') "
        "OPTIONAL { ?r skos:prefLabel ?en . FILTER(LANG(?en) = 'en') } }"
    )
    english = {row[0].value: (row[1].value if row[1] is not None else None) for row in res.rows}
    assert english["党的领导干部"] == "leading Party cadre"
    assert english["决策机关"] == "decision-making organ"
    assert english["负责合法性审查的部门"] is None  # words the vocabulary lacks: no label rather than a guess
    assert sum(1 for e in english.values() if e) >= len(english) // 3


@pytest.mark.slow
def test_a_regulations_sanctions_on_its_own_subjects_are_given_when_no_role_is_named(
    extra_kg: tuple[KnowledgeGraph, Lexicon],
) -> None:
    # the accountability regulation's ways of holding Party organisations to account (art. 7 items) fall on a bearer
    # its text names (党组织), imposed by no one named: a sanction question naming no role gets them
    from fzqa.pipeline import open_index

    kg, _ = extra_kg
    assistant = Assistant(kg.settings, index=open_index(kg.settings), kg=kg)  # builds the two regulations' index
    a = assistant.ask("对党组织问责有哪些方式？")
    assert {(ACCOUNTABILITY, 7, i) for i in (1, 2, 3)} <= {c.key() for c in a.citations}, a.answer
