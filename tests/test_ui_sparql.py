"""The SPARQL and browse tabs' functions on the real graph and the real query workers (no browser):
prefilled named queries, result tables, downloads, duties (by reference too) and translations."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fzqa.settings import load_settings
from fzqa.ui import (
    PAGE_SIZE,
    named_choices,
    prefill,
    query_prefixes,
    results_html,
    run_sparql,
    short_iri,
    sparql_files,
)


@pytest.fixture(scope="module")
def services(built: None) -> Iterator[Any]:
    from fzqa.server import Services

    s = Services(load_settings(), workers=1)
    yield s
    s.close()


def test_every_prefilled_named_query_gives_the_rows_of_its_bound_run(services: Any) -> None:
    """The text the SPARQL tab shows for a named query, run as it stands, gives what the named query gives with
    the same values bound (the CLI's way). compare_measures gave 0 rows from the UI: its VALUES sat outside the
    sub-SELECT that needs them."""
    kg = services.kg
    for name, q in kg.queries.items():
        text, desc = prefill(services, name, "en")
        bound = {p: v for p, v in q.examples().items() if p in q.required()}
        want = kg.select(name, **bound)
        got = kg.run(text).records()
        assert len(got) == len(want), f"{name}: {len(got)} rows from the prefilled text, {len(want)} bound"
        assert q.title in desc
    text, _ = prefill(services, "compare_measures", "zh")
    rows = kg.run(text).records()
    assert len(rows) > 0 and any(r.get("textA") and r.get("textB") for r in rows)


def test_named_queries_and_their_descriptions_follow_the_language(services: Any) -> None:
    zh = dict((n, label) for label, n in named_choices(services, "zh"))
    en = dict((n, label) for label, n in named_choices(services, "en"))
    assert re.search(r"[\u4e00-\u9fff]", zh["role_thesaurus"]) and "Role thesaurus" in zh["role_thesaurus"]
    assert en["role_thesaurus"] == "Role thesaurus"
    assert all(not re.search(r"[\u4e00-\u9fff]", label) for label in en.values())
    _, desc_zh = prefill(services, "annual_duties", "zh")
    _, desc_en = prefill(services, "annual_duties", "en")
    assert "每年" in desc_zh and "必填" in desc_zh
    assert desc_en.startswith("**Yearly and year-end duties of a role**") and "(required)" in desc_en


def test_select_star_has_every_variable_and_iris_are_prefixed_names(services: Any) -> None:
    query = (
        "PREFIX fzqa: <https://w3id.org/fzqa#>\n"
        "SELECT * WHERE { ?norm a fzqa:Norm ; fzqa:kind ?kind ; fzqa:sourceProvision ?p } LIMIT 40"
    )
    res = run_sparql(services, query, "zh")
    assert set(res["headers"]) == {"norm", "kind", "p"} and res["count"] == 40
    prefixes = {**services.kg.prefixes, **query_prefixes(query)}
    table = results_html(res["headers"], res["bindings"], prefixes, "en")
    assert table.count('<th scope="col">') == 3 and table.count("<tr>") == 41
    assert f'data-page-size="{PAGE_SIZE}"' in table
    iri = res["bindings"][0]["p"]["value"]
    assert iri.startswith("https://w3id.org/fzqa/id/")
    assert f'title="{iri}">id:{iri.removeprefix("https://w3id.org/fzqa/id/")}<' in table
    assert short_iri("https://w3id.org/fzqa#Norm", prefixes) == "fzqa:Norm"
    assert short_iri("http://example.org/x", prefixes) == "http://example.org/x"


def test_downloads_csv_with_bom_and_graphs_as_turtle_and_json_ld(services: Any, tmp_path: Path) -> None:
    res = run_sparql(services, services.kg.queries["role_thesaurus"].text, "zh")
    files = sparql_files(res, tmp_path)
    raw = files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte order mark to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any(r.get("labelZh") == "县长" for r in rows)
    assert json.loads(files["json"].read_text(encoding="utf-8"))["head"]["vars"] == res["headers"]
    graph = run_sparql(services, "DESCRIBE <https://w3id.org/fzqa/role/countyMayor>", "zh")
    out = tmp_path / "graph"
    out.mkdir()
    files = sparql_files(graph, out)
    assert set(files) == {"ttl", "jsonld"} and files["ttl"].suffix == ".ttl" and files["jsonld"].suffix == ".jsonld"
    assert "县长" in files["ttl"].read_text(encoding="utf-8")
    doc = json.loads(files["jsonld"].read_text(encoding="utf-8"))
    assert any(node.get("@id") == "https://w3id.org/fzqa/role/countyMayor" for node in doc)


def test_error_is_reported_and_no_result_returned(services: Any) -> None:
    res = run_sparql(services, "SELECT ?x WHERE { ?x ?p ?o . FILTER(STRLEN(?o) > 3 }\nLIMIT 10", "zh")
    assert set(res) == {"error"}
    assert "missing ')' before '}'" in res["error"] and "line 1, column 52" in res["error"]


def test_duties_by_reference_yearly_filter_and_legend(services: Any) -> None:
    from fzqa.ui import DUTY_KINDS, duties_html, legend_html

    town = duties_html(services, "乡镇党委书记", "zh", DUTY_KINDS)
    assert "没有规范" not in town
    assert 'id="by-reference"' in town and "参照执行" in town and "党委主要负责人" in town and "第十条" in town
    assert "贵州 第五条（六）" in town  # the Party principal's duty to hold law lectures
    town_en = duties_html(services, "乡镇党委书记", "en", DUTY_KINDS)
    assert "Covered by reference" in town_en and "art. 10" in town_en
    every = duties_html(services, "县长", "zh", DUTY_KINDS)
    yearly = duties_html(services, "县长", "zh", DUTY_KINDS, yearly=True)
    assert yearly.count("<details>") < every.count("<details>")
    assert yearly.count("<details>") == yearly.count('class="badge freq"') > 0  # every one has a frequency
    assert "仅每年及年终" in yearly
    legend = legend_html("en")
    assert "Legend" in legend and "obligation" in legend.lower() and 'class="badge freq"' in legend
