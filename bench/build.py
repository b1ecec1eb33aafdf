"""Build time, graph size, and named-query latency on the embedded store next to rdflib's memory store.

    .venv/bin/python bench/build.py [--runs 30] [--budget 15] [--no-index]

In one run:
1. ``fzqa build`` on a copy of corpus/, ontology/ and kg/ in a temporary folder (the real kg/ and index/ are
   not touched), timed by stage: parse+extract, graph+SHACL, reasoning (HermiT), write, clause index.
2. Graph size: triples (inferred ones included), measures, provisions, norms, and the bytes of each kg/ file.
3. Each store (embedded oxigraph, rdflib memory store) in a child process of its own, so that its peak RSS is
   its own: load time, RSS before and after loading, peak RSS, and for every named query (ontology/queries/)
   with typical bindings (county mayor, Guizhou, …) the median and p95 latency over ``--runs`` runs (fewer
   when a query's runs exceed ``--budget`` seconds; the count is shown) and the row count. The two stores
   must return the same rows; a difference is flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROLE = "https://w3id.org/fzqa/role/"
ID = "https://w3id.org/fzqa/id/"
GX, GZ = ID + "guangxi-2018", ID + "guizhou-2020"

# typical bindings for each named query; a query not listed here runs without bindings
BINDINGS: dict[str, dict[str, str]] = {
    "annual_duties": {"role": ROLE + "countyMayor"},
    "cited_instruments": {},
    "compare_measures": {"role": ROLE + "countyMayor", "measureA": GX, "measureB": GZ},
    "coverage": {"role": ROLE + "townshipHead"},
    "frequency_constraints": {"measure": GZ},
    "measure_metadata": {},
    "meta_rules": {},
    "norms_by_kind": {"kind": "prohibition"},
    "provision_norms": {"provision": GZ + "/art_6__item_6"},
    "provision_text": {"provision": GZ + "/art_6__item_6"},
    "role_norms": {"role": ROLE + "countyMayor", "measure": GZ},
    "role_thesaurus": {},
    "sanctions": {"role": ROLE + "countyMayor", "measure": GZ},
}


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """Current resident set size (MB)."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """Peak RSS of this process image (VmHWM; ru_maxrss would carry the parent's peak across exec)."""
    peak = _status_mb("VmHWM")
    return peak if peak == peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def canon(rows: list[dict[str, Any]]) -> list[str]:
    """Rows in a comparable form (GROUP_CONCAT order is not defined, so its parts are sorted)."""
    concat = {"levels": ",", "issuers": "、"}

    def value(k: str, v: Any) -> str:
        return concat[k].join(sorted(str(v).split(concat[k]))) if k in concat else str(v)

    return sorted(json.dumps({k: value(k, v) for k, v in r.items()}, sort_keys=True, ensure_ascii=False) for r in rows)


# ------------------------------------------------------------------------------------------- child: one store
def child(backend: str, root: Path, runs: int, budget: float) -> None:
    from fzqa.settings import load_settings
    from fzqa.store import KnowledgeGraph

    settings = load_settings({"root": root})
    before = rss_mb()
    t0 = time.perf_counter()
    kg = KnowledgeGraph(settings, backend=backend)
    load = time.perf_counter() - t0
    after = rss_mb()
    out: dict[str, Any] = {"backend": backend, "load_s": load, "rss_before_mb": before, "rss_loaded_mb": after}
    out["triples"] = len(kg)
    queries: dict[str, Any] = {}
    for name in sorted(kg.queries):
        bindings = BINDINGS.get(name, {})
        rows = kg.select(name, **bindings)  # warm-up; also the rows compared between stores
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < runs and (len(times) < 3 or time.perf_counter() - start < budget):
            t = time.perf_counter()
            kg.select(name, **bindings)
            times.append(time.perf_counter() - t)
        times.sort()
        queries[name] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
            "runs": len(times),
            "rows": len(rows),
            "canon": canon(rows),
        }
    out["queries"] = queries
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out, ensure_ascii=False))


def run_child(backend: str, root: Path, runs: int, budget: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", backend, "--root", str(root), "--runs", str(runs)]
    cmd += ["--budget", str(budget)]
    r = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    if r.returncode != 0:
        sys.exit(f"bench/build.py: the {backend} child failed:\n{r.stderr}")
    result: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------------------------------- parent
def build(root: Path, with_index: bool) -> tuple[Any, float]:
    from fzqa.pipeline import build as fzqa_build
    from fzqa.settings import load_settings

    settings = load_settings({"root": root})
    t0 = time.perf_counter()
    report = fzqa_build(settings, skip_index=not with_index)
    return report, time.perf_counter() - t0


def graph_size(root: Path) -> dict[str, Any]:
    from rdflib import RDF, Graph

    from fzqa.kg import KG_FILES
    from fzqa.lexicon import FZQA

    g = Graph().parse(root / "kg" / KG_FILES[0], format="turtle")
    return {
        "triples": len(g),
        "measures": len(set(g.subjects(RDF.type, FZQA.Measure))),
        "articles": len(set(g.subjects(RDF.type, FZQA.Article))),
        "items": len(set(g.subjects(RDF.type, FZQA.Item))),
        "norms": len(set(g.subjects(RDF.type, FZQA.Norm))),
        "files": {n: (root / "kg" / n).stat().st_size for n in KG_FILES},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=30, help="runs of each named query per store (default 30)")
    ap.add_argument("--budget", type=float, default=15.0, help="seconds at most per query and store (default 15)")
    ap.add_argument("--no-index", action="store_true", help="skip the clause index (embedding) stage")
    ap.add_argument("--child", choices=["oxigraph", "rdflib"], help=argparse.SUPPRESS)
    ap.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.child:
        child(args.child, args.root, args.runs, args.budget)
        return 0

    with tempfile.TemporaryDirectory(prefix="fzqa-bench-") as tmp:
        root = Path(tmp)
        for name in ("corpus", "ontology", "kg"):
            shutil.copytree(ROOT / name, root / name)
        report, total = build(root, not args.no_index)
        same_as_committed = all(
            (root / "kg" / p.name).read_bytes() == p.read_bytes() for p in (ROOT / "kg").iterdir() if p.is_file()
        )
        size = graph_size(root)
        stores = {b: run_child(b, root, args.runs, args.budget) for b in ("oxigraph", "rdflib")}

    print("== build (fzqa build on a copy of the project)")
    for stage, secs in report.seconds.items():
        print(f"  {stage:<15} {secs:7.2f} s")
    print(f"  {'total':<15} {total:7.2f} s   (kg/ identical to the committed kg/: {same_as_committed})")
    print(f"  SHACL: {report.shacl}; OWL: {report.owl}")
    print("== graph")
    print(
        f"  {size['triples']} triples ({report.inferred} inferred by the reasoner), {size['measures']} measures, "
        f"{size['articles'] + size['items']} provisions ({size['articles']} articles, {size['items']} items), "
        f"{size['norms']} norms" + (f", {report.units} index units" if report.units else "")
    )
    for name, n in size["files"].items():
        print(f"  kg/{name:<16} {n / 1024:8.1f} KiB")
    ox, rd = stores["oxigraph"], stores["rdflib"]
    print("== stores (each in its own process)")
    print(f"  {'':<10} {'load':>8} {'RSS before':>11} {'RSS loaded':>11} {'peak RSS':>9} {'triples':>8}")
    for s in (ox, rd):
        print(
            f"  {s['backend']:<10} {s['load_s'] * 1000:6.0f}ms {s['rss_before_mb']:9.0f}MB {s['rss_loaded_mb']:9.0f}MB"
            f" {s['peak_rss_mb']:7.0f}MB {s['triples']:8d}"
        )
    print(f"== named queries: median (p95) latency over up to {args.runs} runs, typical bindings")
    print(f"  {'query':<22} {'rows':>5} {'oxigraph':>19} {'rdflib':>21} {'ratio':>7}  same rows")
    mismatches = 0
    for name in sorted(ox["queries"]):
        a, b = ox["queries"][name], rd["queries"][name]
        same = a["canon"] == b["canon"]
        mismatches += not same
        fewer = "" if b["runs"] == args.runs else f"[{b['runs']} runs]"
        verdict = "yes" if same else f"NO (rdflib: {b['rows']} rows)"
        print(
            f"  {name:<22} {a['rows']:5d} {a['median_ms']:7.2f} ({a['p95_ms']:6.2f}) ms"
            f" {b['median_ms']:8.1f} ({b['p95_ms']:7.1f}) ms{fewer}"
            f" {b['median_ms'] / a['median_ms']:6.0f}x  {verdict}"
        )
    oxm = statistics.median(q["median_ms"] for q in ox["queries"].values())
    rdm = statistics.median(q["median_ms"] for q in rd["queries"].values())
    print(f"  median over the queries: oxigraph {oxm:.2f} ms, rdflib {rdm:.1f} ms")
    if mismatches:
        print(f"  {mismatches} named queries give different rows on the two stores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
