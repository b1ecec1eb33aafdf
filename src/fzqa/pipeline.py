"""`fzqa build`: corpus → norms → graph → SHACL → OWL → kg/ files → clause index, with progress.

Every write is atomic: kg/ and index/ are built in a temporary folder and swapped in, so a failure
(bad input, a crash) leaves the previous build usable.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fzqa.corpus import CorpusError, parse_file
from fzqa.extract import EXTRACT_VERSION, extract
from fzqa.kg import KG_FILES, KGError, build_graph, reason, serialise, validate, write_atomic_dir
from fzqa.lexicon import CatalogError, load_lexicon
from fzqa.settings import Settings, SettingsError, load_settings
from fzqa.store import QueryError, StoreError
from fzqa.types import Measure, Norm

Progress = Callable[[str], None]


def _user_errors() -> tuple[type[Exception], ...]:
    from fzqa.embed import EmbedderError
    from fzqa.index import ClauseIndexError

    return (CorpusError, CatalogError, KGError, SettingsError, StoreError, QueryError, ClauseIndexError, EmbedderError)


USER_ERRORS: tuple[type[Exception], ...] = _user_errors()


def _quiet(msg: str) -> None:
    del msg


def load_corpus(settings: Settings | None = None) -> list[Measure]:
    """Parse every measure listed in corpus/measures.toml; a measure without articles is an error."""
    settings = settings or load_settings()
    lex = load_lexicon(settings)
    measures = []
    for info in lex.catalog:
        m = parse_file(settings.corpus / info.file, info.id)
        if not m.articles:
            raise CorpusError(f"{settings.corpus / info.file}: no articles (第…条) found; a measure needs articles")
        measures.append(m)
    return measures


def load_corpus_norms(settings: Settings | None = None) -> tuple[list[Measure], list[Norm]]:
    settings = settings or load_settings()
    measures = load_corpus(settings)
    lex = load_lexicon(settings)
    norms = [n for m in measures for n in extract(m, lex)]
    return measures, norms


def corpus_hash(settings: Settings | None = None) -> str:
    """Hash of what the index depends on: raw measures, catalogue, ontology files, extraction version."""
    settings = settings or load_settings()
    h = hashlib.sha256(f"extract={EXTRACT_VERSION}\n".encode())
    paths = [*sorted(settings.corpus.glob("*.txt")), settings.corpus / "measures.toml"]
    # the ontology files that shape units and their metadata (roles, cue words), not the question vocabulary
    paths += [settings.ontology / n for n in ("roles.ttl", "cues.ttl", "fzqa.ttl")]
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class BuildReport:
    ok: bool = True
    measures: int = 0
    articles: int = 0
    items: int = 0
    norms: int = 0
    triples: int = 0
    inferred: int = 0
    shacl: str = ""
    owl: str = ""
    units: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        t = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        return (
            f"{'built' if self.ok else 'FAILED'}: {self.measures} measures, {self.articles} articles, "
            f"{self.items} items, {self.norms} norms, {self.triples} triples ({self.inferred} inferred); "
            f"SHACL: {self.shacl}; OWL: {self.owl}" + (f"; index: {self.units} units" if self.units else "") + f" ({t})"
        )


def graph_files(settings: Settings, progress: Progress = _quiet, report: BuildReport | None = None) -> dict[str, bytes]:
    """Build, validate and reason; return the kg/ files' bytes. Raises KGError when the graph is invalid."""
    report = report or BuildReport()
    lex = load_lexicon(settings)
    t = time.perf_counter()
    progress("parsing the corpus")
    measures = load_corpus(settings)
    progress("extracting norms")
    norms = [n for m in measures for n in extract(m, lex)]
    report.measures, report.norms = len(measures), len(norms)
    report.articles = sum(len(m.articles) for m in measures)
    report.items = sum(len(a.items) for m in measures for a in m.articles)
    report.seconds["parse+extract"] = time.perf_counter() - t
    t = time.perf_counter()
    progress(f"building the graph ({len(norms)} norms)")
    graph = build_graph(measures, norms, lex, settings.ontology)
    progress("validating with SHACL")
    v = validate(graph, settings.ontology / "shapes.ttl")
    report.shacl = "conforms" if v.conforms else f"{v.violations} violations"
    if not v.conforms:
        raise KGError(f"the graph violates the SHACL shapes ({v.violations} violations):\n{v.report[:4000]}")
    report.seconds["graph+shacl"] = time.perf_counter() - t
    t = time.perf_counter()
    progress("reasoning with HermiT (owlready2)")
    r = reason(graph)
    report.owl = r.message
    if not r.consistent:
        raise KGError(f"the graph is not consistent: {r.message}")
    for triple in r.inferred:
        graph.add(triple)
    report.inferred = len(r.inferred)
    report.triples = len(graph)
    report.seconds["reason"] = time.perf_counter() - t
    return serialise(graph)


def build(settings: Settings | None = None, skip_index: bool = False, progress: Progress = _quiet) -> BuildReport:
    settings = settings or load_settings()
    report = BuildReport()
    files = graph_files(settings, progress, report)
    t = time.perf_counter()
    write_atomic_dir(settings.kg, files)
    progress(f"wrote {', '.join(str(settings.kg / n) for n in KG_FILES)}")
    report.seconds["write"] = time.perf_counter() - t
    if not skip_index:
        t = time.perf_counter()
        index = build_index(settings, progress)
        report.units = len(index.units)
        report.seconds["index"] = time.perf_counter() - t
    return report


def validate_kg(settings: Settings | None = None, progress: Progress = _quiet) -> tuple[bool, str]:
    """SHACL + OWL report of the committed kg/ graph."""
    from rdflib import Graph

    settings = settings or load_settings()
    path = settings.kg / KG_FILES[0]
    if not path.is_file():
        raise StoreError(f"{path} does not exist: run `fzqa build` first")
    g = Graph().parse(path, format="turtle")
    progress("SHACL")
    v = validate(g, settings.ontology / "shapes.ttl")
    progress("OWL (HermiT)")
    r = reason(g)
    ok = v.conforms and r.consistent
    text = f"SHACL: {'conforms' if v.conforms else f'{v.violations} violations'}\nOWL: {r.message}\n"
    if not v.conforms:
        text += v.report
    return ok, text


def build_index(settings: Settings | None = None, progress: Progress = _quiet) -> Any:
    from fzqa.embed import get_embedder
    from fzqa.index import ClauseIndex, build_units

    settings = settings or load_settings()
    measures, norms = load_corpus_norms(settings)
    units = build_units(measures, norms)
    progress(f"embedding {len(units)} clauses with {settings.embedder}")
    index = ClauseIndex.build(
        units,
        get_embedder(settings.embedder),
        progress=progress,
        rrf_k=settings.rrf_k,
        max_query_chars=settings.max_query_chars,
        lexicon=load_lexicon(settings),
    )
    index.save(settings.index, corpus_hash(settings))
    progress(f"wrote {settings.index}")
    return index


def open_index(settings: Settings | None = None, progress: Progress = _quiet, rebuild_stale: bool = False) -> Any:
    """The clause index; built first when it is missing. A stale or corrupt one is refused with a message, or,
    with ``rebuild_stale`` (the web app's start), rebuilt: the index is derived data, not committed."""
    from fzqa.embed import get_embedder
    from fzqa.index import ClauseIndex, ClauseIndexError

    settings = settings or load_settings()
    if not (settings.index / "manifest.json").is_file():
        progress(f"no clause index at {settings.index}: building it")
        return build_index(settings, progress)
    if rebuild_stale:
        try:
            return open_index(settings, progress)
        except ClauseIndexError as exc:
            progress(f"{exc}: rebuilding it")
            return build_index(settings, progress)
    return ClauseIndex.load(
        settings.index,
        get_embedder(settings.embedder),
        corpus_hash(settings),
        rrf_k=settings.rrf_k,
        max_query_chars=settings.max_query_chars,
        lexicon=load_lexicon(settings),
    )


def kg_is_current(settings: Settings | None = None) -> bool:
    settings = settings or load_settings()
    return all((settings.kg / n).is_file() for n in KG_FILES)


def ensure_built(settings: Settings | None = None, progress: Progress = _quiet) -> None:
    """Build kg/ when it is missing (the app's first start)."""
    settings = settings or load_settings()
    if not kg_is_current(settings):
        progress("no graph in kg/: building it")
        files = graph_files(settings, progress)
        write_atomic_dir(settings.kg, files)
