"""Named-query latency on the embedded store next to a SPARQL server (Virtuoso), with the same rows.

    .venv/bin/python bench/store_compare.py [--runs 30] [--budget 10]
    .venv/bin/python bench/store_compare.py --endpoint http://127.0.0.1:8890/sparql --graph https://w3id.org/fzqa/kg

Without --endpoint it starts Debian's Virtuoso (apt-get install virtuoso-opensource) in a temporary folder on
free loopback ports, publishes kg/ to it with `fzqa publish`'s Virtuoso loader (timed), and stops it by its PID
at the end. For every named query (ontology/queries/) with the typical bindings of bench/build.py it prints the
first call on each store (Virtuoso compiles the query text then), then p50 and p95 over ``--runs`` further calls
(fewer when they pass ``--budget`` seconds), the row counts, and whether both stores gave the same rows
(GROUP_CONCAT columns as sets of their parts; see tests/virtuoso.py). Exit status 1 when any differ.

Both stores are called from this one process the way the app calls them (``KnowledgeGraph.select``): the
embedded store in-process, Virtuoso over HTTP on loopback, so its figures include the HTTP round trip and the
parsing of the JSON answer. The machine has 2 cores shared with other work: the figures are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import BINDINGS  # noqa: E402
from virtuoso import same_rows  # noqa: E402


def timings(select: Any, name: str, bindings: dict[str, str], runs: int, budget: float) -> dict[str, Any]:
    t = time.perf_counter()
    rows = select(name, **bindings)
    first = time.perf_counter() - t
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < runs and (len(times) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        select(name, **bindings)
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "rows": rows,
        "first_ms": first * 1000,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
        "runs": len(times),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30, help="timed calls per query and store")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds of timed calls per query and store")
    ap.add_argument("--endpoint", help="a running SPARQL endpoint holding the graph (default: start Virtuoso)")
    ap.add_argument("--graph", default="", help="its named graph (with --endpoint)")
    args = ap.parse_args(argv)

    from fzqa.remote import publish
    from fzqa.settings import load_settings
    from fzqa.store import KnowledgeGraph

    server = None
    if args.endpoint:
        remote = load_settings({"sparql_endpoint": args.endpoint, "sparql_graph": args.graph})
    else:
        import virtuoso

        if virtuoso.binary() is None:
            print("store_compare: virtuoso-t is missing: apt-get install -y virtuoso-opensource", file=sys.stderr)
            return 2
        folder = Path(tempfile.mkdtemp(prefix="fzqa-virtuoso-"))
        t = time.perf_counter()
        server = virtuoso.start(folder)
        started = time.perf_counter() - t
        remote = load_settings(server.settings_values())
        done = publish(remote)
        print(
            f"store_compare: Virtuoso (pid {server.pid}) started in {started:.1f} s; published {done.triples} "
            f"triples with its loader in {done.seconds * 1000:.0f} ms (staging load, count, move)"
        )
    try:
        embedded, there = KnowledgeGraph(load_settings()), KnowledgeGraph(remote)
        print(f"store_compare: embedded {len(embedded)} triples; {there.describe()}: {len(there)} triples")
        head = f"{'query':24} {'rows':>5} {'same':>5} | {'embedded: first':>15} {'p50':>7} {'p95':>7} |"
        print(head + f" {'remote: first':>13} {'p50':>7} {'p95':>7}   (ms)")
        differ = []
        for name in sorted(embedded.queries):
            b = BINDINGS.get(name, {})
            e = timings(embedded.select, name, b, args.runs, args.budget)
            r = timings(there.select, name, b, args.runs, args.budget)
            same = same_rows(e["rows"], r["rows"])
            if not same:
                differ.append(name)
            print(
                f"{name:24} {len(e['rows']):5d} {'yes' if same else 'NO':>5} | {e['first_ms']:15.1f} "
                f"{e['p50_ms']:7.2f} {e['p95_ms']:7.2f} | {r['first_ms']:13.1f} {r['p50_ms']:7.2f} {r['p95_ms']:7.2f}"
            )
        print(f"store_compare: {len(differ)} queries differ{': ' + ', '.join(differ) if differ else ''}")
        return 1 if differ else 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
