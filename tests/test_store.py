"""SPARQL over the committed kg/ (store.py, ontology/queries/*.rq): every named query held to a known result
read off the two measures in corpus/, the rdflib backend agreeing with oxigraph, and bad input (malformed
queries, UPDATE, SERVICE, queries over the time limit, injection through bound values) refused with a clear
error while the store stays unchanged and keeps answering."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from fzqa.settings import Settings, load_settings
from fzqa.store import (
    FORMATS,
    Busy,
    KnowledgeGraph,
    QueryError,
    QueryService,
    QueryTimeout,
    check_query,
    load_named_queries,
)

ROOT = Path(__file__).resolve().parents[1]
ROLE = "https://w3id.org/fzqa/role/"
ID = "https://w3id.org/fzqa/id/"
GX, GZ = ID + "guangxi-2018", ID + "guizhou-2020"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

Key = tuple[str, int, int | None]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings({"root": ROOT})


@pytest.fixture(scope="module")
def kg(settings: Settings) -> KnowledgeGraph:
    return KnowledgeGraph(settings)


@pytest.fixture(scope="module")
def rdflib_kg(settings: Settings) -> KnowledgeGraph:
    return KnowledgeGraph(settings, backend="rdflib")


@pytest.fixture(scope="module")
def service(settings: Settings) -> Iterator[QueryService]:
    with QueryService(settings, workers=1) as svc:
        yield svc


def key(row: dict[str, Any]) -> Key:
    return (str(row["measure"]).rsplit("/", 1)[1], int(row["article"]), row.get("item"))


def keys(rows: list[dict[str, Any]]) -> set[Key]:
    return {key(r) for r in rows}


def articles(measure: str, *numbers: int) -> set[Key]:
    return {(measure, n, None) for n in numbers}


def items(measure: str, article: int, *numbers: int) -> set[Key]:
    return {(measure, article, n) for n in numbers}


# ------------------------------------------------------------------------------------------- the queries
TESTED = {
    "annual_duties",
    "cited_instruments",
    "compare_measures",
    "coverage",
    "frequency_constraints",
    "measure_metadata",
    "measure_structure",
    "meta_rules",
    "norms_by_kind",
    "provision_norms",
    "provision_text",
    "role_norms",
    "role_thesaurus",
    "sanctions",
}


def test_every_named_query_says_what_it_answers_and_is_tested(settings: Settings) -> None:
    queries = load_named_queries(settings.ontology / "queries")
    assert set(queries) == TESTED, "a named query was added or removed: give it a test here"
    assert len(queries) >= 8
    for q in queries.values():
        assert q.title and q.title != q.name, f"{q.name}.rq: no '# title:' comment"
        assert len(q.description) > 30, f"{q.name}.rq: no '# description:' comment"
        assert q.text.lstrip().startswith("# title:"), q.name
        for param, help_ in q.params:
            assert f"?{param}" in q.text, f"{q.name}.rq: parameter {param} is not a variable of the query"
            assert help_, f"{q.name}.rq: parameter {param} has no help"
        # the web app shows them in Chinese too, and fills in an example for each required parameter
        assert q.title_zh and len(q.description_zh) > 15, f"{q.name}.rq: no '# title@zh:' / '# description@zh:'"
        assert [p for p, _ in q.params_zh] == [p for p, _ in q.params], f"{q.name}.rq: param@zh lines differ"
        assert set(q.required()) <= set(q.examples()), f"{q.name}.rq: a required parameter has no 'e.g.' value"


def test_annual_duties_of_a_county_mayor_through_the_thesaurus(kg: KnowledgeGraph) -> None:
    """县长 → 政府主要负责人 → 党政主要负责人: the government head's yearly duties (art. 6) and the year-end
    report of all principals (art. 7) in both measures; nothing of the Party head alone (art. 5) leaks in."""
    rows = kg.select("annual_duties", role=ROLE + "countyMayor")
    assert keys(rows) == (
        items("guangxi-2018", 6, 1)
        | articles("guangxi-2018", 7)
        | items("guizhou-2020", 6, 1, 4, 6)
        | articles("guizhou-2020", 7)
    )
    assert {r["bearer"] for r in rows} == {"政府主要负责人", "党政主要负责人"}
    assert all(r["period"] in ("year", "year-end") for r in rows)
    by_key = {key(r): r for r in rows if r.get("minCount") == 2}
    assert set(by_key) == {("guizhou-2020", 6, 6)} and "每年至少举办2次" in by_key[("guizhou-2020", 6, 6)]["cue"]
    year_end = [r for r in rows if r["period"] == "year-end"]
    assert {key(r) for r in year_end} == articles("guangxi-2018", 7) | articles("guizhou-2020", 7)
    assert all("年终述职" in r["quote"] for r in year_end)
    # one measure only
    assert keys(kg.select("annual_duties", role=ROLE + "countyMayor", measure=GX)) == items(
        "guangxi-2018", 6, 1
    ) | articles("guangxi-2018", 7)


def test_annual_duties_of_a_county_party_secretary_and_of_all_principals(kg: KnowledgeGraph) -> None:
    secretary = keys(kg.select("annual_duties", role=ROLE + "countyPartySecretary"))
    assert secretary == (
        items("guangxi-2018", 5, 1)
        | articles("guangxi-2018", 7)
        | items("guizhou-2020", 5, 1, 4, 6)
        | articles("guizhou-2020", 7)
    )
    mayor = keys(kg.select("annual_duties", role=ROLE + "countyMayor"))
    # the general role gets the duties of its narrower roles too
    assert keys(kg.select("annual_duties", role=ROLE + "principal")) == secretary | mayor


def test_a_named_query_asked_again_gives_the_same_rows_as_copies(settings: Settings) -> None:
    # the embedded store is never updated, so its rows are kept per query and bindings; a caller changing the rows
    # it got does not change what the next caller gets, and other bindings are other rows
    graph = KnowledgeGraph(settings)
    first = graph.select("annual_duties", role=ROLE + "countyMayor")
    first[0]["quote"] = "changed"
    again = graph.select("annual_duties", role=ROLE + "countyMayor")
    assert again == KnowledgeGraph(settings).select("annual_duties", role=ROLE + "countyMayor")
    assert all(r.get("quote") != "changed" for r in again)
    assert keys(graph.select("annual_duties", role=ROLE + "countyPartySecretary")) != keys(again)


def test_role_norms_of_a_county_mayor_in_one_measure(kg: KnowledgeGraph) -> None:
    rows = kg.select("role_norms", role=ROLE + "countyMayor", measure=GX)
    assert {r["measure"] for r in rows} == {GX}
    # art. 6's lead-in states the duty its items list; purpose, interpretation and entry into force bind no one
    assert keys(rows) == (articles("guangxi-2018", 2, 3, 4, 6, 7, 9) | items("guangxi-2018", 6, 1, 2, 3, 4, 5, 6))
    assert {r["bearer"] for r in rows} == {"政府主要负责人", "党政主要负责人"}  # never 党委主要负责人 (art. 5)
    assert {r["kind"] for r in rows} >= {"obligation", "principle", "prohibition", "sanction", "scope"}
    gz = kg.select("role_norms", role=ROLE + "countyMayor", measure=GZ)
    assert keys(gz) == (
        articles("guizhou-2020", 2, 3, 4, 6, 7, 8, 9)
        | items("guizhou-2020", 6, 1, 2, 3, 4, 5, 6)
        | items("guizhou-2020", 9, 1, 2, 3, 4, 5)
    )
    prohibitions = kg.select("role_norms", role=ROLE + "principal", measure=GX, kind="prohibition")
    assert keys(prohibitions) == articles("guangxi-2018", 3) | items("guangxi-2018", 5, 4)
    assert keys(kg.select("role_norms", role=ROLE + "townshipHead", measure=GZ)) == articles("guizhou-2020", 10)


def test_compare_measures_pairs_provisions_by_shared_topic_not_by_number(kg: KnowledgeGraph) -> None:
    rows = kg.select("compare_measures", role=ROLE + "countyMayor", measureA=GX, measureB=GZ)
    pairs = {(r.get("citationA"), r.get("citationB")): r for r in rows}
    # the lecture duty of both: the same topics (学法用法, 普法), and Guizhou's count beside Guangxi's none
    lectures = pairs[("广西 第六条（六）", "贵州 第六条（六）")]
    assert "每年至少举办2次" in lectures["textB"] and "每年" not in lectures["textA"]
    assert set(lectures["sharedTopics"].split(",")) >= {"学法用法", "普法"} and lectures["shared"] >= 2
    # a pair across article numbers when the topics say so: Guangxi's principles (徇私枉法, 以言代法, 以权压法)
    # beside Guizhou's accountability case that names them
    assert ("广西 第三条", "贵州 第九条（三）") in pairs
    for r in rows:
        if "citationA" in r and "citationB" in r:
            assert r["shared"] >= 1 and r["sharedTopics"], r  # never a pair that shares no topic
    # a lead-in that names no specific topic stands alone
    assert ("广西 第六条", None) in pairs and (None, "贵州 第六条") in pairs
    # the Party head's item and the departments' article are no county mayor's and pair with none of his
    assert not any(a in ("广西 第五条（一）", "广西 第十条") for a, _ in pairs)
    # each provision of the role appears: every Guangxi article or item that gives the county mayor a norm
    mayor = {(r["article"], r.get("item")) for r in kg.select("role_norms", role=ROLE + "countyMayor", measure=GX)}
    shown = {(r["articleA"], r.get("itemA")) for r in rows if "articleA" in r}
    assert mayor <= shown
    # the parameters stay out of the subqueries, so the text runs as well with VALUES lines (the web page's prefill)
    values = f"VALUES ?role {{ <{ROLE}countyMayor> }} VALUES ?measureA {{ <{GX}> }} VALUES ?measureB {{ <{GZ}> }}\n"
    text = kg.queries["compare_measures"].text.replace("WHERE {\n", "WHERE {\n" + values, 1)
    assert len(kg.run(text).rows) == len(rows)


def test_sanctions_with_their_conditions_and_instrument(kg: KnowledgeGraph) -> None:
    rows = kg.select("sanctions", measure=GZ, role=ROLE + "countyMayor")
    art9 = [r for r in rows if r["article"] == 9]
    assert keys(art9) == items("guizhou-2020", 9, 1, 2, 3, 4, 5) | articles("guizhou-2020", 9)  # lead-in too
    assert all(r["kind"] == "sanction" and r["instrument"] == "中国共产党问责条例" for r in art9)
    assert all(r.get("condition") for r in art9)
    conditions = {r.get("item"): r["condition"] for r in art9}
    assert conditions[5] == "其他应予以问责的失职失责情形"
    assert conditions[3].startswith("不遵守法律法规规定")
    art8 = {r["kind"]: r for r in rows if r["article"] == 8}
    assert art8["reward"]["condition"] == "考评优秀的" and art8["sanction"]["condition"] == "考评不合格的"
    assert art8["reward"]["imposedBy"] == art8["sanction"]["imposedBy"] == "上级党委"
    gx = kg.select("sanctions", measure=GX)
    assert keys(gx) == articles("guangxi-2018", 9)
    assert {r["instrument"] for r in gx} == {"中国共产党问责条例"}


def test_cited_instruments(kg: KnowledgeGraph) -> None:
    rows = kg.select("cited_instruments")
    accountability = [r for r in rows if r["title"] == "中国共产党问责条例"]
    assert keys(accountability) == (
        articles("guangxi-2018", 9) | articles("guizhou-2020", 9) | items("guizhou-2020", 9, 1, 2, 3, 4, 5)
    )
    implements = [r for r in rows if r["relation"] == "implements"]
    assert {r["measure"] for r in implements} == {GX, GZ}
    assert {r["title"] for r in implements} == {"党政主要负责人履行推进法治建设第一责任人职责规定"}
    assert len({r["instrument"] for r in implements}) == 1  # one node for the central rule
    assert all(r["instrument"].startswith(ID + "instrument/") for r in rows)
    assert {key(r) for r in kg.select("cited_instruments", measure=GX) if r["relation"] == "cites"} == articles(
        "guangxi-2018", 1, 9
    )


def test_provision_text_of_an_item_and_of_a_measure(kg: KnowledgeGraph, settings: Settings) -> None:
    (row,) = kg.select("provision_text", provision=GZ + "/art_6__item_6")
    assert row["citation"] == "贵州 第六条（六）" and (row["article"], row["item"]) == (6, 6)
    assert row["text"].startswith("完善行政机关工作人员学法用法制度") and "每年至少举办2次法治专题讲座" in row["text"]
    raw = (settings.corpus / "guizhou-2020.txt").read_text(encoding="utf-8")
    assert raw[row["start"] : row["end"]].startswith("(六)完善行政机关工作人员学法用法制度")
    (art,) = kg.select("provision_text", provision=GX + "/art_7")
    assert "item" not in art and "leadIn" not in art and art["text"].startswith("党政主要负责人应当将")
    assert len(kg.select("provision_text", measure=GZ)) == 12 + 17  # articles + items
    assert len(kg.select("provision_text")) == 24 + 29
    (art6,) = kg.select("provision_text", provision=GZ + "/art_6")
    assert art6["leadIn"] == "政府主要负责人在推进法治建设中应当履行以下主要职责:"


def test_provision_norms(kg: KnowledgeGraph) -> None:
    rows = kg.select("provision_norms", provision=GZ + "/art_6__item_6")
    assert [r["norm"].rsplit("/", 1)[1] for r in rows] == ["n1", "n2", "n3", "n4"]
    assert {r["kind"] for r in rows} == {"obligation"} and {r["bearer"] for r in rows} == {"政府主要负责人"}
    freq = [r for r in rows if "period" in r]
    assert len(freq) == 1 and freq[0]["period"] == "year" and freq[0]["minCount"] == 2
    assert "每年至少举办2次法治专题讲座" in freq[0]["quote"]
    assert kg.select("provision_norms", provision=GZ + "/art_99") == []


def test_coverage_direct_and_by_reference(kg: KnowledgeGraph) -> None:
    township = kg.select("coverage", role=ROLE + "townshipHead")
    assert keys(township) == articles("guangxi-2018", 10) | articles("guizhou-2020", 10)
    assert {r["coverage"] for r in township} == {"by-reference"}
    assert {r["covered"] for r in township} == {"乡（镇、街道）党政主要负责人"}
    mayor = kg.select("coverage", role=ROLE + "countyMayor")
    assert keys(mayor) == articles("guangxi-2018", 2) | articles("guizhou-2020", 2)
    assert {r["coverage"] for r in mayor} == {"direct"} and {r["covered"] for r in mayor} == {"党政主要负责人"}
    assert all(set(r["levels"].split(",")) == {"province", "city", "county"} for r in mayor)
    bureau = kg.select("coverage", role=ROLE + "departmentHead", measure=GZ)
    assert keys(bureau) == articles("guizhou-2020", 10)
    assert {r["covered"] for r in bureau} == {"县级以上地方党委和政府工作部门主要负责人"}
    assert {(key(r), r["coverage"]) for r in kg.select("coverage")} == {
        (("guangxi-2018", 2, None), "direct"),
        (("guizhou-2020", 2, None), "direct"),
        (("guangxi-2018", 10, None), "by-reference"),
        (("guizhou-2020", 10, None), "by-reference"),
    }


def test_frequency_constraints(kg: KnowledgeGraph) -> None:
    rows = kg.select("frequency_constraints")
    at_least_twice = {key(r) for r in rows if (r.get("minCount") or 0) >= 2}
    assert at_least_twice == items("guizhou-2020", 5, 1, 6) | items("guizhou-2020", 6, 6)
    assert not [r for r in rows if r["measure"] == GX and (r.get("minCount") or 0) >= 2]
    cues = {key(r): r["cue"] for r in rows if (r.get("minCount") or 0) >= 2}
    assert cues[("guizhou-2020", 5, 1)] == "每年至少听取2次"
    year_end = kg.select("frequency_constraints", period="year-end")
    assert keys(year_end) == articles("guangxi-2018", 7) | articles("guizhou-2020", 7)
    periodic = kg.select("frequency_constraints", period="periodic", measure=GZ)
    assert keys(periodic) == articles("guizhou-2020", 7) and periodic[0]["bearer"] == "上级党委"
    assert {r["period"] for r in rows} <= {"year", "half-year", "quarter", "month", "year-end", "term", "periodic"}


def test_measure_metadata(kg: KnowledgeGraph) -> None:
    rows = {r["measure"]: r for r in kg.select("measure_metadata")}
    assert set(rows) == {GX, GZ}
    gx, gz = rows[GX], rows[GZ]
    assert gx["number"] == "桂办发〔2018〕1号" and gx["date"] == "2018-01-09" and gx["short"] == "广西"
    assert set(gx["issuers"].split("、")) == {"中共广西壮族自治区委员会办公厅", "广西壮族自治区人民政府办公厅"}
    assert gx["jurisdiction"] == "广西壮族自治区"
    assert "number" not in gz and gz["date"] == gz["inForce"] == "2020-09-09"
    assert gz["interpretedBy"] == "省委依法治省办" and gz["issuers"] == "中共贵州省委办公厅"
    assert gz["implements"] == gx["implements"] == "党政主要负责人履行推进法治建设第一责任人职责规定"
    assert [r["measure"] for r in kg.select("measure_metadata", measure=GZ)] == [GZ]


def test_measure_structure(kg: KnowledgeGraph) -> None:
    rows = {r["measure"]: r for r in kg.select("measure_structure")}
    assert set(rows) == {GX, GZ}
    for m, r in rows.items():  # the same counts as the provisions themselves
        provisions = [p for p in kg.select("provision_text", measure=m)]
        articles = {p["article"] for p in provisions if "item" not in p}
        itemised = {p["article"] for p in provisions if "item" in p}
        assert r["articles"] == len(articles) == r["lastArticle"] - r["firstArticle"] + 1 == 12
        assert r["items"] == sum(1 for p in provisions if "item" in p)
        assert {int(a) for a in r["itemised"].split(",")} == itemised
    assert rows[GZ]["items"] == 17 and {int(a) for a in rows[GZ]["itemised"].split(",")} == {5, 6, 9}
    assert [r["measure"] for r in kg.select("measure_structure", measure=GX)] == [GX]


def test_meta_rules(kg: KnowledgeGraph) -> None:
    rows = kg.select("meta_rules")
    assert {(key(r), r["topic"]) for r in rows} == {
        ((m, n, None), t)
        for m in ("guangxi-2018", "guizhou-2020")
        for n, t in ((1, "purpose"), (11, "interpretation"), (12, "entry-into-force"))
    }
    (gz,) = kg.select("meta_rules", topic="interpretation", measure=GZ)
    assert gz["quote"] == "本办法具体解释工作由省委依法治省办承担。"


def test_norms_by_kind(kg: KnowledgeGraph) -> None:
    prohibitions = kg.select("norms_by_kind", kind="prohibition")
    assert keys(prohibitions) == articles("guangxi-2018", 3) | items("guangxi-2018", 5, 4) | articles(
        "guizhou-2020", 3
    ) | items("guizhou-2020", 5, 4)
    assert all("不得" in r["quote"] or "反对" in r["quote"] for r in prohibitions)
    rewards = kg.select("norms_by_kind", kind="reward")
    assert keys(rewards) == articles("guizhou-2020", 8) and "通报表扬" in rewards[0]["quote"]
    scope = kg.select("norms_by_kind", kind="scope", measure=GZ)
    assert {key(r) for r in scope} == articles("guizhou-2020", 2, 10)
    for kind in ("obligation", "principle", "sanction", "meta"):
        rows = kg.select("norms_by_kind", kind=kind)
        assert rows and {r["kind"] for r in rows} == {kind}
    assert kg.select("norms_by_kind", kind="nonsense") == []


def test_role_thesaurus(kg: KnowledgeGraph) -> None:
    rows = {r["labelZh"]: r for r in kg.select("role_thesaurus")}
    assert rows["县长"]["concept"] == ROLE + "countyMayor"
    assert rows["县长"]["broader"] == "政府主要负责人" and rows["县长"]["level"] == "county"
    assert rows["县长"]["labelEn"] == "county mayor" and rows["县长"]["type"].endswith("#Post")
    assert rows["政府主要负责人"]["broader"] == "党政主要负责人"
    assert rows["党委主要负责人"]["broader"] == "党政主要负责人"
    assert "broader" not in rows["党政主要负责人"]
    assert rows["乡镇长"]["broader"] == "乡（镇、街道）党政主要负责人"
    assert "broader" not in rows["村党组织书记"]  # a post the measures do not reach
    assert "broader" not in rows["国有企业主要负责人"] and rows["国有企业主要负责人"]["type"].endswith("#Post")
    assert "broader" not in rows["副职领导干部"]  # deputies: not the principals the measures bind
    assert "broader" not in rows["法院院长"] and "broader" not in rows["政协主席"]  # other bodies' heads
    assert "broader" not in rows["中央和国家机关部门主要负责人"]  # the central organs, above the province
    assert "broader" not in rows["共青团委员会书记"]  # the Youth League's committees: not the Party committees
    assert len(rows) == 29


# ------------------------------------------------------------------------------------------- rdflib backend
@pytest.mark.parametrize(
    ("name", "bindings"),
    [
        ("annual_duties", {"role": ROLE + "countyMayor"}),
        ("role_norms", {"role": ROLE + "countyMayor", "measure": GZ}),
        ("coverage", {"role": ROLE + "townshipHead"}),
        ("frequency_constraints", {"measure": GZ}),
        ("norms_by_kind", {"kind": "prohibition"}),
        ("provision_norms", {"provision": GZ + "/art_6__item_6"}),
        ("compare_measures", {"role": ROLE + "countyMayor", "measureA": GX, "measureB": GZ}),
    ],
)
def test_rdflib_backend_gives_the_same_rows(
    kg: KnowledgeGraph, rdflib_kg: KnowledgeGraph, name: str, bindings: dict[str, str]
) -> None:
    def value(k: str, v: Any) -> str:  # GROUP_CONCAT order is not defined: compare the parts
        return ",".join(sorted(str(v).split(","))) if k in ("levels", "sharedTopics") else str(v)

    def canon(rows: list[dict[str, Any]]) -> list[str]:
        return sorted(
            json.dumps({k: value(k, v) for k, v in r.items()}, sort_keys=True, ensure_ascii=False) for r in rows
        )

    ox_rows, rd_rows = kg.select(name, **bindings), rdflib_kg.select(name, **bindings)
    assert ox_rows, f"{name}: no rows on oxigraph"
    assert canon(ox_rows) == canon(rd_rows)


# ------------------------------------------------------------------------------------------- bindings
def test_bound_values_cannot_inject(kg: KnowledgeGraph, rdflib_kg: KnowledgeGraph) -> None:
    size = len(kg)
    for store in (kg, rdflib_kg):
        assert store.select("norms_by_kind", kind='obligation" } } DELETE { ?s ?p ?o } WHERE { #') == []
        assert store.select("norms_by_kind", kind="obligation' } UNION { ?norm ?kind ?x") == []
        assert store.select("role_norms", role=ROLE + "countyMayor> ?p ?o } #") == []
        assert store.select("role_norms", role="<" + ROLE + "countyMayor>") == []
    assert len(kg) == size
    assert kg.select("norms_by_kind", kind="obligation")  # the store still answers


def test_unknown_parameter_or_query_is_an_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=r"no parameter 'rol'.*parameters: measure, role"):
        kg.select("annual_duties", rol=ROLE + "countyMayor")
    with pytest.raises(QueryError, match="unknown named query 'annual'; known: annual_duties"):
        kg.select("annual")


# ------------------------------------------------------------------------------------------- raw queries
@pytest.mark.parametrize(
    ("query", "line", "token"),
    [
        ("SELECT ?s WHERE { ?s ?p }", 1, "}"),
        ("PREFIX fzqa: <https://w3id.org/fzqa#>\nSELECT ?n WHERE {\n  ?n fzqa:kind ?k .\n  FILTER(\n}", 5, "}"),
        ("SELECT ?s WHERE { ?s undeclared:p ?o }", 1, "undeclared:p"),
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT x", 1, "x"),
    ],
)
def test_malformed_query_reports_line_and_column(
    kg: KnowledgeGraph, service: QueryService, query: str, line: int, token: str
) -> None:
    """The position is oxigraph's: where the parser gave up, at or just past the offending token."""
    src = query.splitlines()[line - 1]
    start = src.rindex(token) + 1  # 1-based column of the token
    for run in (kg.run, service.run):
        with pytest.raises(QueryError) as exc_info:
            run(query)
        err = exc_info.value
        assert err.line == line and err.status == 400, str(err)
        assert err.column is not None and start <= err.column <= start + len(token), str(err)
        assert f"SPARQL syntax error at line {line}, column {err.column}" in str(err)
        assert src in str(err)  # the offending line is quoted, with a caret under the position


@pytest.mark.parametrize(
    ("query", "words", "line", "column"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "UPDATE (INSERT) is not allowed", 1, 1),
        ("PREFIX x: <urn:x#>\nDELETE WHERE { ?s ?p ?o }", "UPDATE (DELETE) is not allowed", 2, 1),
        ("CLEAR ALL", "UPDATE (CLEAR) is not allowed", 1, 1),
        ("LOAD <http://example.org/data.ttl>", "UPDATE (LOAD) is not allowed", 1, 1),
        ("SELECT * WHERE {\n  SERVICE <http://example.org/sparql> { ?s ?p ?o }\n}", "SERVICE is not allowed", 2, 3),
        ("SELECT * WHERE { ?s ?p ?o . service silent <http://x/> { ?s ?p ?o } }", "SERVICE is not allowed", 1, 29),
    ],
)
def test_update_and_service_are_refused_and_nothing_changes(
    kg: KnowledgeGraph, service: QueryService, query: str, words: str, line: int, column: int
) -> None:
    size = len(kg)
    for run in (kg.run, service.run):
        with pytest.raises(QueryError) as exc_info:
            run(query)
        err = exc_info.value
        assert words in str(err) and err.status == 403
        assert (err.line, err.column) == (line, column)
    assert len(kg) == size
    served = service.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json")
    count = json.loads(served.body)["results"]["bindings"][0]["n"]["value"]
    assert int(count) == size


def test_names_that_look_like_keywords_are_not_refused(kg: KnowledgeGraph) -> None:
    q = "SELECT ?delete ?service WHERE { ?delete a <https://w3id.org/fzqa#Measure> . BIND(1 AS ?service) }"
    assert len(kg.run(q).rows) == 2
    q = 'SELECT ?s WHERE { ?s ?p "INSERT DATA { <urn:a> <urn:b> <urn:c> }" } # SERVICE <http://x>'
    assert kg.run(q).rows == []


# ------------------------------------------------------------------------------------------- the tokenizer's refusals
# Each hides a SERVICE from a regex over the text; the tokenizer sees the keyword where oxigraph's parser does.
# The port is never called: check_query refuses the text first (test_sparql_protocol.py listens to prove it).
TARGET = "<http://127.0.0.1:9/sparql>"
EX = "PREFIX ex: <http://example.org/>\n"
SERVICE_HIDDEN = {
    "the tester's payload": (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { OPTIONAL { ?x ex:a\\# ?y } "
        f"SERVICE {TARGET} {{ ?s ?p ?o }} }}"
    ),
    "escaped # mid-name": EX + f"SELECT * WHERE {{ ?x ex:a\\#b ?y . SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "escaped # and . and %": EX + f"SELECT * WHERE {{ ?x ex:\\#\\.%23a\\~ ?y SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "escaped quote in a name": EX + f"SELECT * WHERE {{ ?x ex:it\\'s ?y SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "lower case": f"select * where {{ ?s ?p ?o service {TARGET} {{ ?s ?p ?o }} }}",
    "mixed case, silent": f"SELECT * WHERE {{ ?s ?p ?o SeRvIcE SiLeNt {TARGET} {{ ?s ?p ?o }} }}",
    "a variable as endpoint": f"SELECT * WHERE {{ BIND({TARGET} AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    "deep in nested groups": (
        f"SELECT * WHERE {{ {{ {{ OPTIONAL {{ ?s ?p ?o MINUS {{ SERVICE {TARGET} {{ }} }} }} }} }} }}"
    ),
    "in FILTER EXISTS": f"ASK {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {TARGET} {{ ?s ?p ?o }} }} }}",
    "in a subquery of a CONSTRUCT": (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT * WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }} }} }}"
    ),
    "after a comment with quotes": f'SELECT * WHERE {{ # it\'s "quoted" <and>\n  SERVICE {TARGET} {{ ?s ?p ?o }} }}',
    "after a comment ended by CR": f"SELECT * WHERE {{ ?s ?p ?o # SERVICE\rSERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "after strings with escapes": (
        f"SELECT * WHERE {{ ?s ?p \"a\\\"#\", '\\\\', '''x''y''', \"\"\"#\"\"\" SERVICE {TARGET} {{ ?s ?p ?o }} }}"
    ),
    "after an IRI with #": f"SELECT * WHERE {{ ?s <http://x/#a> ?o SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "after a less-than": f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<?s) SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "glued to SILENT": f"SELECT * WHERE {{ SERVICESILENT{TARGET} {{ ?s ?p ?o }} }}",
    "glued after true": f"SELECT * WHERE {{ ?s ?p trueSERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "glued after a number": f"SELECT * WHERE {{ ?s ?p 1SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    "glued after an IRI": f'SELECT * WHERE {{ ?s ?p "1"^^<urn:t>SERVICE {TARGET} {{ ?s ?p ?o }} }}',
    "no spaces at all": f"ASK{{?s ?p ?o SERVICE{TARGET}{{?s ?p ?o}}}}",
}


@pytest.mark.parametrize("query", SERVICE_HIDDEN.values(), ids=SERVICE_HIDDEN.keys())
def test_service_is_found_wherever_the_parser_would_see_it(
    kg: KnowledgeGraph, service: QueryService, query: str
) -> None:
    at = query.upper().rindex("SERVICE")  # in these queries the last one is the keyword
    line = query.count("\n", 0, at) + 1
    column = at - (query.rfind("\n", 0, at) + 1) + 1
    for run in (check_query, kg.run, service.run):
        with pytest.raises(QueryError) as exc_info:
            run(query)
        err = exc_info.value
        assert "SERVICE is not allowed" in str(err) and err.status == 403, str(err)
        assert (err.line, err.column) == (line, column), str(err)


SERVICE_AS_DATA = {
    "in a string": 'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }" }',
    "in a long string with quotes": "SELECT ?s WHERE { ?s ?p '''it's ''SERVICE'' <http://127.0.0.1:9/>''' }",
    "in a comment": 'SELECT ?s WHERE { ?s ?p "none" } # SERVICE <http://127.0.0.1:9/sparql> { }',
    "in an IRI": "SELECT ?s WHERE { ?s <http://example.org/#SERVICE> ?o }",
    "as names": EX + "SELECT ?service WHERE { ?service ex:service ?o . ?o ex:a\\#SERVICE ?x }",
}


@pytest.mark.parametrize("query", SERVICE_AS_DATA.values(), ids=SERVICE_AS_DATA.keys())
def test_service_as_data_is_not_refused(kg: KnowledgeGraph, query: str) -> None:
    assert check_query(query) == "SELECT"
    assert kg.run(query).rows == []


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("ASK{?s ?p ?o}", "ASK"),
        (EX + "# SELECT in a comment\nDESCRIBE ex:x", "DESCRIBE"),
        ('CONSTRUCT { ?s ?p "SELECT" } WHERE { { SELECT ?s ?p WHERE { ?s ?p ?o } } }', "CONSTRUCT"),
        ("select distinct ?s where { ?s ?p ?o }", "SELECT"),
    ],
)
def test_the_query_form_is_the_first_form_keyword(query: str, form: str) -> None:
    assert check_query(query) == form


@pytest.mark.parametrize(
    ("query", "line", "column", "what"),
    [
        ('SELECT * WHERE {\n  ?s ?p "never closed }', 2, 9, "an unterminated string"),
        ("SELECT * WHERE { ?s ?p ?o }\f", 1, 28, "unexpected character '\\x0c'"),
        ("SELECT * WHERE { ?s ?p ?o\u00a0}", 1, 26, "unexpected character '\\xa0'"),
    ],
)
def test_what_the_tokenizer_cannot_read_is_refused_with_its_position(
    service: QueryService, query: str, line: int, column: int, what: str
) -> None:
    with pytest.raises(QueryError) as exc_info:
        service.run(query)
    err = exc_info.value
    assert (err.line, err.column, err.status) == (line, column, 400)
    assert f"SPARQL syntax error at line {line}, column {column}: {what}" in str(err)


@pytest.mark.parametrize(
    ("query", "line", "column", "what"),
    [
        # a missing ")" was "expected NOT" at the LIMIT below it
        (
            "SELECT ?x WHERE {\n  ?x ?p ?o .\n  FILTER(STRLEN(?o) > 3\n}\nLIMIT 10",
            4,
            1,
            "missing ')' before '}': the '(' at line 3, column 9 is not closed",
        ),
        ("SELECT ?x WHERE { ?x ?p ?o", 1, 27, "missing '}': the '{' at line 1, column 17 is not closed"),
        ("SELECT ?x WHERE { ?x ?p ?o ) }", 1, 28, "missing '}' before ')'"),
        ("SELECT ?x WHERE { ?x ?p ?o } }", 1, 30, "unexpected '}': nothing is open that it could close"),
        # an undeclared prefix listed Unicode ranges; a prefix the graph declares is offered with its IRI
        ("SELECT ?x WHERE {\n  ?x a ex:Foo }", 2, 8, "prefix ex: is not declared; add PREFIX ex: <…> at the top"),
        (
            "SELECT ?x WHERE { ?x a fzqa:Norm }",
            1,
            24,
            "prefix fzqa: is not declared; add PREFIX fzqa: <https://w3id.org/fzqa#> at the top",
        ),
    ],
)
def test_syntax_errors_say_what_is_missing_where(
    kg: KnowledgeGraph, service: QueryService, query: str, line: int, column: int, what: str
) -> None:
    for run in (kg.run, service.run):
        with pytest.raises(QueryError) as exc_info:
            run(query)
        err = exc_info.value
        assert (err.line, err.column, err.status) == (line, column, 400), str(err)
        assert f"SPARQL syntax error at line {line}, column {column}: {what}" in str(err)
        assert "\\u{" not in str(err) and "expected NOT" not in str(err)


def test_the_parsers_expected_list_is_short_and_has_no_character_classes(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError) as exc_info:
        kg.run("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT")
    msg = str(exc_info.value)
    assert "expected one of" in msg and "…" in msg and "\\u{" not in msg and "'A' ..= 'Z'" not in msg


# ------------------------------------------------------------------------------------------- nesting depth
DEPTH = Settings.query_max_depth


NESTINGS: dict[str, tuple[str, str, int, Callable[[int], str]]] = {
    # name: (text before the first opener, the opener, levels outside it, the query with n openers)
    "braces": ("SELECT * WHERE ", "{", 0, lambda n: "SELECT * WHERE " + "{" * n + "}" * n),
    "parentheses": (
        "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER",
        "(",
        1,
        lambda n: "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER" + "(" * n + "1" + ")" * n + " }",
    ),
    "blank nodes": (
        "SELECT * WHERE { ?s ?p ",
        "[ <urn:p> ",
        1,
        lambda n: "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * n + "1" + " ]" * n + " }",
    ),
    "negations": (
        "SELECT * WHERE { ?s ?p ?o FILTER(",
        "!",
        2,
        lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }",
    ),
}


@pytest.mark.parametrize(("prefix", "opener", "outer", "make"), NESTINGS.values(), ids=NESTINGS.keys())
def test_nesting_beyond_the_limit_is_refused_before_the_worker(
    service: QueryService, prefix: str, opener: str, outer: int, make: Callable[[int], str]
) -> None:
    """10 000 levels crashed the worker (500); now 400 at the first bracket beyond the limit, and the worker is
    not touched. The limit itself still runs."""
    pid = service.status()["workers"][0]
    first_beyond = len(prefix) + len(opener) * (DEPTH - outer)  # offset of the opener at depth DEPTH + 1
    for n in (10_000, DEPTH - outer + 1):
        query = make(n)
        line = query.count("\n", 0, first_beyond) + 1
        column = first_beyond - (query.rfind("\n", 0, first_beyond) + 1) + 1
        with pytest.raises(QueryError) as exc_info:
            service.run(query)
        err = exc_info.value
        assert (err.line, err.column, err.status) == (line, column, 400), str(err)
        assert f"nests deeper than the limit of {DEPTH} levels at line {line}, column {column}" in str(err)
        assert query.splitlines()[line - 1] in str(err)
    assert service.run(make(DEPTH - outer), "json").form == "SELECT"
    assert service.status()["workers"][0] == pid  # the worker never died


# ------------------------------------------------------------------------------------------- memory limit
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"  # 2 690² rows to sort: grew a worker to 2 GB in 8 s


def _rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def test_a_query_over_the_memory_limit_is_stopped_and_the_worker_restarted(settings: Settings) -> None:
    with QueryService(settings, workers=1) as svc:
        svc.run("ASK {}")
        before = svc.status()["workers"][0]
        peak = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _rss_mb(before))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        t0 = time.monotonic()
        try:
            with pytest.raises(QueryError) as exc_info:
                svc.run(BOMB, timeout=120)
        finally:
            done.set()
            watcher.join()
        took = time.monotonic() - t0
        err = exc_info.value
        assert err.status == 503 and f"needed more than {settings.query_memory_mb} MB" in str(err), str(err)
        assert took < 120  # the memory limit stopped it, not the time limit
        assert 0 < peak <= settings.query_memory_mb
        print(f"\nmemory bomb: stopped after {took:.1f} s, worker peak RSS {peak} MB")
        assert svc.status()["workers"][0] != before  # restarted
        served = svc.run("ASK { <https://w3id.org/fzqa/role/countyMayor> ?p ?o }", "json")
        assert json.loads(served.body)["boolean"] is True


# ------------------------------------------------------------------------------------------- fair queueing
def _wait_for(svc: QueryService, key: str, value: int) -> None:
    deadline = time.monotonic() + 30
    while svc.status()[key] != value:
        assert time.monotonic() < deadline, f"{key} never reached {value}: {svc.status()}"
        time.sleep(0.02)


def test_each_client_has_its_share_and_the_queue_is_bounded(settings: Settings) -> None:
    """Two workers, one query per client, one request may wait: a client's second query and a request beyond
    the queue are told to come back (503 + Retry-After) at once; the one that waited is answered."""
    fair = dataclasses.replace(settings, query_timeout=3.0, query_client_share=1, query_queue=1)
    with QueryService(fair, workers=2) as svc:
        svc.run("ASK {}")
        outcome: dict[str, str] = {}

        def slow(client: str) -> None:
            try:
                svc.run(SLOW_QUERY, client=client)
                outcome[client] = "answered"
            except QueryError as exc:
                outcome[client] = f"{exc.status}: {exc}"

        def fast(client: str) -> None:
            outcome[client] = svc.run("ASK { ?s ?p ?o }", timeout=30, client=client).body

        threads = [threading.Thread(target=slow, args=("a",))]
        threads[0].start()
        _wait_for(svc, "busy", 1)
        with pytest.raises(Busy) as exc_info:
            svc.run("ASK {}", client="a")
        assert "the share of one client is 1" in str(exc_info.value)
        assert exc_info.value.status == 503 and exc_info.value.retry_after == 3
        threads.append(threading.Thread(target=slow, args=("b",)))
        threads[-1].start()
        _wait_for(svc, "busy", 2)
        threads.append(threading.Thread(target=fast, args=("c",)))
        threads[-1].start()
        _wait_for(svc, "waiting", 1)
        with pytest.raises(Busy) as exc_info:
            svc.run("ASK {}", client="d")
        assert "all 2 query workers are busy and 1 requests are waiting" in str(exc_info.value)
        for t in threads:
            t.join()
        assert outcome["a"].startswith("503: the query ran longer than the time limit")
        assert outcome["b"].startswith("503: the query ran longer than the time limit")
        assert json.loads(outcome["c"])["boolean"] is True  # it waited, then ran
        assert svc.status() | {"workers": []} == {"workers": [], "busy": 0, "waiting": 0, "clients": {}}
        assert json.loads(svc.run("ASK { ?s ?p ?o }", client="a").body)["boolean"] is True  # a's share is back


def test_a_query_over_the_time_limit_is_stopped_and_the_service_recovers(service: QueryService) -> None:
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout) as exc_info:
        service.run(SLOW_QUERY, timeout=1)
    assert time.monotonic() - t0 < 10
    assert "time limit of 1 s" in str(exc_info.value) and exc_info.value.status == 503
    served = service.run("ASK { <https://w3id.org/fzqa/role/countyMayor> ?p ?o }", "json")
    assert json.loads(served.body)["boolean"] is True


def test_kg_run_honours_a_deadline(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryTimeout):
        kg.run("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", max_results=10**9, deadline=time.monotonic() - 1)


def test_result_cap_truncates(kg: KnowledgeGraph, service: QueryService) -> None:
    r = kg.run("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_results=7)
    assert r.truncated and len(r.rows) == 7
    served = service.run("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "json", max_results=5)
    assert served.truncated and served.count == 5
    assert len(json.loads(served.body)["results"]["bindings"]) == 5
    c = kg.run("CONSTRUCT WHERE { ?s ?p ?o }", max_results=4)
    assert c.truncated and len(c.triples) == 4
    small = kg.run("SELECT ?m WHERE { ?m a <https://w3id.org/fzqa#Measure> }", max_results=5)
    assert not small.truncated and len(small.rows) == 2


# ------------------------------------------------------------------------------------------- formats
SELECT = (
    "PREFIX fzqa: <https://w3id.org/fzqa#>\n"
    "SELECT ?p ?citation ?item ?text WHERE { ?p fzqa:inMeasure ?m ; fzqa:citation ?citation ; fzqa:text ?text .\n"
    "  OPTIONAL { ?p fzqa:itemNumber ?item } } ORDER BY ?citation"
)
CONSTRUCT = (
    "PREFIX fzqa: <https://w3id.org/fzqa#>\n"
    "CONSTRUCT { ?p fzqa:citation ?c } WHERE { ?p fzqa:inMeasure <https://w3id.org/fzqa/id/guizhou-2020> ;"
    " fzqa:citation ?c }"
)


def test_select_formats_parse(kg: KnowledgeGraph) -> None:
    r = kg.run(SELECT)
    n = len(r.rows)
    assert n == 53 and r.variables == ["p", "citation", "item", "text"]
    data = json.loads(r.serialize("json"))
    assert data["head"]["vars"] == r.variables and len(data["results"]["bindings"]) == n
    first = data["results"]["bindings"][0]
    assert first["p"]["type"] == "uri" and first["citation"]["xml:lang"] == "zh"
    root = ET.fromstring(r.serialize("xml"))
    assert [v.get("name") for v in root.iter(SRX + "variable")] == r.variables
    assert len(list(root.iter(SRX + "result"))) == n
    table = list(csv.reader(io.StringIO(r.serialize("csv"), newline="")))
    assert table[0] == r.variables and len(table) == n + 1
    assert any("\n" in row[3] for row in table[1:])  # article texts with items keep their line breaks
    tsv = r.serialize("tsv").splitlines()
    assert tsv[0] == "?p\t?citation\t?item\t?text" and len(tsv) == n + 1
    assert all(line.count("\t") == 3 for line in tsv)
    text = r.serialize("table")
    assert text.splitlines()[0].split(" | ")[0].strip() == "p" and text.rstrip().endswith("(53 rows)")
    for fmt in ("turtle", "jsonld"):
        with pytest.raises(QueryError) as exc_info:
            r.serialize(fmt)
        assert exc_info.value.status == 406


def test_construct_and_ask_formats_parse(kg: KnowledgeGraph) -> None:
    c = kg.run(CONSTRUCT)
    assert c.form == "CONSTRUCT" and len(c.triples) == 29
    assert len(Graph().parse(data=c.serialize("turtle"), format="turtle")) == 29
    jsonld = c.serialize("jsonld")
    assert json.loads(jsonld) and len(Graph().parse(data=jsonld, format="json-ld")) == 29
    for fmt in ("json", "csv", "xml"):
        with pytest.raises(QueryError):
            c.serialize(fmt)
    d = kg.run("DESCRIBE <https://w3id.org/fzqa/id/guizhou-2020/art_6__item_6>")
    assert d.form == "DESCRIBE" and len(Graph().parse(data=d.serialize("turtle"), format="turtle")) > 5
    a = kg.run("ASK { <https://w3id.org/fzqa/role/countyMayor> ?p ?o }")
    assert a.form == "ASK" and a.boolean is True
    assert json.loads(a.serialize("json"))["boolean"] is True
    assert ET.fromstring(a.serialize("xml")).find(SRX + "boolean").text == "true"  # type: ignore[union-attr]
    assert list(csv.reader(io.StringIO(a.serialize("csv")))) == [["_askResult"], ["true"]]
    assert a.serialize("tsv").splitlines()[1] == "true" and a.serialize("table").strip() == "true"
    assert kg.run("ASK { <urn:nothing> ?p ?o }").boolean is False


def test_blank_nodes_in_csv_keep_their_label_form(kg: KnowledgeGraph) -> None:
    r = kg.run("SELECT ?b WHERE { ?b ?p ?o FILTER(isBlank(?b)) } LIMIT 1")
    assert r.rows, "the graph has blank nodes (OWL lists)"
    assert list(csv.reader(io.StringIO(r.serialize("csv"))))[1][0].startswith("_:")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("turtle", "jsonld")])
def test_service_serves_every_table_format(service: QueryService, fmt: str) -> None:
    served = service.run(SELECT, fmt)
    assert served.form == "SELECT" and served.count == 53 and not served.truncated
    if fmt == "json":
        assert len(json.loads(served.body)["results"]["bindings"]) == 53
        assert served.media_type == "application/sparql-results+json"
    elif fmt == "xml":
        assert len(list(ET.fromstring(served.body).iter(SRX + "result"))) == 53
    elif fmt == "csv":
        assert len(list(csv.reader(io.StringIO(served.body, newline="")))) == 54
    else:
        assert served.body.strip()


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_service_serves_graph_formats(service: QueryService, fmt: str) -> None:
    served = service.run(CONSTRUCT, fmt)
    assert served.form == "CONSTRUCT" and served.count == 29
    g = Graph().parse(data=served.body, format="turtle" if fmt == "turtle" else "json-ld")
    assert len(g) == 29


def test_service_refuses_an_unknown_format(service: QueryService) -> None:
    with pytest.raises(QueryError) as exc_info:
        service.run(SELECT, "yaml")
    assert exc_info.value.status == 406 and "unknown format" in str(exc_info.value)
