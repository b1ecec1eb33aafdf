"""The `fzqa` command as a user runs it (a real subprocess): parse, norms, sparql and validate, their JSON
contracts (ARCHITECTURE.md), and bad input giving a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from fzqa.corpus import parse_file

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT / "tests" / "data" / "corpus-extra"
MEASURES = ("guangxi-2018", "guizhou-2020")
SRX = "{http://www.w3.org/2005/sparql-results#}"
MEASURE_QUERY = (
    "SELECT ?m ?title WHERE { ?m a <https://w3id.org/fzqa#Measure> ;"
    " <http://data.europa.eu/eli/ontology#title> ?title } ORDER BY ?m"
)


def fzqa(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "fzqa.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def ok(*args: str) -> str:
    r = fzqa(*args)
    assert r.returncode == 0, f"fzqa {' '.join(args)} exited {r.returncode}:\n{r.stderr}"
    return r.stdout


def user_error(*args: str, code: int = 2) -> str:
    """Runs a command that must fail cleanly; returns its stderr."""
    r = fzqa(*args)
    assert r.returncode == code, f"fzqa {' '.join(args)}: exit {r.returncode}, expected {code}\n{r.stderr}"
    assert "Traceback" not in r.stderr, r.stderr
    return r.stderr


# ------------------------------------------------------------------------------------------- parse
def test_parse_json_contract() -> None:
    data = json.loads(ok("parse", "corpus/guizhou-2020.txt", "--json"))
    assert {"title", "number", "date", "articles"} <= set(data)
    assert data["title"] == "贵州省贯彻落实《党政主要负责人履行推进法治建设第一责任人职责规定》实施办法"
    assert data["date"] == "2020-09-09"
    arts = data["articles"]
    assert [a["number"] for a in arts] == list(range(1, 13))
    assert {a["number"]: len(a["items"]) for a in arts if a["items"]} == {5: 6, 6: 6, 9: 5}
    for a in arts:
        assert {"number", "chapter", "text", "items"} <= set(a)
        assert a["chapter"] is None and a["text"] and not a["text"].startswith("第")
        for it in a["items"]:
            assert {"number", "text"} <= set(it)
            assert not it["text"].startswith(("（", "(")) and it["text"] in a["text"]
    assert arts[1]["text"] == "本办法适用于县级以上地方党委和政府主要负责人。"
    assert arts[8]["items"][4]["text"] == "其他应予以问责的失职失责情形。"


def test_parse_a_document_without_articles() -> None:
    path = EXTRA / "central-2016-inner-party-political-life-norms.txt"
    r = fzqa("parse", str(path), "--json")
    assert r.returncode == 1
    assert "no articles" in r.stderr and path.name in r.stderr and "Traceback" not in r.stderr
    data = json.loads(r.stdout)
    assert data["articles"] == [] and data["title"] == "关于新形势下党内政治生活的若干准则"


def test_parse_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "gbk-measure.txt"
    bad.write_bytes("第一条 本办法适用于县级以上地方党委。\n".encode("gbk"))
    err = user_error("parse", str(bad), "--json")
    assert str(bad) in err and "line 1" in err and "UTF-8" in err


def test_parse_an_empty_file_and_a_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    err = user_error("parse", str(empty))
    assert str(empty) in err and "empty file" in err
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\t\n", encoding="utf-8")
    assert str(blank) in user_error("parse", str(blank))
    missing = tmp_path / "missing.txt"
    err = user_error("parse", str(missing))
    assert str(missing) in err and "cannot read" in err


# ------------------------------------------------------------------------------------------- norms
NORM_KEYS = {"id", "measure", "article", "item", "kind", "bearer", "action", "frequency", "cites", "condition", "quote"}


def test_norms_json_contract_and_coverage() -> None:
    rows: list[dict[str, Any]] = json.loads(ok("norms", "--json"))
    assert len(rows) > 100
    texts: dict[tuple[str, int, int | None], str] = {}
    for mid in MEASURES:
        m = parse_file(ROOT / "corpus" / f"{mid}.txt")
        for a in m.articles:
            texts[(mid, a.number, None)] = a.text
            texts.update({(mid, a.number, it.number): it.text for it in a.items})
        covered = {r["article"] for r in rows if r["measure"] == mid}
        assert covered == {a.number for a in m.articles}, f"{mid}: articles without norms"
    for r in rows:
        assert set(r) >= NORM_KEYS, r
        assert r["kind"] in ("obligation", "prohibition", "principle", "sanction", "reward", "scope", "meta")
        assert isinstance(r["bearer"], str) and r["bearer"]
        assert isinstance(r["cites"], list)
        assert r["frequency"] is None or (
            r["frequency"]["period"] in ("year", "half-year", "quarter", "month", "year-end", "term", "periodic")
            and (r["frequency"]["min_count"] is None or isinstance(r["frequency"]["min_count"], int))
        )
        provision = texts[(r["measure"], r["article"], r["item"])]
        assert r["quote"] and r["quote"] in provision, r["id"]
        assert r["id"].startswith(f"{r['measure']}/art_{r['article']}")
    twice = [r for r in rows if r["frequency"] and (r["frequency"]["min_count"] or 0) >= 2]
    assert {(r["measure"], r["article"], r["item"]) for r in twice} == {
        ("guizhou-2020", 5, 1),
        ("guizhou-2020", 5, 6),
        ("guizhou-2020", 6, 6),
    }


def test_norms_of_one_measure_and_an_unknown_measure() -> None:
    rows = json.loads(ok("norms", "--measure", "guangxi-2018", "--json"))
    assert rows and {r["measure"] for r in rows} == {"guangxi-2018"}
    err = user_error("norms", "--measure", "nope", "--json")
    assert "unknown measure 'nope'" in err and "guangxi-2018" in err and "guizhou-2020" in err


# ------------------------------------------------------------------------------------------- sparql
def test_sparql_json_xml_csv_tsv_table() -> None:
    data = json.loads(ok("sparql", MEASURE_QUERY, "--format", "json"))
    assert data["head"]["vars"] == ["m", "title"]
    assert [b["m"]["value"].rsplit("/", 1)[1] for b in data["results"]["bindings"]] == list(MEASURES)
    root = ET.fromstring(ok("sparql", MEASURE_QUERY, "--format", "xml"))
    assert len(list(root.iter(SRX + "result"))) == 2
    rows = list(csv.reader(io.StringIO(ok("sparql", MEASURE_QUERY, "--format", "csv"), newline="")))
    assert rows[0] == ["m", "title"] and len(rows) == 3 and rows[2][1].startswith("贵州省")
    tsv = ok("sparql", MEASURE_QUERY, "--format", "tsv").splitlines()
    assert tsv[0] == "?m\t?title" and len(tsv) == 3 and tsv[1].startswith("<https://w3id.org/fzqa/id/guangxi")
    table = ok("sparql", MEASURE_QUERY)  # table is the default
    assert "guizhou-2020" in table and table.rstrip().endswith("(2 rows)")


def test_sparql_construct_as_turtle_and_a_query_file(tmp_path: Path) -> None:
    q = tmp_path / "articles.rq"
    q.write_text(
        "# the articles of Guizhou\nPREFIX fzqa: <https://w3id.org/fzqa#>\n"
        "CONSTRUCT { ?a fzqa:citation ?c } WHERE {\n"
        "  ?a a fzqa:Article ; fzqa:inMeasure <https://w3id.org/fzqa/id/guizhou-2020> ; fzqa:citation ?c }\n",
        encoding="utf-8",
    )
    g = Graph().parse(data=ok("sparql", f"@{q}", "--format", "turtle"), format="turtle")
    assert len(g) == 12
    jsonld = ok("sparql", f"@{q}", "--format", "jsonld")
    assert len(Graph().parse(data=jsonld, format="json-ld")) == 12
    err = user_error("sparql", f"@{q}", "--format", "csv")
    assert "turtle or jsonld" in err
    assert "no such query file" in user_error("sparql", f"@{tmp_path / 'nothing.rq'}")


def test_sparql_named_query_by_name() -> None:
    rows = list(csv.reader(io.StringIO(ok("sparql", "measure_metadata", "--format", "csv"), newline="")))
    assert rows[0][:3] == ["measure", "title", "short"] and [r[2] for r in rows[1:]] == ["广西", "贵州"]
    err = user_error("sparql", "yearly_duties")
    assert "neither a SPARQL query nor a named query" in err and "annual_duties" in err


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT ?s WHERE { ?s ?p }", ["syntax error at line 1, column"]),
        ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(\n}", ["syntax error at line 4, column"]),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", ["UPDATE (INSERT) is not allowed", "read-only"]),
        ("DELETE WHERE { ?s ?p ?o }", ["UPDATE (DELETE) is not allowed", "line 1, column 1"]),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ["SERVICE is not allowed", "network"]),
    ],
)
def test_sparql_bad_queries_exit_2_with_the_position_or_the_refusal(query: str, words: list[str]) -> None:
    err = user_error("sparql", query)
    assert err.startswith("fzqa sparql: error:")
    for w in words:
        assert w in err, err


def test_sparql_time_limit() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    err = user_error("sparql", slow, "--timeout", "1")
    assert "time limit of 1 s" in err


# ------------------------------------------------------------------------------------------- validate
@pytest.mark.slow
def test_validate_the_committed_graph() -> None:
    out = ok("validate")
    assert "SHACL: conforms" in out and "OWL: consistent" in out
