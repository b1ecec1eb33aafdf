"""Load on a running server (`python app.py`), or on one it starts (`fzqa serve --workers N`), from a second
process on loopback.

    python bench/load.py [--url http://127.0.0.1:7860] [--clients 40] [--sparql-clients 0] [--seconds 30]
                         [--max-requests 20000] [--questions 240]
    python bench/load.py --workers 2 [--env FZQA_SPARQL_ENDPOINT=…] …   (starts and stops its own server)

With --workers N the bench starts `fzqa serve --workers N` on a free loopback port (FZQA_* settings from the
environment and from --env), waits for /healthz, warms every worker up with one pass over the questions, runs
the load, prints which worker PIDs answered /healthz, and stops the server by its PID.

Each ask client posts questions to /api/ask; the questions are generated from the vocabulary (every role and
post of ontology/roles.ttl × the periods of fzqa.ttl × the topics of questions.ttl, in Chinese and English),
at least 200 distinct ones, each client going through them in its own order, so that no cache of a few
repeated questions flatters the figures. Optional SPARQL clients run a mix of queries on /sparql. The run
stops after --seconds or --max-requests, whichever comes first; prints throughput, p50/p95/p99 latency
(overall and per kind) and the errors, which must be zero (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

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
ROOT = Path(__file__).resolve().parents[1]
# Seconds a started server may take to answer /healthz: one worker starts in about 20 s on this 2-core machine
# under load (mostly importing Gradio), two in about 40 s.
START_LIMIT = 300.0
MIN_QUESTIONS = 200  # the figure: fewer distinct questions let caches flatter the latency
SEED = 20_181_109  # a fixed seed, so two runs ask the same questions


def questions(n: int) -> list[str]:
    """``n`` distinct questions (at least MIN_QUESTIONS), half Chinese, half English, from the vocabulary.

    The question frames below are the bench's own; every role, period and topic word comes from the ontology."""
    from rdflib import RDF, URIRef
    from rdflib.namespace import SKOS

    from fzqa.lexicon import load_lexicon

    lex = load_lexicon()
    roles = sorted(lex.roles.values(), key=lambda r: r.label)
    periods = sorted(lex.period_labels.values())
    topics: list[tuple[str, str]] = []
    for s in sorted(lex.graph.subjects(RDF.type, URIRef("https://w3id.org/fzqa#Topic")), key=str):
        zh_names = [str(o) for o in lex.graph.objects(s, SKOS.prefLabel) if getattr(o, "language", "") == "zh"]
        # the English labels are patterns ("lectures?"): take the plain words among them
        en_names = sorted(
            str(o)
            for p in (SKOS.prefLabel, SKOS.altLabel)
            for o in lex.graph.objects(s, p)
            if getattr(o, "language", "") == "en" and re.fullmatch(r"[A-Za-z][A-Za-z ]+", str(o))
        )
        if zh_names and en_names:
            topics.append((zh_names[0], en_names[0]))
    zh: list[str] = []
    en: list[str] = []
    for r, (p_zh, p_en), (t_zh, t_en) in itertools.product(roles, periods, topics):
        zh.append(f"{r.label}{p_zh}在{t_zh}方面必须做什么？")
        en.append(f"What must the {r.label_en} do {p_en} about {t_en}?")
    for r, (p_zh, p_en) in itertools.product(roles, periods):
        zh.append(f"{r.label}{p_zh}必须做什么？")
        en.append(f"What must the {r.label_en} do {p_en}?")
    rng = random.Random(SEED)
    rng.shuffle(zh)
    rng.shuffle(en)
    want = max(n, MIN_QUESTIONS)
    out = list(dict.fromkeys(q for pair in zip(zh, en, strict=False) for q in pair))[:want]
    if len(out) < MIN_QUESTIONS:
        raise SystemExit(f"load: the vocabulary gives only {len(out)} distinct questions, fewer than {MIN_QUESTIONS}")
    return out


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "sparql": []})
    errors: list[str] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, limit: int) -> bool:
        """Reserve one request of the --max-requests budget."""
        with self.lock:
            if self.started >= limit:
                return False
            self.started += 1
            return True


def client(url: str, kind: str, n: int, pool: list[str], stop_at: float, limit: int, tally: Tally) -> None:
    order = list(pool)
    random.Random(SEED + n).shuffle(order)
    i = 0
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as c:
        while time.monotonic() < stop_at and tally.take(limit):
            t0 = time.perf_counter()
            try:
                if kind == "ask":
                    q = order[i % len(order)]
                    r = c.post("/api/ask", json={"q": q}) if i % 2 else c.get("/api/ask", params={"q": q})
                    ok = r.status_code == 200 and isinstance(r.json().get("citations"), list)
                else:
                    q = ""
                    accept, query = QUERIES[(n + i) % len(QUERIES)]
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
                        if q:
                            tally.asked.add(q)
                    else:
                        tally.errors.append(f"{kind}: HTTP {r.status_code}: {r.text[:200]}")
            except (httpx.HTTPError, ValueError) as exc:
                with tally.lock:
                    tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            i += 1


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its child processes so far, from /proc (Linux)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    total = 0.0
    for p in [pid, *(int(x) for x in out.stdout.split())]:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


@contextmanager
def started_server(workers: int, extra_env: list[str]) -> Iterator[tuple[str, int]]:
    """`fzqa serve --workers N` on a free loopback port; its URL and PID; stopped by its PID afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = dict(os.environ)
    for item in extra_env:
        key, _, value = item.partition("=")
        env[key] = value
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    log = tempfile.NamedTemporaryFile(prefix="fzqa-load-server-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [sys.executable, "-m", "fzqa.cli", "serve", "--workers", str(workers), "--host", "127.0.0.1"]
    proc = subprocess.Popen([*cmd, "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            if proc.poll() is not None or time.monotonic() - t0 > START_LIMIT:
                raise SystemExit(f"load: the server did not start; its log: {log.name}")
            try:
                if httpx.get(url + "/healthz", timeout=5, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        print(f"load: started `fzqa serve --workers {workers}` (pid {proc.pid}) in {time.monotonic() - t0:.1f} s")
        yield url, proc.pid
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
        log.close()


def warm_up(url: str, pool: list[str], clients: int) -> set[int]:
    """One pass over the questions, from ``clients`` threads, so every worker has compiled and cached what the
    first requests would; returns the worker PIDs seen on /healthz meanwhile."""
    pids: set[int] = set()
    lock = threading.Lock()

    def go(part: list[str]) -> None:
        for q in part:
            with httpx.Client(base_url=url, timeout=120, trust_env=False) as c:  # new connections: any worker
                c.get("/api/ask", params={"q": q})
                pid = c.get("/healthz").json().get("pid")
            with lock:
                pids.add(pid)

    threads = [threading.Thread(target=go, args=(pool[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return pids


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860", help="base URL of the running server")
    ap.add_argument("--clients", type=int, default=40, help="concurrent clients asking questions")
    ap.add_argument("--sparql-clients", type=int, default=0, help="further concurrent clients running SPARQL")
    ap.add_argument("--seconds", type=float, default=30.0, help="longest run")
    ap.add_argument("--max-requests", type=int, default=20_000, help="most requests in all")
    ap.add_argument("--questions", type=int, default=240, help=f"distinct questions (at least {MIN_QUESTIONS})")
    ap.add_argument("--workers", type=int, default=0, help="start `fzqa serve --workers N` (0: use --url)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for the started server")
    args = ap.parse_args(argv)
    if args.workers:
        if not 1 <= args.workers <= 16:
            ap.error("use 1..16 workers")
        with started_server(args.workers, args.env) as (url, pid):
            pids = warm_up(url, questions(args.questions), min(args.clients, 8))
            print(f"load: warmed up; worker PIDs seen: {sorted(pids)}")
            before = cpu_seconds(pid)
            code = main([*_without_start(argv or sys.argv[1:]), "--url", url])
            # the work per request, whatever share of the cores the server got from the other work on the machine
            print(f"load: the server's processes used {cpu_seconds(pid) - before:.1f} s of CPU during the run")
            return code
    if not (1 <= args.clients <= 200 and 0 <= args.sparql_clients <= 200 and 0 < args.seconds <= 600):
        ap.error("use 1..200 clients, 0..200 SPARQL clients and 0..600 seconds")
    if args.max_requests < 1:
        ap.error("--max-requests must be at least 1")
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
    pool = questions(args.questions)
    tally = Tally()
    stop_at = time.monotonic() + args.seconds
    kinds = ["ask"] * args.clients + ["sparql"] * args.sparql_clients
    threads = [
        threading.Thread(target=client, args=(url, kind, n, pool, stop_at, args.max_requests, tally))
        for n, kind in enumerate(kinds)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    every = tally.latencies["ask"] + tally.latencies["sparql"]
    print(
        f"load: {args.clients} ask clients, {args.sparql_clients} SPARQL clients, {len(pool)} distinct questions "
        f"({len(tally.asked)} asked), {wall:.1f} s against {url}"
    )
    print(f"{'':8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, vals in (("all", every), ("ask", tally.latencies["ask"]), ("sparql", tally.latencies["sparql"])):
        if vals:
            print(
                f"{name:8} {len(vals):9d} {len(vals) / wall:8.1f} {statistics.median(vals) * 1000:8.1f} "
                f"{pct(vals, 95) * 1000:8.1f} {pct(vals, 99) * 1000:8.1f} {max(vals) * 1000:8.1f}"
            )
    print(f"errors: {len(tally.errors)}")
    for e in tally.errors[:10]:
        print(f"  {e}")
    return 0 if not tally.errors and every else 1


def _without_start(argv: list[str]) -> list[str]:
    """``argv`` without --workers and --env (and their values)."""
    out: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--workers", "--env"):
            skip = True
            continue
        if a.startswith(("--workers=", "--env=")):
            continue
        out.append(a)
    return out


if __name__ == "__main__":
    sys.exit(main())
