"""Runs the labelled questions through the assistant and prints citation precision/recall, abstention, invalid
citations, false "silent measure" claims on the covered topics and latency, per split, language, type and style.

    python bench/qa.py [--file eval/questions.jsonl] [--split all|tune|holdout] [--topics eval/covered-topics.jsonl]
                       [--no-topics] [--corpus DIR] [--repeat 5] [--no-cold] [-v]

Holdout questions are for measuring, never for tuning: use ``--split tune`` while developing (eval/README.md).

Scoring (see eval/README.md for the fields):
- gold is the list of [measure, article, item] a correct, complete answer must cite (article null = measure-level,
  item null = an article without items, or the article as a whole); ``accept`` lists provisions that are not wrong
  to cite but not required: they count neither as hits nor as errors. A citation is a hit when its (measure,
  article, item) is in the gold, an error otherwise. Precision and recall are micro-averaged over the answerable
  questions; "full" is the share of answerable questions whose every gold citation was given.
- false abstention: an answerable question answered with abstained=true or with no citation.
- unanswerable ok: a question with empty gold answered with abstained=true and no citation.
- invalid: a citation of a provision that does not exist in the parsed corpus (unknown measure, article or item);
  bad quote: a citation whose quote is not the provision's own words (compared after NFKC and without spaces, each
  piece between ellipses).
- covered topics: each topic of the list (both measures have provisions on it) is asked in Chinese and in English
  ("X方面，两部办法分别有什么规定？"); a false "silent measure" claim is a covering measure the answer cites nothing
  from while the answer abstains or has a sentence saying there is no provision (naming that measure, both, or none).
- latency: first ask of each distinct question (p50/p95), the same questions repeated (query embeddings cached),
  and a cold start (a new process answering one question).

``--corpus DIR`` evaluates another set of regulations (default questions: eval/extra-questions.jsonl): the raw
files of DIR that have articles are copied to a temporary folder and built there (corpus_dir, kg_dir and index_dir
set to it), leaving kg/ and index/ alone; a file the pipeline cannot take is reported and left out.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from evalset import (  # noqa: E402
    EXTRA,
    MAIN_SOURCES,
    SPLITS,
    TOPICS,
    Key,
    Question,
    load_main,
    load_questions,
    load_topics,
    provision_texts,
    stage_corpus,
    topic_questions,
)

# What an answer says when it finds no provision: bench-side detection of a "this measure is silent" claim, kept
# here (not in ontology/) because it judges the assistant's output rather than feeding it.
SILENT_ZH = re.compile(
    r"(没有|并未|尚未|未|无|不)(作出|作|做)?(任何|相关|具体|明确|专门|直接)?(的)?(规定|提及|涉及|提到|条款|条文)"
    r"|没有关于|未见|没有找到|找不到|无法据此回答"
)
SILENT_EN = re.compile(
    r"\b(does not|do not|doesn't|don't|did not)\s+(say|mention|address|cover|contain|specify|provide|regulate)"
    r"|\bno (provision|rule|article|mention|clause)|\bsilent\b|\bnothing (on|about)\b|\bneither\b"
    r"|\bnot (covered|addressed|mentioned|regulated)\b",
    re.I,
)
BOTH = re.compile(r"两部|两个办法|二者|均|都|both|neither|the measures", re.I)
SENTENCE = re.compile(r"[。！？；\n!?;]|\.(?:\s|$)")


@dataclass
class Result:
    q: Question
    got: set[Key]
    hits: int
    errors: int
    missed: int
    abstained: bool
    invalid: int
    bad_quote: int
    seconds: float
    plan: str

    @property
    def false_abstention(self) -> bool:
        return self.q.answerable and (self.abstained or not self.got)

    @property
    def unanswerable_ok(self) -> bool:
        return not self.q.answerable and self.abstained and not self.got


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quote_ok(quote: str, text: str) -> bool:
    pieces = [p for p in re.split(r"…+|\.{3,}", _norm(quote)) if len(p) >= 2]
    body = _norm(text)
    return all(p in body for p in pieces)


def score(q: Question, answer: Any, texts: dict[Key, str], seconds: float) -> Result:
    got = {c.key() for c in answer.citations}
    gold, accept = set(q.gold), set(q.accept)
    invalid = sum(1 for c in answer.citations if c.key() not in texts)
    bad_quote = sum(
        1
        for c in answer.citations
        if c.article is not None and c.key() in texts and c.quote and not quote_ok(c.quote, texts[c.key()])
    )
    return Result(
        q,
        got,
        hits=len(got & gold),
        errors=len(got - gold - accept),
        missed=len(gold - got),
        abstained=bool(answer.abstained),
        invalid=invalid,
        bad_quote=bad_quote,
        seconds=seconds,
        plan=str(answer.details.get("plan", "")),
    )


@dataclass(frozen=True)
class Row:
    n: int
    answerable: int
    precision: float
    recall: float
    full: float
    false_abst: int
    unans_ok: int
    unans: int
    invalid: int
    bad_quote: int


def summarise(rs: Sequence[Result]) -> Row:
    ans = [r for r in rs if r.q.answerable]
    hits = sum(r.hits for r in ans)
    errors = sum(r.errors for r in ans)
    missed = sum(r.missed for r in ans)
    unans = [r for r in rs if not r.q.answerable]
    return Row(
        n=len(rs),
        answerable=len(ans),
        precision=hits / (hits + errors) if hits + errors else 0.0,
        recall=hits / (hits + missed) if hits + missed else 0.0,
        full=sum(r.missed == 0 for r in ans) / len(ans) if ans else 0.0,
        false_abst=sum(r.false_abstention for r in rs),
        unans_ok=sum(r.unanswerable_ok for r in rs),
        unans=len(unans),
        invalid=sum(r.invalid for r in rs),
        bad_quote=sum(r.bad_quote for r in rs),
    )


HEADER = (
    f"{'group':<22} {'n':>4} {'ans':>4} {'P':>6} {'R':>6} {'full':>6} {'falseAbst':>9} {'unansOK':>8} "
    f"{'invalid':>7} {'badQuote':>8}"
)


def print_row(label: str, rs: Sequence[Result]) -> None:
    if not rs:
        return
    s = summarise(rs)
    p, r, f = (f"{x:6.3f}" if s.answerable else f"{'-':>6}" for x in (s.precision, s.recall, s.full))
    unans = f"{s.unans_ok}/{s.unans}" if s.unans else "-"
    print(
        f"{label:<22} {s.n:4d} {s.answerable:4d} {p} {r} {f} {s.false_abst:9d} {unans:>8} {s.invalid:7d} "
        f"{s.bad_quote:8d}"
    )


def print_tables(results: Sequence[Result], splits: Sequence[str]) -> None:
    def by(pred: Callable[[Result], bool], rs: Sequence[Result]) -> list[Result]:
        return [r for r in rs if pred(r)]

    for split in splits:
        rs = results if split == "all" else by(lambda r, s=split: r.q.split == s, results)  # type: ignore[misc]
        if not rs:
            continue
        print(f"\n[{split}]")
        print(HEADER)
        print_row("all", rs)
        for lang in ("zh", "en"):
            print_row(f"lang={lang}", by(lambda r, v=lang: r.q.lang == v, rs))  # type: ignore[misc]
        for style in ("para", "text"):
            print_row(f"style={style}", by(lambda r, v=style: r.q.style == v, rs))  # type: ignore[misc]
        print_row("role questions", by(lambda r: r.q.role is not None, rs))
        for t in sorted({r.q.type for r in rs}):
            print_row(f"type={t}", by(lambda r, v=t: r.q.type == v, rs))  # type: ignore[misc]


def silent_measures(answer: Any, measures: Sequence[str], names: dict[str, list[str]]) -> list[str]:
    """Covering measures the answer cites nothing from while saying (or implying by abstaining) they are silent."""
    cited = {c.measure for c in answer.citations}
    uncited = [m for m in measures if m not in cited]
    if not uncited:
        return []
    if answer.abstained:
        return uncited
    claimed: set[str] = set()
    for sentence in SENTENCE.split(answer.answer):
        if not (SILENT_ZH.search(sentence) or SILENT_EN.search(sentence)):
            continue
        named = {m for m in measures if any(n and n.lower() in sentence.lower() for n in names.get(m, []))}
        claimed |= set(measures) if (not named or BOTH.search(sentence)) else named
    return [m for m in uncited if m in claimed]


def run_topics(assistant: Any, path: Path, names: dict[str, list[str]], texts: dict[Key, str], verbose: bool) -> None:
    topics = load_topics(path)
    counts = {"zh": [0, 0, 0, 0], "en": [0, 0, 0, 0]}  # questions, false silent claims, uncited measures, abstained
    hits = total = 0
    offenders = []
    for t in topics:
        for lang, text in topic_questions(t):
            a = assistant.ask(text)
            c = counts[lang]
            silent = silent_measures(a, t.measures(), names)
            cited = {x.measure for x in a.citations}
            c[0] += 1
            c[1] += len(silent)
            c[2] += sum(m not in cited for m in t.measures())
            c[3] += int(a.abstained)
            got = {x.key() for x in a.citations}
            hits += len(got & set(t.gold))
            total += len(t.gold)
            if silent:
                offenders.append(f"  {t.id} [{lang}] silent: {', '.join(silent)} | {text} | {a.answer[:120]!r}")
    print(f"\ncovered topics ({path.name}: {len(topics)} topics both measures cover, asked in zh and en)")
    for lang, (n, claims, uncited, abst) in counts.items():
        print(
            f"  {lang}: {n} questions, false 'silent measure' claims {claims}, covering measures left uncited "
            f"{uncited}, abstained {abst}"
        )
    print(f"  recall of the listed provisions {hits / total if total else 0.0:.3f} ({hits}/{total})")
    if verbose:
        print("\n".join(offenders))


def percentile(sorted_values: Sequence[float], p: float) -> float:
    return sorted_values[int(p * (len(sorted_values) - 1))]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--file",
        "--questions",
        dest="file",
        type=Path,
        default=None,
        help=f"default {MAIN_SOURCES}",
    )
    ap.add_argument("--split", choices=("all", *SPLITS), default="all", help="questions to ask (figures per split)")
    ap.add_argument("--topics", type=Path, default=TOPICS, help="covered-topics list for the 'silent measure' check")
    ap.add_argument("--no-topics", action="store_true", help="skip the covered-topics check")
    ap.add_argument("--corpus", type=Path, default=None, help="build and evaluate this folder of regulations instead")
    ap.add_argument("--repeat", type=int, default=5, help="times the questions are asked again for warm latency")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start measurement")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-question lines and the wrong citations")
    args = ap.parse_args(argv)

    from fzqa.lexicon import load_lexicon
    from fzqa.pipeline import USER_ERRORS, build, ensure_built
    from fzqa.qa import get_assistant
    from fzqa.settings import load_settings

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.corpus is None:
        settings = load_settings()
        ensure_built(settings)
        qfile = args.file
    else:
        tmp = tempfile.TemporaryDirectory(prefix="fzqa-bench-")
        base = Path(tmp.name)
        for msg in stage_corpus(args.corpus, base / "corpus"):
            print(f"[corpus] {msg}")
        settings = load_settings({"corpus_dir": base / "corpus", "kg_dir": base / "kg", "index_dir": base / "index"})
        t = time.perf_counter()
        try:
            report = build(settings)
        except USER_ERRORS as exc:
            print(f"the pipeline cannot build {args.corpus}: {exc}")
            return 1
        print(f"[corpus] {report.summary()} in {time.perf_counter() - t:.1f}s (temporary folder {base})")
        qfile = args.file or EXTRA
    texts = provision_texts(settings.corpus)
    t = time.perf_counter()
    assistant = get_assistant(settings)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    assistant.ask("法治建设")  # warm-up: lazy loads (embedder, query caches) are not charged to the first question
    warm_s = time.perf_counter() - t
    lex = load_lexicon(settings)
    names = {m.id: [m.short, m.short_en, m.jurisdiction, m.jurisdiction_en, *m.aliases] for m in lex.catalog}

    asked = load_questions(qfile) if qfile else load_main()
    questions = [q for q in asked if args.split in ("all", q.split)]
    built = {k[0] for k in texts}
    absent = sorted({g[0] for q in questions for g in q.gold} - built)
    if absent:
        print(f"[corpus] gold cites measures not in the built corpus (they cannot be answered): {', '.join(absent)}")
    print(
        f"{len(questions)} questions from {qfile or MAIN_SOURCES} (split {args.split}); "
        f"assistant loaded in {load_s:.2f}s, "
        f"warm-up answer {warm_s:.2f}s"
    )
    results: list[Result] = []
    for q in questions:
        t = time.perf_counter()
        a = assistant.ask(q.q)
        r = score(q, a, texts, time.perf_counter() - t)
        results.append(r)
        if args.verbose:
            ans = summarise([r])
            pr = (
                f"{ans.precision:5.2f} {ans.recall:5.2f}"
                if q.answerable
                else ("   ok" if r.unanswerable_ok else "   NO") + "     "
            )
            print(f"{q.id:<7} {q.split[0]} {pr} {'abst' if r.abstained else '    '} {r.plan:<16} {q.q}")
            wrong = sorted(r.got - set(q.gold) - set(q.accept), key=str)
            missing = sorted(set(q.gold) - r.got, key=str)
            if wrong or missing:
                print(f"        wrong: {wrong}  missing: {missing}")

    present = [s for s in SPLITS if any(r.q.split == s for r in results)]
    print_tables(results, present + (["all"] if len(present) > 1 else []))

    if not args.no_topics and args.corpus is None and args.topics.is_file():
        run_topics(assistant, args.topics, names, texts, args.verbose)

    first = sorted(r.seconds for r in results)
    print(
        f"\nlatency, first ask of {len(first)} distinct questions: p50 {statistics.median(first) * 1000:.1f} ms, "
        f"p95 {percentile(first, 0.95) * 1000:.1f} ms, max {first[-1] * 1000:.1f} ms"
    )
    if args.repeat > 0:
        times = []
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q.q)
                times.append(time.perf_counter() - t)
        times.sort()
        print(
            f"latency repeated {args.repeat}x (query embeddings cached): p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.1f} ms ({len(times)} answers)"
        )
    if not args.no_cold and args.corpus is None and questions:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "fzqa.cli", "ask", questions[0].q, "--json"],
            check=True,
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        print(f"cold start (new process, one answer, graph and index built): {time.perf_counter() - t:.2f}s")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
