"""The graph on a SPARQL server: queries over the SPARQL 1.1 Protocol, and `fzqa publish`.

:class:`Endpoint` sends a query to the endpoint of setting ``sparql_endpoint`` (with ``sparql_graph`` as its
default-graph-uri) and reads the answer back into a :class:`fzqa.store.Result`, so every caller of the store sees
the same terms as from the embedded store. Our side keeps its limits: the read-only check runs before anything
is sent (in :mod:`fzqa.store`), the whole exchange is stopped at the time limit, an answer over ``sparql_max_mb``
is refused, and rows past the result cap are dropped. A server that is down, slow or failing becomes a
:class:`fzqa.store.QueryError` whose message names the endpoint and what happened.

A named query's values reach the server in place of its variables (the SPARQL 1.1 Protocol has no bindings;
:func:`substitute`), each written by :func:`sparql_term` from a checked IRI or an escaped literal, never pasted.

:func:`publish` replaces the named graph atomically: the graph is loaded into a new staging graph, its triple
count checked against the local file, and only then moved over the old graph (SPARQL 1.1 MOVE); a failed load
drops the staging graph and leaves the old graph as it was. It loads with Virtuoso's loader through isql-vt
(setting ``virtuoso_isql``, the tested path) or by the SPARQL 1.1 Graph Store HTTP Protocol (setting
``sparql_graph_store``, with ``sparql_update_endpoint`` for the MOVE).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from fzqa.settings import Settings
from fzqa.store import KG_TTL, QueryError, QueryTimeout, Result, StoreError, tokenize

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_IRI_OK = re.compile(r'^[^<>"{}|^`\\\x00-\x20]+$')  # the characters SPARQL's IRIREF allows
# Seconds to wait for a TCP connection to the endpoint: a server on another host answers in milliseconds; a
# host that is down would otherwise hold a request for the whole query_timeout.
CONNECT_TIMEOUT = 5.0
# Seconds an idle connection to the endpoint is kept for reuse: below Virtuoso's default KeepAliveTimeout of
# 10 s, so that we close it before the server does (a request on a connection the server just closed fails).
KEEPALIVE_SECONDS = 5.0
# Seconds isql-vt may take to load the graph into Virtuoso: 20 ms measured for 2 690 triples; a graph 10 000x
# larger loads within it at Virtuoso's published bulk-load rates.
ISQL_TIMEOUT = 600.0


class _Broken(Exception):
    """The connection failed before an answer came."""


class RemoteTimeout(QueryTimeout):
    def __init__(self, seconds: float, url: str):
        QueryError.__init__(
            self,
            f"the SPARQL endpoint {url} did not answer within the time limit of {seconds:g} s (setting "
            "query_timeout); the request was stopped",
            status=504,
        )


# ------------------------------------------------------------------------------------------- terms
def sparql_term(term: Any) -> str:
    """A pyoxigraph term in SPARQL syntax: an IRI only when every character is one IRIREF allows, a literal
    with its quotes, backslashes and line breaks escaped (so a value can never end the term early)."""
    if isinstance(term, ox.NamedNode):
        if not _IRI_OK.match(term.value):
            raise QueryError(f"not an IRI that can be sent to the endpoint: {term.value!r}")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        body = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{body}"@{term.language}'
        dt = term.datatype.value if term.datatype else XSD_STRING
        return f'"{body}"' if dt == XSD_STRING else f'"{body}"^^{sparql_term(term.datatype)}'
    raise QueryError(f"cannot bind {term!r}: only IRIs and literals")


def substitute(text: str, bindings: dict[str, Any]) -> str:
    """``text`` with every bound variable (name → pyoxigraph term) replaced by its term in the query's patterns
    and expressions, as SEP-0007 substitution does in the embedded store; a SELECT's projection, ``AS ?x`` and
    the variables of GROUP BY and ORDER BY keep the variable (the caller fills in its value in every row).

    Not a VALUES block: Virtuoso 7.2 loses rows (or refuses with "transitive start not given") when a VALUES
    variable starts a property path such as ``?role skos:broader* ?b``."""
    if not bindings:
        return text
    out: list[str] = []
    pos = 0
    keep = False  # in a projection or a GROUP BY / ORDER BY list
    prev = ["", ""]
    for t in tokenize(text):
        word = t.text.upper() if t.kind == "word" else ""
        if word in ("SELECT", "GROUP", "ORDER"):
            keep = True
        elif word in ("WHERE", "LIMIT", "OFFSET", "HAVING", "VALUES") or t.text in ("{", "}"):
            keep = False
        if t.kind == "var" and t.text[1:] in bindings and not keep and prev[-1].upper() != "AS":
            if prev[-2].upper() == "BOUND" and prev[-1] == "(":
                raise QueryError(f"cannot bind {t.text}: the query asks BOUND({t.text})")
            out.append(text[pos : t.start])
            out.append(sparql_term(bindings[t.text[1:]]))
            pos = t.start + len(t.text)
        prev = [prev[-1], t.text]
    out.append(text[pos:])
    return "".join(out)


def fill_bound(result: Result, bindings: dict[str, Any]) -> Result:
    """``result`` of a :func:`substitute`-d query with each bound variable's value in every row, as SEP-0007
    substitution gives it."""
    for i, v in enumerate(result.variables):
        if v in bindings:
            for row in result.rows:
                row[i] = bindings[v]
    return result


def _blank(value: str) -> ox.BlankNode:
    """A blank node from a server's label ("nodeID://b10006" from Virtuoso is no valid N-Triples label)."""
    label = re.sub(r"[^A-Za-z0-9_]", "_", value)
    return ox.BlankNode(label if label[:1].isalpha() else "b" + label)


def json_term(b: dict[str, str]) -> Any:
    """A term of a SPARQL JSON result (also "typed-literal", which Virtuoso still writes) as a pyoxigraph term."""
    kind, value = b.get("type"), b.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return _blank(value)
    if kind in ("literal", "typed-literal"):
        if b.get("xml:lang"):
            return ox.Literal(value, language=b["xml:lang"])
        dt = b.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(dt)) if dt and dt != XSD_STRING else ox.Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


# ------------------------------------------------------------------------------------------- the endpoint
class _ChallengeAuth(httpx.Auth):
    """Basic or digest authentication, whichever the server's 401 challenge asks for (Virtuoso's *-auth URLs
    ask for digest, most others for basic)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if scheme == "digest":
            yield from httpx.DigestAuth(self.user, self.password).auth_flow(request)
        elif scheme == "basic":
            yield from httpx.BasicAuth(self.user, self.password).auth_flow(request)


def auth(settings: Settings) -> httpx.Auth | None:
    """The endpoint's credentials: sparql_user and the password in the environment variable sparql_password_env."""
    if not settings.sparql_user:
        return None
    password = os.environ.get(settings.sparql_password_env)
    if password is None:
        raise StoreError(
            f"setting sparql_user is {settings.sparql_user!r} but the environment variable "
            f"{settings.sparql_password_env} (setting sparql_password_env) that holds its password is not set"
        )
    return _ChallengeAuth(settings.sparql_user, password)


def _first_line(text: str, media_type: str) -> str:
    """The gist of a server's error page: its first lines of text (tags removed from HTML), at most 300
    characters."""
    plain = re.sub(r"<[^>]+>", " ", text) if "html" in media_type else text
    lines = [ln.strip() for ln in plain.splitlines() if ln.strip() and not ln.strip().startswith("<!")]
    gist = " ".join(lines[:4])
    return gist[:300] + ("…" if len(gist) > 300 else "")


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Endpoint:
    """A SPARQL 1.1 Protocol endpoint holding the graph (settings sparql_endpoint, sparql_graph)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.sparql_endpoint:
            raise StoreError("setting sparql_endpoint is empty: there is no remote endpoint")
        self.settings = settings
        self.url = settings.sparql_endpoint
        self.graph = settings.sparql_graph
        # trust_env=False: the endpoint is a service of ours, reached directly, not through a proxy of the
        # environment (a loopback server behind an HTTP_PROXY would be unreachable)
        limits = httpx.Limits(max_connections=settings.sparql_connections, keepalive_expiry=KEEPALIVE_SECONDS)
        self._client = httpx.Client(auth=auth(settings), trust_env=False, follow_redirects=False, limits=limits)

    def describe(self) -> str:
        return f"{self.url}" + (f" (graph <{self.graph}>)" if self.graph else "")

    def close(self) -> None:
        self._client.close()

    def _post(
        self, url: str, data: dict[str, str], accept: str, timeout: float, what: str = "query", retry: bool = True
    ) -> Answer:
        """POST ``data`` to ``url``, reading the answer within ``timeout`` seconds and sparql_max_mb. A query
        (``retry``) is sent once more when the connection broke before any answer came: a kept-alive connection
        the server closed meanwhile, or one it reset when busy; a query is read-only, so sending it again is safe."""
        broken = ""
        for _ in range(2 if retry else 1):
            try:
                return self._post_once(url, data, accept, timeout)
            except _Broken as exc:
                broken = str(exc)
        raise QueryError(
            f"the SPARQL endpoint {url} cannot be reached ({broken}): is the server running? (setting "
            f"{'sparql_endpoint' if what == 'query' else what})",
            status=503,
        )

    def _post_once(self, url: str, data: dict[str, str], accept: str, timeout: float) -> Answer:
        limit = self.settings.sparql_max_mb << 20
        deadline = time.monotonic() + timeout
        try:
            with self._client.stream(
                "POST",
                url,
                data=data,
                headers={"Accept": accept},
                timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT), pool=timeout),
            ) as r:
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise QueryError(
                            f"the answer of the SPARQL endpoint {url} is larger than {self.settings.sparql_max_mb} "
                            "MB (setting sparql_max_mb) and was not read: bind more variables or add a LIMIT",
                            status=502,
                        )
                    if time.monotonic() > deadline:
                        raise RemoteTimeout(timeout, url)
                    chunks.append(chunk)
                media = r.headers.get("content-type", "").split(";")[0].strip().lower()
                return Answer(r.status_code, media, b"".join(chunks), {k.lower(): v for k, v in r.headers.items()})
        except httpx.TimeoutException:
            raise RemoteTimeout(timeout, url) from None
        except httpx.HTTPError as exc:
            raise _Broken(f"{type(exc).__name__}: {exc or 'no answer'}") from None

    def _check(self, answer: Answer, url: str) -> None:
        if answer.status < 300:
            return
        gist = _first_line(answer.body.decode("utf-8", "replace"), answer.media_type)
        if answer.status in (401, 403):
            raise QueryError(
                f"the SPARQL endpoint {url} refused access (HTTP {answer.status}): check setting sparql_user and "
                f"the password in ${self.settings.sparql_password_env}",
                status=502,
            )
        if answer.status in (404, 405):
            raise QueryError(
                f"there is no SPARQL endpoint at {url} (HTTP {answer.status}): check the setting that names it",
                status=502,
            )
        if 400 <= answer.status < 500:  # the server's parser refused the query: its words are the message
            raise QueryError(f"the SPARQL endpoint refused the query (HTTP {answer.status}): {gist}", status=400)
        raise QueryError(f"the SPARQL endpoint {url} failed (HTTP {answer.status}): {gist}", status=502)

    def execute(self, query: str, form: str, cap: int, timeout: float | None = None) -> Result:
        """Run a query that :func:`fzqa.store.check_query` passed; the rows past ``cap`` are dropped."""
        limit = self.settings.query_timeout if timeout is None else timeout
        t0 = time.perf_counter()
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        data = {"query": query}
        if self.graph:
            data["default-graph-uri"] = self.graph
        answer = self._post(self.url, data, accept, limit)
        self._check(answer, self.url)
        if "x-sql-state" in answer.headers:  # Virtuoso's "anytime" answer: what it had when its own limit hit
            raise QueryError(
                f"the SPARQL endpoint {self.url} stopped the query at its own limit and sent an incomplete answer "
                f"({answer.headers.get('x-sql-message', answer.headers['x-sql-state'])}); it was not used",
                status=504,
            )
        if "x-sparql-maxrows" in answer.headers and cap == sys.maxsize:  # a named query must answer in full
            raise QueryError(
                f"the SPARQL endpoint {self.url} cut the answer to {answer.headers['x-sparql-maxrows']} rows "
                "(Virtuoso's ResultSetMaxRows): raise it above max_results",
                status=502,
            )
        try:
            out = self._triples(answer, form, cap) if graph_form else self._table(answer, form, cap)
            out.truncated = out.truncated or "x-sparql-maxrows" in answer.headers  # Virtuoso cut it short
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            raise QueryError(
                f"the SPARQL endpoint {self.url} sent an answer that is not a SPARQL result "
                f"({answer.media_type or 'no content type'}): {exc}",
                status=502,
            ) from None
        out.seconds = time.perf_counter() - t0
        return out

    @staticmethod
    def _table(answer: Answer, form: str, cap: int) -> Result:
        data = json.loads(answer.body.decode("utf-8"))
        if "boolean" in data:
            return Result("ASK", boolean=bool(data["boolean"]))
        variables = [str(v) for v in data["head"].get("vars", [])]
        out = Result("SELECT" if form != "ASK" else form, variables=variables)
        for b in data["results"]["bindings"]:
            if len(out.rows) >= cap:
                out.truncated = True
                break
            out.rows.append([json_term(b[v]) if v in b else None for v in variables])
        return out

    @staticmethod
    def _triples(answer: Answer, form: str, cap: int) -> Result:
        out = Result(form)
        for t in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES):
            if len(out.triples) >= cap:
                out.truncated = True
                break
            out.triples.append(ox.Triple(t.subject, t.predicate, t.object))
        return out

    def count(self, graph: str | None = None) -> int:
        """Triples in ``graph`` (default: the configured graph, or the endpoint's default graph)."""
        g = self.graph if graph is None else graph
        query = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
            if g
            else ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        )
        if g and not _IRI_OK.match(g):
            raise QueryError(f"not a graph IRI: {g!r}")
        data = {"query": query}
        answer = self._post(self.url, data, "application/sparql-results+json", self.settings.query_timeout)
        self._check(answer, self.url)
        try:
            rows = json.loads(answer.body.decode("utf-8"))["results"]["bindings"]
            return int(rows[0]["n"]["value"]) if rows else 0
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise QueryError(f"the SPARQL endpoint {self.url} sent no count: {exc}", status=502) from None

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update at setting sparql_update_endpoint (only `fzqa publish` does)."""
        url = self.settings.sparql_update_endpoint
        answer = self._post(url, {"update": text}, "*/*", ISQL_TIMEOUT, what="sparql_update_endpoint", retry=False)
        self._check(answer, url)

    def put_graph(self, graph: str, turtle: bytes) -> None:
        """Replace ``graph`` with ``turtle`` by the Graph Store HTTP Protocol (setting sparql_graph_store)."""
        url = self.settings.sparql_graph_store
        try:
            r = self._client.put(
                url,
                params={"graph": graph} if "graph-crud" not in url else {"graph-uri": graph},
                content=turtle,
                headers={"Content-Type": "text/turtle; charset=utf-8"},
                timeout=httpx.Timeout(ISQL_TIMEOUT, connect=CONNECT_TIMEOUT),
            )
        except httpx.HTTPError as exc:
            raise QueryError(
                f"the graph store {url} cannot be reached ({type(exc).__name__}: {exc}): is the server running? "
                "(setting sparql_graph_store)",
                status=503,
            ) from None
        self._check(Answer(r.status_code, r.headers.get("content-type", ""), r.content), url)


# ------------------------------------------------------------------------------------------- publish
class PublishError(StoreError):
    """The graph could not be published; the old graph on the server is unchanged."""


@dataclass(frozen=True)
class Published:
    graph: str
    triples: int
    method: str
    seconds: float


def _isql(settings: Settings, sql: str) -> str:
    """Run SQL statements with Virtuoso's isql-vt at setting virtuoso_isql; PublishError with the server's
    message when one fails (isql-vt exits 0 even then, and says "*** Error")."""
    exe = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None:
        raise PublishError("isql-vt is not installed (Debian: apt-get install virtuoso-opensource)")
    user = settings.sparql_user
    if not user:
        raise PublishError("setting sparql_user is empty: Virtuoso's loader needs a user allowed to load (e.g. dba)")
    password = os.environ.get(settings.sparql_password_env)
    if password is None:
        raise PublishError(
            f"the environment variable {settings.sparql_password_env} (setting sparql_password_env) must hold the "
            f"password of Virtuoso's user {user!r} (setting sparql_user)"
        )
    cmd = [exe, settings.virtuoso_isql, user, password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"]
    try:
        r = subprocess.run(
            cmd, input=sql, capture_output=True, text=True, encoding="utf-8", timeout=ISQL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise PublishError(f"isql-vt did not finish within {ISQL_TIMEOUT:g} s") from None
    out = r.stdout + r.stderr
    m = re.search(r"\*\*\* Error[^\n]*(?:\n(?!at line)[^\n]*)*", out)
    if m or r.returncode != 0:
        what = m.group(0).strip() if m else out.strip()[-500:]
        raise PublishError(f"Virtuoso at {settings.virtuoso_isql} refused: {what}")
    return r.stdout


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(settings: Settings, path: Path | None = None, progress: Callable[[str], None] | None = None) -> Published:
    """Load ``path`` (default kg/fzqa-kg.ttl) into the named graph setting sparql_graph, atomically: into a
    staging graph first, checked, then moved over the old graph; on failure the old graph is unchanged."""
    say = progress or (lambda _msg: None)
    graph = settings.sparql_graph
    if not graph:
        raise PublishError("setting sparql_graph is empty: name the graph to publish to, e.g. https://w3id.org/fzqa/kg")
    if not _IRI_OK.match(graph):
        raise PublishError(f"setting sparql_graph: {graph!r} is not an IRI")
    if not settings.virtuoso_isql and not settings.sparql_graph_store:
        raise PublishError(
            "nothing to publish with: set virtuoso_isql (Virtuoso's SQL port, HOST:PORT) or sparql_graph_store "
            "(a SPARQL 1.1 Graph Store Protocol URL) with sparql_update_endpoint"
        )
    if not settings.virtuoso_isql and not settings.sparql_update_endpoint:
        raise PublishError(
            "setting sparql_update_endpoint is empty: publishing by the Graph Store Protocol moves "
            "the staged graph in with a SPARQL Update there"
        )
    path = (path or settings.kg / KG_TTL).resolve()
    if not path.is_file():
        raise PublishError(f"{path} does not exist: run `fzqa build` first")
    t0 = time.perf_counter()
    local = ox.Store()
    try:
        local.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, OSError, ValueError) as exc:
        raise PublishError(f"{path}: cannot load: {exc}; nothing was sent to the server") from None
    expected = len(local)
    del local
    staging = f"{graph}-staging-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}"
    endpoint = Endpoint(settings)
    method = "virtuoso" if settings.virtuoso_isql else "graph-store"
    try:
        say(f"loading {path.name} ({expected} triples) into the staging graph <{staging}> ({method})")
        if method == "virtuoso":
            _isql(
                settings,
                f"DB.DBA.TTLP_MT(file_to_string_output({_sql_string(str(path))}), '', {_sql_string(staging)});\n",
            )
        else:
            endpoint.put_graph(staging, path.read_bytes())
        got = endpoint.count(staging)
        if got != expected:
            raise PublishError(f"the staging graph <{staging}> holds {got} triples, not the {expected} of {path}")
    except (QueryError, PublishError) as exc:
        try:
            if method == "virtuoso":
                _isql(settings, f"SPARQL DROP SILENT GRAPH <{staging}>;\n")
            else:
                endpoint.update(f"DROP SILENT GRAPH <{staging}>")
        except (QueryError, PublishError):
            pass  # the first error is the one to tell; a staging graph left behind has a dated name
        endpoint.close()
        raise PublishError(f"publishing to <{graph}> failed, the old graph is unchanged: {exc}") from None
    try:
        say(f"moving <{staging}> over <{graph}>")
        move = f"MOVE <{staging}> TO <{graph}>"  # one request: the server drops the old graph and renames
        if method == "virtuoso":
            _isql(settings, f"SPARQL {move};\n")
        else:
            endpoint.update(move)
        final = endpoint.count(graph)
        if final != expected:
            raise PublishError(f"<{graph}> holds {final} triples, not {expected}")
    except (QueryError, PublishError) as exc:
        raise PublishError(
            f"moving the checked staging graph <{staging}> over <{graph}> failed: {exc}; run `fzqa publish` again"
        ) from None
    finally:
        endpoint.close()
    return Published(graph, expected, method, time.perf_counter() - t0)
