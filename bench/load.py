"""Load on a running server (`python app.py`), from a second process on loopback.

    python bench/load.py [--url http://127.0.0.1:7860] [--clients 20] [--seconds 30]

Half the clients ask questions through /api/ask, half run SPARQL through /sparql, for a bounded time; prints
throughput, median and p95 latency (overall and per kind), and the error count, which must be zero (the exit
status is 1 otherwise).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

import httpx

QUESTIONS = (
    "县长每年必须做什么？",
    "贵州和广西对法治专题讲座的次数要求有什么不同？",
    "党政主要负责人不得做什么？",
    "镇长适用这两部办法吗？",
    "What must a county mayor do every year?",
    "哪些情形会被问责？",
)
QUERIES = (
    (
        "application/sparql-results+json",
        "SELECT ?m ?t WHERE { ?m a <https://w3id.org/fzqa#Measure> ; <http://data.europa.eu/eli/ontology#title> ?t }",
    ),
    (
        "text/csv",
        "PREFIX fzqa: <https://w3id.org/fzqa#>\nSELECT ?norm ?kind ?period WHERE { ?norm fzqa:kind ?kind ; "
        "fzqa:frequency/fzqa:period/fzqa:code ?period } ORDER BY ?norm",
    ),
    (
        "application/sparql-results+xml",
        "PREFIX fzqa: <https://w3id.org/fzqa#>\nSELECT ?kind (COUNT(?n) AS ?c) "
        "WHERE { ?n fzqa:kind ?kind } GROUP BY ?kind",
    ),
    ("text/turtle", "CONSTRUCT { ?p <https://w3id.org/fzqa#text> ?t } WHERE { ?p <https://w3id.org/fzqa#text> ?t }"),
    ("application/sparql-results+json", "ASK { ?s ?p ?o }"),
)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "sparql": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(url: str, kind: str, n: int, stop_at: float, tally: Tally) -> None:
    i = n
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as c:
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                if kind == "ask":
                    q = QUESTIONS[i % len(QUESTIONS)]
                    r = c.post("/api/ask", json={"q": q}) if i % 2 else c.get("/api/ask", params={"q": q})
                    ok = r.status_code == 200 and isinstance(r.json().get("citations"), list)
                else:
                    accept, query = QUERIES[i % len(QUERIES)]
                    r = (
                        c.post("/sparql", data={"query": query}, headers={"Accept": accept})
                        if i % 2
                        else c.get("/sparql", params={"query": query}, headers={"Accept": accept})
                    )
                    ok = r.status_code == 200 and len(r.content) > 0
                dt = time.perf_counter() - t0
                with tally.lock:
                    if ok:
                        tally.latencies[kind].append(dt)
                    else:
                        tally.errors.append(f"{kind}: HTTP {r.status_code}: {r.text[:200]}")
            except (httpx.HTTPError, ValueError) as exc:
                with tally.lock:
                    tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            i += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860", help="base URL of the running server")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients (half ask, half SPARQL)")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long to run")
    args = ap.parse_args(argv)
    if args.clients < 2 or args.seconds <= 0 or args.clients > 200 or args.seconds > 600:
        ap.error("use 2..200 clients and 0..600 seconds")
    url = args.url.rstrip("/")
    try:
        health = httpx.get(url + "/healthz", timeout=10, trust_env=False)
        health.raise_for_status()
    except httpx.HTTPError as exc:
        print(
            f"load: the server at {url} does not answer /healthz ({exc}); start it with `python app.py`",
            file=sys.stderr,
        )
        return 2
    tally = Tally()
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=client, args=(url, "ask" if n % 2 == 0 else "sparql", n, stop_at, tally))
        for n in range(args.clients)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    every = tally.latencies["ask"] + tally.latencies["sparql"]
    print(
        f"load: {args.clients} clients ({args.clients // 2 + args.clients % 2} ask, {args.clients // 2} SPARQL) "
        f"for {args.seconds:g} s against {url}"
    )
    print(f"{'':8} {'requests':>9} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name, vals in (("all", every), ("ask", tally.latencies["ask"]), ("sparql", tally.latencies["sparql"])):
        if vals:
            print(
                f"{name:8} {len(vals):9d} {len(vals) / wall:8.1f} {statistics.median(vals) * 1000:10.1f} "
                f"{pct(vals, 95) * 1000:8.1f} {max(vals) * 1000:8.1f}"
            )
    print(f"errors: {len(tally.errors)}")
    for e in tally.errors[:10]:
        print(f"  {e}")
    return 0 if not tally.errors and every else 1


if __name__ == "__main__":
    sys.exit(main())
