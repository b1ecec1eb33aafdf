"""SPARQL over the knowledge graph: named queries with bound values, and raw read-only queries with a
time limit and a result cap. Embedded pyoxigraph store by default; rdflib's memory store for comparison.

User values are never pasted into query text: named queries (ontology/queries/*.rq) get them as
SEP-0007 substitutions (pyoxigraph) or ``initBindings`` (rdflib).
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing as mp
import re
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from fzqa.settings import Settings, load_settings

KG_TTL = "fzqa-kg.ttl"
FORMATS = ("table", "json", "csv", "tsv", "xml", "turtle", "jsonld")
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "table": "text/plain; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
}


class QueryError(ValueError):
    """A query is malformed, not allowed, or failed; ``line``/``column`` say where when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, status: int = 400):
        super().__init__(message)
        self.line = line
        self.column = column
        self.status = status


class QueryTimeout(QueryError):
    def __init__(self, seconds: float):
        super().__init__(f"the query ran longer than the time limit of {seconds:g} s and was stopped", status=503)


class StoreError(RuntimeError):
    """The graph files are missing or unreadable."""


# ------------------------------------------------------------------------------------------- checks
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>')
_COMMENT = re.compile(r"#[^\n]*")
_UPDATE = re.compile(  # not after ? $ or a prefix: ?delete and ex:add are names, not keywords
    r"(?<![?$\w:])\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b"
    r"\s*(DATA|WHERE|SILENT|GRAPH|DEFAULT|ALL|NAMED|\{|<)",
    re.I,
)
_SERVICE = re.compile(r"(?<![?$\w:])\bSERVICE\b", re.I)
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.I)
_POS = re.compile(r"at (\d+):(\d+)")


def _code_only(query: str) -> str:
    """The query with string literals, IRIs and comments blanked out (same length)."""
    blank = _STRINGS.sub(lambda m: ("<" if m.group(0)[0] == "<" else " ").ljust(len(m.group(0))), query)  # keep <
    return _COMMENT.sub(lambda m: " " * len(m.group(0)), blank)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_query(query: str) -> str:
    """Refuse what a read-only, offline endpoint must not run; return the query form (SELECT …)."""
    if not query or not query.strip():
        raise QueryError("the query is empty")
    code = _code_only(query)
    m = _UPDATE.search(code)
    if m:
        line, col = _line_col(query, m.start())
        raise QueryError(
            f"SPARQL UPDATE ({m.group(1).upper()}) is not allowed: the store is read-only (line {line}, column {col})",
            line,
            col,
            status=403,
        )
    m = _SERVICE.search(code)
    if m:
        line, col = _line_col(query, m.start())
        raise QueryError(
            f"SERVICE is not allowed: the store does not reach the network (line {line}, column {col})",
            line,
            col,
            status=403,
        )
    form = _FORM.search(code)
    if not form:
        raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    return form.group(1).upper()


def syntax_error(exc: Exception, query: str) -> QueryError:
    msg = str(exc)
    m = _POS.search(msg)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        src = query.splitlines()[line - 1] if 0 < line <= len(query.splitlines()) else ""
        pointer = f"\n  {src}\n  {' ' * (col - 1)}^" if src else ""
        return QueryError(
            f"SPARQL syntax error at line {line}, column {col}: {msg.split(': ', 1)[-1]}{pointer}", line, col
        )
    return QueryError(f"SPARQL error: {msg}")


# ------------------------------------------------------------------------------------------- results
def _term_json(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        d["datatype"] = t.datatype.value
    return d


def to_python(t: Any) -> Any:
    """An RDF term as a plain Python value (IRI and strings as str, integers as int)."""
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype else ""
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(t.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(t.value)
        if dt.endswith("#boolean"):
            return t.value == "true"
        return t.value
    return t.value


@dataclass
class Result:
    """A query result, already cut to the result cap."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0

    def records(self) -> list[dict[str, Any]]:
        return [
            {v: to_python(t) for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows
        ]

    def serialize(self, fmt: str) -> str:
        if fmt not in FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", status=406)
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            rdf = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}.get(fmt)
            if rdf is None:
                if fmt == "table":
                    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in self.triples)
                raise QueryError(f"a {self.form} result is a graph: use format turtle or jsonld, not {fmt}", status=406)
            prefixes = {
                "fzqa": "https://w3id.org/fzqa#",
                "role": "https://w3id.org/fzqa/role/",
                "id": "https://w3id.org/fzqa/id/",
                "skos": "http://www.w3.org/2004/02/skos/core#",
                "eli": "http://data.europa.eu/eli/ontology#",
                "prov": "http://www.w3.org/ns/prov#",
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            }
            out = (
                ox.serialize(self.triples, format=rdf, prefixes=prefixes)
                if rdf == ox.RdfFormat.TURTLE
                else ox.serialize(self.triples, format=rdf)
            )
            return out.decode("utf-8") if isinstance(out, bytes) else str(out)
        if fmt in ("turtle", "jsonld"):
            raise QueryError(
                f"a {self.form} result is a table: use json, xml, csv, tsv or table, not {fmt}", status=406
            )
        if self.form == "ASK":
            return {
                "json": lambda: json.dumps({"head": {}, "boolean": self.boolean}),
                "xml": lambda: (
                    '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                    f"<boolean>{str(self.boolean).lower()}</boolean></sparql>\n"
                ),
                "csv": lambda: f"_askResult\r\n{str(self.boolean).lower()}\r\n",
                "tsv": lambda: f"?_askResult\n{str(self.boolean).lower()}\n",
                "table": lambda: f"{str(self.boolean).lower()}\n",
            }[fmt]()
        method: Any = getattr(self, f"_{fmt}")
        return str(method())

    def _json(self) -> str:
        bindings = [
            {v: _term_json(t) for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows
        ]
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)

    def _xml(self) -> str:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f'<variable name="{v}"/>' for v in self.variables]
        out.append("</head>\n<results>")
        for row in self.rows:
            out.append("<result>")
            for v, t in zip(self.variables, row, strict=True):
                if t is None:
                    continue
                j = _term_json(t)
                if j["type"] == "uri":
                    inner = f"<uri>{xml_escape(j['value'])}</uri>"
                elif j["type"] == "bnode":
                    inner = f"<bnode>{xml_escape(j['value'])}</bnode>"
                else:
                    attr = f' xml:lang="{j["xml:lang"]}"' if "xml:lang" in j else ""
                    attr += f' datatype="{xml_escape(j["datatype"])}"' if "datatype" in j else ""
                    inner = f"<literal{attr}>{xml_escape(j['value'])}</literal>"
                out.append(f'<binding name="{v}">{inner}</binding>')
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out)

    def _csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(self.variables)
        for row in self.rows:
            w.writerow(["" if t is None else ("_:" if isinstance(t, ox.BlankNode) else "") + t.value for t in row])
        return buf.getvalue()

    def _tsv(self) -> str:
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else str(t).replace("\t", "\\t").replace("\n", "\\n") for t in row))
        return "\n".join(lines) + "\n"

    def _table(self) -> str:
        cells = [[("" if t is None else str(to_python(t))).replace("\n", " ") for t in row] for row in self.rows]
        widths = [max([len(v), *(min(len(r[i]), 60) for r in cells)]) for i, v in enumerate(self.variables)]

        def fmt_row(vals: list[str]) -> str:
            return " | ".join((v if len(v) <= 60 else v[:59] + "…").ljust(w) for v, w in zip(vals, widths, strict=True))

        lines = [fmt_row(self.variables), "-+-".join("-" * w for w in widths), *(fmt_row(r) for r in cells)]
        lines.append(
            f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}{', truncated' if self.truncated else ''})"
        )
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- the store
@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[tuple[str, str], ...]  # (name, help)
    text: str


def load_named_queries(queries_dir: Path) -> dict[str, NamedQuery]:
    out: dict[str, NamedQuery] = {}
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title, desc, params = path.stem, [], []
        cur: str | None = None
        for line in text.splitlines():
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            body = line[1:].strip()
            if body.startswith("title:"):
                title, cur = body[6:].strip(), None
            elif body.startswith("description:"):
                desc.append(body[12:].strip())
                cur = "d"
            elif body.startswith("param:"):
                name, _, help_ = body[6:].strip().partition(" ")
                params.append((name, help_.strip()))
                cur = None
            elif cur == "d":
                desc.append(body)
        out[path.stem] = NamedQuery(path.stem, title, " ".join(desc), tuple(params), text)
    return out


def _to_term(value: Any) -> Any:
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(value, str) and re.match(r"^(https?|urn):[^\s<>\"]+$", value):
        return ox.NamedNode(value)
    return ox.Literal(str(value))


class KnowledgeGraph:
    """The built graph in an embedded store (``backend`` "oxigraph", or "rdflib" for comparison)."""

    def __init__(self, settings: Settings | None = None, backend: str = "oxigraph", path: Path | None = None):
        self.settings = settings or load_settings()
        self.path = path or self.settings.kg / KG_TTL
        if not self.path.is_file():
            raise StoreError(f"{self.path} does not exist: run `fzqa build` first")
        self.backend = backend
        self.queries = load_named_queries(self.settings.ontology / "queries")
        if backend == "oxigraph":
            self.store = ox.Store()
            try:
                self.store.bulk_load(path=str(self.path), format=ox.RdfFormat.TURTLE)
            except (SyntaxError, OSError, ValueError) as exc:
                raise StoreError(f"{self.path}: cannot load: {exc}") from None
        elif backend == "rdflib":
            from rdflib import Graph

            self.graph = Graph()
            self.graph.parse(self.path, format="turtle")
        else:
            raise ValueError(f"unknown backend {backend!r}: use oxigraph or rdflib")

    def __len__(self) -> int:
        return len(self.store) if self.backend == "oxigraph" else len(self.graph)

    def select(self, name: str, **bindings: Any) -> list[dict[str, Any]]:
        """Run the named query ``name`` with ``bindings`` (None values stay unbound)."""
        if name not in self.queries:
            raise QueryError(f"unknown named query {name!r}; known: {', '.join(sorted(self.queries))}")
        q = self.queries[name]
        allowed = {p for p, _ in q.params}
        for key in bindings:
            if key not in allowed:
                raise QueryError(
                    f"named query {name!r} has no parameter {key!r}; parameters: {', '.join(sorted(allowed))}"
                )
        bound = {k: v for k, v in bindings.items() if v is not None}
        if self.backend == "oxigraph":
            res = self.store.query(q.text, substitutions={ox.Variable(k): _to_term(v) for k, v in bound.items()})
            assert isinstance(res, ox.QuerySolutions), f"named query {name} is not a SELECT"
            variables = [v.value for v in res.variables]
            return [{v: to_python(sol[v]) for v in variables if sol[v] is not None} for sol in res]
        from rdflib import Literal, URIRef

        def rterm(v: Any) -> Any:
            t = _to_term(v)
            return URIRef(t.value) if isinstance(t, ox.NamedNode) else Literal(int(v) if isinstance(v, int) else v)

        rows = self.graph.query(q.text, initBindings={k: rterm(v) for k, v in bound.items()})
        out = []
        for r in rows:
            d = r.asdict()  # type: ignore[union-attr]
            out.append({k: v.toPython() if hasattr(v, "toPython") else str(v) for k, v in d.items()})
        return out

    def run(self, query: str, max_results: int | None = None, deadline: float | None = None) -> Result:
        """A raw read-only query in this process (no hard time limit: use QueryService for untrusted text)."""
        if self.backend != "oxigraph":
            raise ValueError("raw queries run on the oxigraph backend")
        form = check_query(query)
        cap = max_results or self.settings.max_results
        t0 = time.perf_counter()
        try:
            res = self.store.query(query)
        except SyntaxError as exc:
            raise syntax_error(exc, query) from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None
        if isinstance(res, (bool, ox.QueryBoolean)):
            return Result("ASK", boolean=bool(res), seconds=time.perf_counter() - t0)
        out = Result(form)
        try:
            if isinstance(res, ox.QuerySolutions):
                out.form = "SELECT"
                out.variables = [v.value for v in res.variables]
                for sol in res:
                    if len(out.rows) >= cap:
                        out.truncated = True
                        break
                    out.rows.append([sol[v] for v in out.variables])
                    if deadline and time.monotonic() > deadline:
                        raise QueryTimeout(self.settings.query_timeout)
            elif isinstance(res, ox.QueryTriples):
                out.form = form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"
                for t in res:
                    if len(out.triples) >= cap:
                        out.truncated = True
                        break
                    out.triples.append(t)
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None
        out.seconds = time.perf_counter() - t0
        return out


# ------------------------------------------------------------------------------------------- isolation
def _worker(kg_path: str, settings: Settings, conn: Connection) -> None:
    kg = KnowledgeGraph(settings, path=Path(kg_path))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        query, fmt, cap = msg
        try:
            res = kg.run(query, max_results=cap)
            conn.send(("ok", res.serialize(fmt), res.form, res.truncated, len(res.rows) or len(res.triples)))
        except QueryError as exc:
            conn.send(("error", str(exc), exc.line, exc.column, exc.status))
        except Exception as exc:  # keep serving: report, do not die
            conn.send(("error", f"query failed: {exc}", None, None, 500))


@dataclass
class Served:
    body: str
    media_type: str
    form: str
    truncated: bool
    count: int


class _Slot:
    def __init__(self, ctx: Any, kg_path: Path, settings: Settings) -> None:
        self.ctx, self.kg_path, self.settings = ctx, kg_path, settings
        self.proc: Any = None
        self.conn: Connection | None = None
        self.start()

    def start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(str(self.kg_path), self.settings, child), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def kill(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        if self.conn is not None:
            self.conn.close()


class QueryService:
    """Runs untrusted SPARQL in worker processes, so a query over the time limit can be stopped for real."""

    def __init__(self, settings: Settings | None = None, workers: int = 1, kg_path: Path | None = None):
        self.settings = settings or load_settings()
        self.kg_path = kg_path or self.settings.kg / KG_TTL
        if not self.kg_path.is_file():
            raise StoreError(f"{self.kg_path} does not exist: run `fzqa build` first")
        ctx = mp.get_context("spawn")
        self._slots = [_Slot(ctx, self.kg_path, self.settings) for _ in range(max(1, workers))]
        self._free: list[_Slot] = list(self._slots)
        self._cond = threading.Condition()

    def _acquire(self) -> _Slot:
        with self._cond:
            while not self._free:
                self._cond.wait()
            return self._free.pop()

    def _release(self, slot: _Slot) -> None:
        with self._cond:
            self._free.append(slot)
            self._cond.notify()

    def run(
        self, query: str, fmt: str = "json", timeout: float | None = None, max_results: int | None = None
    ) -> Served:
        form = check_query(query)  # cheap refusals before a worker is used
        if fmt not in FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", status=406)
        limit = self.settings.query_timeout if timeout is None else timeout
        cap = max_results or self.settings.max_results
        slot = self._acquire()
        try:
            assert slot.conn is not None
            if not slot.proc.is_alive():
                slot.kill()
                slot.start()
            slot.conn.send((query, fmt, cap))
            if not slot.conn.poll(limit):
                slot.kill()
                slot.start()
                raise QueryTimeout(limit)
            reply = slot.conn.recv()
        except (EOFError, BrokenPipeError, OSError):
            slot.kill()
            slot.start()
            raise QueryError("the query worker stopped unexpectedly; try again", status=500) from None
        finally:
            self._release(slot)
        if reply[0] == "error":
            raise QueryError(reply[1], reply[2], reply[3], status=reply[4])
        _, body, rform, truncated, count = reply
        media = MEDIA_TYPES["turtle" if fmt == "turtle" else fmt]
        return Served(body, media, rform or form, truncated, count)

    def close(self) -> None:
        for s in self._slots:
            try:
                if s.conn is not None:
                    s.conn.send(None)
            except OSError:
                pass
            s.kill()

    def __enter__(self) -> QueryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
