"""Fits the assistant's evidence model (src/fzqa/calibration.json) on the tune split of the questions over the two
measures (eval/questions.jsonl and eval/fresh-questions.jsonl; evalset.load_main) and
prints where every number in it came from.

    python bench/calibrate.py [--file F.jsonl] [--rounds 3] [--folds 5] [--check]

What is fitted: whenever the assistant weighs candidate provisions for a question with a topic (Assistant.focus),
it records each candidate's evidence features (qa.FEATURES: lexical support of the topic, dense similarity and
relative BM25 score from clause search, rank in its measure, whether its norms are of the kind asked and borne by
the role asked about, whether a named query found it) in ``answer.details["evidence"]``. This script

1. asks every tune question and labels each weighed candidate: 1 if it is in the question's gold, 0 if it is neither
   gold nor ``accept`` (accepted ones are left out), 0 for every candidate of an unanswerable question;
2. fits a logistic regression (scikit-learn, L2, C below) on those rows, each question weighing the same in all;
3. picks the two thresholds (``keep``: a candidate is cited from this probability; ``answer``: the question is
   answered only when its best candidate reaches this) on a grid, by replaying the recorded decisions: the best
   citation F1 (averaged with the grid's neighbouring points, so a flat ridge gives its middle) among the points
   meeting issue 8's abstention targets (≤ 5% false abstentions, ≥ 90% unanswerable abstained), or the point
   missing them by the fewest questions;
4. repeats from 1 with the new model (the candidates weighed depend a little on the decisions) for ``--rounds``.

It also prints a k-fold estimate over tune questions (fit on k-1 folds, replay the held-out fold) so the tune
figure is not read as the expected one; the holdout split is never read here (report it with bench/qa.py).
``--check`` fits without writing and exits 1 when the model on disk (features, weights, thresholds) differs: a
stale model (tests/test_calibration.py runs it).
The output is deterministic: same questions, same graph and index → same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from evalset import MAIN_SOURCES, Question, load_main, load_questions  # noqa: E402

# L2 strength of the regression: scikit-learn's default; the features are few and bounded, so it is not tuned
C = 1.0
# the targets of issue 8 the thresholds are chosen to meet: at most 5% of answerable questions abstained on, at
# least 90% of unanswerable ones abstained on; among the grid points meeting both, the best citation F1
MAX_FALSE_ABST = 0.05
MIN_UNANS_OK = 0.9
# threshold grid: probabilities in steps of 0.025 (a grid of 0.0125 gave the same replayed F1 on the tune split)
GRID = [round(0.025 * i, 3) for i in range(1, 40)]


@dataclass(frozen=True)
class Call:
    """One weighing of candidates for one question (a focus call), as recorded by the assistant."""

    qid: str
    require: bool
    keys: tuple[tuple[Any, ...], ...]
    features: tuple[dict[str, float], ...]
    # whether each candidate states the figure the question asks for (None: it asks for none); the assistant says
    # the measures do not settle it when none of those it keeps does (qa.Assistant.states_detail)
    states: tuple[bool, ...] | None = None


def record(assistant: Any, questions: list[Question]) -> dict[str, list[Call]]:
    out: dict[str, list[Call]] = {}
    for q in questions:
        a = assistant.ask(q.q)
        calls = []
        for entry in a.details.get("evidence", []):
            cands = entry["candidates"]
            calls.append(
                Call(
                    q.id,
                    bool(entry["require"]),
                    tuple(tuple(c["key"]) for c in cands),
                    tuple(c["features"] for c in cands),
                    tuple(bool(c["states"]) for c in cands) if cands and "states" in cands[0] else None,
                )
            )
        out[q.id] = calls
    return out


def rows(
    calls: dict[str, list[Call]], by_id: dict[str, Question], features: tuple[str, ...]
) -> tuple[list[list[float]], list[int], list[float]]:
    x: list[list[float]] = []
    y: list[int] = []
    w: list[float] = []
    for qid, cs in calls.items():
        q = by_id[qid]
        gold, accept = set(q.gold), set(q.accept)
        labelled = [
            ([f[n] for n in features], 1 if k in gold else 0)
            for c in cs
            for k, f in zip(c.keys, c.features, strict=True)
            if k not in accept
        ]
        for f, label in labelled:
            x.append(f)
            y.append(label)
            w.append(1.0 / len(labelled))
    return x, y, w


# Every feature is evidence that grows with how well a provision answers (more of the topic's words, a higher rank,
# a higher z-score, the kind or bearer asked), yet the free fit trades collinear ones against each other (the
# topic's inverse rank weighs -1.3 beside its first-rank +0.7). --monotone keeps every weight >= 0; on the 1144
# tune questions (2026-12-04) its 10-fold estimate was no better: F1 0.732 against 0.731, false abstentions 35
# against 29 of 687, so the free fit stays the default.
MONOTONE = False


def fit(x: list[list[float]], y: list[int], w: list[float]) -> tuple[list[float], float]:
    """L2-regularised logistic regression (scikit-learn's lbfgs: deterministic); with MONOTONE the same objective
    (0.5·|w|² + C·Σ weighted log loss, intercept not penalised) by scipy's L-BFGS-B with every weight >= 0."""
    # raw features (all bounded, most in -1 … 1): fitting standardised ones gave the tiny-variance dense_gap a weight
    # of 65 and a worse k-fold estimate (F1 0.656 against 0.698), so L2 on the raw scale acts as the prior
    sample_weight = [v * len(w) / sum(w) for v in w]
    if not MONOTONE:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=C, max_iter=5000)
        model.fit(x, y, sample_weight=sample_weight)
        return [float(v) for v in model.coef_[0]], float(model.intercept_[0])
    import numpy as np
    from scipy.optimize import minimize

    xa, ya, sw = np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(sample_weight)
    n = xa.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = xa @ theta[:n] + theta[n]
        g = sw * (1.0 / (1.0 + np.exp(-np.clip(z, -60, 60))) - ya)
        value = 0.5 * float(theta[:n] @ theta[:n]) + C * float(sw @ (np.logaddexp(0.0, z) - ya * z))
        return value, np.concatenate([theta[:n] + C * (xa.T @ g), [C * g.sum()]])

    bounds = [(0.0, None)] * n + [(None, None)]
    res = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 5000})
    return [float(v) for v in res.x[:n]], float(res.x[n])


def prob(weights: list[float], bias: float, f: list[float]) -> float:
    import math

    z = bias + sum(a * b for a, b in zip(weights, f, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


Scored = dict[str, list[tuple[bool, list[tuple[tuple[Any, ...], float]], tuple[bool, ...] | None]]]


def scored(calls: dict[str, list[Call]], features: tuple[str, ...], weights: list[float], bias: float) -> Scored:
    """Each call's candidates with this model's probability."""
    return {
        qid: [
            (
                c.require,
                [(k, prob(weights, bias, [f[n] for n in features])) for k, f in zip(c.keys, c.features, strict=True)],
                c.states,
            )
            for c in cs
        ]
        for qid, cs in calls.items()
    }


def replay(sc: Scored, by_id: dict[str, Question], keep: float, answer: float) -> dict[str, float]:
    """The focus decisions again with these thresholds: the first call that keeps something answers the question."""
    from fzqa.qa import UNFOCUSED_MAX

    hits = errors = gold_n = unans = unans_ok = answerable = false_abst = 0
    for qid, cs in sc.items():
        if not cs:
            continue
        q = by_id[qid]
        kept: set[tuple[Any, ...]] = set()
        for require, cands, states in cs:
            best = max(p for _k, p in cands)
            if best < answer:
                # qa.Assistant.focus: an optional focus gives every row when no more than UNFOCUSED_MAX
                chosen = set() if require or len(cands) > UNFOCUSED_MAX else {k for k, _p in cands}
            else:
                top: dict[Any, float] = {}
                for k, p in cands:  # each measure's best (qa.Assistant.focus)
                    top[k[0]] = max(top.get(k[0], 0.0), p)
                chosen = {k for k, p in cands if p >= keep or p == best or (p == top[k[0]] and p >= answer)}
            if chosen:
                kept = chosen
                if states is not None and not any(s for (k, _p), s in zip(cands, states, strict=True) if k in kept):
                    kept = set()  # none states the figure asked for: the measures do not settle it
                break
        gold, accept = set(q.gold), set(q.accept)
        if q.answerable:
            answerable += 1
            gold_n += len(gold)
            hits += len(kept & gold)
            errors += len(kept - gold - accept)
            false_abst += not kept
        else:
            unans += 1
            unans_ok += not kept
    p = hits / (hits + errors) if hits + errors else 0.0
    r = hits / gold_n if gold_n else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "P": p,
        "R": r,
        "F1": f1,
        "false_abst": false_abst,
        "answerable": answerable,
        "unans_ok": unans_ok,
        "unans": unans,
    }


def thresholds(sc: Scored, by_id: dict[str, Question]) -> tuple[float, float, dict[str, float]]:
    """The grid point with the best citation F1 among those meeting the issue's abstention targets (false
    abstentions ≤ MAX_FALSE_ABST of the answerable questions, unanswerable abstained ≥ MIN_UNANS_OK); when no point
    meets both, the one missing them by the fewest questions (then the best F1).

    F1 is read smoothed: the mean over the point and its grid neighbours (a step either way on each threshold), so
    that of a flat ridge the middle is taken, not whichever end a small change of the features favours — the
    thresholds then move little from one fit to the next."""
    grid: dict[tuple[int, int], tuple[float, dict[str, float]]] = {}
    for i, answer in enumerate(GRID):
        for j, keep in enumerate(GRID):
            m = replay(sc, by_id, keep, answer)
            # the miss in questions (each question weighs the same, answerable or not), not in rates: a rate would
            # weigh one of the few unanswerable questions as much as five answerable ones
            over = m["false_abst"] - MAX_FALSE_ABST * m["answerable"]
            short = MIN_UNANS_OK * m["unans"] - m["unans_ok"]
            grid[i, j] = (round(max(0.0, over) + max(0.0, short), 9), m)

    def smoothed(i: int, j: int) -> float:
        near = [grid[a, b][1]["F1"] for a in (i - 1, i, i + 1) for b in (j - 1, j, j + 1) if (a, b) in grid]
        return round(sum(near) / len(near), 9)

    # ties: the lower answer threshold (fewer abstentions), then the higher keep (fewer citations)
    i, j = max(grid, key=lambda ij: (-grid[ij][0], smoothed(*ij), -ij[0], ij[1]))
    return GRID[i], GRID[j], grid[i, j][1]


def cross_validate(
    calls: dict[str, list[Call]], by_id: dict[str, Question], features: tuple[str, ...], folds: int
) -> dict[str, float]:
    """Fit on folds-1 parts of the questions (a fixed hash order), replay the part left out; summed figures."""
    ids = sorted(calls, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
    total = {
        "hits": 0.0,
        "errors": 0.0,
        "gold": 0.0,
        "false_abst": 0.0,
        "answerable": 0.0,
        "unans_ok": 0.0,
        "unans": 0.0,
    }
    for k in range(folds):
        test = {i for n, i in enumerate(ids) if n % folds == k}
        train = {i: c for i, c in calls.items() if i not in test}
        held = {i: c for i, c in calls.items() if i in test}
        x, y, w = rows(train, by_id, features)
        wts, b = fit(x, y, w)
        ans, kp, _m = thresholds(scored(train, features, wts, b), by_id)
        m = replay(scored(held, features, wts, b), by_id, kp, ans)
        hits = m["R"] * sum(len(by_id[i].gold) for i, c in held.items() if c and by_id[i].answerable)
        total["hits"] += hits
        total["errors"] += hits / m["P"] - hits if m["P"] else 0.0
        total["gold"] += sum(len(by_id[i].gold) for i, c in held.items() if c and by_id[i].answerable)
        for f in ("false_abst", "answerable", "unans_ok", "unans"):
            total[f] += m[f]
    p = total["hits"] / (total["hits"] + total["errors"]) if total["hits"] + total["errors"] else 0.0
    r = total["hits"] / total["gold"] if total["gold"] else 0.0
    return {
        "P": p,
        "R": r,
        "F1": 2 * p * r / (p + r) if p + r else 0.0,
        **{f: total[f] for f in ("false_abst", "answerable", "unans_ok", "unans")},
    }


def _fmt(m: dict[str, float]) -> str:
    return (
        f"P {m['P']:.3f} R {m['R']:.3f} F1 {m['F1']:.3f}, false abstentions {int(m['false_abst'])}/"
        f"{int(m['answerable'])}, unanswerable abstained {int(m['unans_ok'])}/{int(m['unans'])}"
    )


_BASE = ("support", "support_gap", "concept", "concept_rare", "kind", "bearer", "graph")
_SEARCH = ("lexical", "first", "inv_rank")
_QUESTION = ("q_dense", "q_dense_gap", *(f"q_{f}" for f in _SEARCH))
# candidate feature sets (names in qa.FEATURES); --compare prints the cross-validated figures of each
SETS: dict[str, tuple[str, ...]] = {
    "question": (*_BASE, *_QUESTION),
    "question+topic": (
        *_BASE,
        *(f"{q}_{f}" for q in ("q", "t") for f in ("dense", "dense_gap", *_SEARCH)),
    ),
    "question+topic words (lexical)": (
        *_BASE,
        "q_dense",
        "q_dense_gap",
        *(f"{q}_{f}" for q in ("q", "tl") for f in _SEARCH),
    ),
    "question+topic, dense as z-score": (
        *_BASE,
        *(f"{q}_{f}" for q in ("q", "t") for f in ("dense_z", "dense_z_gap", *_SEARCH)),
    ),
    # one query embedding per question (the topic read by its words only): 10-fold F1 0.730 against 0.734 for the
    # default on the 1024 tune questions, false abstentions 29 against 20 of 623 — the latency it saves (~12 ms
    # for two questions in three) was not worth that
    "question (z) + topic words (lexical)": (
        *_BASE,
        "q_dense_z",
        "q_dense_z_gap",
        *(f"{q}_{f}" for q in ("q", "tl") for f in _SEARCH),
    ),
}
# best 10-fold figure on the 290 tune questions (--compare: F1 0.694 against 0.671 for "question", the best on 169)
DEFAULT_SET = "question+topic, dense as z-score"


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=None, help=f"default: the tune part of {MAIN_SOURCES}")
    ap.add_argument("--features", choices=sorted(SETS), default=DEFAULT_SET, help="feature set to fit")
    ap.add_argument("--rounds", type=int, default=3, help="record-fit rounds (stops early when stable)")
    ap.add_argument("--folds", type=int, default=10, help="folds of the cross-validated estimate (0: skip)")
    ap.add_argument("--compare", action="store_true", help="also print the cross-validated figures of every set")
    ap.add_argument("--check", action="store_true", help="fit, do not write; exit 1 if the file differs")
    ap.add_argument("--monotone", action="store_true", help="keep every weight >= 0 (see MONOTONE)")
    args = ap.parse_args(argv)
    global MONOTONE
    MONOTONE = args.monotone
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from fzqa import qa
    from fzqa.pipeline import ensure_built
    from fzqa.settings import load_settings

    settings = load_settings()
    ensure_built(settings)
    features = SETS[args.features]
    try:
        qa.load_calibration()
    except RuntimeError as e:  # a damaged or foreign file: start from the lexical support alone (the old rule)
        print(f"{e}: starting from a bootstrap model")
        start = {
            "features": list(features),
            "weights": [6.0 if f.startswith("support") else 0.0 for f in features],
            "bias": -3.5,
            "keep": 0.5,
            "answer": 0.5,
        }
        _write(qa.CALIBRATION, json.dumps(start, indent=1) + "\n")
    source = args.file.name if args.file else "questions over the two measures"
    questions = [q for q in (load_questions(args.file) if args.file else load_main()) if q.split == "tune"]
    by_id = {q.id: q for q in questions}
    digest = hashlib.sha256("\n".join(f"{q.id}\t{q.q}\t{q.gold}\t{q.accept}" for q in questions).encode()).hexdigest()
    assistant = qa.get_assistant(settings)
    assistant.all_features = True  # every feature recorded, so that --compare can weigh every set
    n_answerable = sum(q.answerable for q in questions)
    print(f"tune split of {source}: {len(questions)} questions ({n_answerable} answerable); features {args.features}")
    result: dict[str, Any] | None = None
    calls: dict[str, list[Call]] = {}
    model_keys = ("features", "weights", "bias", "keep", "answer")
    start_model = json.loads(qa.CALIBRATION.read_text(encoding="utf-8"))
    # every model met so far (the one the rounds start from first) with its round's result and calls: a model met
    # again is a cycle (the decisions and the fit can alternate between two models), ended by taking the cycle's
    # model of the best replayed F1 (on a tie, the first by the model's JSON), so that a fresh fit from either one
    # gives the same
    seen: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, list[Call]]]] = [
        ({k: start_model.get(k) for k in model_keys}, None, {})
    ]
    for rnd in range(1, args.rounds + 1):
        calls = record(assistant, questions)
        x, y, w = rows(calls, by_id, features)
        weights, bias = fit(x, y, w)
        answer, keep, m = thresholds(scored(calls, features, weights, bias), by_id)
        weighed = sum(1 for cs in calls.values() if cs)
        print(
            f"round {rnd}: {weighed} questions weighed candidates, {len(y)} rows ({sum(y)} gold); "
            f"keep {keep}, answer {answer}; replayed on tune: {_fmt(m)}"
        )
        new = {
            "features": list(features),
            "weights": [round(v, 4) for v in weights],
            "bias": round(bias, 4),
            "keep": keep,
            "answer": answer,
        }
        stable = result is not None and all(result[k] == new[k] for k in new)
        result = new | {
            "provenance": {
                "fitted_by": f"python bench/calibrate.py --features '{args.features}'"
                + (" --monotone" if MONOTONE else ""),
                "data": f"{source} split tune ({len(questions)} questions, sha256 {digest[:16]})",
                "rows": len(y),
                "gold_rows": sum(y),
                "model": f"logistic regression (scikit-learn, L2, C={C}), each question weighing the same"
                if not MONOTONE
                else f"logistic regression (L2, C={C}, every weight >= 0), each question weighing the same",
                "thresholds": f"grid 0.025-0.975 step 0.025: best replayed citation F1 (mean of the point and its "
                f"neighbours) with false abstentions <= "
                f"{MAX_FALSE_ABST} and unanswerable abstained >= {MIN_UNANS_OK} (else the fewest questions short)",
                "tune_replayed": {k: round(v, 4) for k, v in m.items()},
            }
        }
        assistant.calibration = qa.Calibration(
            tuple(features), tuple(new["weights"]), new["bias"], keep, answer, result["provenance"]
        )
        if stable:
            break
        met = next((j for j, (mdl, _, _) in enumerate(seen) if mdl == {k: new[k] for k in model_keys}), None)
        seen.append(({k: new[k] for k in model_keys}, result, calls))
        if met is not None:
            cycle = [(r, c) for _, r, c in seen[met:] if r is not None]
            # a tie is broken by the model itself (its JSON), not by which of them the rounds started from
            result, calls = min(
                cycle,
                key=lambda rc: (
                    -rc[0]["provenance"]["tune_replayed"]["F1"],
                    json.dumps({k: rc[0][k] for k in model_keys}, sort_keys=True),
                ),
            )
            print(f"round {rnd}: a model of round {met} again; the cycle's best replayed F1 is kept")
            break
    assert result is not None
    for f, wt in zip(features, result["weights"], strict=True):
        print(f"  weight {f:14s} {wt:+.4f}")
    print(f"  bias           {result['bias']:+.4f}")
    if args.folds > 1:
        for name in sorted(SETS) if args.compare else [args.features]:
            cv = cross_validate(calls, by_id, SETS[name], args.folds)
            print(f"{args.folds}-fold cross-validated on tune, features {name}: {_fmt(cv)}")
            if name == args.features:
                result["provenance"]["tune_cross_validated"] = {k: round(v, 4) for k, v in cv.items()}
    text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    if args.check:  # the model itself, not the figures printed beside it
        model = ("features", "weights", "bias", "keep", "answer")
        on_disk = json.loads(qa.CALIBRATION.read_text(encoding="utf-8"))
        same = all(on_disk.get(k) == result[k] for k in model)
        print("calibration.json is up to date" if same else "calibration.json differs from a fresh fit")
        return 0 if same else 1
    _write(qa.CALIBRATION, text)
    print(f"wrote {qa.CALIBRATION.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
