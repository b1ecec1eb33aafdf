"""`fzqa serve --workers 2`: two processes behind one loopback port, each answering the API and /sparql with the
graph and the clause index it loaded (the UI, whose sessions live in one process, is not served there); stopped
cleanly with the server's PID (its workers end with it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest_web import _free_port, ensure_built

ROOT = Path(__file__).resolve().parents[1]
# Seconds two workers may take to start: each loads the graph, the index and the embedder (16 s measured for
# both on this 2-core machine under a load average of 11, the Gradio import included then).
STARTUP_LIMIT = 240.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:  # a zombie is not alive
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


def _health_pid(url: str) -> int:
    with httpx.Client(timeout=30, trust_env=False) as c:  # a new connection each time: any worker may take it
        r = c.get(url + "/healthz")
        r.raise_for_status()
        return int(r.json()["pid"])


@pytest.mark.slow
def test_two_workers_behind_one_port(tmp_path: Path) -> None:
    ensure_built()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    log = (tmp_path / "serve.log").open("wb")
    cmd = [sys.executable, "-m", "fzqa.cli", "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the workers did not come up"
            try:
                _health_pid(url)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        workers = _children(proc.pid)
        seen: set[int] = set()
        with ThreadPoolExecutor(16) as pool:  # requests at once, so that both workers take some
            while len(seen) < 2 and time.monotonic() < deadline:
                seen.update(pool.map(_health_pid, [url] * 32))
        assert len(seen) == 2 and seen <= set(workers), (seen, workers)
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as c:
            for q in ("县长每年必须做什么？", "What must a county mayor do each year?", "乡镇长适用这个办法吗？"):
                r = c.get("/api/ask", params={"q": q})
                assert r.status_code == 200 and r.json()["citations"], q
            r = c.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/fzqa#Measure> }"})
            assert r.status_code == 200 and r.json()["boolean"] is True
            home = c.get("/")  # no UI: Gradio's sessions live in one process
            assert home.status_code == 200 and "without --workers" in home.text
        log_text = (tmp_path / "serve.log").read_text(errors="replace")
        assert "with 2 worker processes" in log_text and log_text.count("ready (embedded:") == 2
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text(errors="replace")
    stop = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < stop:
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], "a worker outlived the server"
