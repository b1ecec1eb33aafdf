"""Extraction: kinds, bearers, frequencies, citations, conditions and scope, on the real measures and on an
unseen measure of the same genre written for this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fzqa.corpus import parse_file, parse_text
from fzqa.extract import extract, norm_to_json
from fzqa.lexicon import load_lexicon
from fzqa.types import KINDS, PERIODS, Norm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def norms() -> dict[str, list[Norm]]:
    return {m: extract(parse_file(ROOT / "corpus" / f"{m}.txt")) for m in ("guangxi-2018", "guizhou-2020")}


def _freqs(ns: list[Norm], article: int, item: int | None) -> set[tuple[str, int | None]]:
    return {
        (n.frequency.period, n.frequency.min_count)
        for n in ns
        if n.article == article and n.item == item and n.frequency is not None
    }


def test_every_article_has_norms_and_every_quote_is_the_provisions_words(norms: dict[str, list[Norm]]) -> None:
    for mid, ns in norms.items():
        m = parse_file(ROOT / "corpus" / f"{mid}.txt")
        texts = {(a.number, None): a.text for a in m.articles}
        texts.update({(a.number, i.number): i.text for a in m.articles for i in a.items})
        covered = {n.article for n in ns}
        assert covered == {a.number for a in m.articles}, mid
        for a in m.articles:  # every item has a norm too
            for it in a.items:
                assert any(n.article == a.number and n.item == it.number for n in ns), (mid, a.number, it.number)
        for n in ns:
            assert n.quote and n.quote in texts[(n.article, n.item)], n.id
            assert n.kind in KINDS and n.bearers, n.id
            assert n.frequency is None or n.frequency.period in PERIODS


def test_frequencies_of_both_measures(norms: dict[str, list[Norm]]) -> None:
    gx, gz = norms["guangxi-2018"], norms["guizhou-2020"]
    # Guangxi: 每年根据工作需要 (no number), 年度工作计划, 年终述职, 定期检查
    assert _freqs(gx, 5, 1) == {("year", None), ("year", 1)}
    assert _freqs(gx, 6, 1) == {("year", 1)}
    assert _freqs(gx, 7, None) == {("year-end", 1), ("periodic", None)}
    # Guizhou: 每年至少听取2次, 年度工作计划, 每年专题听取, 每年至少举办2次, 每年…报告, 年度…考核
    assert _freqs(gz, 5, 1) == {("year", 2), ("year", 1)}
    assert _freqs(gz, 5, 4) == {("year", 1)}
    assert _freqs(gz, 5, 6) == {("year", 2)}
    assert _freqs(gz, 6, 1) == {("year", 1)}
    assert _freqs(gz, 6, 4) == {("year", 1)}
    assert _freqs(gz, 6, 6) == {("year", 2)}
    assert _freqs(gz, 7, None) == {("year-end", 1), ("periodic", None)}


def test_every_frequency_word_in_the_text_is_captured(norms: dict[str, list[Norm]]) -> None:
    words = re.compile(r"每年|年度|年终|年底|定期|每季度|每半年|每月|任期")
    for ns in norms.values():
        for n in ns:
            if words.search(n.quote):
                assert n.frequency is not None, n.id


def test_bearers_come_from_the_lead_in_and_the_subject(norms: dict[str, list[Norm]]) -> None:
    gz = norms["guizhou-2020"]
    assert {b for n in gz if n.article == 5 for b in n.bearers} == {"党委主要负责人"}
    art6 = [n for n in gz if n.article == 6]
    assert {b for n in art6 if n.kind != "sanction" for b in n.bearers} == {"政府主要负责人"}
    # 对工作不力、问题较多的部门或者下级政府,及时组织约谈…: imposed by the government principal, on the departments
    (talk,) = [n for n in art6 if n.kind == "sanction"]
    assert talk.imposed_by == ("政府主要负责人",) and talk.bearer_text == "工作不力、问题较多的部门或者下级政府"
    art7 = [n for n in gz if n.article == 7]
    assert [n.bearers for n in art7] == [("党政主要负责人",), ("上级党委",)]


def test_kinds_prohibition_sanction_reward_scope_meta(norms: dict[str, list[Norm]]) -> None:
    gx, gz = norms["guangxi-2018"], norms["guizhou-2020"]
    assert any(n.kind == "prohibition" and n.quote.startswith("不得") for n in gx if (n.article, n.item) == (5, 4))
    art9 = [n for n in gz if n.article == 9]
    assert {n.item for n in art9} == {None, 1, 2, 3, 4, 5}  # the lead-in's penalty, then each situation
    assert all(n.kind == "sanction" and "中国共产党问责条例" in n.cites for n in art9)
    assert all(n.condition for n in art9 if n.item is not None)
    assert all(n.bearers == ("党政主要负责人",) for n in art9)
    art8 = {n.kind: n for n in gz if n.article == 8}
    assert art8["reward"].imposed_by == ("上级党委",) and art8["reward"].bearers == ("党政主要负责人",)
    assert art8["sanction"].condition == "考评不合格的"
    scope = {n.article: n for n in gx if n.kind == "scope"}
    assert scope[2].coverage == "direct" and set(scope[2].levels) == {"province", "city", "county"}
    assert scope[10].coverage == "by-reference"
    assert set(scope[10].bearers) == {"县级以上地方党委和政府工作部门主要负责人", "乡（镇、街道）党政主要负责人"}
    meta = {n.topic for n in gx if n.kind == "meta"}
    assert meta == {"purpose", "interpretation", "entry-into-force"}


def test_cites_nested_titles(norms: dict[str, list[Norm]]) -> None:
    art1 = [n for n in norms["guangxi-2018"] if n.article == 1]
    assert any("〈党政主要负责人履行推进法治建设第一责任人职责规定〉" in c for n in art1 for c in n.cites)


# an unseen measure of the genre, written for these tests (also used by test_new_measure.py)
UNSEEN = (ROOT / "tests" / "data" / "jiangsu-2022.txt").read_text(encoding="utf-8")


def test_an_unseen_measure_of_the_genre() -> None:
    m = parse_text(UNSEEN, "unseen-2024")
    ns = extract(m, load_lexicon())
    rows = [norm_to_json(n) for n in ns]
    by = {(r["article"], r["item"]): r for r in rows}
    assert by[(3, 1)]["frequency"]["period"] == "half-year" and by[(3, 1)]["frequency"]["min_count"] == 1  # type: ignore[index]
    assert by[(3, 1)]["bearer"] == "政府主要负责人"
    periods = {r["frequency"]["period"] for r in rows if r["article"] == 3 and r["item"] == 2 and r["frequency"]}  # type: ignore[index]
    assert periods == {"quarter", "term"}
    assert by[(3, 3)]["kind"] == "prohibition"
    assert by[(4, None)]["frequency"]["period"] == "year-end" and by[(4, None)]["bearer"] == "党委主要负责人"  # type: ignore[index]
    assert by[(5, None)]["kind"] == "sanction" and by[(5, None)]["cites"] == ["中国共产党问责条例"]
    assert by[(6, None)]["kind"] == "scope" and by[(6, None)]["coverage"] == "by-reference"
    assert by[(6, None)]["bearer"] == "乡（镇、街道）党政主要负责人"
    assert by[(2, None)]["coverage"] == "direct"
    topics = {r["topic"] for r in rows if r["article"] == 7}
    assert topics <= {"interpretation", "entry-into-force"} and topics
