"""The `fzqa` command: build, parse, norms, validate, sparql, search, ask, serve, publish."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status 2 (or ``code``)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _print_json(data: Any, out: TextIO | None = None) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), file=out or sys.stdout)


def _progress(msg: str) -> None:
    print(f"[fzqa] {msg}", file=sys.stderr, flush=True)


def _lone_surrogate(text: str) -> int | None:
    """The 1-based position of the first lone surrogate (a JSON "\\ud800" escape without its pair), or None."""
    return next((i + 1 for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)


def _read_batch(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The batch file's questions; a line that is not a question object yields {"error": …} in its place."""
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"--batch {path}: no such file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CLIError(f"--batch {path}: cannot read: {exc.strerror}") from None
    for n, bline in enumerate(raw.removeprefix(b"\xef\xbb\xbf").splitlines(), 1):
        try:
            line = bline.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield n, {"error": f"--batch {path}, line {n}: not UTF-8 (byte {exc.start + 1} of the line)"}
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, {"error": f"--batch {path}, line {n}: not JSON ({exc.msg} at column {exc.colno})"}
            continue
        except RecursionError:
            yield n, {"error": f"--batch {path}, line {n}: the JSON nests too deeply"}
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("q"), str):
            yield (
                n,
                {
                    "id": obj.get("id") if isinstance(obj, dict) else None,
                    "error": f'--batch {path}, line {n}: expected an object {{"id": …, "q": "…"}}',
                },
            )
            continue
        at = _lone_surrogate(obj["q"])
        if at is not None:
            bad = f"U+{ord(obj['q'][at - 1]):04X}"
            yield (
                n,
                {
                    "id": obj.get("id"),
                    "error": f"--batch {path}, line {n}: q is not valid Unicode (a lone surrogate {bad} at "
                    f"character {at})",
                },
            )
            continue
        yield n, obj


def _emit(obj: dict[str, Any]) -> None:
    """One JSON line; text that cannot be written as UTF-8 (a lone surrogate in an id) is written escaped."""
    try:
        line = json.dumps(obj, ensure_ascii=False)
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True)
    print(line, flush=True)


# ------------------------------------------------------------------------------------------- commands
def cmd_build(args: argparse.Namespace) -> int:
    from fzqa.pipeline import build

    report = build(skip_index=args.no_index, progress=_progress)
    _progress(report.summary())
    return 0 if report.ok else 1


def cmd_parse(args: argparse.Namespace) -> int:
    from fzqa.corpus import CorpusError, parse_file, to_json

    try:
        m = parse_file(Path(args.file))
    except CorpusError as exc:
        raise CLIError(str(exc)) from None
    for w in m.warnings:
        print(f"fzqa parse: warning: {w}", file=sys.stderr)
    data = to_json(m)
    if args.json:
        _print_json(data)
    else:
        print(f"{m.title}  {m.number or ''} {m.date or ''}".rstrip())
        for a in m.articles:
            where = f" [{a.chapter}]" if a.chapter else ""
            print(f"第{a.number}条{where}: {a.text[:70]}{'…' if len(a.text) > 70 else ''}  ({len(a.items)} items)")
    if not m.articles:
        print(f"{args.file}: no articles (第…条) found: this document is not organised in articles", file=sys.stderr)
        return 1
    return 0


def cmd_norms(args: argparse.Namespace) -> int:
    from fzqa.extract import norm_to_json
    from fzqa.pipeline import load_corpus_norms

    measures, norms = load_corpus_norms()
    ids = [m.id for m in measures]
    if args.measure and args.measure not in ids:
        raise CLIError(f"unknown measure {args.measure!r}; known: {', '.join(ids)}")
    rows = [norm_to_json(n) for n in norms if not args.measure or n.measure == args.measure]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            f = r["frequency"]
            freq = f" [{f['period']}{'≥' + str(f['min_count']) if f and f['min_count'] else ''}]" if f else ""  # type: ignore[index]
            print(f"{r['id']}  {r['kind']:<11} {r['bearer']}{freq}: {r['action']}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from fzqa.pipeline import validate_kg
    from fzqa.settings import load_settings
    from fzqa.store import KnowledgeGraph

    KnowledgeGraph(load_settings())  # a damaged kg/ file: StoreError with its line and column, before rdflib's parser
    ok, text = validate_kg(progress=_progress)
    print(text)
    return 0 if ok else 1


def cmd_sparql(args: argparse.Namespace) -> int:
    from fzqa.settings import load_settings
    from fzqa.store import FORMATS, KnowledgeGraph, QueryError, QueryService, StoreError

    settings = load_settings()
    text = args.query
    if text.startswith("@"):
        p = Path(text[1:])
        if not p.is_file():
            raise CLIError(f"{p}: no such query file")
        try:
            text = p.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CLIError(f"{p}: cannot read the query file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CLIError(
                f"{p}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                "a query file holds SPARQL text in UTF-8"
            ) from None
        if "\x00" in text:
            raise CLIError(
                f"{p}: not a text file (a NUL byte at offset {text.index(chr(0))}); "
                "a query file holds SPARQL text in UTF-8"
            )
    elif not any(k in text.upper() for k in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE", "INSERT", "DELETE", "{")):
        # a named query: fzqa sparql annual_duties --bind role=https://w3id.org/fzqa/role/countyMayor
        try:
            kg = KnowledgeGraph(settings)
        except StoreError as exc:
            raise CLIError(str(exc)) from None
        if text not in kg.queries:
            raise CLIError(
                f"{text!r} is neither a SPARQL query nor a named query; named: {', '.join(sorted(kg.queries))}"
            )
        if args.bind:
            return _named_with_bindings(kg, text, args.bind, args.format)
        text = kg.queries[text].text
    elif args.bind:
        raise CLIError("--bind works with a named query only")
    if args.format not in FORMATS:
        raise CLIError(f"unknown format {args.format}")
    try:
        with QueryService(settings, workers=1) as svc:
            served = svc.run(text, args.format, timeout=args.timeout)
    except StoreError as exc:
        raise CLIError(str(exc)) from None
    except QueryError as exc:
        raise CLIError(str(exc)) from None
    sys.stdout.write(served.body)
    if served.truncated:
        print(f"(result cut to {settings.max_results} rows)", file=sys.stderr)
    return 0


def _named_with_bindings(kg: Any, name: str, binds: list[str], fmt: str) -> int:
    """Run a named query with NAME=VALUE bindings (bound as values, never pasted into the text)."""
    import csv

    from fzqa.store import QueryError

    values: dict[str, Any] = {}
    for b in binds:
        key, sep, value = b.partition("=")
        if not sep or not key:
            raise CLIError(f"--bind {b!r}: expected NAME=VALUE")
        values[key] = int(value) if value.isdigit() else value
    try:
        rows = kg.select(name, **values)
    except QueryError as exc:
        raise CLIError(str(exc)) from None
    cols = list(dict.fromkeys(k for r in rows for k in r))
    if fmt == "json":
        _print_json(rows)
    elif fmt in ("csv", "tsv"):
        w = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
    elif fmt == "table":
        for r in rows:
            print(" | ".join(str(r.get(c, "")) for c in cols))
        print(f"({len(rows)} rows)")
    else:
        raise CLIError(f"--bind gives json, csv, tsv or table, not {fmt}")
    return 0


def _batch_or_single(
    args: argparse.Namespace, one: Callable[[str], dict[str, Any]], render: Callable[[dict[str, Any]], str]
) -> int:
    if args.batch:
        for _, obj in _read_batch(args.batch):
            if "error" in obj:
                _emit(obj)
                continue
            try:
                res = one(obj["q"])
            except ValueError as exc:
                res = {"error": str(exc)}
            _emit({"id": obj.get("id"), **res})
        return 0
    if args.text is None:
        raise CLIError("give a text, or --batch FILE")
    if _lone_surrogate(args.text) is not None:  # undecodable bytes in the argument (surrogateescape)
        raise CLIError("the text is not valid UTF-8")
    try:
        res = one(args.text)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if args.json:
        _print_json(res)
    else:
        print(render(res))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from fzqa.pipeline import open_index

    index = open_index(progress=_progress)

    def one(q: str) -> dict[str, Any]:
        hits = index.search(q, k=args.k, measure=args.measure, role=args.role, kind=args.kind, period=args.period)
        return {
            "query": q,
            "hits": [
                {"measure": h.measure, "article": h.article, "item": h.item, "score": round(h.score, 6), "text": h.text}
                for h in hits
            ],
        }

    def render(res: dict[str, Any]) -> str:
        from fzqa.qa import short_citation

        lines = [
            f"{short_citation(h['measure'], h['article'], h['item'])}  ({h['score']:.3f})  {h['text']}"
            for h in res["hits"]
        ]
        return "\n".join(lines) or "(no hits)"

    return _batch_or_single(args, one, render)


def cmd_ask(args: argparse.Namespace) -> int:
    from fzqa.qa import answer_to_json, get_assistant

    assistant = get_assistant(progress=_progress)
    return _batch_or_single(args, lambda q: answer_to_json(assistant.ask(q)), lambda res: str(res["answer"]))


def cmd_serve(args: argparse.Namespace) -> int:
    from fzqa.server import serve

    if args.workers < 1:
        raise CLIError(f"--workers must be at least 1, got {args.workers}")
    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from fzqa.remote import publish
    from fzqa.settings import load_settings

    overrides = {k: v for k, v in (("sparql_graph", args.graph),) if v}
    settings = load_settings(overrides)
    done = publish(settings, Path(args.file) if args.file else None, progress=_progress)
    _progress(f"published {done.triples} triples to <{done.graph}> ({done.method}) in {done.seconds:.2f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fzqa", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse → extract → graph → validate → reason → index")
    b.add_argument("--no-index", action="store_true", help="build the graph only")
    b.set_defaults(func=cmd_build)
    pa = sub.add_parser("parse", help="parse a raw measure and print its structure")
    pa.add_argument("file")
    pa.add_argument("--json", action="store_true")
    pa.set_defaults(func=cmd_parse)
    n = sub.add_parser("norms", help="the norms extracted from the corpus")
    n.add_argument("--measure")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=cmd_norms)
    v = sub.add_parser("validate", help="SHACL + OWL consistency report of the built graph")
    v.set_defaults(func=cmd_validate)
    s = sub.add_parser("sparql", help="run a SPARQL query (text, @FILE, or a named query's name)")
    s.add_argument("query")
    s.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml", "turtle", "jsonld"])
    s.add_argument("--timeout", type=float, default=None, help="seconds (default: the query_timeout setting)")
    s.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a named query's parameter (repeatable), e.g. role=https://w3id.org/fzqa/role/countyMayor",
    )
    s.set_defaults(func=cmd_sparql)
    se = sub.add_parser("search", help="search the clauses")
    se.add_argument("text", nargs="?")
    se.add_argument("-k", type=int, default=10)
    se.add_argument("--measure")
    se.add_argument("--role")
    se.add_argument("--kind")
    se.add_argument("--period")
    se.add_argument("--json", action="store_true")
    se.add_argument("--batch", help='JSON lines {"id": …, "q": "…"}; answers as JSON lines')
    se.set_defaults(func=cmd_search)
    a = sub.add_parser("ask", help="ask a question in Chinese or English")
    a.add_argument("text", nargs="?")
    a.add_argument("--json", action="store_true")
    a.add_argument("--batch", help='JSON lines {"id": …, "q": "…"}; answers as JSON lines')
    a.set_defaults(func=cmd_ask)
    sv = sub.add_parser("serve", help="web UI at /, SPARQL endpoint at /sparql, JSON API at /api/*")
    sv.add_argument("--host", default=None)
    sv.add_argument("--port", type=int, default=None)
    sv.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes behind the one port, each with the graph and index loaded (default 1; about one per core)",
    )
    sv.set_defaults(func=cmd_serve)
    pu = sub.add_parser(
        "publish",
        help="load kg/ into the named graph of the SPARQL server (settings sparql_graph, virtuoso_isql or "
        "sparql_graph_store): into a staging graph, checked, then moved over the old one",
    )
    pu.add_argument("--graph", default=None, help="the named graph's IRI (default: setting sparql_graph)")
    pu.add_argument("--file", default=None, help="the Turtle file to publish (default: kg/fzqa-kg.ttl)")
    pu.set_defaults(func=cmd_publish)
    return p


def _os_message(exc: OSError, command: str) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    what = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        after = "the previous kg/ and index/ are kept" if command == "build" else "nothing was changed"
        return f"no space left on the device{where}: free some space and run `fzqa {command}` again; {after}"
    return f"{what}{where}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        code = int(args.func(args))
    except CLIError as exc:
        print(f"fzqa {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fzqa norms --json | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # disk full, permissions, a folder that vanished: what and where, not a traceback
        print(f"fzqa {args.command}: error: {_os_message(exc, args.command)}", file=sys.stderr)
        return 2
    except Exception as exc:  # the known error classes of every stage end here with their message
        from fzqa.pipeline import USER_ERRORS

        if isinstance(exc, USER_ERRORS):
            hint = (
                " (the file is damaged or cut short: run `fzqa build` to rebuild it)"
                if "cannot load" in str(exc)
                else ""
            )
            print(f"fzqa {args.command}: error: {exc}{hint}", file=sys.stderr)
            return 2
        raise
    del t0
    return code


if __name__ == "__main__":
    sys.exit(main())
