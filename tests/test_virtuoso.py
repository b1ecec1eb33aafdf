"""The graph on a real SPARQL server (Debian's Virtuoso, started here in a temp folder on free loopback ports):
`fzqa publish` loads it atomically, every named query and a handful of assistant questions give the same rows
and citations as the embedded store, our limits (read-only check, time limit, result cap) still hold, and a
server that is down or failing gives a clear message while the app keeps serving what it can."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import virtuoso

from fzqa.qa import Assistant, answer_to_json, get_assistant
from fzqa.remote import PublishError, fill_bound, publish, sparql_term, substitute
from fzqa.settings import Settings, load_settings
from fzqa.store import KnowledgeGraph, QueryError, QueryService, QueryTimeout, _to_term

ROOT = Path(__file__).resolve().parents[1]
ROLE = "https://w3id.org/fzqa/role/"
ID = "https://w3id.org/fzqa/id/"
GX, GZ = ID + "guangxi-2018", ID + "guizhou-2020"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

# each named query with typical values, and with none where it has no required parameter

BINDINGS: list[tuple[str, dict[str, str]]] = [
    ("annual_duties", {"role": ROLE + "countyMayor"}),
    ("annual_duties", {"role": ROLE + "principal", "measure": GZ}),
    ("cited_instruments", {}),
    ("cited_instruments", {"measure": GX}),
    ("compare_measures", {"role": ROLE + "countyMayor", "measureA": GX, "measureB": GZ}),
    ("coverage", {}),
    ("coverage", {"role": ROLE + "townshipHead"}),
    ("coverage", {"role": ROLE + "countyMayor", "measure": GZ}),
    ("frequency_constraints", {}),
    ("frequency_constraints", {"measure": GZ, "period": "year"}),
    ("measure_metadata", {}),
    ("measure_structure", {}),
    ("meta_rules", {}),
    ("meta_rules", {"topic": "interpretation", "measure": GZ}),
    ("norms_by_kind", {"kind": "prohibition"}),
    ("norms_by_kind", {"kind": "obligation", "measure": GX}),
    ("provision_norms", {"provision": GZ + "/art_6__item_6"}),
    ("provision_text", {}),
    ("provision_text", {"provision": GZ + "/art_6__item_6"}),
    ("role_norms", {"role": ROLE + "countyMayor", "measure": GZ}),
    ("role_norms", {"role": ROLE + "principal", "kind": "prohibition"}),
    ("role_thesaurus", {}),
    ("sanctions", {}),
    ("sanctions", {"role": ROLE + "countyMayor", "measure": GZ}),
]
QUESTIONS = [
    "县长每年必须做什么？",
    "What must a county mayor do each year?",
    "贵州的办法由谁负责解释？",
    "When does the Guangxi measure take effect?",
    "党委主要负责人不得做什么？",
    "Which regulation governs accountability for leaders who fail these duties?",
    "贵州和广西在法治专题讲座次数上有什么不同？",
    "政府常务会议要建立什么学法制度？",
]


def _order_keys(text: str) -> list[str]:
    m = re.search(r"ORDER BY((?:\s+\?\w+)+)\s*$", text.strip())
    return re.findall(r"\?(\w+)", m.group(1)) if m else []


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso.Virtuoso]:
    """One Virtuoso for the session, the graph published to it with Virtuoso's loader; stopped by its PID."""
    virtuoso.require()
    v = virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        publish(load_settings(v.settings_values()))
        yield v
    finally:
        v.stop()


@pytest.fixture(scope="module")
def remote(server: virtuoso.Virtuoso) -> Settings:
    return load_settings(server.settings_values())


@pytest.fixture(scope="module")
def embedded() -> KnowledgeGraph:
    return KnowledgeGraph(load_settings())


@pytest.fixture(scope="module")
def rkg(remote: Settings) -> KnowledgeGraph:
    return KnowledgeGraph(remote)


def _staging_graphs(rkg: KnowledgeGraph) -> list[str]:
    res = rkg.run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [str(r["g"]) for r in res.records() if "-staging-" in str(r["g"])]


# ------------------------------------------------------------------------------------------- the store
def test_publish_loads_every_triple_of_the_embedded_graph(rkg: KnowledgeGraph, embedded: KnowledgeGraph) -> None:
    assert rkg.backend == "remote" and rkg.describe().startswith("remote: http://127.0.0.1:")
    assert len(rkg) == len(embedded) > 2000
    assert _staging_graphs(rkg) == []  # moved, not left beside


@pytest.mark.parametrize(
    ("name", "bindings"),
    [pytest.param(n, b, id=f"{n}-{len(b)}") for n, b in BINDINGS],
)
def test_named_query_gives_the_same_rows(
    rkg: KnowledgeGraph, embedded: KnowledgeGraph, name: str, bindings: dict[str, str]
) -> None:
    local, there = embedded.select(name, **bindings), rkg.select(name, **bindings)
    assert local, f"{name}: no rows on the embedded store"
    assert virtuoso.same_rows(there, local)
    keys = _order_keys(embedded.queries[name].text)
    assert keys, f"{name} has no ORDER BY"
    assert [[r.get(k) for k in keys] for r in there] == [[r.get(k) for k in keys] for r in local]  # same order


ROLE_QUERIES = ("annual_duties", "role_norms", "coverage", "sanctions", "compare_measures")


@pytest.mark.parametrize("name", ROLE_QUERIES)
def test_role_query_gives_the_same_rows_for_every_role(
    rkg: KnowledgeGraph, embedded: KnowledgeGraph, name: str
) -> None:
    """Every role and post of the thesaurus for the queries that walk it both ways (Virtuoso lost the rows of
    narrower roles there: see role_norms.rq) and for coverage.rq (Virtuoso doubled or lost rows of every role
    below a top role there), four for the others (each new value costs Virtuoso a compilation of about 1.5 s)."""
    roles = [r["concept"] for r in embedded.select("role_thesaurus")]
    if name not in ("annual_duties", "role_norms", "coverage"):
        roles = [ROLE + r for r in ("principal", "countyMayor", "townshipHead", "departmentHead")]
    for role in roles:
        b = {"role": role, **({"measureA": GX, "measureB": GZ} if name == "compare_measures" else {})}
        local, there = embedded.select(name, **b), rkg.select(name, **b)
        assert virtuoso.same_rows(there, local), (name, role)


@pytest.mark.parametrize(
    ("name", "param", "values"),
    [
        ("norms_by_kind", "kind", ("obligation", "prohibition", "principle", "sanction", "reward", "scope", "meta")),
        ("frequency_constraints", "period", ("year", "year-end", "half-year", "quarter", "month", "term", "periodic")),
        ("meta_rules", "topic", ("purpose", "interpretation", "entry-into-force")),
    ],
)
def test_code_query_gives_the_same_rows_for_every_code(
    rkg: KnowledgeGraph, embedded: KnowledgeGraph, name: str, param: str, values: tuple[str, ...]
) -> None:
    for v in values:
        there, local = rkg.select(name, **{param: v}), embedded.select(name, **{param: v})
        assert virtuoso.same_rows(there, local), (name, v)


def test_provision_queries_give_the_same_rows_for_every_provision(
    rkg: KnowledgeGraph, embedded: KnowledgeGraph
) -> None:
    for row in embedded.select("provision_text"):
        p = row["provision"]
        assert rkg.select("provision_text", provision=p) == embedded.select("provision_text", provision=p)
        local = embedded.select("provision_norms", provision=p)
        assert sorted(map(virtuoso.canon, rkg.select("provision_norms", provision=p))) == sorted(
            map(virtuoso.canon, local)
        )


@pytest.mark.parametrize(("name", "bindings"), BINDINGS, ids=[f"{n}-{len(b)}" for n, b in BINDINGS])
def test_the_query_text_sent_to_a_server_gives_the_embedded_rows(
    embedded: KnowledgeGraph, name: str, bindings: dict[str, str]
) -> None:
    """Without a server: the substituted text (what a remote endpoint gets) and the text with a VALUES block at
    the top of WHERE (what the answers and the UI show) give the rows of SEP-0007 substitution."""
    terms = {k: _to_term(v) for k, v in bindings.items()}
    text = embedded.queries[name].text
    expected = sorted(map(virtuoso.canon, embedded.select(name, **bindings)))
    sent = fill_bound(embedded.run(substitute(text, terms)), terms).records()
    assert sorted(map(virtuoso.canon, sent)) == expected
    where = re.search(r"\bWHERE\s*\{\n?", text)
    assert where is not None
    values = "".join(f"  VALUES ?{k} {{ {sparql_term(t)} }}\n" for k, t in terms.items())
    shown = embedded.run(text[: where.end()] + values + text[where.end() :]).records()
    assert sorted(map(virtuoso.canon, shown)) == expected


def test_every_named_query_is_compared() -> None:
    assert {n for n, _ in BINDINGS} == set(KnowledgeGraph(load_settings()).queries)


def test_bound_values_cannot_inject(rkg: KnowledgeGraph) -> None:
    size = len(rkg)
    assert rkg.select("norms_by_kind", kind='obligation" } } DELETE { ?s ?p ?o } WHERE { #') == []
    assert rkg.select("norms_by_kind", kind="obligation' } UNION { ?norm ?kind ?x") == []
    assert rkg.select("norms_by_kind", kind="obligation\\") == []
    # a value that is no IRI where a property path starts: Virtuoso refuses the query (the embedded store
    # answers no rows); either way nothing is injected
    with pytest.raises(QueryError, match=r"refused the query \(HTTP 400\).*should be variable or QName") as err:
        rkg.select("role_norms", role=ROLE + "countyMayor> ?p ?o } #")
    assert err.value.status == 400
    assert rkg.select("provision_norms", provision=ID + "guizhou-2020/art_{6}") == []
    assert len(rkg) == size and rkg.select("norms_by_kind", kind="obligation")


def test_raw_queries_keep_our_limits(remote: Settings, embedded: KnowledgeGraph) -> None:
    capped = load_settings({**_values(remote), "max_results": 5})
    with QueryService(capped, workers=1) as svc:
        served = svc.run("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "json")
        assert served.truncated and served.count == 5 and len(json.loads(served.body)["results"]["bindings"]) == 5
        ttl = svc.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "turtle")
        assert ttl.truncated and ttl.count == 5 and ttl.form == "CONSTRUCT"
        assert svc.run("ASK { ?s a <https://w3id.org/fzqa#Measure> }", "json").body == ('{"head": {}, "boolean": true}')
        for bad, words in (
            ("DELETE WHERE { ?s ?p ?o }", "UPDATE (DELETE) is not allowed"),
            ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ):
            with pytest.raises(QueryError, match=re.escape(words)) as err:
                svc.run(bad)
            assert err.value.status == 403
        with pytest.raises(QueryError, match=r"refused the query \(HTTP 400\).*syntax error") as err:
            svc.run("SELECT ?s WHERE { ?s ?p }")
        assert err.value.status == 400
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"did not answer within the time limit of 0.5 s") as slow:
            svc.run(SLOW_QUERY, timeout=0.5)
        assert slow.value.status == 504 and time.monotonic() - t0 < 5
        counted = svc.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv")  # the service still answers
        assert counted.body.splitlines()[1] == str(len(embedded))
    assert len(embedded.run("SELECT * WHERE { ?s ?p ?o } LIMIT 3").rows) == 3


def server_loader(loader: str) -> dict[str, str]:
    return {} if loader == "virtuoso" else {"virtuoso_isql": ""}


def _values(s: Settings) -> dict[str, Any]:
    names = ("sparql_endpoint", "sparql_graph", "sparql_user", "sparql_password_env", "virtuoso_isql")
    return {k: getattr(s, k) for k in (*names, "sparql_graph_store", "sparql_update_endpoint")}


def test_a_server_that_is_down_or_failing_gives_a_clear_message(remote: Settings) -> None:
    down = load_settings({"sparql_endpoint": f"http://127.0.0.1:{virtuoso.free_port()}/sparql"})
    with pytest.raises(QueryError, match=r"cannot be reached .*is the server running\? \(setting sparql_endpoint\)"):
        KnowledgeGraph(down).select("role_thesaurus")
    with QueryService(down) as svc, pytest.raises(QueryError, match="cannot be reached") as err:
        svc.run("ASK {}")
    assert err.value.status == 503
    # a query this Virtuoso cannot plan (a transitive path with neither end bound, inside a sub-select): HTTP 500
    failing = "SELECT * WHERE { { SELECT ?a ?b WHERE { ?a <http://www.w3.org/2004/02/skos/core#broader>* ?b } } }"
    with pytest.raises(QueryError, match=r"failed \(HTTP 500\): Virtuoso .*transitive start not given") as err:
        KnowledgeGraph(remote).run(failing)
    assert err.value.status == 502
    wrong = load_settings({**_values(remote), "sparql_graph_store": remote.sparql_endpoint.replace("/sparql", "/x")})
    with pytest.raises(PublishError, match="old graph is unchanged"):
        publish(load_settings({**_values(wrong), "virtuoso_isql": ""}))


# ------------------------------------------------------------------------------------------- publish
def test_a_failed_load_leaves_the_old_graph(remote: Settings, rkg: KnowledgeGraph, tmp_path: Path) -> None:
    before = len(rkg)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix : <urn:x#> .\n:a :b :c .\n:a :b .\n", encoding="utf-8")
    with pytest.raises(PublishError, match=r"broken.ttl: cannot load: .*line 3.*nothing was sent"):
        publish(remote, broken)
    # Turtle that our parser reads (RDF-star) but Virtuoso 7.2's loader refuses, after the triple before it was
    # loaded into the staging graph: the staging graph is dropped, the published one untouched
    star = tmp_path / "star.ttl"
    star.write_text("@prefix : <urn:x#> .\n:a :b :c .\n<< :a :b :c >> :d :e .\n", encoding="utf-8")
    for loader in ("virtuoso", "graph-store"):
        with pytest.raises(PublishError, match=r"old graph is unchanged: .*line 3") as err:
            publish(load_settings({**_values(remote), **server_loader(loader)}), star)
        assert "refused" in str(err.value) or "HTTP 500" in str(err.value), str(err.value)
    assert len(rkg) == before and _staging_graphs(rkg) == []
    assert rkg.select("provision_text", provision=GZ + "/art_6__item_6")


def test_publish_by_the_graph_store_protocol(remote: Settings, rkg: KnowledgeGraph, tmp_path: Path) -> None:
    by_gsp = load_settings({**_values(remote), "virtuoso_isql": ""})
    small = tmp_path / "small.ttl"
    small.write_text("@prefix : <urn:x#> .\n:a :b :c .\n:a :b :d .\n", encoding="utf-8")
    other = load_settings({**_values(by_gsp), "sparql_graph": "urn:fzqa:test-small"})
    done = publish(other, small)
    assert (done.method, done.triples) == ("graph-store", 2) and KnowledgeGraph(other).remote.count() == 2
    full = publish(by_gsp)
    assert full.triples == len(rkg) and _staging_graphs(rkg) == []


def test_publish_needs_a_graph_and_a_loader(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="setting sparql_graph is empty"):
        publish(load_settings({"sparql_endpoint": "http://127.0.0.1:1/sparql"}))
    with pytest.raises(PublishError, match=r"set virtuoso_isql .* or sparql_graph_store"):
        publish(load_settings({"sparql_endpoint": "http://127.0.0.1:1/sparql", "sparql_graph": "urn:g"}))


# ------------------------------------------------------------------------------------------- the assistant
@pytest.mark.parametrize(
    "questions",
    [
        pytest.param(QUESTIONS, id="questions"),
        pytest.param(["乡镇长适用这个办法吗？", "村支书适用这个办法吗？"], id="coverage"),
    ],
)
def test_assistant_gives_the_same_answers_and_citations(remote: Settings, questions: list[str]) -> None:
    from fzqa.pipeline import open_index

    there = Assistant(remote, index=open_index(remote))
    here = get_assistant(load_settings())
    assert there.provisions == here.provisions
    for q in questions:
        a, b = answer_to_json(there.ask(q)), answer_to_json(here.ask(q))
        assert a["citations"] == b["citations"], q
        assert (a["answer"], a["abstained"], a["sparql"]) == (b["answer"], b["abstained"], b["sparql"]), q
        assert a["citations"], q


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fzqa.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_cli_sparql_and_ask_run_against_the_server(server: virtuoso.Virtuoso) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}, **server.env()}
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = _cli(env, "sparql", q, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == str(len(KnowledgeGraph(load_settings())))
    named = _cli(env, "sparql", "annual_duties", "--bind", f"role={ROLE}countyMayor", "--format", "json")
    assert named.returncode == 0 and json.loads(named.stdout) == KnowledgeGraph(load_settings()).select(
        "annual_duties", role=ROLE + "countyMayor"
    )
    ask = _cli(env, "ask", "县长每年必须做什么？", "--json")
    assert ask.returncode == 0, ask.stderr
    here = answer_to_json(get_assistant().ask("县长每年必须做什么？"))
    assert json.loads(ask.stdout)["citations"] == here["citations"]
    down = {**env, "FZQA_SPARQL_ENDPOINT": f"http://127.0.0.1:{virtuoso.free_port()}/sparql"}
    r = _cli(down, "sparql", "ASK {}")
    assert r.returncode == 2 and "cannot be reached" in r.stderr and "Traceback" not in r.stderr


def test_the_app_serves_the_remote_graph_and_what_it_can_when_the_server_is_down(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A second Virtuoso of its own, so that stopping it leaves the session's server to the other tests."""
    virtuoso.require()
    v = virtuoso.start(tmp_path_factory.mktemp("virtuoso-down"))
    port = virtuoso.free_port()
    env = {k: val for k, val in os.environ.items() if not k.startswith("FZQA_")}
    env.update({**v.env(), "FZQA_HOST": "127.0.0.1", "FZQA_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"})
    log = (tmp_path_factory.mktemp("app") / "app.log").open("wb")
    app: subprocess.Popen[bytes] | None = None
    try:
        publish(load_settings(v.settings_values()))
        app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as c:
            deadline = time.monotonic() + 180
            while True:
                assert app.poll() is None and time.monotonic() < deadline, "the app did not start"
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            health = c.get("/healthz").json()
            assert health["store"].startswith(f"remote: {v.base}/sparql") and health["triples"] > 2000
            r = c.get("/sparql", params={"query": "SELECT ?m WHERE { ?m a <https://w3id.org/fzqa#Measure> }"})
            assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 2
            assert c.get("/sparql", params={"query": "DROP ALL"}).status_code == 403
            ask = c.get("/api/ask", params={"q": "县长每年必须做什么？"})
            assert ask.status_code == 200 and ask.json()["citations"]
            assert c.get("/").status_code == 200  # the UI
            v.stop()  # the SPARQL server goes down
            health = c.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert "cannot be reached" in health.json()["error"]
            r = c.get("/sparql", params={"query": "ASK {}"})
            assert r.status_code == 503 and "cannot be reached" in r.text
            ask = c.get("/api/ask", params={"q": "县长每年必须做什么？"})
            assert ask.status_code == 503 and "cannot be reached" in ask.json()["error"]
            search = c.get("/api/search", params={"q": "法治专题讲座"})  # the clause index is ours
            assert search.status_code == 200 and search.json()["hits"]
            prov = c.get("/api/provision", params={"measure": "guizhou-2020", "article": 6, "item": 6})
            assert prov.status_code == 200 and "法治" in prov.json()["text"]
    finally:
        if app is not None and app.poll() is None:
            app.terminate()
            app.wait(20)
        log.close()
        v.stop()
