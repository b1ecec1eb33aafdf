"""Extraction: kinds, bearers, frequencies, citations, conditions and scope, on the real measures and on an
unseen measure of the same genre written for this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fzqa.corpus import parse_file, parse_text
from fzqa.extract import extract, norm_to_json
from fzqa.lexicon import load_lexicon, norm_text
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


# ------------------------------------------------------------------------------------------------------------
# Measures of other kinds (tests/data/corpus-extra): bearers are read from each norm's own text.
EXTRA = ROOT / "tests" / "data" / "corpus-extra"
ACCOUNTABILITY = "central-2016-ccp-accountability-regulation"
DECISIONS = "central-2019-major-administrative-decision-procedure"


@pytest.fixture(scope="module")
def extra() -> dict[str, list[Norm]]:
    lex = load_lexicon()
    return {f.stem: extract(parse_file(f, f.stem), lex) for f in sorted(EXTRA.glob("*.txt"))}


def _one(ns: list[Norm], article: int, item: int | None, words: str) -> Norm:
    found = [n for n in ns if n.article == article and n.item == item and words in norm_text(n.quote)]
    assert found, (article, item, words)
    return found[0]


def test_bearers_of_other_measures_are_their_own_words(extra: dict[str, list[Norm]]) -> None:
    lex = load_lexicon()
    for mid, ns in extra.items():
        m = parse_file(EXTRA / f"{mid}.txt", mid)
        text = {a.number: norm_text(a.text) for a in m.articles}
        for n in ns:
            assert n.bearers, n.id
            if n.bearer_text is None:  # no bearer named: the explicit marker, never a default role
                assert n.bearers == (lex.unspecified,), n.id
                continue
            # as written in its article (lead, clause before), or in the article it says it was read from
            assert n.bearer_text in text[n.bearer_article or n.article], n.id
            for b in n.bearers:  # a thesaurus role only when the text names it
                if b in lex.roles:
                    r = lex.roles[b]
                    where = text[n.bearer_article or n.article]
                    assert any(norm_text(w) in where for w in (r.label, *r.alt_zh)), (n.id, b)
    # the roles of the two seed measures are not the bearers of measures that do not name them
    seed_default = "县级以上地方党委和政府工作部门主要负责人"
    assert not [n.id for ns in extra.values() for n in ns if seed_default in n.bearers]


DISCIPLINE = "central-2018-ccp-disciplinary-regulation"


def test_a_sanction_naming_no_one_falls_on_whom_the_catalogue_names(extra: dict[str, list[Norm]]) -> None:
    # 第八条 对党员的纪律处分种类:(一)警告;…(五)开除党籍。 The articles of the 分则 name the conduct, not the party
    ns = extra[DISCIPLINE]
    for words in ("给予警告或者严重警告处分", "情节较重的,给予撤销党内职务或者留党察看处分"):
        n = _one(ns, 44, None, words)
        assert (n.kind, n.bearer_text, n.bearer_article) == ("sanction", "党员", 8), n
    # a sanction that names whom it falls on keeps its own words (对直接责任者和领导责任者,给予…)
    own = _one(ns, 80, None, "对直接责任者和领导责任者")
    assert (own.bearer_text, own.bearer_article) == ("直接责任者和领导责任者", None)
    # a party one paragraph names (对策划者…) does not carry to the next paragraph's new conduct
    later = _one(ns, 57, None, "未经组织批准参加其他集会")
    assert (later.bearer_text, later.bearer_article) == ("党员", 8)
    # the sanctions of an exception (除…外) are not the norm's: its target is the one named
    assert _one(ns, 15, None, "均自然免职").bearer_article is None
    # a softened sanction falls on whom it is about; a doer named before 有下列情形之一 is the list's bearer
    assert _one(ns, 63, None, "对不明真相的参加人员").bearer_text == "不明真相的参加人员"
    pet = extra["central-2022-petition-work-regulation"]
    assert _one(pet, 45, 1, "未在规定期限内办结").bearer_text == "对信访事项有权处理的机关、单位"
    assert _one(pet, 45, None, "对直接负责的主管人员").bearer_text == "直接负责的主管人员和其他直接责任人员"
    # the steps of a procedure open with their doer
    assert _one(extra[DECISIONS], 17, 1, "介绍决策草案").bearer_text == "决策承办单位"
    assert _one(extra[DECISIONS], 17, 3, "确认听证会记录").bearer_text == "听证参加人"


def test_bearers_joined_scoped_and_named_in_a_condition(extra: dict[str, list[Norm]]) -> None:
    pet = extra["central-2022-petition-work-regulation"]
    # 以及 joins two bearers (it is no 以…方式 predicate)
    assert _one(pet, 37, None, "应当做好疏导教育").bearer_text == "地方党委和政府以及基层党组织和基层单位"
    # 本条例适用于X: a scope rule whose bearer is X, not "本条例适用于X"
    scope = _one(pet, 2, None, "本条例适用于")
    assert scope.kind == "scope" and scope.bearer_text is not None and not scope.bearer_text.startswith("本条例")
    # 交由X办理: X receives the matter; the bearer is the lead's subject
    assert _one(pet, 22, 3, "可以交由有权处理的机关").bearer_text == "各级党委和政府信访部门"
    # 对…事项,有关机关、单位能够当场告知的,应当…: the doer of the condition before the modal clause
    assert _one(pet, 23, None, "不能当场告知的").bearer_text == "有关机关、单位"


def test_bearers_subjects_agents_and_carried(extra: dict[str, list[Norm]]) -> None:
    acc, dec = extra[ACCOUNTABILITY], extra[DECISIONS]
    assert _one(acc, 9, None, "组织部门应当将问责决定材料").bearer_text == "组织部门"
    late = _one(acc, 9, None, "一个月内")  # carried over from the clause before, with its deadline
    assert late.bearer_text == "组织部门" and late.deadline == "一个月内" and late.kind == "obligation"
    assert _one(acc, 8, None, "问责决定应当由").bearer_text == "党中央或者有管理权限的党组织"  # 由-agent
    assert _one(acc, 12, None, "负责解释").bearer_text == "中央纪律检查委员会"
    assert _one(dec, 2, None, "适用本条例").bearer_text == "县级以上地方人民政府"
    assert _one(dec, 25, None, "应当由负责合法性审查的部门").bearer_text == "负责合法性审查的部门"
    assert _one(dec, 19, None, "专家、专业机构应当独立").bearers == ("专家、专业机构",)  # minted, as written
    nothing = _one(acc, 7, None, "可以单独使用")  # about the sanctions themselves: no one is named
    assert nothing.bearer_text is None and nothing.kind == "permission"


def test_permissions_deadlines_and_chapters(extra: dict[str, list[Norm]]) -> None:
    dec = extra[DECISIONS]
    may = _one(dec, 21, None, "市、县级人民政府可以")
    assert may.kind == "permission" and may.bearer_text == "市、县级人民政府"
    assert _one(dec, 37, None, "行政首长可以先决定中止执行").kind == "permission"
    assert _one(dec, 16, None, "听证会材料").deadline == "7日前"
    assert all(n.kind == "sanction" for n in dec if 38 <= n.article <= 41)  # 第五章 法律责任
    assert _one(dec, 44, None, "起施行").kind == "meta" and _one(dec, 42, None, "参照").kind == "scope"  # 附则
    rows = [norm_to_json(n) for n in dec]
    assert {"deadline", "bearer_text", "bearer", "kind", "frequency"} <= set(rows[0])
    assert any(r["deadline"] == "7日前" for r in rows)


def test_lead_ins_of_itemised_articles_state_norms(extra: dict[str, list[Norm]]) -> None:
    acc = extra[ACCOUNTABILITY]
    lead = _one(acc, 6, None, "应当予以问责")  # the penalty clause before the items
    assert lead.kind == "sanction" and lead.bearer_text == "党组织和党的领导干部"
    assert all(n.kind == "sanction" and n.bearer_text == "党组织和党的领导干部" for n in acc if n.article == 6)
    # 对党组织的问责方式包括: each item is a sanction on 党组织; after the items, those on 党的领导干部
    assert _one(acc, 7, 3, "予以改组").bearer_text == "党组织"
    assert _one(acc, 7, None, "进行诫勉").bearer_text == "党的领导干部"


# a made-up regulation of the family, for the general grammar: conditions, 由-agents, passives, lists of
# conditions, definitions, frequencies stated in other words
GRAMMAR = """# 测试巡视工作规定
第一章 总则
第一条　各级党委（党组）应当加强对巡视工作的领导。
第二条　巡视工作由省委巡视工作领导小组负责统筹。
第三条　省委巡视办应当每半年向省委报告一次工作情况，可以根据需要召开专题会议。
第四条　被巡视党组织应当在两个月内完成整改，并经常听取整改情况汇报。
第五条　巡视组每两年对市县党委开展一轮巡视。
第六条　党员依法受到刑事责任追究的，党组织应当依照规定给予党纪处分。
第七条　本规定所称被巡视党组织，是指接受巡视监督的党组织。
第二章 对违反巡视纪律行为的处分
第八条　党员领导干部离职后违反规定干预巡视工作的，给予警告处分。
第九条　有下列行为之一的，对直接责任者和领导责任者，给予警告或者严重警告处分：
（一）拒不提供材料的；
（二）打击报复的。
"""


def test_grammar_of_the_family() -> None:
    ns = extract(parse_text(GRAMMAR, "grammar-test"), load_lexicon())

    def at(article: int, item: int | None = None) -> list[Norm]:
        return [n for n in ns if n.article == article and n.item == item]

    assert at(1)[0].bearer_text == "各级党委(党组)"
    assert at(2)[0].bearer_text == "省委巡视工作领导小组"  # 由…负责, the agent with 省委 in its name
    f = at(3)[0].frequency  # the count after the verb; 根据需要 belongs to another clause
    assert f is not None and (f.period, f.min_count) == ("half-year", 1)
    four = at(4)[0]
    assert four.bearer_text == "被巡视党组织" and four.deadline == "两个月内"  # a passive participle names it
    assert four.frequency is not None and four.frequency.period == "periodic"  # 经常
    f5 = at(5)[0].frequency
    assert f5 is not None and f5.period == "periodic"  # every two years: no period of its own in the contract
    six = at(6)  # the condition joins the norm after it; the sanction falls on the party member
    assert len(six) == 1 and six[0].kind == "sanction" and six[0].bearer_text == "党员"
    assert at(7)[0].kind == "meta" and at(7)[0].bearer_text is None  # a definition binds no one
    eight = at(8)[0]  # a chapter of 处分: the doer opening the condition, whatever verb follows
    assert eight.kind == "sanction" and eight.bearer_text == "党员领导干部"
    for item in (1, 2):  # 有下列行为之一的: the items are conditions of the lead's sanction
        n = at(9, item)[0]
        assert n.kind == "sanction" and n.bearer_text == "直接责任者和领导责任者"


def test_minted_roles_get_english_only_from_known_words() -> None:
    from fzqa.extract import Extractor

    x = Extractor(load_lexicon())
    assert x.role_english("省委巡视组") == "inspection team of the provincial Party committee"
    petition = "petition departments of Party committees and governments at all levels"  # the head is shared
    assert x.role_english("各级党委和政府信访部门") == petition
    assert x.role_english("有关机关、单位及其工作人员") == "relevant organs and units and their staff members"
    assert x.role_english("公民、法人或者其他组织") == "citizens, legal persons or other organisations"
    assert x.role_english("负责合法性审查的部门") is None  # a 的-phrase: no words for it, so no label
    assert x.role_english("信访工作联席会议及其办公室、党委和政府信访部门") is None  # which words 及其 joins is unclear


def test_items_of_a_list_of_principles_are_principles(extra: dict[str, list[Norm]]) -> None:
    # 第四条 党的纪律处分工作应当坚持以下原则:(一)党要管党、全面从严治党。加强对…的教育、管理和监督…
    items = [n for n in extra[DISCIPLINE] if n.article == 4 and n.item is not None]
    # …作出的处理决定,下级党组织必须执行: a duty an item lays on a body it names as subject stays a duty
    duty = _one(extra[DISCIPLINE], 4, 4, "下级党组织必须执行")
    assert (duty.kind, duty.bearer_text) == ("obligation", "下级党组织")
    assert items and {n.kind for n in items if n is not duty} == {"principle"}


PETITION = "central-2022-petition-work-regulation"


def test_kinds_bearers_carried_and_compound_names_of_the_genre(extra: dict[str, list[Norm]]) -> None:
    dis, pet, dec = extra[DISCIPLINE], extra[PETITION], extra[DECISIONS]
    # 第十九条 …可以给予批评教育、责令检查、诫勉或者组织处理: a sanction allowed, not required; like a sanction it
    # falls on whom it is about
    allowed = _one(dis, 19, None, "可以给予批评教育")
    assert (allowed.kind, allowed.bearer_text) == ("permission", "党员")
    # 第七条 …都必须受到追究: a sanction on the doer of the conduct; that doer binds no duty of the next paragraph
    assert _one(dis, 7, None, "都必须受到追究").kind == "sanction"
    assert _one(dis, 7, None, "重点查处").bearer_text is None
    # 党组织领导机构成员: 领导机构 is a noun inside the name, not a verb after 党组织
    assert _one(dis, 15, None, "均自然免职").bearer_text == "受到改组处理的党组织领导机构成员"
    # 对于受到解散处理的党组织中的党员,应当逐个审查。…对其进行教育…予以劝退或者除名: the party the article opens with
    members = "受到解散处理的党组织中的党员"
    assert _one(dis, 16, None, "予以劝退或者除名").bearer_text == members
    assert _one(dis, 16, None, "依照规定予以追究").bearer_text == members
    # a definition is one statement, its 对…起决定性作用的党员 no norm of its own
    assert {n.kind for n in dis if n.article == 37 and n.item is not None} == {"meta"}
    # which provision applies is a scope rule, whatever sanction it names
    assert _one(dis, 22, None, "不适用第一款减轻处分的规定").kind == "scope"
    # 按照…处分 ending a clause is a sanction, on whom 对… names
    head = _one(dis, 25, None, "对违纪集团的首要分子")
    assert (head.kind, head.bearer_text) == ("sanction", "违纪集团的首要分子")
    # 由X协商受理: the agent after 由, whatever verb follows
    assert _one(pet, 24, None, "由所涉及的机关、单位协商受理").bearer_text == "所涉及的机关、单位"
    # 提出追究责任的建议: what the norm proposes is no sanction; its bearer is the one who proposes
    propose = _one(pet, 40, None, "提出追究责任的建议")
    assert (propose.kind, propose.bearer_text) == ("obligation", "党委和政府信访部门")
    feedback = _one(pet, 40, None, "应当书面反馈采纳情况")
    assert (feedback.kind, feedback.bearer_text) == ("obligation", "有关机关、单位")
    # 如果决定撤销其一个职务,必须…: a condition, so the bearer carried from the sentence before still binds
    assert _one(dis, 11, None, "如果决定撤销其一个职务").bearer_text == "党组织"
    # the items of a definition (本条例所称…包括:) or of a contents list (…的内容包括:) bind no one
    assert {n.kind for n in dec if n.article in (3, 27) and n.item is not None} == {"meta"}


def test_refusals_provisos_grants_compositions_and_adverbials(extra: dict[str, list[Norm]]) -> None:
    acc, dis, pet = extra[ACCOUNTABILITY], extra[DISCIPLINE], extra[PETITION]
    # 第十九条 …上级机关、单位不予受理 / 第三十六条 …不再受理: an organ's refusal to take up a matter bars it
    refusal = _one(pet, 19, None, "上级机关、单位不予受理")
    assert (refusal.kind, refusal.bearer_text) == ("prohibition", "上级机关、单位")
    assert _one(pet, 36, None, "不再受理").kind == "prohibition"
    # 第三十四条 可以适当延长办理期限,但延长期限不得超过30日: a permission with a limit; 负责人 holds no 负责
    assert _one(pet, 34, None, "可以适当延长办理期限").kind == "permission"
    # 第八条 …有权采取通报、诫勉方式进行问责;提出组织调整或者组织处理的建议: the grant goes on to the next clause
    grant = _one(acc, 8, None, "提出组织调整或者组织处理的建议")
    assert (grant.kind, grant.bearer_text) == ("permission", "纪委(纪检组)、党的工作部门")
    # 第三十四条 预备党员违犯党纪…情节较重的,应当取消其预备党员资格: a sanction on the probationary member
    withdrawn = _one(dis, 34, None, "应当取消其预备党员资格")
    assert (withdrawn.kind, withdrawn.bearer_text) == ("sanction", "预备党员")
    # 第十三条 联席会议召集人一般由党委和政府负责同志担任: the holder named whole, 负责 and all
    assert _one(pet, 13, None, "召集人一般由").bearer_text == "党委和政府负责同志"
    # 根据工作需要,乡镇党委和政府…可以…定期研究…: an adverbial is no norm of its own, and a permission sets no
    # frequency
    may = _one(pet, 13, None, "根据工作需要")
    assert (may.kind, may.bearer_text, may.frequency) == ("permission", "乡镇党委和政府、街道党工委和办事处", None)
    assert not [n.id for n in pet if norm_text(n.quote).strip(" ,;。") == "根据工作需要"]


def test_declarations_precedence_subject_lists_and_sanctions_of_a_petitioner(extra: dict[str, list[Norm]]) -> None:
    acc, dis, pet = extra[ACCOUNTABILITY], extra[DISCIPLINE], extra[PETITION]
    # 第三条 信访工作是党的群众工作的重要组成部分: what a thing is, a principle; 是由党组织…追究 stays a duty
    assert _one(pet, 3, None, "信访工作是党的群众工作").kind == "principle"
    assert _one(acc, 4, None, "党的问责工作是由党组织").kind == "obligation"
    # 问责对象是…: a scope rule on whom it names after 是, as written
    scope = _one(acc, 4, None, "问责对象是")
    assert scope.kind == "scope"
    assert scope.bearer_text is not None and scope.bearer_text.startswith("各级党委(党组)、党的工作部门及其领导成员")
    # 凡与本条例不一致的,按照本条例执行: a rule of precedence is meta, though its cue is in a condition
    assert _one(acc, 13, None, "凡与本条例不一致的").kind == "meta"
    # 经常开展批评和自我批评、约谈函询: a practice of supervision, not a sanction
    assert _one(dis, 5, None, "经常开展批评和自我批评").kind == "obligation"
    # 信访人…应当遵守法律、法规,…不得有下列行为: only the clause leading to the list takes the list's kind
    assert _one(pet, 26, None, "应当遵守法律、法规").kind == "obligation"
    assert _one(pet, 26, None, "不得有下列行为").kind == "prohibition"
    # 第四十七条 信访人违反…的,有关机关、单位工作人员应当对其进行劝阻、批评或者教育; …依法给予治安管理处罚:
    # sanctions on the petitioner, imposed by the organ that names them
    warned = _one(pet, 47, None, "应当对其进行劝阻、批评或者教育")
    assert (warned.kind, warned.bearer_text) == ("sanction", "信访人")
    fined = _one(pet, 47, None, "由公安机关依法采取")
    assert (fined.kind, fined.bearer_text) == ("sanction", "信访人")
    assert fined.imposed_by == ("公安机关",)


def test_lead_ins_that_are_sentences_and_steps_or_measures_that_name_no_one(extra: dict[str, list[Norm]]) -> None:
    dis, pet, dec = extra[DISCIPLINE], extra[PETITION], extra[DECISIONS]
    # 第八条 党中央加强对信访工作的统一领导:(一)…: a lead-in that is a sentence states its bearer's duty
    lead = _one(pet, 8, None, "党中央加强对信访工作的统一领导")
    assert (lead.kind, lead.bearer_text) == ("obligation", "党中央")
    # 第十条 对各方面提出的决策事项建议,按照下列规定进行研究论证后,报请决策机关决定是否启动决策程序: one norm
    assert _one(dec, 10, None, "报请决策机关决定是否启动决策程序").bearer_text is None
    # (一)决策机关领导人员提出决策事项建议的,交有关单位研究论证: a step with no modal, no one named for it
    assert _one(dec, 10, 1, "交有关单位研究论证").bearer_text is None
    assert _one(dec, 10, 2, "应当论证拟解决的主要问题").bearer_text == "决策机关所属部门或者下一级人民政府"
    # 公开征求意见的期限一般不少于30日: a measure of a thing binds no one, though a bearer was named before
    assert _one(dec, 15, None, "公开征求意见的期限一般不少于30日").bearer_text is None
    # …其党内职务自然撤销。对于担任党外职务的,应当建议党外组织撤销其党外职务: the sanctioned member bears no duty
    # of the next sentence
    assert _one(dis, 12, None, "应当建议党外组织撤销其党外职务").bearer_text is None


def test_duty_leads_quoted_short_names_and_joint_violations(extra: dict[str, list[Norm]]) -> None:
    dis, pet = extra[DISCIPLINE], extra[PETITION]
    # 党中央加强对信访工作的统一领导:(一)强化政治引领,确立…政治原则: the items are 党中央's duties, 原则 a noun there
    item = _one(pet, 8, 1, "强化政治引领")
    assert (item.kind, item.bearer_text) == ("obligation", "党中央")
    # 乡镇党委和政府…以及村(社区)“两委”应当全面发挥职能作用,坚持和发展…: a quoted short name ends the bearer, and
    # a 坚持 clause with no modal of its own goes on with the duty before it
    both = _one(pet, 15, None, "应当全面发挥职能作用")
    assert (both.kind, both.bearer_text) == ("obligation", "乡镇党委和政府、街道党工委和办事处以及村(社区)“两委”")
    # a guiding-thought article (…坚持以…为指导) stays a principle
    assert _one(pet, 4, None, "信访工作坚持以").kind == "principle"
    # …对具有共同故意的成员,按共同违纪处理: a sanction on whom 对 names
    joint = _one(dis, 26, None, "按共同违纪处理")
    assert (joint.kind, joint.bearer_text) == ("sanction", "具有共同故意的成员")


def test_a_ban_after_a_subject_and_a_time_is_one_norm(extra: dict[str, list[Norm]]) -> None:
    dis, pet = extra[DISCIPLINE], extra[PETITION]
    # 受到留党察看处分的党员,恢复党员权利后二年内,不得在党内担任…: one ban, on that member, with no deadline
    ban = _one(dis, 12, None, "恢复党员权利后二年内,不得在党内担任")
    assert (ban.kind, ban.bearer_text, ban.deadline) == ("prohibition", "受到留党察看处分的党员", None)
    # …,自觉维护社会公共秩序和信访秩序,不得有下列行为: a verb phrase going on with a duty stays apart from the ban
    assert _one(pet, 26, None, "自觉维护社会公共秩序").kind == "obligation"


def test_the_agent_of_a_delegated_act_is_not_carried_on(extra: dict[str, list[Norm]]) -> None:
    dec = extra[DECISIONS]
    # 决策机关决定启动决策程序的,应当明确…承办单位…,由决策承办单位负责…拟订等工作。…需要两个以上单位承办的,应当
    # 明确牵头的决策承办单位: the agent bears its delegated act; the next sentence is the subject's again
    assert _one(dec, 11, None, "由决策承办单位负责").bearer_text == "决策承办单位"
    assert _one(dec, 11, None, "应当明确牵头的决策承办单位").bearer_text == "决策机关"


def test_a_paragraph_of_new_conduct_does_not_inherit_the_sanctioned_party(extra: dict[str, list[Norm]]) -> None:
    dis = extra[DISCIPLINE]
    # 第二十五条 …对其他共同违纪的为首者,…处分。\n教唆他人违纪的,应当…追究党纪责任: new conduct, whose doer the
    # text does not name (and no sanction of the catalogue says whom)
    assert _one(dis, 25, None, "教唆他人违纪的").bearer_text is None
    # 第一百二十一条 …对直接责任者和领导责任者,给予…。\n贯彻…不力,…的,从重或者加重处分: an aggravation for a like
    # conduct stays on the parties named before
    assert _one(dis, 121, None, "从重或者加重处分").bearer_text == "直接责任者和领导责任者"


def test_a_conduct_is_one_norm_with_its_sanction(extra: dict[str, list[Norm]]) -> None:
    dis = extra[DISCIPLINE]
    # 第五十七条 …,反对党的基本理论…,造成严重不良影响的,对策划者…给予开除党籍处分: 反对 inside the conduct opens no ban
    ringleaders = [n for n in dis if n.article == 57 and "反对党的基本理论" in n.quote]
    assert [(n.kind, n.bearer_text) for n in ringleaders] == [("sanction", "策划者、组织者和骨干分子")]
    # 第七十六条 在干部选拔任用工作中,有…等违反干部选拔任用规定行为,对直接责任者…: a conduct named as such
    first = next(n for n in dis if n.article == 76)
    assert "任人唯亲" in first.quote and first.bearer_text == "直接责任者和领导责任者"


def test_an_agent_with_a_modal_of_its_own_after_a_step_is_a_norm_of_its_own(extra: dict[str, list[Norm]]) -> None:
    dec = extra[DECISIONS]
    # 第十七条(二)听证参加人陈述意见,进行询问、质证和辩论,必要时可以由决策承办单位或者有关专家进行解释说明
    step = _one(dec, 17, 2, "听证参加人陈述意见")
    assert (step.kind, step.bearer_text) == ("obligation", "听证参加人")
    may = _one(dec, 17, 2, "必要时可以由决策承办单位")
    assert (may.kind, may.bearer_text) == ("permission", "决策承办单位或者有关专家")


def test_a_clause_with_an_object_marker_names_no_bearer(extra: dict[str, list[Norm]]) -> None:
    # 第三十八条 …信访部门应当根据工作需要开展督查,就发现的问题向有关地方和部门进行反馈: the 向… is an object
    pet = extra[PETITION]
    assert not [n.id for n in pet if n.bearer_text and "向" in n.bearer_text]
    inspect = _one(pet, 38, None, "就发现的问题向有关地方和部门")
    assert inspect.bearer_text == "信访工作联席会议及其办公室、党委和政府信访部门"
