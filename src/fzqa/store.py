"""SPARQL over the knowledge graph: named queries with bound values, and raw read-only queries with a
time limit and a result cap. Embedded pyoxigraph store by default; any SPARQL 1.1 endpoint when setting
``sparql_endpoint`` is set (:mod:`fzqa.remote`, backend "remote"); rdflib's memory store for comparison.

User values are never pasted into query text: named queries (ontology/queries/*.rq) get them as
SEP-0007 substitutions (pyoxigraph), ``initBindings`` (rdflib) or checked, escaped terms written in place of
the variables (remote: the SPARQL 1.1 Protocol has no bindings).

Untrusted text is read by a SPARQL 1.1 tokenizer first (UPDATE, SERVICE and deep nesting are refused from its
tokens), then runs in a :class:`QueryService` worker: a process in a network namespace of its own, with an
address-space limit, stopped at the time limit, restarted when it dies; clients get fair shares of the workers.
"""

from __future__ import annotations

import csv
import ctypes
import io
import json
import logging
import math
import multiprocessing as mp
import os
import re
import resource
import signal
import sys
import tempfile
import threading
import time
from collections import deque
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
# A SPARQL 1.1 tokenizer after the grammar's terminals (https://www.w3.org/TR/sparql11-query/#terminals), so
# that the refusals below see what the parser sees: a `\#` inside a prefixed name, a `#` inside an IRI or a
# string is no comment, and a keyword in a string or a comment is no keyword. Where it cannot read a character
# the query is refused (oxigraph would refuse it too), so nothing it does not understand reaches the store.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"  # PERCENT | PN_LOCAL_ESC
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ESC = r"\\(?:[tbnrf\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"  # ECHAR | UCHAR
_EXP = "[eE][+-]?[0-9]+"
_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<ws>[ \t\r\n]+)",  # WS: exactly these four (oxigraph refuses a form feed or a no-break space)
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            f"(?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\\\]|{_ESC}))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\\\]|{_ESC}))*'''"
            f"|\"(?:[^\"\\\\\\n\\r]|{_ESC})*\"|'(?:[^'\\\\\\n\\r]|{_ESC})*')",
            f"(?P<var>[?$]{_VARNAME})",
            f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
            f"(?P<number>[0-9]+\\.[0-9]*{_EXP}|\\.[0-9]+{_EXP}|[0-9]+{_EXP}|[0-9]*\\.[0-9]+|[0-9]+)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<punct>\^\^|\|\||&&|!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\].,;*+\-/!=<>?^|&~])",
        )
    )
)
_OPEN, _CLOSE = frozenset(("{", "(", "[", "<<", "{|")), frozenset(("}", ")", "]", ">>", "|}"))
_UPDATE_WORDS = frozenset(("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"))
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_POS = re.compile(r"at (\d+):(\d+)")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, bnode, pname, lang, number, word, punct
    text: str
    start: int  # offset in the query text


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _pointer(query: str, line: int, col: int) -> str:
    """The query's line ``line`` quoted, with a caret under column ``col``."""
    lines = query.splitlines()
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"\n  {src}\n  {' ' * (col - 1)}^" if src else ""


def tokenize(query: str) -> list[Token]:
    """The query's tokens without white space and comments; QueryError at a character no token starts with."""
    out: list[Token] = []
    pos, end = 0, len(query)
    while pos < end:
        m = _TOKEN.match(query, pos)
        if m is None:
            ch = query[pos]
            what = "an unterminated string" if ch in "\"'" else f"unexpected character {ch!r}"
            line, col = _line_col(query, pos)
            raise QueryError(
                f"SPARQL syntax error at line {line}, column {col}: {what}{_pointer(query, line, col)}", line, col
            )
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            out.append(Token(kind, m.group(), pos))
        pos = m.end()
    return out


def check_query(query: str, max_depth: int = Settings.query_max_depth) -> str:
    """Refuse what a read-only, offline endpoint must not run, and nesting deeper than ``max_depth``, from the
    query's tokens; return the query form (SELECT, CONSTRUCT, DESCRIBE or ASK)."""
    if not query or not query.strip():
        raise QueryError("the query is empty")
    tokens = tokenize(query)
    words = [t for t in tokens if t.kind == "word"]
    for t in words:
        if t.text.upper() in _UPDATE_WORDS:
            line, col = _line_col(query, t.start)
            raise QueryError(
                f"SPARQL UPDATE ({t.text.upper()}) is not allowed: the store is read-only (line {line}, column {col})",
                line,
                col,
                status=403,
            )
    for t in words:
        # oxigraph reads a keyword without a word boundary: `trueSERVICE <…>` is `true SERVICE <…>` to it
        at = t.text.upper().find("SERVICE")
        if at >= 0:
            line, col = _line_col(query, t.start + at)
            raise QueryError(
                f"SERVICE is not allowed: the store does not reach the network (line {line}, column {col})",
                line,
                col,
                status=403,
            )
    depth = bangs = 0
    for t in tokens:
        if t.kind != "punct":
            bangs = 0
            continue
        if t.text in _OPEN:
            depth += 1
        elif t.text in _CLOSE:
            depth = max(0, depth - 1)
        bangs = bangs + 1 if t.text == "!" else 0  # !!!…x nests like brackets in the parser
        if depth + bangs > max_depth:
            line, col = _line_col(query, t.start)
            raise QueryError(
                f"the query nests deeper than the limit of {max_depth} levels at line {line}, column {col}: "
                f"simplify it{_pointer(query, line, col)}",
                line,
                col,
            )
    for t in words:
        form = next((f for f in _FORMS if t.text.upper().startswith(f)), None)
        if form:
            return form
    raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")


_PAIRS = {"(": ")", "{": "}", "[": "]"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
# the parser's "expected one of …" lists more than a reader needs: this many alternatives are named, the rest "…"
_EXPECTED_SHOWN = 8


def _positioned(query: str, offset: int, what: str) -> QueryError:
    line, col = _line_col(query, offset)
    return QueryError(
        f"SPARQL syntax error at line {line}, column {col}: {what}{_pointer(query, line, col)}", line, col
    )


def diagnose(query: str, known: dict[str, str] | None = None) -> QueryError | None:
    """The first mistake a reader can be told plainly, from the query's tokens: an undeclared prefix, or a
    bracket that is not closed, closed twice, or closed by the wrong kind. None when it finds none (the
    parser's own message is then the best there is). ``known``: prefix → IRI, suggested for an undeclared one."""
    try:
        tokens = tokenize(query)
    except QueryError as exc:
        return exc
    declared: set[str] = set()
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text.split(":", 1)[0])
    for i, t in enumerate(tokens):
        if t.kind != "pname" or (i and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"):
            continue
        prefix = t.text.split(":", 1)[0]
        if prefix not in declared:
            hint = f"PREFIX {prefix}: <{known[prefix]}>" if known and prefix in known else f"PREFIX {prefix}: <…>"
            return _positioned(query, t.start, f"prefix {prefix}: is not declared; add {hint} at the top")
    stack: list[Token] = []
    for t in tokens:
        if t.kind != "punct":
            continue
        if t.text in _PAIRS:
            stack.append(t)
        elif t.text in _CLOSERS:
            if not stack:
                return _positioned(query, t.start, f"unexpected {t.text!r}: nothing is open that it could close")
            top = stack.pop()
            if _PAIRS[top.text] != t.text:
                line, col = _line_col(query, top.start)
                return _positioned(
                    query,
                    t.start,
                    f"missing {_PAIRS[top.text]!r} before {t.text!r}: the {top.text!r} at line {line}, column {col} "
                    "is not closed",
                )
    if stack:
        top = stack[-1]
        line, col = _line_col(query, top.start)
        return _positioned(
            query,
            len(query.rstrip()),
            f"missing {_PAIRS[top.text]!r}: the {top.text!r} at line {line}, column {col} is not closed",
        )
    return None


def _expected(raw: str) -> str:
    """The parser's list of what it expected, without its character classes (['A' ..= 'Z' | …])."""
    raw = re.sub(r"\[(?:[^\]'\\]|'(?:[^'\\]|\\.)*')*\]", "\x00", raw)  # each class becomes one marker
    parts = [p.strip() for p in raw.replace("\n", " ").split(",")]
    names = [p for p in parts if p and p != "\x00" and p != "Prefix not found"]
    if "\x00" in parts:
        names.append("a name")
    if len(names) > _EXPECTED_SHOWN:
        names = [*names[:_EXPECTED_SHOWN], "…"]
    return ("one of " + ", ".join(names)) if len(names) > 1 else (names[0] if names else "something else")


def syntax_error(exc: Exception, query: str, known: dict[str, str] | None = None) -> QueryError:
    """The parser's error as a message a reader can act on: what is wrong, at which line and column."""
    plain = diagnose(query, known)
    if plain is not None:
        return plain
    msg = str(exc)
    m = _POS.search(msg)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        detail = msg.split(": ", 1)[-1]
        if detail.startswith("expected "):
            detail = "expected " + _expected(detail.removeprefix("expected ").removeprefix("one of "))
        return QueryError(
            f"SPARQL syntax error at line {line}, column {col}: {detail}{_pointer(query, line, col)}", line, col
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
# "e.g. VALUE" in a parameter's help: an IRI, or a quoted literal
_EXAMPLE = re.compile(r"e\.g\.\s+(?:(https?://[^\s),（）]+)|\"([^\"]*)\")")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[tuple[str, str], ...]  # (name, help)
    text: str
    title_zh: str = ""  # the header's title@zh:, description@zh: and param@zh: lines
    description_zh: str = ""
    params_zh: tuple[tuple[str, str], ...] = ()

    def examples(self) -> dict[str, str]:
        """The example value of each parameter whose help gives one (``e.g. https://…`` or ``e.g. "…"``)."""
        out: dict[str, str] = {}
        for param, help_ in self.params:
            m = _EXAMPLE.search(help_)
            if m:
                out[param] = m.group(1) if m.group(1) is not None else m.group(2)
        return out

    def required(self) -> tuple[str, ...]:
        return tuple(p for p, h in self.params if "(required)" in h)


def load_named_queries(queries_dir: Path) -> dict[str, NamedQuery]:
    """The named queries of ``queries_dir``; each file's leading comment holds its title, description and
    parameters, in English (title:, description:, param:) and Chinese (title@zh:, description@zh:, param@zh:)."""
    out: dict[str, NamedQuery] = {}
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title, title_zh = path.stem, ""
        desc: dict[str, list[str]] = {"en": [], "zh": []}
        params: dict[str, list[tuple[str, str]]] = {"en": [], "zh": []}
        cur: str | None = None
        for line in text.splitlines():
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            body = line[1:].strip()
            key, sep, rest = body.partition(":")
            field_, _, lang = key.partition("@")
            lang = lang or "en"
            if sep and field_ in ("title", "description", "param") and lang in ("en", "zh") and " " not in key:
                rest = rest.strip()
                cur = None
                if field_ == "title":
                    title, title_zh = (title, rest) if lang == "zh" else (rest, title_zh)
                elif field_ == "description":
                    desc[lang].append(rest)
                    cur = lang
                else:
                    name, _, help_ = rest.partition(" ")
                    params[lang].append((name, help_.strip()))
            elif cur is not None:
                desc[cur].append(body)
        out[path.stem] = NamedQuery(
            path.stem,
            title,
            " ".join(desc["en"]),
            tuple(params["en"]),
            text,
            title_zh,
            "".join(desc["zh"]),  # Chinese runs on without spaces
            tuple(params["zh"]),
        )
    return out


def _to_term(value: Any) -> Any:
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(value, str) and re.match(r"^(https?|urn):[^\s<>\"]+$", value):
        try:
            return ox.NamedNode(value)
        except ValueError:  # not a valid IRI ("{" in it): as any other text, a literal that matches no IRI
            pass
    return ox.Literal(str(value))


def turtle_to_jsonld(turtle: str) -> str:
    """A graph result (Turtle) as JSON-LD, for the web app's download of a CONSTRUCT or DESCRIBE result."""
    triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    out = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    return out.decode("utf-8") if isinstance(out, bytes) else str(out)


def graph_prefixes(path: Path) -> dict[str, str]:
    """The prefixes the built graph's Turtle file declares (prefix → namespace IRI), from its head."""
    try:
        parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        next(parser, None)  # the @prefix lines come first; they are read with the first triple
        return dict(parser.prefixes)
    except (SyntaxError, OSError, ValueError):
        return {}


# named-query results kept per embedded store (query name and bindings → rows): the few roles, measures and
# provisions questions name make a few hundred distinct calls
SELECT_MEMO = 4096


class KnowledgeGraph:
    """The built graph: in an embedded store (``backend`` "oxigraph", or "rdflib" for comparison), or on the
    SPARQL endpoint of setting sparql_endpoint ("remote", the default when that setting is set)."""

    def __init__(self, settings: Settings | None = None, backend: str | None = None, path: Path | None = None):
        self.settings = settings or load_settings()
        self.path = path or self.settings.kg / KG_TTL
        backend = backend or ("remote" if self.settings.sparql_endpoint else "oxigraph")
        self.backend = backend
        self.queries = load_named_queries(self.settings.ontology / "queries")
        self.prefixes = graph_prefixes(self.path)  # {} when there is no local file (a remote store)
        self._memo: dict[tuple[str, tuple[tuple[str, str, str], ...]], list[dict[str, Any]]] = {}
        if backend == "remote":
            from fzqa.remote import Endpoint

            self.remote = Endpoint(self.settings)
            return
        if not self.path.is_file():
            raise StoreError(f"{self.path} does not exist: run `fzqa build` first")
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
            raise ValueError(f"unknown backend {backend!r}: use oxigraph, remote or rdflib")

    def __len__(self) -> int:
        if self.backend == "remote":
            return self.remote.count()
        return len(self.store) if self.backend == "oxigraph" else len(self.graph)

    def describe(self) -> str:
        """Where the graph is: "embedded: kg/fzqa-kg.ttl" or "remote: " and the endpoint's URL and graph."""
        return f"remote: {self.remote.describe()}" if self.backend == "remote" else f"embedded: {self.path}"

    def select(self, name: str, **bindings: Any) -> list[dict[str, Any]]:
        """Run the named query ``name`` with ``bindings`` (None values stay unbound). On an embedded store, which
        is loaded once from the built file and never updated, the rows of each query and bindings are kept (at most
        SELECT_MEMO of them) and given again as copies; a remote store is asked every time."""
        if self.backend == "remote":
            return self._select(name, **bindings)
        key = (name, tuple(sorted((k, type(v).__name__, str(v)) for k, v in bindings.items() if v is not None)))
        rows = self._memo.get(key)
        if rows is None:
            rows = self._select(name, **bindings)
            if len(self._memo) >= SELECT_MEMO:
                self._memo.clear()
            self._memo[key] = rows
        return [dict(r) for r in rows]

    def _select(self, name: str, **bindings: Any) -> list[dict[str, Any]]:
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
        if self.backend == "remote":
            from fzqa.remote import fill_bound, substitute

            terms = {k: _to_term(v) for k, v in bound.items()}
            # a named query is ours and answers in full, as from the embedded store (sparql_max_mb still holds)
            got = self.remote.execute(substitute(q.text, terms), "SELECT", cap=sys.maxsize)
            return fill_bound(got, terms).records()
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
        form = check_query(query, self.settings.query_max_depth)
        return self.execute(query, form, max_results, deadline)

    def execute(self, query: str, form: str, max_results: int | None = None, deadline: float | None = None) -> Result:
        """Run a query that :func:`check_query` passed (``form`` is what it returned), cut to the result cap."""
        cap = max_results or self.settings.max_results
        if self.backend == "remote":
            left = None if deadline is None else max(0.01, deadline - time.monotonic())
            return self.remote.execute(query, form, cap, left)
        if self.backend != "oxigraph":
            raise ValueError("raw queries run on the oxigraph or remote backend")
        t0 = time.perf_counter()
        try:
            res = self.store.query(query)
        except SyntaxError as exc:
            raise syntax_error(exc, query, self.prefixes) from None
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
_log = logging.getLogger(__name__)
_CLONE_NEWNET = 0x40000000  # <linux/sched.h>
_CLONE_NEWUSER = 0x10000000
# The query thread's stack: 8x the usual 8 MB of a main thread. Measured: with it oxigraph parses 10 000 nested
# groups and a 20 000-term `1+1+…` chain, which overflow 8 MB; longer chains hit the time limit first (they
# parse in quadratic time), deeper nesting is refused by check_query.
WORKER_STACK_MB = 64
# Seconds a new worker may take to start and load the graph: 0.6 s measured on an idle machine, 2 cores shared.
WORKER_START_LIMIT = 120.0


def drop_network() -> tuple[bool, str]:
    """Move this process into a network namespace of its own, whose only interface is a loopback that is
    down: no connection can be made to any host, this one included. Returns (done, how or why not)."""
    if not sys.platform.startswith("linux"):
        return False, f"network namespaces are Linux only, not {sys.platform}"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return False, f"cannot load the C library: {exc}"
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True, "a network namespace of its own"
    first = os.strerror(ctypes.get_errno())
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:  # without privilege, in a user namespace of its own
        return True, "a user and network namespace of its own"
    return False, f"unshare(CLONE_NEWNET) failed: {first}; with CLONE_NEWUSER: {os.strerror(ctypes.get_errno())}"


def memory_message(mb: int) -> str:
    return (
        f"the query needed more than {mb} MB of memory, the limit of a query worker (setting query_memory_mb), "
        "and was stopped: bind more of its variables or match fewer patterns"
    )


def _worker(kg_path: str, settings: Settings, conn: Connection, stderr_path: str) -> None:
    """A query worker: off the network, its memory limited, answering (query, form, fmt, cap) messages."""
    with open(stderr_path, "wb", buffering=0) as err:  # the engine's last words before an abort, for the parent
        os.dup2(err.fileno(), 2)
    isolated, how = drop_network()  # first, while this process has a single thread
    try:
        kg = KnowledgeGraph(settings, path=Path(kg_path))
    except Exception as exc:
        conn.send(("failed", str(exc)))
        return
    threading.stack_size(WORKER_STACK_MB << 20)
    thread = threading.Thread(target=_serve, args=(kg, conn, isolated, how), name="fzqa-query")
    thread.start()
    thread.join()


def _serve(kg: KnowledgeGraph, conn: Connection, isolated: bool, how: str) -> None:
    mb = kg.settings.query_memory_mb
    if mb > 0:  # after the graph is loaded (its bulk loader reserves 240 MB of address space for a moment)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, hard))
    conn.send(("ready", isolated, how))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        query, form, fmt, cap = msg
        try:
            res = kg.execute(query, form, max_results=cap)
            conn.send(("ok", res.serialize(fmt), res.form, res.truncated, len(res.rows) or len(res.triples)))
        except QueryError as exc:
            conn.send(("error", str(exc), exc.line, exc.column, exc.status, False))
        except MemoryError:
            conn.send(("error", memory_message(mb), None, None, 503, True))  # True: restart this worker
            return
        except Exception as exc:  # keep serving: report, do not die
            conn.send(("error", f"query failed: {exc}", None, None, 500, False))


@dataclass
class Served:
    body: str
    media_type: str
    form: str
    truncated: bool
    count: int


class Busy(QueryError):
    """No worker may take the query now: HTTP 503 with ``Retry-After: retry_after``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, status=503)
        self.retry_after = retry_after


class _Slot:
    """One worker process, restarted when it dies or is stopped; what it printed last is kept in a file."""

    def __init__(self, ctx: Any, kg_path: Path, settings: Settings) -> None:
        self.ctx, self.kg_path, self.settings = ctx, kg_path, settings
        fd, name = tempfile.mkstemp(prefix="fzqa-worker-", suffix=".log")
        os.close(fd)
        self.stderr_path = Path(name)
        self.proc: Any = None
        self.conn: Connection | None = None
        self.ready = False
        self.isolated, self.isolation = False, "not started"
        self.start()

    def start(self) -> None:
        parent, child = self.ctx.Pipe()
        args = (str(self.kg_path), self.settings, child, str(self.stderr_path))
        self.proc = self.ctx.Process(target=_worker, args=args, daemon=True)
        self.proc.start()
        child.close()
        self.conn, self.ready = parent, False

    def kill(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        if self.conn is not None:
            self.conn.close()

    def restart(self) -> None:
        self.kill()
        self.start()

    def wait_ready(self) -> None:
        """Wait for the worker's start-up message (EOFError when it died starting)."""
        if self.ready:
            return
        assert self.conn is not None
        if not self.conn.poll(WORKER_START_LIMIT):
            self.restart()
            raise QueryError(f"the query worker did not start within {WORKER_START_LIMIT:g} s; try again", status=503)
        msg = self.conn.recv()
        if msg[0] == "failed":
            self.restart()
            raise QueryError(f"the query worker cannot load the graph: {msg[1]}", status=500)
        _, self.isolated, self.isolation = msg
        self.ready = True

    def last_words(self) -> str:
        try:
            with self.stderr_path.open("rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 4000))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def death(self) -> QueryError:
        """Why the worker ended in the middle of a query, from its exit code and the last words it printed."""
        self.proc.join(5)
        code, words = self.proc.exitcode, self.last_words()
        if words.strip():
            _log.warning("SPARQL query worker ended (exit code %s): %s", code, words.strip()[-1000:])
        if "memory allocation of" in words or "MemoryError" in words:  # Rust's message before it aborts
            return QueryError(memory_message(self.settings.query_memory_mb), status=503)
        if code == -signal.SIGSEGV or "overflowed its stack" in words:
            return QueryError(
                "the query is too long or too deeply built for the query engine, which ran out of stack: "
                "shorten it (the worker was restarted)"
            )
        return QueryError(f"the query worker stopped unexpectedly (exit code {code}); try again", status=500)

    def close(self) -> None:
        try:
            if self.conn is not None and self.proc is not None and self.proc.is_alive():
                self.conn.send(None)
        except OSError:
            pass
        self.kill()
        self.stderr_path.unlink(missing_ok=True)


class _RemoteSlot:
    """A turn at the remote endpoint: the query runs there, from the caller's thread; ``workers`` turns at
    once, handed out as fairly as the worker processes of the embedded store."""

    proc = None
    isolated, isolation = True, "queries run on the remote SPARQL endpoint"

    def close(self) -> None:
        pass


class QueryService:
    """Runs untrusted SPARQL in worker processes that cannot reach the network and have a memory limit, so a
    query over the time or memory limit is stopped for real; or, with setting sparql_endpoint, on that endpoint,
    stopped at the time limit and cut to the result cap here. Fair to its clients: each may have
    ``query_client_share`` queries running or waiting, at most ``query_queue`` wait for a worker (first come,
    first served, for at most the time limit), and the others are told to come back (:class:`Busy`)."""

    _warned_isolation = False  # the warning that workers can reach the network is given once per process

    def __init__(self, settings: Settings | None = None, workers: int = 1, kg_path: Path | None = None):
        self.settings = settings or load_settings()
        self.kg_path = kg_path or self.settings.kg / KG_TTL
        self._remote: Any = None
        self._slots: list[Any]
        if self.settings.sparql_endpoint:
            from fzqa.remote import Endpoint

            self._remote = Endpoint(self.settings)
            self._slots = [_RemoteSlot() for _ in range(max(1, workers))]
        else:
            if not self.kg_path.is_file():
                raise StoreError(f"{self.kg_path} does not exist: run `fzqa build` first")
            ctx = mp.get_context("spawn")
            self._slots = [_Slot(ctx, self.kg_path, self.settings) for _ in range(max(1, workers))]
        self._free: list[Any] = list(self._slots)
        self._cond = threading.Condition()
        self._waiting: deque[object] = deque()  # tickets of the requests waiting for a worker, in order
        self._clients: dict[str, int] = {}  # queries running or waiting, by client

    @property
    def isolation(self) -> str:
        """How the workers are kept off the network (after their first query), e.g. "a network namespace …"."""
        return "; ".join(sorted({s.isolation for s in self._slots}))

    def status(self) -> dict[str, Any]:
        """Workers (their process ids), how many are busy, requests waiting, queries by client."""
        with self._cond:
            return {
                "workers": [s.proc.pid for s in self._slots if s.proc is not None],
                "busy": len(self._slots) - len(self._free),
                "waiting": len(self._waiting),
                "clients": dict(self._clients),
            }

    def _acquire(self, client: str | None, wait: float) -> Any:
        s = self.settings
        retry = max(1, math.ceil(s.query_timeout))  # by then a running query has ended or been stopped
        with self._cond:
            held = self._clients.get(client, 0) if client is not None else 0
            if client is not None and held >= s.query_client_share:
                raise Busy(
                    f"too many queries from {client}: {held} running or waiting, the share of one client is "
                    f"{s.query_client_share}; try again in {retry} s",
                    retry,
                )
            if (not self._free or self._waiting) and len(self._waiting) >= s.query_queue:
                raise Busy(
                    f"all {len(self._slots)} query workers are busy and {len(self._waiting)} requests are waiting; "
                    f"try again in {retry} s",
                    retry,
                )
            if client is not None:
                self._clients[client] = held + 1
            ticket = object()
            self._waiting.append(ticket)
            deadline = time.monotonic() + wait
            try:
                while not (self._free and self._waiting[0] is ticket):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(f"no query worker became free within {wait:g} s; try again in {retry} s", retry)
                    self._cond.wait(left)
            except BaseException:
                self._waiting.remove(ticket)
                self._uncount(client)
                self._cond.notify_all()
                raise
            self._waiting.popleft()
            self._cond.notify_all()  # the next in line is now at the head
            return self._free.pop()

    def _uncount(self, client: str | None) -> None:
        if client is not None:
            self._clients[client] -= 1
            if not self._clients[client]:
                del self._clients[client]

    def _release(self, slot: Any, client: str | None) -> None:
        with self._cond:
            self._free.append(slot)
            self._uncount(client)
            self._cond.notify_all()

    def run(
        self,
        query: str,
        fmt: str = "json",
        timeout: float | None = None,
        max_results: int | None = None,
        client: str | None = None,
    ) -> Served:
        """Check ``query``, then run it in a worker; ``client`` (the remote address) counts against its share."""
        form = check_query(query, self.settings.query_max_depth)  # cheap refusals before a worker is used
        return self._run_checked(query, form, fmt, timeout, max_results, client)

    def _run_checked(
        self, query: str, form: str, fmt: str, timeout: float | None, max_results: int | None, client: str | None
    ) -> Served:
        """Run a query that check_query passed (the tests call this with one it would refuse, to show that the
        worker still cannot reach the network)."""
        if fmt not in FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", status=406)
        limit = self.settings.query_timeout if timeout is None else timeout
        cap = max_results or self.settings.max_results
        slot = self._acquire(client, limit)
        try:
            if self._remote is not None:
                res = self._remote.execute(query, form, cap, limit)
                body = res.serialize(fmt)
                return Served(body, MEDIA_TYPES[fmt], res.form, res.truncated, len(res.rows) or len(res.triples))
            reply = self._ask(slot, (query, form, fmt, cap), limit)
        finally:
            self._release(slot, client)
        if reply[0] == "error":
            raise QueryError(reply[1], reply[2], reply[3], status=reply[4])
        _, body, rform, truncated, count = reply
        return Served(body, MEDIA_TYPES[fmt], rform or form, truncated, count)

    def _ask(self, slot: _Slot, msg: tuple[str, str, str, int], limit: float) -> Any:
        try:
            if not slot.proc.is_alive():
                slot.restart()
            slot.wait_ready()
            self._check_isolation(slot)
            assert slot.conn is not None
            slot.conn.send(msg)
            if not slot.conn.poll(limit):
                slot.restart()
                raise QueryTimeout(limit)
            reply = slot.conn.recv()
        except (EOFError, OSError):
            err = slot.death()
            slot.restart()
            raise err from None
        if reply[0] == "error" and reply[5]:
            slot.restart()
        return reply

    def _check_isolation(self, slot: _Slot) -> None:
        if not slot.isolated and not QueryService._warned_isolation:
            QueryService._warned_isolation = True
            _log.warning("SPARQL query workers can reach the network (%s); SERVICE is still refused", slot.isolation)

    def close(self) -> None:
        for s in self._slots:
            s.close()
        if self._remote is not None:
            self._remote.close()

    def __enter__(self) -> QueryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
