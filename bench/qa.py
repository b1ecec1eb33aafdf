"""Runs the dev questions through the assistant and prints citation precision/recall, abstention and latency.

    python bench/qa.py [--questions eval/dev-questions.jsonl] [--verbose]

Gold is a list of [measure, article, item]; a gold with article null is a measure-level citation. A
citation counts as correct when its (measure, article, item) is in the gold. Questions with empty gold
must be abstained. Latency: warm (median, p95 over all questions asked five times) and cold start (a new
process answering one question, graph and index already built).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    from fzqa.pipeline import ensure_built
    from fzqa.qa import get_assistant

    ensure_built()
    t = time.perf_counter()
    assistant = get_assistant()
    load_s = time.perf_counter() - t
    qs = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = 0
    abstain_ok = abstain_n = 0
    invalid = 0
    print(f"{'id':<8} {'P':>5} {'R':>5}  abst  plan             question")
    first: list[float] = []
    for q in qs:
        t = time.perf_counter()
        a = assistant.ask(q["q"])
        first.append(time.perf_counter() - t)
        gold = {(g[0], g[1], g[2]) for g in q["gold"]}
        got = {c.key() for c in a.citations}
        for c in a.citations:
            if c.article is not None and c.key() not in assistant.provisions:
                invalid += 1
        if not gold:
            abstain_n += 1
            abstain_ok += int(a.abstained and not got)
            fp += len(got)
            print(
                f"{q['id']:<8} {'-':>5} {'-':>5}  {'ok' if a.abstained and not got else 'NO':<5} "
                f"{a.details.get('plan', ''):<16} {q['q']}"
            )
            continue
        t_, f_, n_ = len(got & gold), len(got - gold), len(gold - got)
        tp, fp, fn = tp + t_, fp + f_, fn + n_
        p = t_ / len(got) if got else 0.0
        r = t_ / len(gold)
        print(
            f"{q['id']:<8} {p:5.2f} {r:5.2f}  {'yes' if a.abstained else '':<5} "
            f"{a.details.get('plan', ''):<16} {q['q']}"
        )
        if args.verbose and (f_ or n_):
            print(f"         extra: {sorted(got - gold, key=str)}  missing: {sorted(gold - got, key=str)}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    times = []
    for _ in range(5):
        for q in qs:
            t = time.perf_counter()
            assistant.ask(q["q"])
            times.append(time.perf_counter() - t)
    times.sort()
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fzqa.cli", "ask", qs[0]["q"], "--json"], check=True, capture_output=True, cwd=ROOT
    )
    cold = time.perf_counter() - t
    print()
    print(
        f"citation precision {precision:.3f}  recall {recall:.3f}  "
        f"(micro, over {len(qs) - abstain_n} answerable questions)"
    )
    print(f"unanswerable abstained: {abstain_ok}/{abstain_n}   citations of provisions not in the graph: {invalid}")
    first.sort()
    print(
        f"latency, first ask of each question: median {statistics.median(first) * 1000:.1f} ms, "
        f"p95 {first[int(0.95 * (len(first) - 1))] * 1000:.1f} ms"
    )
    print(
        f"latency repeated (query embeddings cached): median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.1f} ms "
        f"({len(times)} answers); assistant load {load_s:.2f} s; cold start (new process, one answer) {cold:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
