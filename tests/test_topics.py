"""The topic thesaurus (ontology/topics.ttl): well-formed SKOS, found in colloquial Chinese and English, and used by
clause search so that users' own words find the provision (real thesaurus, real index, real embedder).

The search queries below are written from the measures' topics (what each provision is about, said the way an
official or a foreign reader would say it); they are not the evaluation questions."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from fzqa.corpus import parse_file
from fzqa.index import ClauseIndex
from fzqa.lexicon import FZQA, TopicThesaurus, TopicThesaurusError, load_lexicon, load_topics, text_language

ROOT = Path(__file__).resolve().parents[1]
TTL = ROOT / "ontology" / "topics.ttl"
GX, GZ = "guangxi-2018", "guizhou-2020"
Gold = tuple[str, int, int | None]


@pytest.fixture(scope="module")
def th() -> TopicThesaurus:
    return load_topics()


@pytest.fixture(scope="module")
def index(built: None) -> ClauseIndex:
    from fzqa.pipeline import open_index

    idx = open_index()
    assert isinstance(idx, ClauseIndex)
    return idx


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------------------------------- the file


def test_thesaurus_is_well_formed_skos(th: TopicThesaurus) -> None:
    assert load_topics() is th is load_lexicon().topic_thesaurus()  # loaded once, shared with the lexicon
    g = Graph().parse(TTL, format="turtle")
    scheme = FZQA.topicScheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts == set(g.subjects(SKOS.inScheme, scheme)) and len(concepts) == len(th.concepts) >= 50
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    assert tops == set(g.subjects(SKOS.topConceptOf, scheme)) and tops <= concepts
    hidden = (SKOS.hiddenLabel, FZQA.colloquialLabel)
    for c in concepts:
        for lang in ("zh", "en"):  # exactly one prefLabel per language
            assert [o.language for o in g.objects(c, SKOS.prefLabel)].count(lang) == 1, (c, lang)
        # SKOS integrity: pref-, alt- and hidden labels of a concept are pairwise disjoint
        sets = [{(str(o), o.language) for o in g.objects(c, p)} for p in (SKOS.prefLabel, SKOS.altLabel)]
        sets.append({(str(o), o.language) for p in hidden for o in g.objects(c, p)})
        assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2]), c
        langs = {o.language for p in (SKOS.prefLabel, SKOS.altLabel, *hidden) for o in g.objects(c, p)}
        assert langs == {"zh", "en"}, c
        for p in (SKOS.broader, SKOS.related):  # links stay inside the scheme
            assert set(g.objects(c, p)) <= concepts, (c, p)
        assert (c in tops) != bool(set(g.objects(c, SKOS.broader))), c  # top concepts, and only they, have no broader
    for name in th.concepts:  # no cycle through broader
        chain = th.broader_chain(name)
        assert chain[0] == name and chain[-1] in {str(t).rsplit("/", 1)[-1] for t in tops}
    # no label names two concepts (Chinese as written, English by its words, case-insensitively)
    owners: dict[tuple[str, str], set[URIRef]] = {}
    for p in (SKOS.prefLabel, SKOS.altLabel, *hidden):
        for c, o in g.subject_objects(p):
            key = unicodedata.normalize("NFKC", str(o))
            key = " ".join(re.findall(r"[a-z0-9]+", key.lower())) if o.language == "en" else key
            owners.setdefault((key, o.language), set()).add(c)  # type: ignore[arg-type]
    assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_clause_labels_are_the_measures_own_words(th: TopicThesaurus) -> None:
    articles = "\n".join(
        _bare(a.text) for p in sorted((ROOT / "corpus").glob("*.txt")) for a in parse_file(p, p.stem).articles
    )
    missing = [(c.name, w) for c in th.concepts.values() for w in c.clause_zh if _bare(w) not in articles]
    assert not missing
    # every concept below the top of the scheme leads somewhere in the measures' text
    assert all(c.clause_zh for c in th.concepts.values())
    # the concepts the duties are about are all there
    for label in ("普法", "以言代法", "干预司法活动、插手具体案件处理", "法律顾问制度", "公职律师制度", "学法用法",
                  "年终述职述法", "重大决策合法性审查", "法治政府建设", "考核考评", "问责", "依法行政",
                  "领导干部带头尊法学法守法用法", "法治工作队伍建设", "法治建设经费保障", "督察与检查"):  # fmt: skip
        assert any(c.label_zh == label for c in th.concepts.values()), label


def test_a_broken_thesaurus_is_refused_with_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "topics.ttl"
    text = TTL.read_text(encoding="utf-8")
    bad.write_text(text.replace('skos:altLabel "出庭应诉"@zh', 'skos:altLabel "出庭应诉"@zh ,, '), encoding="utf-8")
    with pytest.raises(TopicThesaurusError, match=rf"{re.escape(str(bad))}: does not parse as Turtle.*line \d+"):
        TopicThesaurus(bad)
    # the same everyday word on two concepts is ambiguous: refused, naming both
    bad.write_text(text.replace('"当被告"@zh', '"打招呼"@zh'), encoding="utf-8")
    with pytest.raises(TopicThesaurusError, match=r"label '打招呼' names two concepts: topic:judicialInterference"):
        TopicThesaurus(bad)
    bad.write_text(text.replace('skos:prefLabel "普法"@zh , ', "skos:prefLabel "), encoding="utf-8")
    with pytest.raises(TopicThesaurusError, match=r"topic:lawPopularisation needs exactly one Chinese"):
        TopicThesaurus(bad)
    with pytest.raises(TopicThesaurusError, match="not found"):
        TopicThesaurus(tmp_path / "nowhere.ttl")


# ---------------------------------------------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("领导能不能给法院打招呼？", {"judicialInterference", "judiciary"}),
        ("县长当被告要不要上法庭", {"litigation"}),
        ("要不要给群众讲法律", {"lawPopularisation"}),
        ("机关干部怎么集体学习法律", {"lawStudy"}),
        ("一年要办几次法治讲座", {"lawLecture"}),
        ("领导一个人说了算，权大于法", {"ruleByWord", "powerOverLaw"}),
        ("包庇违法的人会被追责吗", {"condoning", "lawBreaking", "accountability"}),
        ("法治建设的钱从哪来", {"ruleOfLawBuilding", "funding"}),
        ("年底述职要讲法治吗", {"yearEndReport"}),
        ("Can a party secretary meddle in a court case?", {"judicialInterference", "judiciary"}),
        ("What if the county government is SUED?", {"litigation"}),
        ("Must officials attend Law Lectures?", {"lawLecture"}),
        ("Who checks the legality of major decisions?", {"oversight", "legalityReview", "majorDecisionProcedure"}),
        ("Do governments need in-house lawyers or legal advisers?", {"publicLawyer", "legalAdviser"}),
        ("How should leaders explain the law to the public?", {"lawPopularisation"}),
        ("What happens if a leader covers up wrongdoing?", {"condoning"}),
        ("rule-of-law building", {"ruleOfLawBuilding"}),
        ("Which principles apply when promoting the rule of law?", {"principles", "ruleOfLawBuilding"}),  # no cadreUse
        ("一把手在法治建设里扮演什么角色", {"ruleOfLawBuilding", "organiserRole"}),
        ("Can a leader override the law?", {"powerOverLaw"}),
    ],
)
def test_concepts_found_in_users_words(th: TopicThesaurus, text: str, concepts: set[str]) -> None:
    assert {c.name for c in th.concepts_in(text)} == concepts


def test_mentions_give_labels_in_the_texts_language_and_the_measures_words(th: TopicThesaurus) -> None:
    (zh,) = th.find("政府要不要给老百姓讲法律？")
    assert (zh.concept.name, zh.surface, zh.lang) == ("lawPopularisation", "给老百姓讲法律", "zh")
    assert zh.labels[0] == "普法" and "法治宣传教育" in zh.labels and "law popularisation" not in zh.labels
    assert "法治宣传教育" in zh.clause_zh and "普法规划" in zh.clause_zh
    (en,) = th.find("Are there rules on law popularization?")  # a hidden (American) spelling matches
    assert (en.concept.name, en.surface, en.lang) == ("lawPopularisation", "law popularization", "en")
    assert en.labels[0] == "law popularisation" and all(not re.search(r"[\u4e00-\u9fff]", w) for w in en.labels)
    assert en.clause_zh == zh.clause_zh  # the Chinese wording of the measures, whatever the text's language
    assert th.clause_terms("县长当被告要不要上法庭？") == ("出庭应诉", "行政案件")  # once, though named twice
    assert th.find("x", lang="zh") == [] and text_language("Who pays for 法治建设?") == "en"
    # offsets point into the (NFKC-normalised) text
    text = "What if the government is sued？"
    m = th.find(text)[0]
    assert unicodedata.normalize("NFKC", text)[m.start : m.end] == m.surface == "is sued"


def test_longest_match_and_word_boundaries(th: TopicThesaurus) -> None:
    def names(text: str) -> list[str]:
        return [m.concept.name for m in th.find(text)]

    assert names("重大问题亲自过问") == ["personalCommand"]  # personal attention …
    assert names("领导过问案件") == ["judicialInterference"]  # … is not interference in a case
    assert names("落实谁执法谁普法责任") == ["lawPopularisation"]  # not 执法 (enforcement) inside it
    assert names("执法不严") == ["lawBreaking"]
    assert names("重大决策合法性审查") == ["legalityReview"]
    assert names("lawyers") == ["publicLawyer"] and names("flawyers") == [] and names("lawyerly") == []
    assert names("interfering with judges") == ["judicialInterference", "judiciary"]
    assert names("rule of law") == names("rule-of-law") == ["ruleOfLawBuilding"]
    assert names("interprets") == ["interpretation"] and names("studies") == ["lawStudy"]
    # every word of an English label takes its regular inflections, not only the last one
    assert names("a department that performs poorly") == names("dragging its feet") == ["admonition"]
    assert names("a department that performs") == [] and names("drags") == []


# ---------------------------------------------------------------------------------------------------- clause search


def _both(article: int, item: int | None = None) -> list[Gold]:
    return [(GX, article, item), (GZ, article, item)]


SEARCHES: list[tuple[str, list[Gold]]] = [
    # law popularisation, study, lectures, training
    ("领导要不要给群众讲法律？", _both(5, 6) + _both(6, 6)),
    ("法律进社区归谁管", _both(5, 6) + _both(6, 6)),
    ("How should leaders organise law popularisation?", _both(5, 6) + _both(6, 6)),
    ("law lectures", [(GZ, 5, 6), (GZ, 6, 6)]),
    ("Must officials attend law lectures?", [(GZ, 5, 6), (GZ, 6, 6)]),
    ("政府每年要请专家讲几次法治课？", [(GZ, 6, 6)]),
    ("Do government leaders have to study the law together?", [*_both(6, 6), (GZ, 5, 6)]),
    ("Should department heads sit in on trials?", [(GZ, 6, 6)]),
    # the judiciary
    ("领导能不能给法院打招呼？", _both(5, 4)),
    ("Can a party secretary meddle in a court case?", _both(5, 4)),
    ("县长当被告要不要上法庭？", _both(6, 5)),
    ("What if the government is sued?", _both(6, 5)),
    ("官司输了要怎么办", [(GZ, 6, 5)]),
    # principles
    ("领导一个人说了算行不行", [*_both(3), (GZ, 9, 3)]),
    ("Can a leader put his word above the law?", [*_both(3), (GZ, 9, 3)]),
    ("How do officials take the lead in obeying the law?", _both(3)),
    # decisions, advisers and lawyers
    ("Who checks that major decisions are legal?", _both(5, 3) + _both(6, 2)),
    ("重大决策要不要审查合不合法", _both(5, 3) + _both(6, 2)),
    ("Do governments need in-house lawyers?", _both(6, 2) + _both(5, 3)),
    ("Can the mayor decide major matters alone?", [*_both(6, 2), (GZ, 5, 3)]),
    # law-based government: plans, reports, funding
    ("Who pays for rule-of-law work?", _both(6, 1)),
    ("法治建设的钱从哪来？", _both(6, 1)),
    ("Does the government report on law-based government every year?", [(GZ, 6, 1), (GZ, 5, 4)]),
    ("要不要做年度计划", _both(5, 1) + _both(6, 1)),
    ("Must the government correct inaction?", _both(6, 4)),
    # reporting, oversight, assessment
    ("年底要述职吗？", _both(7)),
    ("Is rule-of-law work part of the year-end report?", _both(7)),
    ("Who inspects whether leaders perform these duties?", [*_both(7), (GZ, 8, None)]),
    ("考核不合格会怎样", [(GZ, 8, None)]),
    ("Does rule-of-law performance affect promotion?", _both(8)),
    ("What if a leader does well in the assessment?", [(GZ, 8, None)]),
    # accountability and the conduct it sanctions
    ("包庇违法的人会被问责吗", [(GZ, 9, 4)]),
    ("What happens if a leader covers up wrongdoing?", [(GZ, 9, 4)]),
    ("出了大事领导要担责吗", [(GZ, 9, 2)]),
    ("What if a leader fails to perform these duties?", _both(9)),
    # the workforce
    ("What is required of the legal workforce?", _both(5, 5)),
    ("选干部要看什么", _both(5, 5)),
    # the first responsible person's place (art. 4)
    ("党政一把手在法治建设中是什么角色？", _both(4)),
    ("What role do principal leaders play in building the rule of law?", _both(4)),
    # major decisions include major projects
    ("上大项目要不要听取群众意见", _both(6, 2)),
]


def _rank(hits: list[tuple[str, int, int | None]], gold: list[Gold]) -> int | None:
    for r, (m, a, i) in enumerate(hits, 1):
        if any(m == gm and a == ga and (gi is None or i == gi) for gm, ga, gi in gold):
            return r
    return None


@pytest.mark.slow
def test_users_words_find_the_provision_in_the_top_3(index: ClauseIndex) -> None:
    misses = []
    for q, gold in SEARCHES:
        res = index.search_detailed(q, k=3)
        if _rank([(h.measure, h.article, h.item) for h in res.hits], gold) is None:
            misses.append((q, res.topics, [(h.measure, h.article, h.item) for h in res.hits]))
    assert not misses


def test_search_reports_the_topics_and_expands_only_foreign_words(index: ClauseIndex) -> None:
    res = index.search_detailed("Must officials attend law lectures?", k=3)
    assert res.topics == ("lawLecture",) and "法治专题讲座" in res.expansion
    assert {(h.measure, h.article, h.item) for h in res.hits[:2]} == {(GZ, 5, 6), (GZ, 6, 6)}
    # the measures' own words are already in the query: nothing to add, the phrase still comes first
    own = index.search_detailed("法治专题讲座", k=4, measure=GZ)
    assert own.topics == ("lawLecture",) and own.expansion == ()
    assert {(h.article, h.item) for h in own.hits[:2]} == {(5, 6), (6, 6)}
    # English questions no longer land on the interpretation article (贵州 art. 11) when they name a topic
    for q, _gold in SEARCHES:
        if text_language(q) == "en":
            top = index.search_detailed(q, k=3).hits
            assert (GZ, 11) not in {(h.measure, h.article) for h in top}, q


def test_each_family_is_searched(th: TopicThesaurus) -> None:
    """The searches above cover the families of the scheme (a query names a concept of each)."""
    families = Counter(th.broader_chain(c.name)[-1] for q, _ in SEARCHES for c in th.concepts_in(q))
    assert {"lawEducation", "judiciary", "principles", "decisionMaking", "lawBasedGovernment", "reporting",
            "oversight", "accountability", "workforce"} <= set(families)  # fmt: skip
