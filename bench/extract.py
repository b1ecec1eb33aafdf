"""Extraction quality on hand-labelled norms of the corpus-extra texts (eval/extract-labels.jsonl).

Prints, for the dev labels (looked at while tuning) and the held-out labels (not looked at) separately:
bearer, kind, frequency and deadline accuracy, and per measure the norms whose bearer is unspecified and the
roles minted from the text (how many got a composed English label).

    python bench/extract.py [--labels eval/extract-labels.jsonl] [--corpus tests/data/corpus-extra] [--show]
                            [--split dev --split dev2 …]

``--split`` scores only the named splits (repeatable; default all), so that work on the dev splits does not
look at a held-out one before its one final measurement.

A label names its norm by (measure, article, item) and an anchor: words of the norm's quote. A label whose
norm is not found counts as wrong on every field. Bearers are compared as written (NFKC, blanks removed); a
label may list several readings, and null means the text names no bearer (the norm must say unspecified).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from fzqa.corpus import parse_file
from fzqa.extract import Extractor, extract
from fzqa.lexicon import load_lexicon, norm_text
from fzqa.types import Norm

ROOT = Path(__file__).resolve().parents[1]


def _norm(s: str | None) -> str | None:
    return None if s is None else "".join(norm_text(s).split())


def _find(norms: list[Norm], label: dict[str, object]) -> Norm | None:
    anchor = _norm(str(label["anchor"])) or ""
    for n in norms:
        if n.article == label["article"] and n.item == label["item"] and anchor in (_norm(n.quote) or ""):
            return n
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "eval" / "extract-labels.jsonl")
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus-extra")
    ap.add_argument("--show", action="store_true", help="print each wrong label (not of the held-out splits)")
    ap.add_argument(
        "--split", action="append", default=None, help="score only this split (repeatable; default: every split)"
    )
    args = ap.parse_args(argv)
    labels = [
        json.loads(line)
        for line in args.labels.read_text(encoding="utf-8").splitlines()
        if line.strip() and "_comment" not in json.loads(line)
    ]
    if args.split:
        unknown_splits = sorted(set(args.split) - {str(lab["split"]) for lab in labels})
        if unknown_splits:
            ap.error(f"{args.labels}: no labels of split {', '.join(unknown_splits)}")
        labels = [lab for lab in labels if lab["split"] in args.split]
    lex = load_lexicon()
    extractor = Extractor(lex)
    norms: dict[str, list[Norm]] = {}
    for mid in sorted({str(lab["measure"]) for lab in labels}):
        norms[mid] = extract(parse_file(args.corpus / f"{mid}.txt", mid), lex)
    for split in dict.fromkeys(str(lab["split"]) for lab in labels):
        rows = [lab for lab in labels if lab["split"] == split]
        score: dict[str, int] = defaultdict(int)
        for lab in rows:
            n = _find(norms[str(lab["measure"])], lab)
            want = lab["bearer"] if isinstance(lab["bearer"], list) else [lab["bearer"]]
            got = {
                "found": n is not None,
                "bearer": n is not None and _norm(n.bearer_text) in {_norm(w) for w in want},
                "kind": n is not None and n.kind == lab["kind"],
                "frequency": n is not None
                and (
                    (
                        None
                        if n.frequency is None
                        else {"period": n.frequency.period, "min_count": n.frequency.min_count}
                    )
                    == lab["frequency"]
                ),
                "deadline": n is not None and _norm(n.deadline) == _norm(lab["deadline"]),
            }
            for k, ok in got.items():
                score[k] += int(ok)
            if args.show and not split.startswith("held-out") and not all(got.values()):
                wrong = ",".join(k for k, ok in got.items() if not ok)
                print(
                    f"  ✗ {lab['measure'][:20]} {lab['article']}({lab['item']}) {lab['anchor'][:18]} [{wrong}] "
                    f"want {lab['bearer']}/{lab['kind']}/{lab['deadline']} "
                    f"got {None if n is None else (n.bearer_text, n.kind, n.deadline)}",
                    file=sys.stderr,
                )
        total = len(rows)
        figures = "  ".join(f"{k} {score[k] / total:.3f}" for k in ("found", "bearer", "kind", "frequency", "deadline"))
        print(f"{split:9} {total:3} labels  {figures}")
    print("bearers per measure (all norms, not only labelled ones):")
    for f in sorted(args.corpus.glob("*.txt")):
        m = parse_file(f, f.stem)
        ns = norms.get(f.stem) or extract(m, lex)
        if not ns:
            print(f"  {f.stem}: no articles, no norms")
            continue
        unknown = sum(1 for n in ns if n.bearer_text is None)
        binding = [n for n in ns if n.kind != "meta"]
        unknown_binding = sum(1 for n in binding if n.bearer_text is None)
        # the kinds that bind someone to act or to suffer (a principle or scope rule may rightly name no one)
        duties = [n for n in ns if n.kind in ("obligation", "prohibition", "permission", "sanction", "reward")]
        unknown_duties = sum(1 for n in duties if n.bearer_text is None)
        # a fallback: a bearer whose words are not in the article it says it was read from (its own, or the one
        # in bearer_article: a catalogue of sanctions): a default, not read from the text
        text = {a.number: _norm(a.text) or "" for a in m.articles}
        fallback = sum(
            1
            for n in ns
            if n.bearer_text is not None
            and _norm(n.bearer_text) not in text[n.article if n.bearer_article is None else n.bearer_article]
        )
        elsewhere = sum(1 for n in ns if n.bearer_article is not None)
        # roles minted from the text (not in the thesaurus), and how many get a composed English label
        minted = sorted({r for n in ns for r in (*n.bearers, *n.imposed_by) if r not in lex.roles})
        english = sum(1 for r in minted if extractor.role_english(r))
        print(
            f"  {f.stem}: {len(ns)} norms, {unknown} unspecified ({unknown_binding} of {len(binding)} non-meta, "
            f"{unknown_duties} of {len(duties)} duties, permissions, sanctions and rewards), "
            f"{fallback} fallback, {elsewhere} read from another article; "
            f"{len(minted)} minted roles, {english} with an English label"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
