"""The clause index: build, save, load and search the provisions of the measures.

One unit per item (its article's lead-in attached for context) and one per article without items. Search fuses
two rankings by reciprocal rank (RRF):

- lexical: BM25 (``bm25s``) over character unigrams and bigrams of NFKC-normalised, lower-cased text (Chinese
  has no spaces; Latin words and numbers are whole tokens). The query is expanded through the role thesaurus:
  a role or post named in it (Chinese or English) adds the words by which the provisions name that role
  (县长 → 政府主要负责人, 党政主要负责人); and through the topic thesaurus (ontology/topics.ttl): a topic named in
  it, in the measures' words, a synonym, everyday words or English (给群众讲法律, law lectures, be sued), adds the
  measures' own wording for that topic (普法, 法治宣传教育; 法治专题讲座; 出庭应诉).
- dense: cosine similarity of the embedder's vectors (faiss ``IndexFlatIP`` over L2-normalised vectors); when
  the query names a topic, the query embedded is the query followed by the topic's clause words (an English or
  colloquial query and the Chinese clause rarely meet in the embedding space on their own).

Then: units whose roles are related to a role named in the query get a small prior (the narrowest role named
decides); units stating a period or a kind of norm the query asks for (每年, 不得, 问责: ontology/questions.ttl) get
a smaller one, weighted by the share of units that do not state it; the scope rules get a rank-1 bonus for a post
the measure never names and no bearer role is above (村支书) and, for a role covered by reference (乡长) unless a
role with duties of its own is named beside it, the reference rule (参照执行) that grounds its duties; a measure
named in the query (贵州, Guangxi, or the end of its title: 问责条例) puts that measure's units first, and a
provision cited by number
(第六条第（五）项, Article 6, item 2) comes next, before the rest; and the top k are diversified so that one article
cannot take more than ``per_article`` places while other articles remain.

On disk the index is a folder (see ``save``): ``manifest.json``, ``units.jsonl``, ``vectors.npy`` and the BM25
arrays in ``lexical/``. ``manifest.json`` records the format version, the embedder and its dimension, the unit
count, the corpus hash given by the caller and the sha256 of every file; ``load`` refuses anything that does not
match with a :class:`ClauseIndexError` saying what is wrong and that ``fzqa build`` rebuilds it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from fzqa.corpus import provision_refs, visible
from fzqa.embed import Embedder
from fzqa.types import KINDS, PERIODS, Hit, Measure, Norm, Unit

if TYPE_CHECKING:
    from fzqa.lexicon import EnglishChinese, Lexicon, TopicThesaurus, Translation

FORMAT = "fzqa-clause-index"
FORMAT_VERSION = 2  # 2: a digit or Latin run no longer swallows the Chinese text after it
TOKENIZER = "nfkc-lower-cjk-char-1+2gram-latin-word-v2"
REBUILD = "run `fzqa build` to rebuild the index"

Mode = Literal["fused", "lexical", "dense"]
Progress = Callable[[str], None]  # receives a short human-readable message

# Tuned on eval/dev-questions.jsonl only (bench/retrieval.py --sweep): fused MRR is flat for rrf_k 60-100 (0.964)
# and lower for k <= 30; a role prior of 0-0.5 is best (1.0+ pushes 党委 duties over the shared year-end report);
# a per-article cap of 2 keeps sibling items from flooding the top k at no cost in recall@5.
# Passage text = lead + item beat item-only and the mean of both (dense MRR 0.820 vs 0.810 / 0.777).
DEFAULT_RRF_K = 60
DEFAULT_PER_ARTICLE = 2
DEFAULT_MAX_QUERY_CHARS = 2000
ROLE_PRIOR = 0.5  # in units of one RRF rank-1 contribution, 1/(rrf_k + 1); tuned on the dev questions
# a period (每年, at the end of the year) or a kind of norm other than duty (不得, 问责, 表扬) asked for in the query:
# the units stating one get this prior (same unit as ROLE_PRIOR). Swept on the tune questions: fused MRR 0.885 without,
# 0.893 at 0.25, 0.887-0.888 for 0.5-1.5 (English 0.824 → 0.86-0.88, Chinese flat at 0.25, -0.01 above); a prior for
# "how often" (any period) did not help and was left out. Since 2026-12-02 a unit's prior is FACET_PRIOR times the share
# of units that do not state the facet (_facet_prior): the sanction units are 15 % of the two measures but 55 % of
# corpus-extra (83 % of its disciplinary regulation), where the flat prior cost fused MRR (on
# eval/extra-tune-questions.jsonl, zh: 0.897 without it, 0.849 with it flat, 0.917 weighted). Re-swept weighted
# (tune MRR / extra-tune MRR): 0 → 0.883 / 0.799, 0.25 → 0.888 / 0.806, 0.5 → 0.880 / 0.770, 1.0 → 0.878 / 0.774
FACET_PRIOR = 0.25
EMBED_BATCH = 16
# The topic's clause words appended to the dense query stop at this many characters (whole words, in order of
# mention, the first one always): the query embedding's cost grows with its length (about 2x CPU with 16 more
# characters, measured with bench/search_speed.py's embedder), and on the queries of tests/test_topics.py 16 was as
# good as no cap
# (top-3 1.00, MRR 0.97) while 10 lost some (0.97, 0.92).
DENSE_EXPANSION_CHARS = 16

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a Latin or digit run stops at a Chinese character (\w matches both): "2次法治专题讲座" is 2 + 次法治专题讲座
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


# recent query embeddings kept (1.5 KB each with the 384-dim default embedder: 3 MB). An answer embeds up to four
# texts (the question, its topic words, and the same two for the evidence), so 256 held only ~60 questions and
# bench/qa.py's 169 questions asked again missed every time (repeated p50 37 ms, the same as a first ask)
QUERY_CACHE_SIZE = 2048
# match_groups: a run of Chinese longer than this is a phrase or a sentence, not a keyword (95 % of the Chinese labels
# of ontology/topics.ttl have 10 characters or fewer)
MATCH_RUN_CHARS = 10


def cited_provisions(text: str) -> tuple[tuple[int, int | None], ...]:
    """The provisions ``text`` cites by number, as (article, item or None), in order of mention, once each
    (corpus.provision_refs): 第六条第（五）项 → (6, 5); 第九条 → (9, None); Article 6, item 2 → (6, 2)."""
    return tuple(dict.fromkeys((r.article, r.item) for r in provision_refs(text)))


def matched_words(text: str, groups: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The words of ``groups`` (see :meth:`ClauseIndex.match_groups`) that ``text`` contains, when it meets every
    group; () when it misses one, or when there is no group."""
    bare = _bare(text)
    found: list[str] = []
    for g in groups:
        inside = [w for w in g if _bare(w) in bare]
        if not inside:
            return ()
        found += inside
    return tuple(dict.fromkeys(found))


class ClauseIndexError(RuntimeError):
    """The clause index on disk is missing, stale, foreign or damaged; the message says how to rebuild it."""


@dataclass(frozen=True)
class SearchResult:
    """Hits of one search with what was done to the query (for the CLI, the API and the bench)."""

    query: str  # the query as searched (cleaned, possibly truncated)
    hits: tuple[Hit, ...]
    truncated: bool = False  # the query was longer than max_query_chars and was cut
    roles: tuple[str, ...] = ()  # roles/posts recognised in the query (prefLabels)
    expansion: tuple[str, ...] = ()  # clause-side words added to the lexical query
    measures: tuple[str, ...] = ()  # measures named in the query (their units ranked first)
    notes: tuple[str, ...] = ()  # human-readable remarks (truncation, no evidence, …)
    topics: tuple[str, ...] = ()  # topic concepts named in the query (local names in ontology/topics.ttl)
    dense_query: str = ""  # the text embedded for the dense ranking ("" when it was not embedded)


@dataclass(frozen=True)
class Evidence:
    """What clause search says about one unit for one query: the assistant's grounds for citing it."""

    dense: float  # cosine similarity of the embedded query and the unit
    lexical: float  # BM25 score over the best unit's score for this query (0 … 1)
    rank: int  # fused rank among the units of its own measure (1 = first); units with no evidence rank last


# ---------------------------------------------------------------------------------------------------- text


def normalise(text: str) -> str:
    """NFKC, lower case, invisible characters dropped, control characters → spaces, whitespace collapsed."""
    t = "".join(" " if unicodedata.category(c).startswith("C") else c for c in visible(text))
    return " ".join(t.lower().split())


def _bare(text: str) -> str:
    """Normalised text without spaces and punctuation (for word-for-word containment)."""
    return re.sub(r"[\s\W_]+", "", normalise(text))


def lexical_tokens(text: str) -> list[str]:
    """Character unigrams and bigrams of CJK runs; whole words for other letters and digits."""
    out: list[str] = []
    for m in _TOKEN.finditer(normalise(text)):
        run = m.group(0)
        if _IS_CJK.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def clean_query(query: str, max_chars: int) -> tuple[str, bool]:
    """(query without control characters, whitespace collapsed, cut to max_chars; whether it was cut).

    Raises ValueError("empty query") when nothing is left.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, not {type(query).__name__}")
    head = query[: 4 * max_chars]
    t = "".join(" " if unicodedata.category(c).startswith("C") else c for c in visible(head))
    t = " ".join(t.split())
    if not t:
        if len(query) > len(head):
            return clean_query(query[len(head) :], max_chars)
        raise ValueError("empty query")
    truncated = len(t) > max_chars or len(query) > len(head)
    return t[:max_chars].strip(), truncated


def passage_text(unit: Unit) -> str:
    """The text embedded and indexed for a unit: the article's lead-in, then the unit's own words."""
    return f"{unit.lead}{unit.text}" if unit.lead else unit.text


# ---------------------------------------------------------------------------------------------------- units


def _ordered(values: Iterable[str], order: Sequence[str] = ()) -> tuple[str, ...]:
    seen = list(dict.fromkeys(v for v in values if v))
    rank = {v: i for i, v in enumerate(order)}
    return tuple(sorted(seen, key=lambda v: (rank.get(v, len(rank)), seen.index(v))))


def build_units(measures: Iterable[Measure], norms: Iterable[Norm]) -> list[Unit]:
    """One unit per item (with its article's lead-in as ``lead``), one per article without items.

    ``roles``, ``kinds`` and ``periods`` come from the norms stated by that provision; norms stated by an
    article's lead-in (item None in an article with items) apply to every item of the article.
    """
    by_provision: dict[tuple[str, int, int | None], list[Norm]] = {}
    for n in norms:
        by_provision.setdefault((n.measure, n.article, n.item), []).append(n)

    def unit(m: Measure, article: int, item: int | None, text: str, lead: str, extra: list[Norm]) -> Unit:
        ns = by_provision.get((m.id, article, item), []) + extra
        return Unit(
            measure=m.id,
            article=article,
            item=item,
            text=text,
            lead=lead,
            roles=_ordered(b for n in ns for b in n.bearers),
            kinds=_ordered((n.kind for n in ns), KINDS),
            periods=_ordered((n.frequency.period for n in ns if n.frequency), PERIODS),
        )

    units: list[Unit] = []
    for m in measures:
        for a in m.articles:
            if a.items:
                lead_norms = by_provision.get((m.id, a.number, None), [])
                units.extend(unit(m, a.number, it.number, it.text, a.lead.strip(), lead_norms) for it in a.items)
            else:
                units.append(unit(m, a.number, None, a.text, "", []))
    return units


def compute_corpus_hash(files: Iterable[Path], extraction_version: str = "") -> str:
    """sha256 over the raw corpus files (names and bytes, in name order) and the extraction version."""
    h = hashlib.sha256()
    for p in sorted((Path(f) for f in files), key=lambda p: p.name):
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    h.update(extraction_version.encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------------- disk


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    with contextlib.suppress(OSError):  # directories cannot be opened for fsync everywhere
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unit_from_json(d: dict[str, Any]) -> Unit:
    return Unit(
        measure=str(d["measure"]),
        article=int(d["article"]),
        item=None if d.get("item") is None else int(d["item"]),
        text=str(d["text"]),
        lead=str(d.get("lead", "")),
        roles=tuple(d.get("roles", ())),
        kinds=tuple(d.get("kinds", ())),
        periods=tuple(d.get("periods", ())),
    )


# ---------------------------------------------------------------------------------------------------- index


class ClauseIndex:
    """Lexical + dense index of clause units; build with :meth:`build`, or :meth:`load` a saved one."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        lexicon: Lexicon | None = None,
        topics: TopicThesaurus | None = None,
        rrf_k: int = DEFAULT_RRF_K,
        per_article: int = DEFAULT_PER_ARTICLE,
        max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
        role_prior: float = ROLE_PRIOR,
        facet_prior: float = FACET_PRIOR,
    ) -> None:
        if rrf_k < 1 or per_article < 1 or max_query_chars < 1:
            raise ValueError("rrf_k, per_article and max_query_chars must be positive")
        self.embedder = embedder
        self._lexicon = lexicon
        self._topics = topics
        self.rrf_k = rrf_k
        self.per_article = per_article
        self.max_query_chars = max_query_chars
        self.role_prior = role_prior
        self.facet_prior = facet_prior
        self.units: tuple[Unit, ...] = ()
        self.corpus_hash = ""
        self._vectors: NDArray[np.float32] = np.zeros((0, embedder.dim), dtype=np.float32)
        self._faiss: Any = None
        self._bm25: Any = None
        self._measure_of: NDArray[np.int_] = np.zeros(0, dtype=np.int_)
        self._article_key: list[tuple[str, int]] = []
        self._clause_words = ""  # every unit's passage text, bare (see _bare), one after the other
        self._bare_texts: list[str] = []
        self._words_of: dict[str, str] | None = None  # each measure's bare passage texts (_measure_words)
        self._english: EnglishChinese | None = None  # the English–Chinese dictionary for these clauses (translations)
        self._query_cache: dict[str, NDArray[np.float32]] = {}

    # ------------------------------------------------------------------ properties
    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            from fzqa.lexicon import load_lexicon

            self._lexicon = load_lexicon()
        return self._lexicon

    @property
    def topics(self) -> TopicThesaurus:
        if self._topics is None:
            self._topics = self.lexicon.topic_thesaurus()
        return self._topics

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.measure for u in self.units))

    def __len__(self) -> int:
        return len(self.units)

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        units: Sequence[Unit],
        embedder: Embedder,
        *,
        progress: Progress | None = None,
        corpus_hash: str = "",
        vectors: NDArray[np.float32] | None = None,
        **options: Any,
    ) -> ClauseIndex:
        """Embed and index ``units``; ``progress(message)`` is called as the work proceeds.

        ``corpus_hash`` is recorded in the manifest by :meth:`save` (it can also be given there). ``vectors`` skips
        the embedding (precomputed passage vectors, one row per unit, e.g. for the speed bench). ``options`` go to
        the constructor (lexicon, topics, rrf_k, per_article, max_query_chars, role_prior).
        """
        index = cls(embedder, **options)
        units = tuple(units)
        if not units:
            raise ValueError("cannot build a clause index from no units")
        texts = [passage_text(u) for u in units]
        if vectors is None:
            parts: list[NDArray[np.float32]] = []
            for i in range(0, len(texts), EMBED_BATCH):
                parts.append(embedder.encode_passages(texts[i : i + EMBED_BATCH]))
                if progress:
                    progress(f"embedded {min(i + EMBED_BATCH, len(texts))}/{len(texts)} clauses")
            vectors = np.concatenate(parts, axis=0)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(units), embedder.dim):
            raise ValueError(f"vectors have shape {vectors.shape}, expected {(len(units), embedder.dim)}")
        bm25 = cls._new_bm25([lexical_tokens(t) for t in texts])
        if progress:
            progress(f"indexed {len(units)} clauses lexically (BM25 over character 1-2-grams)")
        index._install(units, vectors, bm25, corpus_hash)
        return index

    @staticmethod
    def _new_bm25(corpus_tokens: list[list[str]]) -> Any:
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index(corpus_tokens, show_progress=False)
        return bm25

    def _install(self, units: tuple[Unit, ...], vectors: NDArray[np.float32], bm25: Any, corpus_hash: str) -> None:
        import faiss

        self.units = units
        self.corpus_hash = corpus_hash
        self._vectors = vectors
        flat = faiss.IndexFlatIP(int(vectors.shape[1]))
        flat.add(vectors)
        self._faiss = flat
        self._bm25 = bm25
        ids = {m: i for i, m in enumerate(self.measures)}
        self._measure_of = np.array([ids[u.measure] for u in units], dtype=np.int_)
        self._article_key = [(u.measure, u.article) for u in units]
        self._clause_words = "\n".join(_bare(passage_text(u)) for u in units)
        self._bare_texts = [_bare(u.text) for u in units]  # for the word-for-word test of every search
        self._words_of = None
        self._english = None

    # ------------------------------------------------------------------ save / load
    def save(self, directory: Path | str, corpus_hash: str | None = None) -> Path:
        """Write the index to ``directory`` atomically (``corpus_hash``, if given, replaces the one from build).

        Everything is written into a temporary folder beside the target, flushed, then renamed into place; the
        previous index (if any) is moved aside first and removed only after the rename succeeded, so a failed
        save leaves it as it was.
        """
        if not self.units:
            raise ValueError("nothing to save: the index is empty (build it first)")
        if corpus_hash is not None:
            self.corpus_hash = corpus_hash
        target = Path(directory).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            with (tmp / "units.jsonl").open("w", encoding="utf-8") as f:
                for u in self.units:
                    f.write(json.dumps(dataclasses.asdict(u), ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", self._vectors, allow_pickle=False)
            self._bm25.save(str(tmp / "lexical"), show_progress=False)
            files = {
                p.relative_to(tmp).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
                for p in sorted(tmp.rglob("*"))
                if p.is_file()
            }
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "embedder": self.embedder.name,
                "dim": int(self.embedder.dim),
                "units": len(self.units),
                "measures": list(self.measures),
                "corpus_hash": self.corpus_hash,
                "passage_text": "lead + text",
                "lexical_tokenizer": TOKENIZER,
                "files": files,
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
            _fsync_tree(tmp)
            old: Path | None = None
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
                old.rmdir()
                target.rename(old)
            try:
                tmp.rename(target)
            except BaseException:
                if old is not None:
                    old.rename(target)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(
        cls,
        directory: Path | str,
        embedder: Embedder,
        corpus_hash: str | None,
        **options: Any,
    ) -> ClauseIndex:
        """Load a saved index, refusing one that is stale, foreign, truncated or corrupted.

        ``corpus_hash`` None skips the staleness check. ``options`` are passed to the constructor.
        """
        d = Path(directory)
        mpath = d / "manifest.json"
        if not mpath.is_file():
            raise ClauseIndexError(f"no clause index at {d} (manifest.json missing); {REBUILD}")
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("not a JSON object")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ClauseIndexError(f"clause index manifest {mpath} is unreadable ({exc}); {REBUILD}") from None
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise ClauseIndexError(
                f"clause index at {d} has format {manifest.get('format')!r} version "
                f"{manifest.get('format_version')!r}, this program reads {FORMAT!r} version {FORMAT_VERSION}; {REBUILD}"
            )
        if manifest.get("embedder") != embedder.name or manifest.get("dim") != embedder.dim:
            raise ClauseIndexError(
                f"clause index at {d} was built with embedder {manifest.get('embedder')!r} "
                f"(dimension {manifest.get('dim')}), but the configured embedder is {embedder.name!r} "
                f"(dimension {embedder.dim}); {REBUILD} with this embedder, or set the embedder back"
            )
        if corpus_hash is not None and manifest.get("corpus_hash") != corpus_hash:
            raise ClauseIndexError(
                f"clause index at {d} is stale: it was built from another corpus or extraction version "
                f"(corpus hash {str(manifest.get('corpus_hash'))[:12]}…, current {corpus_hash[:12]}…); {REBUILD}"
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or not {"units.jsonl", "vectors.npy"} <= set(files):
            raise ClauseIndexError(f"clause index manifest {mpath} lists no files; {REBUILD}")
        for rel, meta in sorted(files.items()):
            p = d / rel
            if not p.is_file():
                raise ClauseIndexError(f"clause index file {p} is missing; {REBUILD}")
            want = meta.get("sha256") if isinstance(meta, dict) else None
            if _sha256(p) != want:
                size = p.stat().st_size
                what = "truncated" if isinstance(meta, dict) and size < int(meta.get("bytes", 0)) else "corrupted"
                raise ClauseIndexError(f"clause index file {p} is {what} (sha256 mismatch); {REBUILD}")
        try:
            lines = (d / "units.jsonl").read_text(encoding="utf-8").splitlines()
            units = tuple(_unit_from_json(json.loads(line)) for line in lines if line.strip())
            vectors = np.load(d / "vectors.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ClauseIndexError(f"clause index at {d} cannot be read ({exc}); {REBUILD}") from None
        n = manifest.get("units")
        if len(units) != n or vectors.shape != (n, embedder.dim):
            raise ClauseIndexError(
                f"clause index at {d} is inconsistent: manifest says {n} units, units.jsonl has {len(units)}, "
                f"vectors.npy has shape {tuple(vectors.shape)}; {REBUILD}"
            )
        try:
            import bm25s

            bm25 = bm25s.BM25.load(str(d / "lexical"), show_progress=False)
        except Exception as exc:
            raise ClauseIndexError(f"lexical index in {d / 'lexical'} cannot be read ({exc}); {REBUILD}") from None
        if int(bm25.scores.get("num_docs", -1)) != n:
            raise ClauseIndexError(f"lexical index in {d / 'lexical'} does not hold {n} units; {REBUILD}")
        index = cls(embedder, **options)
        index._install(units, np.ascontiguousarray(vectors, dtype=np.float32), bm25, str(manifest["corpus_hash"]))
        return index

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int = 10,
        measure: str | None = None,
        role: str | None = None,
        kind: str | None = None,
        period: str | None = None,
        mode: Mode = "fused",
    ) -> list[Hit]:
        """The k best units for ``query`` (see :meth:`search_detailed`); warns when the query was truncated."""
        result = self.search_detailed(query, k, measure=measure, role=role, kind=kind, period=period, mode=mode)
        if result.truncated:
            warnings.warn(result.notes[0], stacklevel=2)
        return list(result.hits)

    def search_detailed(
        self,
        query: str,
        k: int = 10,
        *,
        measure: str | None = None,
        role: str | None = None,
        kind: str | None = None,
        period: str | None = None,
        mode: Mode = "fused",
    ) -> SearchResult:
        """Search with filters; the result says how the query was read.

        Raises ValueError for an empty query, k ≤ 0, an unknown measure, role, kind or period, or mode.
        A k above the number of matching units is clamped to it.
        """
        if not self.units:
            raise ClauseIndexError(f"the clause index is empty; {REBUILD}")
        if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if mode not in ("fused", "lexical", "dense"):
            raise ValueError(f"unknown search mode {mode!r}; valid: fused, lexical, dense")
        text, truncated = clean_query(query, self.max_query_chars)
        mask = self._filter_mask(measure, role, kind, period)
        notes: list[str] = []
        if truncated:
            notes.append(f"query truncated to its first {self.max_query_chars} characters")

        lex = self.lexicon
        role_matches = lex.match_roles(text)
        roles = tuple(dict.fromkeys(m.label for m in role_matches))
        # a topic named in words the clauses do not use (colloquial, a synonym, English) brings the measures' own
        # words for it; one named in the clauses' words is already in the query (expanding it would only pull in
        # the topic's other provisions)
        mentions = self.topics.find(text)
        concepts = tuple({m.concept.name: m.concept for m in mentions}.values())
        said = _bare(text)
        foreign = {m.concept.name for m in mentions if _bare(m.surface) not in self._clause_words}
        topic_terms = tuple(
            dict.fromkeys(w for c in concepts if c.name in foreign for w in c.clause_zh if _bare(w) not in said)
        )
        # English words no thesaurus took (kickbacks, handles): the Chinese words the dictionary glosses them with
        # that the clauses use (lexicon.EnglishChinese)
        taken = [(m.start, m.end) for m in mentions] + [(m.start, m.end) for m in role_matches]
        loose = lex.english_content_words(text, taken)
        translated = tuple(zh for tr in self.translations(loose) for zh in tr.zh if _bare(zh) not in said)
        expansion = tuple(dict.fromkeys((*(t for r in roles for t in lex.clause_terms(r)), *topic_terms, *translated)))
        named = tuple(m for m in lex.measure_for(text) if m in self.measures)
        if len(named) == len(self.measures):
            named = ()  # naming every measure singles none out

        allowed = np.flatnonzero(mask)
        lexical = self._lexical_ranking(text, expansion, allowed) if mode != "dense" else []
        # the dense query is the query followed by the topic's clause words: it keeps all of the query and meets
        # the Chinese clause half way (an English or colloquial query alone lands on short generic articles);
        # one embedding either way. On the queries of tests/test_topics.py this beat the query alone (top-3 0.92)
        # and fusing a second dense ranking for the clause words (0.95; this: 1.00).
        dense_words: list[str] = []
        for w in topic_terms:
            if dense_words and sum(map(len, dense_words)) + len(w) > DENSE_EXPANSION_CHARS:
                break
            dense_words.append(w)
        dense_text = " ".join((text, *dense_words))
        dense = self._dense_ranking(dense_text, allowed, have_lexical=bool(lexical)) if mode != "lexical" else []
        embedded = dense_text if dense else ""
        if mode == "fused" and not lexical and not dense:
            notes.append(
                "no evidence: no query word occurs in the clauses and the query's script is unknown to the embedder"
            )

        scores: dict[int, float] = {}
        for ranking in (lexical, dense):
            for rank, i in enumerate(ranking, start=1):
                scores[i] = scores.get(i, 0.0) + 1.0 / (self.rrf_k + rank)
        if mode == "fused" and roles and self.role_prior and scores:
            prior = self._role_prior(roles)
            for i in scores:
                scores[i] += prior.get(i, 0.0) * self.role_prior / (self.rrf_k + 1)
        if mode == "fused" and self.facet_prior and scores:
            facet = self._facet_prior(text)
            for i in scores:
                scores[i] += facet.get(i, 0.0) * self.facet_prior / (self.rrf_k + 1)
        if mode == "fused" and roles and scores:
            # the scope rules are the answer for a post the measures do not reach and the grounds for one they cover
            # by reference: as strong as a rank-1 place in one ranking (the fused scores of a query's top ten units
            # are often within that of each other)
            for i in self._scope_units(roles):
                scores[i] = scores.get(i, 0.0) + 1.0 / (self.rrf_k + 1)
        if mode == "fused" and scores:
            # a clause that contains the query itself, word for word (法治专题讲座), comes before mere neighbours
            phrase = said
            if len(phrase) >= 3:
                for i in scores:
                    if phrase in self._bare_texts[i]:
                        scores[i] += 1.0 / (self.rrf_k + 1)
        named_ids = {self.measures.index(m) for m in named}
        # a provision cited by number (第九条, Article 6, item 2) comes first, then the rest of its article
        cited = cited_provisions(text)
        for j in (int(i) for i in allowed) if cited else ():
            if j not in scores and self._cites(cited, j) < 2:
                scores[j] = 0.0

        def key(i: int) -> tuple[int, int, float, int]:
            return (0 if int(self._measure_of[i]) in named_ids else 1, self._cites(cited, i), -scores[i], i)

        order = sorted(scores, key=key)
        top = self._diversify(order, min(k, len(order)))
        hits = tuple(
            Hit(
                self.units[i].measure,
                self.units[i].article,
                self.units[i].item,
                round(scores[i], 6),
                self.units[i].text,
            )
            for i in top
        )
        return SearchResult(
            text,
            hits,
            truncated,
            roles,
            expansion,
            named,
            tuple(notes),
            topics=tuple(c.name for c in concepts),
            dense_query=embedded,
        )

    @property
    def english(self) -> EnglishChinese:
        """The English–Chinese dictionary giving this index's clauses' words (CC-CEDICT, read on first use: ~1 s
        once per process)."""
        if self._english is None:
            from fzqa.lexicon import english_chinese

            self._english = english_chinese().for_text(self._clause_words)
        return self._english

    def translations(self, words: Sequence[str]) -> tuple[Translation, ...]:
        """English words (lower case, in text order) as the Chinese words of the clauses, longest phrases first
        (lexicon.EnglishChinese.translate)."""
        return self.english.translate(words) if words else ()

    def evidence(self, query: str, mode: Mode = "fused") -> dict[tuple[str, int, int | None], Evidence]:
        """Every unit's evidence for ``query`` (dense similarity, relative BM25 score, rank in its measure by the
        ``mode`` ranking), read the way :meth:`search_detailed` reads the query (same expansion, same embedded text;
        "lexical" embeds nothing and gives dense 0)."""
        result = self.search_detailed(query, k=len(self.units), mode=mode)
        n = len(self.units)
        fused = {(h.measure, h.article, h.item): h.score for h in result.hits}
        cos = (
            (self._vectors @ self._query_vector(result.dense_query)[0]).astype(np.float64)
            if result.dense_query
            else np.zeros(n)
        )
        lexical = self._lexical_scores(result.query, result.expansion)
        top = float(lexical.max()) if lexical.size and lexical.max() > 0 else 1.0
        rank: dict[int, int] = {}
        seen: Counter[str] = Counter()
        keys = [(u.measure, u.article, u.item) for u in self.units]
        for i in sorted(range(n), key=lambda i: (-fused.get(keys[i], 0.0), i)):
            if keys[i] in fused:
                seen[keys[i][0]] += 1
                rank[i] = seen[keys[i][0]]
        return {
            keys[i]: Evidence(round(float(cos[i]), 6), round(float(lexical[i]) / top, 6), rank.get(i, n + 1))
            for i in range(n)
        }

    def match_groups(self, query: str) -> tuple[tuple[str, ...], ...]:
        """What a clause must contain to match ``query`` word for word, not only be near it in meaning: one group
        of words per thing the query names; any word of a group will do, and every group must be met.

        A role or topic the thesauri know is met by the words of the query or by the measures' words for it
        (县长 → 政府主要负责人; law lectures → 法治专题讲座; 普法 → 法治宣传教育); another run of Chinese or digits
        by itself. Latin words the thesauri do not know are left out (the clauses are Chinese), and so are measure
        names (they choose a measure, which the filter does) and the words of a question's frame (什么, 要 …).
        A run longer than ``MATCH_RUN_CHARS`` is a phrase or a sentence, not a word; it is a group only when the
        query has nothing else to look for."""
        text, _ = clean_query(query, self.max_query_chars)
        t = unicodedata.normalize("NFKC", text)  # the offsets of the role and topic finders
        lex = self.lexicon
        groups: list[tuple[str, ...]] = []
        taken: list[tuple[int, int]] = []
        for r in lex.match_roles(t):
            groups.append((r.surface, *lex.clause_terms(r.label)))
            taken.append((r.start, r.end))
        for m in self.topics.find(t):
            if not any(s < m.end and m.start < e for s, e in taken):
                groups.append((m.surface, *self.topics.measure_words(m.concept.name)))
                taken.append((m.start, m.end))
        rest = "".join(" " if any(s <= i < e for s, e in taken) else ch for i, ch in enumerate(t))
        names = sorted(
            {a for info in lex.catalog for a in (info.short, *info.aliases) if len(a) >= 2} | set(lex.title_names),
            key=len,
        )
        for name in reversed(names):
            rest = rest.replace(name, " ")
        for w in lex.stop_zh:  # the words of a question's frame (什么, 哪些, 要, 的 …: ontology/questions.ttl)
            rest = rest.replace(unicodedata.normalize("NFKC", w), " ")
        runs = [r for r in (_bare(x) for x in re.split(r"[\s\W_]+", rest)) if len(r) >= 2 and not r.isascii()]
        runs += [r for r in (_bare(x) for x in re.split(r"[\s\W_]+", rest)) if r.isdigit()]
        words = [r for r in runs if len(r) <= MATCH_RUN_CHARS]
        groups += [(r,) for r in (words or ([] if groups else runs))]
        return tuple(tuple(dict.fromkeys(w for w in g if _bare(w))) for g in groups)

    # ------------------------------------------------------------------ internals
    def _lexical_scores(self, text: str, expansion: Sequence[str]) -> NDArray[np.float64]:
        """BM25 score of every unit for the query's tokens and the expansion's (all 0 when none is known)."""
        tokens = lexical_tokens(text)
        for term in expansion:
            tokens.extend(lexical_tokens(term))
        vocab = self._bm25.vocab_dict
        tokens = [t for t in tokens if t in vocab]
        if not tokens:
            return np.zeros(len(self.units))
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)

    def _lexical_ranking(self, text: str, expansion: Sequence[str], allowed: NDArray[np.int_]) -> list[int]:
        if allowed.size == 0:
            return []
        scores = self._lexical_scores(text, expansion)[allowed]
        keep = scores > 0
        idx, sc = allowed[keep], scores[keep]
        order = np.lexsort((idx, -sc))
        return [int(i) for i in idx[order]]

    def _query_vector(self, text: str) -> NDArray[np.float32]:
        """The query's embedding; the assistant searches one question several ways, so recent ones are kept."""
        cached = self._query_cache.get(text)
        if cached is None:
            cached = self.embedder.encode_queries([text])
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = cached
        return cached

    def _dense_ranking(self, text: str, allowed: NDArray[np.int_], have_lexical: bool) -> list[int]:
        if allowed.size == 0:
            return []
        if not have_lexical and not self.embedder.understands(text):
            # No word of the query occurs in the clauses and it is written in a script the model never learned:
            # the similarities would rank the clauses by noise. Say so instead (an empty result).
            return []
        q = self._query_vector(text)
        n = len(self.units)
        _, ids = self._faiss.search(q, n)
        ids = ids[0]
        ok = np.zeros(n, dtype=bool)
        ok[allowed] = True
        return [int(i) for i in ids if i >= 0 and ok[i]]

    def _cites(self, cited: Sequence[tuple[int, int | None]], i: int) -> int:
        """0: unit ``i`` is a provision cited (its article when no item is cited); 1: another item of a cited
        article; 2: not cited (also when nothing is)."""
        u = self.units[i]
        rank = 2
        for article, item in cited:
            if u.article == article:
                if item is None or u.item == item:
                    return 0
                rank = 1
        return rank

    def _role_prior(self, roles: Sequence[str]) -> dict[int, float]:
        """Prior for units borne by a role named in the query (or its nearest bearer role), or one below it: 1;
        by a role further up (e.g. 党政主要负责人 for a 县长): 1/2, then 1/3 …

        A role named beside a narrower one (党政主要负责人 beside 县长) only qualifies it: the narrower one decides."""
        lex = self.lexicon
        weight: dict[str, float] = {}
        for r in [r for r in roles if not any(r != o and r in lex.ancestors(o) for o in roles)]:
            for narrower in lex.covers(r):
                weight[narrower] = 1.0
            bearers = [a for a in lex.ancestors(r) if not lex.roles[a].is_post]
            for depth, a in enumerate(bearers):
                weight[a] = max(weight.get(a, 0.0), 1.0 / (1 + depth))
        out: dict[int, float] = {}
        for i, u in enumerate(self.units):
            w = max((weight.get(r, 0.0) for r in u.roles), default=0.0)
            if w:
                out[i] = w
        return out

    def _facet_prior(self, text: str) -> dict[int, float]:
        """A prior for the units that state a period the query asks for (每年 → year, at the end of the year →
        year-end) or a kind of norm it asks for other than a duty (不得 → prohibition, 问责 → sanction, 表扬 → reward;
        适用范围 → scope): the question cues of ontology/questions.ttl against the periods and kinds the extraction
        gave each unit. Its weight is the share of units that do not state it (1 for a facet of one unit in many)."""
        periods: set[str] = set()
        kinds: set[str] = set()
        for h in self.lexicon.question_cue_hits(text):
            if h.asks == "period":
                periods.add(h.code)
            elif h.asks == "kind" and h.code != "obligation":  # nearly every unit states a duty
                kinds.add(h.code)
            elif h.asks == "fact" and h.code == "coverage":
                # who the measure applies to (适用于, apply to) is what its scope rules state; on the tune questions
                # fused MRR 0.888 → 0.893 (en 0.858 → 0.865), eval/extra-tune-questions.jsonl unchanged (0.806)
                kinds.add("scope")
        if not (periods or kinds):
            return {}
        marked = [i for i, u in enumerate(self.units) if periods & set(u.periods) or kinds & set(u.kinds)]
        # a facet that most units state singles little out (the sanction units of a disciplinary regulation): the
        # prior is the share of units it leaves out
        weight = 1.0 - len(marked) / len(self.units)
        return dict.fromkeys(marked, weight)

    def _scope_units(self, roles: Sequence[str]) -> set[int]:
        """The scope rules that answer for a role named in the query when the measures do not give it duties of its
        own: the units of kind scope of every measure whose text never names a post that no bearer role is above
        (村支书: such a measure does not reach it; a regulation that names 村党组织书记 does); the scope units borne by
        the role's bearer for a role covered by reference (乡长: 参照执行, ontology/roles.ttl fzqa:appliesDutiesOf)."""
        lex = self.lexicon
        out: set[int] = set()
        for r in roles:
            above = lex.ancestors(r)
            role = lex.roles[r]
            if all(lex.roles[a].is_post for a in above):
                names = [w for w in (_bare(t) for t in (role.label, *role.alt_zh)) if w]
                silent = {m for m, text in self._measure_words().items() if not any(w in text for w in names)}
                out.update(i for i, u in enumerate(self.units) if "scope" in u.kinds and u.measure in silent)
            elif lex.applies_duties_of(r) and not any(self._has_own_duties(o) for o in roles):
                # beside a role the measures give duties of its own (县委书记 … 乡镇书记), the question is that role's
                # duty towards the other, not whether the reference rule reaches it
                out.update(
                    i for i, u in enumerate(self.units) if "scope" in u.kinds and any(b in above for b in u.roles)
                )
        return out

    def _has_own_duties(self, label: str) -> bool:
        """The measures give ``label`` duties of its own: a bearer role, or a post below one, not covered by
        reference and not the top of the hierarchy (党政主要负责人, 第一责任人: the subject of the whole measure,
        which a question about a township head names as well)."""
        lex = self.lexicon
        above = lex.ancestors(label)
        if lex.applies_duties_of(label) or len(above) < 2:
            return False
        return not lex.roles[label].is_post or not all(lex.roles[a].is_post for a in above)

    def _measure_words(self) -> dict[str, str]:
        """Each measure's passage texts, bare (see _bare), one after the other."""
        if self._words_of is None:
            parts: dict[str, list[str]] = {}
            for u in self.units:
                parts.setdefault(u.measure, []).append(_bare(passage_text(u)))
            self._words_of = {m: "\n".join(ps) for m, ps in parts.items()}
        return self._words_of

    def _diversify(self, order: Sequence[int], k: int) -> list[int]:
        """At most per_article units of one article in the top k, unless too few other articles remain."""
        picked: list[int] = []
        skipped: list[int] = []
        count: Counter[tuple[str, int]] = Counter()
        for i in order:
            if len(picked) == k:
                break
            key = self._article_key[i]
            if count[key] < self.per_article:
                picked.append(i)
                count[key] += 1
            else:
                skipped.append(i)
        for i in skipped:
            if len(picked) == k:
                break
            picked.append(i)
        return picked

    def _filter_mask(
        self, measure: str | None, role: str | None, kind: str | None, period: str | None
    ) -> NDArray[np.bool_]:
        n = len(self.units)
        mask = np.ones(n, dtype=bool)
        if measure is not None:
            if measure not in self.measures:
                raise ValueError(f"unknown measure {measure!r}; valid: {', '.join(self.measures)}")
            mask &= np.array([u.measure == measure for u in self.units])
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
            mask &= np.array([kind in u.kinds for u in self.units])
        if period is not None:
            if period not in PERIODS:
                raise ValueError(f"unknown period {period!r}; valid: {', '.join(PERIODS)}")
            mask &= np.array([period in u.periods for u in self.units])
        if role is not None:
            related = self.related_roles(role)
            mask &= np.array([any(r in related for r in u.roles) for u in self.units])
        return mask

    def related_roles(self, role: str) -> set[str]:
        """Roles whose provisions concern ``role``: the role, the roles and posts below it, and those above it.

        A county mayor (县长) is a 政府主要负责人, who is one of the 党政主要负责人: all their clauses concern
        the county mayor. Accepts any label or alias (zh or en); raises ValueError for an unknown one.
        """
        lex = self.lexicon
        label = lex.canonical(role)
        if label is None:
            valid = ", ".join(sorted(lex.roles))
            raise ValueError(f"unknown role {role!r}; valid: {valid} (or any of their Chinese or English labels)")
        return lex.covers(label) | set(lex.ancestors(label))
