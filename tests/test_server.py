"""The real server on loopback, driven by a real SPARQL client (SPARQLWrapper) and raw HTTP (httpx):
every result type, every error case, and after each bad request a good one still works."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest_web import MAX_RESULTS, QUERY_TIMEOUT, Live
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

pytestmark = pytest.mark.slow

MEASURES = "SELECT ?m WHERE { ?m a <https://w3id.org/fzqa#Measure> } ORDER BY ?m"
MEASURE_IDS = ["https://w3id.org/fzqa/id/guangxi-2018", "https://w3id.org/fzqa/id/guizhou-2020"]
CONSTRUCT = "CONSTRUCT { ?m <http://purl.org/dc/terms/identifier> ?m } WHERE { ?m a <https://w3id.org/fzqa#Measure> }"
FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def wrapper(live: Live, query: str, fmt: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


def good_request_works(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": MEASURES}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert [b["m"]["value"] for b in r.json()["results"]["bindings"]] == MEASURE_IDS


# ------------------------------------------------------------------------------------------- SPARQLWrapper
def test_sparqlwrapper_select_json_get(live: Live) -> None:
    res = wrapper(live, MEASURES, JSON).queryAndConvert()
    assert isinstance(res, dict)
    assert [b["m"]["value"] for b in res["results"]["bindings"]] == MEASURE_IDS


@pytest.mark.parametrize("method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_select_post(live: Live, method: str) -> None:
    sw = wrapper(live, MEASURES, JSON)
    sw.setMethod(POST)
    sw.setRequestMethod(method)
    res = sw.queryAndConvert()
    assert isinstance(res, dict)
    assert [b["m"]["value"] for b in res["results"]["bindings"]] == MEASURE_IDS


def test_sparqlwrapper_select_xml(live: Live) -> None:
    doc = wrapper(live, MEASURES, XML).queryAndConvert()
    uris = [u.firstChild.data for u in doc.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert uris == MEASURE_IDS


def test_sparqlwrapper_select_csv_tsv(live: Live) -> None:
    body = wrapper(live, MEASURES, CSV).queryAndConvert()
    assert isinstance(body, bytes)
    assert list(csv.reader(io.StringIO(body.decode()))) == [["m"], *([m] for m in MEASURE_IDS)]
    tsv = wrapper(live, MEASURES, TSV).queryAndConvert()
    assert isinstance(tsv, bytes)
    assert tsv.decode().splitlines() == ["?m", *(f"<{m}>" for m in MEASURE_IDS)]


def test_sparqlwrapper_ask(live: Live) -> None:
    res = wrapper(live, "ASK { ?m a <https://w3id.org/fzqa#Measure> }", JSON).queryAndConvert()
    assert res == {"head": {}, "boolean": True}


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_sparqlwrapper_construct(live: Live, fmt: str) -> None:
    from rdflib import Graph

    res = wrapper(live, CONSTRUCT, fmt).queryAndConvert()
    graph = Graph().parse(data=res, format="turtle") if isinstance(res, bytes) else res
    assert isinstance(graph, Graph)
    subjects = sorted({str(s) for s in graph.subjects()})
    assert subjects == MEASURE_IDS


# ------------------------------------------------------------------------------------------- raw HTTP
@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", lambda b: json.loads(b)["head"]),
        ("application/json", "application/sparql-results+json", lambda b: json.loads(b)["results"]),
        ("application/sparql-results+xml", "application/sparql-results+xml", lambda b: ET.fromstring(b)),
        ("text/csv", "text/csv", lambda b: b.startswith("m\r\n")),
        ("text/tab-separated-values", "text/tab-separated-values", lambda b: b.startswith("?m\n")),
        ("text/plain", "text/plain", lambda b: "(2 rows)" in b),
        ("*/*", "application/sparql-results+json", lambda b: json.loads(b)),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
            lambda b: ET.fromstring(b),
        ),
        (None, "application/sparql-results+json", lambda b: json.loads(b)),
    ],
)
def test_select_content_types(http: httpx.Client, accept: str | None, media: str, check: Callable[[str], Any]) -> None:
    headers = {"Accept": accept} if accept else {}
    r = http.get("/sparql", params={"query": MEASURES}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert check(r.text)
    assert all(m in r.text for m in MEASURE_IDS)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("*/*", "text/turtle"),
    ],
)
def test_construct_content_types(http: httpx.Client, accept: str, media: str) -> None:
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert all(m.rsplit("/", 1)[1] in r.text for m in MEASURE_IDS)


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_beats_accept(http: httpx.Client, fmt: str, media: str) -> None:
    r = http.get("/sparql", params={"query": MEASURES, "format": fmt}, headers={"Accept": "image/png"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)


def test_post_forms(http: httpx.Client) -> None:
    r = http.post("/sparql", data={"query": MEASURES}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.splitlines()[1:] == MEASURE_IDS
    r = http.post(
        "/sparql", content=MEASURES.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )
    assert r.status_code == 200 and r.text.splitlines()[1:] == MEASURE_IDS


def test_result_cap(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert len(list(csv.reader(io.StringIO(r.text)))) == MAX_RESULTS + 1
    assert r.headers["x-result-truncated"] == f"cut to {MAX_RESULTS}"


# ------------------------------------------------------------------------------------------- bad requests
BAD: list[tuple[str, dict[str, Any], int, str]] = [
    ("malformed", {"params": {"query": "SELECT ?s WHERE { ?s ?p }"}}, 400, "line 1, column"),
    ("not a query", {"params": {"query": "HELLO"}}, 400, "expected SELECT"),
    ("empty", {"params": {"query": ""}}, 400, "empty"),
    ("missing", {"params": {}}, 400, "missing query"),
    ("update in query", {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 403, "read-only"),
    ("delete where", {"params": {"query": "DELETE WHERE { ?s ?p ?o }"}}, 403, "read-only"),
    ("update param", {"method": "POST", "data": {"update": "CLEAR ALL"}}, 403, "read-only"),
    (
        "sparql-update body",
        {"method": "POST", "content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        403,
        "read-only",
    ),
    (
        "service",
        {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
        403,
        "SERVICE is not allowed",
    ),
    ("unknown accept", {"params": {"query": MEASURES}, "headers": {"Accept": "image/png"}}, 406, "not acceptable"),
    (
        "graph type for a table",
        {"params": {"query": MEASURES}, "headers": {"Accept": "text/turtle"}},
        406,
        "not acceptable",
    ),
    ("table format for a graph", {"params": {"query": CONSTRUCT, "format": "csv"}}, 406, "graph"),
    ("unknown format", {"params": {"query": MEASURES, "format": "pdf"}}, 406, "unknown format"),
    (
        "wrong content type",
        {"method": "POST", "content": b"x", "headers": {"Content-Type": "text/plain"}},
        415,
        "unsupported Content-Type",
    ),
]


@pytest.mark.parametrize(("name", "req", "status", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_sparql_requests(http: httpx.Client, name: str, req: dict[str, Any], status: int, message: str) -> None:
    req = dict(req)
    method = req.pop("method", "GET")
    r = http.request(method, "/sparql", **req)
    assert r.status_code == status, (name, r.text)
    assert message in r.text, (name, r.text)
    assert "Traceback" not in r.text
    good_request_works(http)


def test_syntax_error_names_the_position(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p ?o ."}, headers={"Accept": "text/csv"})
    assert r.status_code == 400
    assert "line 2" in r.text and "^" in r.text
    assert r.headers["x-error-position"].startswith("2:")


def test_query_that_runs_forever_is_stopped(http: httpx.Client) -> None:
    t0 = time.monotonic()
    r = http.get("/sparql", params={"query": FOREVER})
    took = time.monotonic() - t0
    assert r.status_code == 503, r.text
    assert "time limit" in r.text
    assert QUERY_TIMEOUT <= took < QUERY_TIMEOUT + 10
    good_request_works(http)
    good_request_works(http)  # both workers (the killed one was restarted)


def test_huge_body_refused_before_it_is_read(live: Live, http: httpx.Client) -> None:
    """10 MB announced: the server answers 413 after the headers, without waiting for the body."""
    size = 10 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(
            (
                f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {size}\r\n\r\n"
            ).encode()
            + b"query="
            + b"x" * 65536
        )
        data = b""
        while b"too large" not in data.lower():  # headers and body may come in separate packets
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        reply = data.decode("utf-8", "replace")
    assert reply.startswith("HTTP/1.1 413"), reply
    assert "too large" in reply.lower()
    # a client that sends the whole body gets the same answer (or a closed connection), never a 200
    try:
        r = http.post("/api/ask", content=b"{" + b" " * size + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert "too large" in r.json()["error"]
    except httpx.TransportError:
        pass
    good_request_works(http)


def test_chunked_body_over_the_limit(http: httpx.Client) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 65536

    try:
        r = http.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413
    except httpx.TransportError:
        pass
    good_request_works(http)


# ------------------------------------------------------------------------------------------- JSON API
def test_health(http: httpx.Client) -> None:
    r = http.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["measures"] == ["guangxi-2018", "guizhou-2020"]
    assert body["triples"] > MAX_RESULTS and body["clauses"] > 0


def _check_county_mayor(body: dict[str, Any]) -> None:
    assert set(body) == {"question", "answer", "citations", "abstained", "sparql", "summary"}
    assert body["abstained"] is False
    cited = {(c["measure"], c["article"], c["item"]) for c in body["citations"]}
    assert ("guizhou-2020", 6, 6) in cited
    assert all(set(c) == {"measure", "article", "item", "quote"} for c in body["citations"])
    assert "annual_duties" in (body["sparql"] or "")


def test_api_ask_get_and_post(http: httpx.Client) -> None:
    q = "县长每年必须做什么？"
    r = http.get("/api/ask", params={"q": q})
    assert r.status_code == 200
    _check_county_mayor(r.json())
    r = http.post("/api/ask", json={"q": q})
    assert r.status_code == 200
    _check_county_mayor(r.json())


def test_api_ask_follow_up_takes_the_previous_question(http: httpx.Client) -> None:
    follow = http.post("/api/ask", json={"q": "那县委书记呢？", "previous": "县长每年必须做什么？"}).json()
    direct = http.post("/api/ask", json={"q": "县委书记每年必须做什么？"}).json()
    cited = [(c["measure"], c["article"], c["item"]) for c in follow["citations"]]
    assert cited and cited == [(c["measure"], c["article"], c["item"]) for c in direct["citations"]]
    r = http.post("/api/ask", json={"q": "那县委书记呢？", "previous": 3})
    assert r.status_code == 400 and "previous" in r.json()["error"]


def test_api_ask_markup_is_data(http: httpx.Client) -> None:
    r = http.post("/api/ask", json={"q": "<script>alert(1)</script>县长每年必须做什么？"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("req", "status", "message"),
    [
        ({"method": "GET", "url": "/api/ask"}, 400, "missing question"),
        ({"method": "GET", "url": "/api/ask", "params": {"q": "   "}}, 400, "missing question"),
        (
            {
                "method": "POST",
                "url": "/api/ask",
                "content": b"{not json",
                "headers": {"Content-Type": "application/json"},
            },
            400,
            "not valid JSON",
        ),
        ({"method": "POST", "url": "/api/ask", "json": ["q"]}, 400, "JSON object"),
        ({"method": "POST", "url": "/api/ask", "json": {"q": 5}}, 400, "must be a string"),
        ({"method": "GET", "url": "/api/search"}, 400, "missing query"),
        ({"method": "GET", "url": "/api/search", "params": {"q": "年度", "k": "ten"}}, 400, "integer"),
        ({"method": "GET", "url": "/api/search", "params": {"q": "年度", "k": "0"}}, 400, "k must be"),
        ({"method": "GET", "url": "/api/search", "params": {"q": "年度", "kind": "bogus"}}, 400, "bogus"),
        ({"method": "GET", "url": "/api/search", "params": {"q": "年度", "measure": "hunan-2021"}}, 400, "hunan"),
        (
            {"method": "GET", "url": "/api/provision", "params": {"measure": "guizhou-2020", "article": "99"}},
            404,
            "no such provision",
        ),
        ({"method": "GET", "url": "/api/provision", "params": {"measure": "guizhou-2020"}}, 400, "article"),
    ],
)
def test_api_errors(http: httpx.Client, req: dict[str, Any], status: int, message: str) -> None:
    req = dict(req)
    r = http.request(req.pop("method"), req.pop("url"), **req)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]
    assert http.get("/api/search", params={"q": "年度", "k": 1}).status_code == 200


def test_api_search_with_filters(http: httpx.Client) -> None:
    r = http.post("/api/search", json={"q": "法治专题讲座", "k": 5, "measure": "guizhou-2020", "period": "year"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "法治专题讲座"
    assert 0 < len(body["hits"]) <= 5
    assert all(h["measure"] == "guizhou-2020" for h in body["hits"])
    assert all(set(h) == {"measure", "article", "item", "score", "text"} for h in body["hits"])
    assert any((h["article"], h["item"]) == (6, 6) for h in body["hits"])
    r = http.get("/api/search", params={"q": "年度", "k": "3", "role": "政府主要负责人"})
    assert r.status_code == 200 and len(r.json()["hits"]) == 3


def test_api_provision_with_corresponding(http: httpx.Client) -> None:
    r = http.get("/api/provision", params={"measure": "guizhou-2020", "article": 6, "item": 6})
    assert r.status_code == 200
    body = r.json()
    assert "每年至少举办2次" in body["text"]
    assert body["citation"] == "贵州 第六条（六）"
    assert body["full_citation"].endswith("第六条第（六）项")
    assert [o["measure"] for o in body["corresponding"]] == ["guangxi-2018"]
    assert body["corresponding"][0]["citation"] == "广西 第六条（六）"


def test_unknown_route_and_ui_root(http: httpx.Client) -> None:
    assert http.get("/").status_code == 200
    assert "<html" in http.get("/").text.lower()
