"""HTTP: the SPARQL 1.1 Protocol endpoint (/sparql), the JSON API (/api/ask, /api/search, /api/provision),
a health check (/healthz) and the Gradio UI at /, in one FastAPI app.

Untrusted SPARQL runs in worker processes (:class:`fzqa.store.QueryService`) with a hard time limit and a
result cap; request bodies above ``max_body_bytes`` are refused with 413 before they are read.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from fzqa.settings import Settings, load_settings
from fzqa.store import QueryError, QueryService, check_query

if TYPE_CHECKING:
    from fzqa.lexicon import Lexicon
    from fzqa.ui import Downloads

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# media types a SELECT/ASK result can be served as, and those of a CONSTRUCT/DESCRIBE graph
TABLE_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/plain": "table",
}
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "text/plain": "table",
}
# values of the format= (or output=) parameter
FORMAT_NAMES: dict[str, str] = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "table": "table",
    "text": "table",
    "txt": "table",
    "turtle": "turtle",
    "ttl": "turtle",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------------------------------- negotiation
def _accept_items(accept: str) -> list[tuple[str, float]]:
    items: list[tuple[str, float, int]] = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        if not mime:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((mime, q, i))
    items.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in items]


def negotiate(accept: str | None, form: str) -> str | None:
    """The result format for an Accept header and a query form; None when nothing acceptable is offered.

    A CONSTRUCT or DESCRIBE asked for with a SPARQL results type only (as rasqal's roqet and other clients that
    send one Accept for every query do) gets the default graph syntax, Turtle, as from Fuseki."""
    graph = form in GRAPH_FORMS
    table = GRAPH_TYPES if graph else TABLE_TYPES
    if not accept or not accept.strip():
        return "turtle" if graph else "json"
    results_type = False
    for mime, _ in _accept_items(accept):
        if mime in table:
            return table[mime]
        if mime == "*/*" or mime == "*":
            return "turtle" if graph else "json"
        if mime == "application/*":
            return "jsonld" if graph else "json"
        if mime == "text/*":
            return "turtle" if graph else "csv"
        results_type = results_type or mime in TABLE_TYPES
    return "turtle" if graph and results_type else None


def format_param(values: list[str], form: str) -> str:
    """The format named by format=/output= values (SPARQLWrapper sends both a name and a media type)."""
    table = GRAPH_TYPES if form in GRAPH_FORMS else TABLE_TYPES
    for v in values:
        key = v.strip().lower()
        if key in FORMAT_NAMES:
            return FORMAT_NAMES[key]
        if key in table:
            return table[key]
    supported = ", ".join(sorted(set(FORMAT_NAMES)))
    raise BadRequest(f"unknown format {values[0]!r}; use one of {supported}", status=406)


def supported_types(form: str) -> str:
    return ", ".join(GRAPH_TYPES if form in GRAPH_FORMS else TABLE_TYPES)


# ------------------------------------------------------------------------------------------- body limit
class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413: at once when Content-Length says so, else as
    soon as the streamed body passes the limit (the rest is never read)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _too_large(send, "invalid Content-Length header", 400)
                    return
        if length is not None and length > self.limit:
            await _too_large(send, self._message(length))
            return
        seen = 0
        started = False
        over = False

        async def limited_receive() -> Message:
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise _TooLarge
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if over:  # an inner app (Gradio's own error handler) answering the aborted read: ours goes out instead
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(send, self._message(None))

    def _message(self, length: int | None) -> str:
        size = f"{length} bytes" if length is not None else "the request body"
        return f"request body too large: {size} is over the limit of {self.limit} bytes"


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, message: str, status: int = 413) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ------------------------------------------------------------------------------------------- services
@dataclass
class Services:
    """What the handlers share: settings, the assistant (graph + index) and the SPARQL worker pool."""

    settings: Settings
    workers: int = 2
    _assistant: Any = None
    _queries: QueryService | None = None
    downloads: Downloads | None = None  # the UI's folder of generated files, when the UI is mounted
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def assistant(self) -> Any:
        if self._assistant is None:
            with self._lock:
                if self._assistant is None:
                    from fzqa.qa import get_assistant

                    self._assistant = get_assistant(self.settings)
        return self._assistant

    @property
    def index(self) -> Any:
        return self.assistant.index

    @property
    def kg(self) -> Any:
        return self.assistant.kg

    @property
    def queries(self) -> QueryService:
        if self._queries is None:
            with self._lock:
                if self._queries is None:
                    self._queries = QueryService(self.settings, workers=self.workers)
        return self._queries

    def provision(self, measure: str, article: int, item: int | None) -> dict[str, Any] | None:
        """A provision's text and citations, with the other measures' provisions of the same number."""
        from fzqa.qa import en_citation, short_citation

        a = self.assistant
        lex = a.lex  # the lexicon of these settings, not the process-wide default
        text = a.provisions.get((measure, article, item))
        if text is None:
            return None
        others = []
        for m in a.measure_ids:
            if m == measure:
                continue
            other = a.provisions.get((m, article, item))
            if other is not None:
                others.append(
                    {
                        "measure": m,
                        "article": article,
                        "item": item,
                        "text": other,
                        "lead": a.leads.get((m, article), "") if item is not None else "",
                        "citation": short_citation(m, article, item, lex),
                        "citation_en": en_citation(m, article, item, lex),
                    }
                )
        return {
            "measure": measure,
            "article": article,
            "item": item,
            "text": text,
            "lead": a.leads.get((measure, article), "") if item is not None else "",
            "citation": short_citation(measure, article, item, lex),
            "citation_en": en_citation(measure, article, item, lex),
            "full_citation": full_citation(measure, article, item, lex),
            "corresponding": others,
        }

    def search(
        self,
        q: str,
        k: int | None = None,
        measure: str | None = None,
        role: str | None = None,
        kind: str | None = None,
        period: str | None = None,
    ) -> dict[str, Any]:
        """The `fzqa search --json` contract; ValueError for bad input."""
        s = self.settings
        k = s.search_k if k is None else k
        if k < 1 or k > s.max_k:
            raise ValueError(f"k must be between 1 and {s.max_k}, got {k}")
        if not q or not q.strip():
            raise ValueError("the query is empty: give q")
        hits = self.index.search(
            q, k=k, measure=measure or None, role=role or None, kind=kind or None, period=period or None
        )
        return {
            "query": q,
            "hits": [
                {"measure": h.measure, "article": h.article, "item": h.item, "score": round(h.score, 6), "text": h.text}
                for h in hits
            ],
        }

    def close(self) -> None:
        if self.downloads is not None:
            self.downloads.remove()
        if self._queries is not None:
            self._queries.close()
            self._queries = None


def full_citation(measure: str, article: int | None, item: int | None = None, lexicon: Lexicon | None = None) -> str:
    """《贵州省…实施办法》第六条第（六）项 (the display form of DOMAIN.md), from ``lexicon`` (default: the
    lexicon of the default settings)."""
    from fzqa.corpus import cn_numeral
    from fzqa.lexicon import load_lexicon
    from fzqa.qa import in_guillemets

    info = (lexicon or load_lexicon()).measure_info(measure)
    out = in_guillemets(info.title)
    if article is not None:
        out += f"第{cn_numeral(article)}条"
        if item is not None:
            out += f"第（{cn_numeral(item)}）项"
    return out


# ------------------------------------------------------------------------------------------- the app
def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _int_param(name: str, raw: Any, required: bool = False) -> int | None:
    if raw is None or raw == "":
        if required:
            raise BadRequest(f"missing parameter {name}")
        return None
    if isinstance(raw, bool):
        raise BadRequest(f"{name} must be an integer, got {raw!r}")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None


async def _json_or_query(request: Request) -> dict[str, Any]:
    """GET query parameters, or a POST body (JSON object or form-encoded)."""
    if request.method == "GET":
        return dict(request.query_params)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype == "application/x-www-form-urlencoded":
        try:
            return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), errors="strict").items()}
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the form body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(body or b"{}")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8 (byte {exc.start}); send UTF-8 JSON") from None
    except ValueError as exc:
        bad = exc if isinstance(exc, json.JSONDecodeError) else None
        where = f" ({bad.msg} at line {bad.lineno}, column {bad.colno})" if bad else ""
        raise BadRequest(f'the body is not valid JSON{where}; send an object such as {{"q": "…"}}') from None
    except RecursionError:
        raise BadRequest('the body nests too deeply to be read; send a flat object such as {"q": "…"}') from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object such as {"q": "…"}')
    return {**dict(request.query_params), **data}


def check_text(name: str, value: str) -> str:
    """``value`` if it is valid Unicode; a lone surrogate (a JSON "\\ud800" without its pair) is refused."""
    for i, ch in enumerate(value):
        if "\ud800" <= ch <= "\udfff":
            raise BadRequest(
                f"{name} is not valid Unicode: a lone surrogate U+{ord(ch):04X} at character {i + 1}; "
                "send the text as UTF-8 (a surrogate \\uXXXX escape needs its pair)"
            )
    return value


def _text(data: dict[str, Any], *names: str) -> str | None:
    for n in names:
        v = data.get(n)
        if v is not None:
            if not isinstance(v, str):
                raise BadRequest(f"{n} must be a string")
            return check_text(n, v)
    return None


def create_app(settings: Settings | None = None, *, with_ui: bool = True, workers: int = 2) -> FastAPI:
    """The whole server: API routes first, then the Gradio UI mounted at /."""
    settings = settings or load_settings()
    services = Services(settings, workers=workers)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        del app
        try:
            yield
        finally:
            services.close()

    app = FastAPI(
        title="fzqa", lifespan=lifespan, docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json"
    )
    app.state.services = services

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        del request
        return _error(str(exc), exc.status)

    @app.exception_handler(QueryError)
    async def store_failed(request: Request, exc: QueryError) -> Response:
        """A named query that failed (a remote endpoint down, slow or failing: 502/503/504) speaks for itself."""
        del request
        return _error(str(exc), exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        del request
        msgs = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return _error(msgs or "invalid request", 422)

    # ---------------------------------------------------------------- health
    @app.get("/healthz")
    async def healthz() -> Response:
        a = services.assistant
        body: dict[str, Any] = {
            "status": "ok",
            "pid": os.getpid(),  # which worker process answered (fzqa serve --workers N)
            "store": a.kg.describe(),
            "measures": list(a.measure_ids),
            "provisions": len(a.provisions),
            "clauses": len(a.index) if a.index is not None else 0,
            "downloads": services.downloads.usage() if services.downloads is not None else None,
        }
        try:
            body["triples"] = await run_in_threadpool(len, a.kg)
        except QueryError as exc:  # the remote store is down: say so; search and provisions still answer
            body.update(status="degraded", triples=None, error=str(exc))
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    # ---------------------------------------------------------------- SPARQL 1.1 Protocol
    async def sparql(request: Request) -> Response:
        params = request.query_params
        query_values = params.getlist("query")
        update_values = params.getlist("update")
        formats = params.getlist("format") + params.getlist("output")
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return PlainTextResponse("the form body is not UTF-8", status_code=400)
                query_values += form.get("query", [])
                update_values += form.get("update", [])
                formats += form.get("format", []) + form.get("output", [])
            elif ctype == "application/sparql-query":
                try:
                    query_values.append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    return PlainTextResponse("the query is not UTF-8", status_code=400)
            elif ctype == "application/sparql-update":
                update_values.append(body.decode("utf-8", "replace"))
            else:
                return PlainTextResponse(
                    f"unsupported Content-Type {ctype or '(none)'!r}: send application/x-www-form-urlencoded "
                    "(query=…) or application/sparql-query",
                    status_code=415,
                )
        if update_values:
            return PlainTextResponse("SPARQL UPDATE is not allowed: this endpoint is read-only", status_code=403)
        if params.getlist("default-graph-uri") or params.getlist("named-graph-uri"):
            return PlainTextResponse(
                "default-graph-uri and named-graph-uri are not supported: the endpoint has one default graph",
                status_code=400,
            )
        if len(query_values) != 1:
            msg = "missing query: give one query parameter (?query=…)" if not query_values else "give exactly one query"
            return PlainTextResponse(msg, status_code=400)
        query = query_values[0]
        client = request.client.host if request.client else None
        try:
            form_name = await run_in_threadpool(check_query, query, settings.query_max_depth)
            if formats:
                fmt = format_param(formats, form_name)
            else:
                chosen = negotiate(request.headers.get("accept"), form_name)
                if chosen is None:
                    return PlainTextResponse(
                        f"not acceptable: {request.headers.get('accept')!r}; a {form_name} result can be served as "
                        f"{supported_types(form_name)}",
                        status_code=406,
                    )
                fmt = chosen
            served = await run_in_threadpool(services.queries.run, query, fmt, client=client)
        except BadRequest as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        except QueryError as exc:
            headers = {}
            if exc.line is not None:
                headers["X-Error-Position"] = f"{exc.line}:{exc.column}"
            retry_after = getattr(exc, "retry_after", None)  # store.Busy: no worker may take it now
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            return PlainTextResponse(str(exc), status_code=exc.status, headers=headers)
        headers = {"Vary": "Accept", "X-Result-Count": str(served.count)}
        if served.truncated:
            headers["X-Result-Truncated"] = f"cut to {settings.max_results}"
        return Response(served.body, media_type=served.media_type, headers=headers)

    app.add_api_route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=True)

    # ---------------------------------------------------------------- JSON API
    async def ask(request: Request) -> Response:
        from fzqa.qa import answer_to_json

        data = await _json_or_query(request)
        q = _text(data, "q", "question")
        if q is None or not q.strip():
            raise BadRequest('missing question: give q (GET ?q=… or POST {"q": "…"})')
        previous = _text(data, "previous")  # the question before, for a follow-up (那县委书记呢？)
        answer = await run_in_threadpool(services.assistant.ask, q, previous)
        return JSONResponse(answer_to_json(answer))

    async def search(request: Request) -> Response:
        data = await _json_or_query(request)
        q = _text(data, "q", "query")
        if q is None:
            raise BadRequest("missing query: give q")
        k = _int_param("k", data.get("k"))
        args = {n: _text(data, n) for n in ("measure", "role", "kind", "period")}
        try:
            res = await run_in_threadpool(services.search, q, k, **args)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return JSONResponse(res)

    async def provision(request: Request) -> Response:
        p = request.query_params
        measure = p.get("measure")
        if not measure:
            raise BadRequest("missing parameter measure")
        article = _int_param("article", p.get("article"), required=True)
        item = _int_param("item", p.get("item"))
        assert article is not None
        res = services.provision(measure, article, item)
        if res is None:
            return _error(f"no such provision: measure={measure} article={article} item={item}", 404)
        return JSONResponse(res)

    app.add_api_route("/api/ask", ask, methods=["GET", "POST"])
    app.add_api_route("/api/search", search, methods=["GET", "POST"])
    app.add_api_route("/api/provision", provision, methods=["GET"])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        del request
        return _error(f"internal error: {type(exc).__name__}: {exc}", 500)

    async def no_uploads(request: Request) -> Response:
        del request
        return _error("this app takes no file uploads: send text to /api/ask, /api/search or /sparql", 403)

    if with_ui:
        import gradio as gr
        from starlette.staticfiles import StaticFiles

        from fzqa.ui import CSS, HEAD, ON_LOAD_JS, STATIC, STATIC_URL, build_ui

        app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="fzqa-static")  # the page's own script

        # the UI has no upload field; Gradio's upload route would keep anonymous files, so it is closed (this
        # route is matched before the mounted app)
        app.add_api_route("/gradio_api/upload", no_uploads, methods=["POST"], include_in_schema=False)
        blocks = build_ui(services)
        gr.mount_gradio_app(
            app,
            blocks,
            path="/",
            css=CSS,
            js=ON_LOAD_JS,
            head=HEAD,
            max_file_size=settings.max_body_bytes,
            footer_links=["api"],
            run_history=False,
            ssr_mode=False,
            mcp_server=False,
            show_error=True,
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def _progress(msg: str) -> None:
    print(f"fzqa: {msg}", flush=True)


def _loaded_app(settings: Settings, with_ui: bool = True) -> FastAPI:
    """The app with its graph and clause index loaded (before the first request)."""
    app = create_app(settings, with_ui=with_ui)
    app.state.services.assistant  # noqa: B018 - load now, not in the first request
    return app


NO_UI = (
    "This fzqa server runs several worker processes behind one port: the JSON API (/api/ask, /api/search, "
    "/api/provision; docs at /api/docs) and the SPARQL endpoint (/sparql). The web UI is not served here: Gradio "
    "keeps each browser session in one process, and requests spread over the workers would lose it. Run "
    "`fzqa serve` without --workers (or `python app.py`) for the UI.\n"
)


def worker_app() -> FastAPI:
    """The app of one worker process of `fzqa serve --workers N` (uvicorn's factory): settings from the
    environment and fzqa.toml, as the parent left them; graph and index loaded read-only; the API and /sparql
    without the Gradio UI, whose sessions live in one process (a request on another worker loses them)."""
    settings = load_settings()
    app = _loaded_app(settings, with_ui=False)

    async def no_ui(request: Request) -> Response:
        del request
        return PlainTextResponse(NO_UI)

    app.add_api_route("/", no_ui, methods=["GET"], include_in_schema=False)
    _progress(f"worker {os.getpid()} ready ({app.state.services.assistant.kg.describe()})")
    return app


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None, workers: int = 1) -> None:
    """Build what is missing, load graph and index, then serve until interrupted; ``workers`` > 1 runs that
    many processes behind the one port (uvicorn's workers), each with its own graph and index, loaded from
    the same files, serving the API and /sparql but not the UI (see :func:`worker_app`); their settings then
    come from the environment and fzqa.toml only."""
    import uvicorn

    from fzqa.pipeline import USER_ERRORS, ensure_built, open_index

    overrides: dict[str, Any] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    if workers > 1 and settings is not None:
        raise ValueError("serve(workers > 1) reads its settings in each worker: pass host/port, not settings")
    try:
        settings = settings or load_settings(overrides)
        ensure_built(settings, _progress)  # once, here: the workers only read kg/ and index/
        open_index(settings, _progress, rebuild_stale=True)
        app = None
        if workers <= 1:
            _progress("loading the graph and the clause index")
            app = _loaded_app(settings)
        else:
            from fzqa.store import KnowledgeGraph

            len(KnowledgeGraph(settings))  # a damaged kg/ or a store that is down is told here, once
    except USER_ERRORS as exc:  # a bad setting, a damaged kg/ or index/, a store that is down: a message
        hint = " (run `fzqa build` to rebuild it)" if "cannot load" in str(exc) else ""
        print(f"fzqa serve: error: {exc}{hint}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    what = f"{workers} worker processes (API and /sparql; the UI needs one process)" if workers > 1 else "one process"
    _progress(
        f"serving on http://{shown}:{settings.port}/ with {what}  (SPARQL endpoint: /sparql, API: /api/ask, "
        f"/api/search; graph {settings.sparql_endpoint or 'embedded'})"
    )
    common: dict[str, Any] = {"log_level": "warning", "timeout_graceful_shutdown": 3}
    if app is not None:
        uvicorn.run(app, host=settings.host, port=settings.port, **common)
        return
    for name, value in overrides.items():  # the workers read their settings from the environment
        os.environ[f"FZQA_{name.upper()}"] = str(value)
    # the embedder's OpenMP threads: one per core by default in each worker, so N workers would run N x cores
    # spinning threads (bench/load.py: p95 6.8 s with 2 workers on 2 cores, against 1.8 s with one); the cores
    # are shared out instead, unless OMP_NUM_THREADS is set
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    uvicorn.run(
        "fzqa.server:worker_app", factory=True, host=settings.host, port=settings.port, workers=workers, **common
    )


if __name__ == "__main__":
    serve()
