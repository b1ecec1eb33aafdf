"""`fzqa build`: corpus → norms → graph → SHACL → OWL → kg/ files → clause index, with progress.

Every write is atomic: kg/ and index/ are built in a temporary folder and swapped in, so a failure
(bad input, a crash) leaves the previous build usable.
"""

from __future__ import annotations

import errno
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fzqa.corpus import CorpusError, duplicate_articles, parse_file
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


def _copy_of(m: Measure, earlier: Iterable[Measure]) -> str | None:
    """Why ``m`` is a copy of an earlier measure (the same text, or the same title and number), or None."""
    texts = tuple(a.text for a in m.articles)
    for e in earlier:
        if e.sha256 == m.sha256 or tuple(a.text for a in e.articles) == texts:
            return f"{m.source}: the same text as {e.source}"
        # without a document number the date tells two measures of one title apart (as it does for Guizhou's)
        if e.title == m.title and e.number == m.number and (m.number or e.date == m.date):
            return f"{m.source}: the same title and number as {e.source} ({m.title} {m.number or m.date or ''})"
    return None


def load_corpus(settings: Settings | None = None) -> list[Measure]:
    """Parse every measure of the catalogue (corpus/measures.toml and the unlisted .txt files).

    Refused with a CorpusError that names the file (and lines): a file larger than ``max_measure_bytes``, a
    measure without articles, an article number that occurs twice in a measure (provision IRIs and citations are
    keyed by it), a copy of another measure. The parser's warnings stay on each ``Measure.warnings``."""
    settings = settings or load_settings()
    lex = load_lexicon(settings)
    measures: list[Measure] = []
    for info in lex.catalog:
        path = settings.corpus / info.file
        size = path.stat().st_size if path.is_file() else 0
        if size > settings.max_measure_bytes:
            raise CorpusError(
                f"{path}: {size} bytes, more than a measure may have (max_measure_bytes = "
                f"{settings.max_measure_bytes}); is it one regulation? Split it, or raise the setting"
            )
        m = parse_file(path, info.id, fallback_title=info.title, fallback_date=info.date)
        if not m.articles:
            raise CorpusError(f"{path}: no articles (第…条) found; a measure needs articles")
        duplicates = duplicate_articles(m)
        if duplicates:
            raise CorpusError("\n".join(duplicates) + "\nrenumber the articles (or remove the repeated one)")
        copy = _copy_of(m, measures)
        if copy:
            raise CorpusError(f"{copy}: a measure may be in the corpus once; remove one of the two files")
        measures.append(m)
    return measures


def extract_all(measures: list[Measure], settings: Settings) -> list[Norm]:
    """The norms of all measures; more than ``max_norms`` is refused (SHACL validation time grows faster than
    the number of norms)."""
    lex = load_lexicon(settings)
    norms = [n for m in measures for n in extract(m, lex)]
    if len(norms) > settings.max_norms:
        per = Counter(n.measure for n in norms).most_common()
        raise CorpusError(
            f"{len(norms)} norms extracted ({', '.join(f'{k}: {v}' for k, v in per)}), more than a build may have "
            f"(max_norms = {settings.max_norms}): validating them would take too long; build fewer measures, "
            f"or raise the setting and expect a long SHACL validation"
        )
    return norms


def load_corpus_norms(settings: Settings | None = None) -> tuple[list[Measure], list[Norm]]:
    settings = settings or load_settings()
    measures = load_corpus(settings)
    return measures, extract_all(measures, settings)


def _ontology_inputs(settings: Settings) -> list[Path]:
    """The files besides the measures that the index depends on: the catalogue and the ontology files that shape
    units and their metadata (roles, cue words), not the question vocabulary."""
    return [settings.corpus / "measures.toml", *(settings.ontology / n for n in ("roles.ttl", "cues.ttl", "fzqa.ttl"))]


def _hash(files: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256(f"extract={EXTRACT_VERSION}\n".encode())
    for name, digest in files:
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    if not path.exists():
        return "absent"  # e.g. a corpus without measures.toml
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def corpus_hash(settings: Settings | None = None) -> str:
    """Hash of what the index depends on, as the files are now: the raw measures, the catalogue, ontology files,
    extraction version (an index is current when its manifest has this hash; see :func:`read_corpus`)."""
    settings = settings or load_settings()
    texts = [(p.name, _file_digest(p)) for p in sorted(settings.corpus.glob("*.txt"))]
    return _hash([*texts, *((p.name, _file_digest(p)) for p in _ontology_inputs(settings))])


@dataclass(frozen=True)
class Corpus:
    """What one build reads, once: the measures, their norms and the hash of the bytes read."""

    measures: tuple[Measure, ...]
    norms: tuple[Norm, ...]
    hash: str


def read_corpus(settings: Settings | None = None, progress: Progress = _quiet) -> Corpus:
    """Parse and extract the corpus (the parser's warnings go to ``progress``). The catalogue and ontology
    files are hashed before they are read, the measures as they are parsed, so a file that changes meanwhile
    makes the index stale rather than current."""
    settings = settings or load_settings()
    others = [(p.name, _file_digest(p)) for p in _ontology_inputs(settings)]
    progress("parsing the corpus")
    measures = load_corpus(settings)
    for m in measures:
        for w in m.warnings:
            progress(f"warning: {w}")
    progress("extracting norms")
    norms = extract_all(measures, settings)
    texts = sorted((Path(m.source or m.id).name, m.sha256) for m in measures)
    return Corpus(tuple(measures), tuple(norms), _hash([*texts, *others]))


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


def graph_files(
    settings: Settings, progress: Progress = _quiet, report: BuildReport | None = None, corpus: Corpus | None = None
) -> dict[str, bytes]:
    """Build, validate and reason; return the kg/ files' bytes. Raises KGError when the graph is invalid."""
    report = report or BuildReport()
    lex = load_lexicon(settings)
    if corpus is None:
        t = time.perf_counter()
        corpus = read_corpus(settings, progress)
        report.seconds["parse+extract"] = time.perf_counter() - t
    measures, norms = list(corpus.measures), list(corpus.norms)
    report.measures, report.norms = len(measures), len(norms)
    report.articles = sum(len(m.articles) for m in measures)
    report.items = sum(len(a.items) for m in measures for a in m.articles)
    t = time.perf_counter()
    progress(f"building the graph ({len(norms)} norms)")
    graph = build_graph(measures, norms, lex, settings.ontology)
    progress(f"validating with SHACL ({len(graph)} triples)")
    v = validate(graph, settings.ontology / "shapes.ttl", progress)
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


def _write_failed(what: str, folder: Path, exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    advice = "; free some space and build again" if exc.errno == errno.ENOSPC else ""
    return f"cannot write {what} to {folder}: {exc.strerror or exc}{where}; {folder} is left as it was{advice}"


def write_kg(settings: Settings, files: dict[str, bytes]) -> None:
    """Write kg/ atomically; a failed write (disk full, no permission) is a KGError and leaves kg/ as it was."""
    try:
        write_atomic_dir(settings.kg, files)
    except OSError as exc:
        raise KGError(_write_failed("the graph", settings.kg, exc)) from None


def build(settings: Settings | None = None, skip_index: bool = False, progress: Progress = _quiet) -> BuildReport:
    """Parse the corpus once, then graph → SHACL → OWL → kg/ → clause index, all from that one reading."""
    settings = settings or load_settings()
    report = BuildReport()
    t = time.perf_counter()
    corpus = read_corpus(settings, progress)
    report.seconds["parse+extract"] = time.perf_counter() - t
    files = graph_files(settings, progress, report, corpus)
    t = time.perf_counter()
    write_kg(settings, files)
    progress(f"wrote {', '.join(str(settings.kg / n) for n in KG_FILES)}")
    report.seconds["write"] = time.perf_counter() - t
    if not skip_index:
        t = time.perf_counter()
        index = build_index(settings, progress, corpus)
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
    try:
        g = Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types (and OSError, UnicodeDecodeError)
        detail = " ".join(str(exc).split())[:300]
        if isinstance(exc, UnicodeDecodeError):  # where: the line of the first byte that is not UTF-8
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            detail = f"line {line}: bytes that are not UTF-8"
        raise StoreError(f"{path} is damaged and cannot be read ({detail}): run `fzqa build` to rebuild it") from None
    progress("SHACL")
    v = validate(g, settings.ontology / "shapes.ttl")
    progress("OWL (HermiT)")
    r = reason(g)
    ok = v.conforms and r.consistent
    text = f"SHACL: {'conforms' if v.conforms else f'{v.violations} violations'}\nOWL: {r.message}\n"
    if not v.conforms:
        text += v.report
    return ok, text


def build_index(settings: Settings | None = None, progress: Progress = _quiet, corpus: Corpus | None = None) -> Any:
    """Build and save the clause index of ``corpus`` (read now when not given); the manifest records the hash of
    the bytes that were parsed."""
    from fzqa.embed import get_embedder
    from fzqa.index import ClauseIndex, ClauseIndexError, build_units

    settings = settings or load_settings()
    corpus = corpus or read_corpus(settings, progress)
    units = build_units(list(corpus.measures), list(corpus.norms))
    progress(f"embedding {len(units)} clauses with {settings.embedder}")
    index = ClauseIndex.build(
        units,
        get_embedder(settings.embedder),
        progress=progress,
        rrf_k=settings.rrf_k,
        max_query_chars=settings.max_query_chars,
        lexicon=load_lexicon(settings),
    )
    try:
        index.save(settings.index, corpus.hash)
    except OSError as exc:
        raise ClauseIndexError(_write_failed("the clause index", settings.index, exc)) from None
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
        write_kg(settings, files)
