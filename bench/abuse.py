"""The catalogue of hostile and careless input, against a live server this script starts on loopback.

    python bench/abuse.py [--budget 600] [--runs 30] [--keep-going]

Starts `python app.py` on a free loopback port (its Gradio cache in a fresh temporary folder, so that the disk
it uses can be measured), runs every case with its own time limit, stops the server, and prints one line per
case (PASS/FAIL, what was seen, seconds), the server's memory (RSS of the process and its SPARQL workers) and
the disk of its cache and temporary folders before and after. Exit status 1 when a case fails.

Cases: SPARQL (SERVICE hidden behind an escaped prefixed name, a cross-join ORDER BY memory bomb, 10 000 nested
braces, UPDATE), huge and streamed bodies, deeply nested JSON, lone surrogates, invisible characters, Markdown
in a question (in Chromium when it is installed), 30 SPARQL-tab runs with downloads (disk), file uploads, and
the command line: GBK / UTF-16 / binary / empty files to `fzqa parse`, a batch with bad lines, nonsense
settings, a damaged graph.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
COUNTY_MAYOR = "县长每年必须做什么？"
QUERY_TIMEOUT = 3.0  # seconds: the server's query_timeout in this run, so runaway queries end quickly
STARTUP_LIMIT = 180.0  # seconds for `python app.py` to answer /healthz (graph, index and model loading)
RSS_GROWTH_LIMIT = 500 * 2**20  # bytes: a query may not grow the server (and its workers) by more than this
DISK_LIMIT = 50 * 2**20  # bytes: what 30 SPARQL-tab runs may leave in the app's cache and temporary folders
CASE_LIMIT = 120.0  # seconds any one case may take


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    seconds: float


class Abuse(Exception):
    """A case failed: the message says what was seen."""


# ------------------------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", **extra})
    return env


class Server:
    """`python app.py` on a free port, with its own Gradio cache folder; stopped by stop()."""

    def __init__(self, cache: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cache = cache
        self.log = cache.parent / "server.log"
        env = clean_env(
            FZQA_HOST="127.0.0.1",
            FZQA_PORT=str(self.port),
            FZQA_QUERY_TIMEOUT=str(QUERY_TIMEOUT),
            GRADIO_TEMP_DIR=str(cache),
            GRADIO_ANALYTICS_ENABLED="False",
        )
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"abuse: the server exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"abuse: the server did not come up in {STARTUP_LIMIT:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss(self) -> int:
        """Resident memory of the server and its descendants (the SPARQL worker processes), in bytes."""
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
                status = (d / "status").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d.name))
            kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            rss[int(d.name)] = kb * 1024
        total, todo = 0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo += children.get(pid, [])
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()


def disk(paths: list[Path]) -> tuple[int, int]:
    """(files, bytes) under the given folders."""
    files = size = 0
    for root in paths:
        if not root.exists():
            continue
        for p in root.rglob("*"):
            try:
                if p.is_file():
                    files += 1
                    size += p.stat().st_size
            except OSError:
                continue
    return files, size


def app_temp_folders(cache: Path, since: float, work: Path) -> list[Path]:
    """The server's cache, and the fzqa-* folders made in the system temporary folder since ``since`` (other
    than this script's own work folder)."""
    tmp = Path(tempfile.gettempdir())
    made = [p for p in tmp.glob("fzqa-*") if p.is_dir() and p.stat().st_mtime >= since and p != work]
    return [cache, *made]


class Listener:
    """A loopback HTTP server that records every request: a URL that nobody may fetch."""

    def __init__(self) -> None:
        self.got: list[str] = []
        got = self.got

        class Record(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                got.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------------------------------- the cases
class Cases:
    def __init__(self, server: Server, listener: Listener, work: Path, runs: int) -> None:
        self.s = server
        self.listener = listener
        self.work = work
        self.runs = runs
        self.http = httpx.Client(base_url=server.url, timeout=CASE_LIMIT, trust_env=False)

    # ---------------------------------------------------------------- helpers
    def serving(self) -> None:
        """The server still answers a good question."""
        if not self.s.alive():
            raise Abuse("the server died")
        r = self.http.post("/api/ask", json={"q": COUNTY_MAYOR}, timeout=60)
        if r.status_code != 200 or not r.json().get("citations"):
            raise Abuse(f"a good question afterwards got HTTP {r.status_code}")

    def refused(self, r: httpx.Response, statuses: tuple[int, ...], words: str = "") -> str:
        text = r.text[:160].replace("\n", " ")
        if r.status_code not in statuses:
            raise Abuse(f"HTTP {r.status_code} (wanted {'/'.join(map(str, statuses))}): {text}")
        if words and words.lower() not in r.text.lower():
            raise Abuse(f"HTTP {r.status_code} without {words!r} in the message: {text}")
        return f"HTTP {r.status_code}: {text}"

    def post_json(self, path: str, body: bytes) -> httpx.Response:
        return self.http.post(path, content=body, headers={"Content-Type": "application/json"})

    def streamed(self, path: str, size: int, ctype: str, head: bytes = b"", tail: bytes = b"") -> httpx.Response | None:
        def chunks() -> Iterator[bytes]:
            yield head
            for _ in range(size // 65536 + 1):
                yield b"x" * 65536
            yield tail

        try:
            return self.http.post(path, content=chunks(), headers={"Content-Type": ctype})
        except httpx.TransportError:
            return None  # the server closed the connection before taking it all: refused, not served

    # ---------------------------------------------------------------- SPARQL
    def sparql_service_escape(self) -> str:
        """SERVICE behind a prefixed name whose local part is escaped (ex:a\\#): refused, nothing fetched."""
        q = f"PREFIX ex: <{self.listener.url}/>\nSELECT * WHERE {{ SERVICE ex:a\\# {{ ?s ?p ?o }} }}"
        before = len(self.listener.got)
        r = self.http.get("/sparql", params={"query": q})
        time.sleep(0.5)
        if len(self.listener.got) > before:
            raise Abuse(f"the server fetched {self.listener.got[before:]} (HTTP {r.status_code})")
        detail = self.refused(r, (400, 403), "SERVICE")
        self.serving()
        return detail

    def sparql_order_by_bomb(self) -> str:
        """A cross join sorted in full: stopped by the time limit, memory bounded, the server keeps serving."""
        q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i LIMIT 1"
        rss0 = self.s.rss()
        peak = [rss0]
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], self.s.rss())

        threading.Thread(target=watch, daemon=True).start()
        t = time.perf_counter()
        try:
            r = self.http.get("/sparql", params={"query": q}, timeout=QUERY_TIMEOUT * 10)
        finally:
            done.set()
        took = time.perf_counter() - t
        grew = peak[0] - rss0
        if grew > RSS_GROWTH_LIMIT:
            raise Abuse(f"memory grew by {grew / 2**20:.0f} MB (limit {RSS_GROWTH_LIMIT / 2**20:.0f} MB)")
        if took > QUERY_TIMEOUT * 3:
            raise Abuse(f"answered after {took:.1f} s; the time limit is {QUERY_TIMEOUT:g} s")
        detail = self.refused(r, (200, 400, 403, 413, 503, 504))
        self.serving()
        return f"{detail} after {took:.1f} s, memory +{grew / 2**20:.0f} MB"

    def sparql_nested_braces(self) -> str:
        q = "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000
        r = self.http.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
        detail = self.refused(r, (400, 413))
        self.serving()
        return detail

    def sparql_update(self) -> str:
        out = []
        for data in ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, {"query": "DROP ALL"}):
            r = self.http.post("/sparql", data=data)
            out.append(self.refused(r, (400, 403)))
        r = self.http.post(
            "/sparql",
            content=b"DELETE WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-update"},
        )
        out.append(self.refused(r, (400, 403)))
        n = self.http.get("/healthz").json()["triples"]
        if n < 1000:
            raise Abuse(f"the graph has only {n} triples after the updates")
        return out[0]

    # ---------------------------------------------------------------- bodies
    def huge_announced_body(self) -> str:
        size = 10 * 2**20
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as sock:
            sock.sendall(
                f"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {size}\r\n\r\n".encode()
                + b"{" * 65536
            )
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        head = data.decode("utf-8", "replace").split("\r\n", 1)[0]
        if " 413 " not in head + " ":
            raise Abuse(f"got {head!r}, not 413")
        self.serving()
        return head

    def huge_streamed_bodies(self) -> str:
        seen = []
        boundary = "abuse"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        mp = f"multipart/form-data; boundary={boundary}"
        for path, ctype in (
            ("/api/ask", "application/json"),
            ("/sparql", "application/sparql-query"),
            ("/gradio_api/queue/join", mp),
            ("/gradio_api/upload", mp),
        ):
            r = self.streamed(path, 2_600_000, ctype, head if ctype == mp else b"", tail if ctype == mp else b"")
            if r is None:
                seen.append(f"{path}: connection closed")
                continue
            if r.status_code >= 500 or r.status_code < 400:
                raise Abuse(f"{path}: HTTP {r.status_code}: {r.text[:120]}")
            seen.append(f"{path}: {r.status_code}")
        self.serving()
        return ", ".join(seen)

    def upload_kept(self) -> str:
        marker = os.urandom(8).hex().encode()
        boundary = "abuse"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="note.txt"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + marker
            + f"\r\n--{boundary}--\r\n".encode()
        )
        r = self.http.post(
            "/gradio_api/upload", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        time.sleep(0.5)
        kept = [p for p in self.s.cache.rglob("note.txt") if marker in p.read_bytes()]
        if kept:
            raise Abuse(f"the upload was kept: {kept[0]} (HTTP {r.status_code})")
        return self.refused(r, (400, 403, 404, 405, 413))

    def deep_json(self) -> str:
        r = self.post_json("/api/ask", b"[" * 200_000 + b"]" * 200_000)
        detail = self.refused(r, (400,), "deep")
        self.serving()
        return detail

    def lone_surrogates(self) -> str:
        out = []
        for path in ("/api/ask", "/api/search"):
            r = self.post_json(path, b'{"q": "\\ud800"}')
            out.append(self.refused(r, (400,), "q "))
        self.serving()
        return out[0]

    def invisible_characters(self) -> str:
        a = self.http.post("/api/ask", json={"q": COUNTY_MAYOR}).json()
        b = self.http.post("/api/ask", json={"q": "县\u200b长每年\u00ad必须做什么？\u202e"}).json()
        if a["answer"] != b["answer"]:
            raise Abuse("the answer changed with zero-width characters in the question")
        s1 = self.http.get("/api/search", params={"q": "法治专题讲座", "k": 5}).json()["hits"]
        s2 = self.http.get("/api/search", params={"q": "法治\u200b专题讲座", "k": 5}).json()["hits"]
        if [(h["measure"], h["article"], h["item"]) for h in s1] != [
            (h["measure"], h["article"], h["item"]) for h in s2
        ]:
            raise Abuse("the answer is the same, but the clause search changed with a zero-width character")
        return "the same answer and the same hits"

    # ---------------------------------------------------------------- the UI
    def markdown_image(self) -> str:
        """An image in the question: in Chromium (when installed) nothing is fetched; else the chat message as
        sent to the browser must hold the Markdown escaped."""
        url = f"{self.listener.url}/p.png"
        q = f"![x]({url}) {COUNTY_MAYOR}"
        before = len(self.listener.got)
        chromium = Path("/usr/bin/chromium")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            sync_playwright = None  # type: ignore[assignment]
        if chromium.is_file() and sync_playwright is not None:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=str(chromium), args=["--headless", "--no-sandbox"])
                try:
                    pg = b.new_page()
                    pg.goto(self.s.url + "/")
                    pg.wait_for_selector("#question textarea", timeout=60_000)
                    pg.fill("#question textarea", q)
                    pg.click("#send")
                    pg.wait_for_function(
                        "() => document.querySelectorAll('#chat .message-row').length >= 2", timeout=60_000
                    )
                    pg.wait_for_timeout(1500)
                    shown = pg.locator("#chat .user-row").last.inner_text()
                finally:
                    b.close()
            if len(self.listener.got) > before:
                raise Abuse(f"the browser fetched {self.listener.got[before:]}")
            if "![x]" not in shown:
                raise Abuse(f"the question is not shown as typed: {shown[:80]!r}")
            return "Chromium: shown as typed, nothing fetched"
        from gradio_client import Client

        history = Client(self.s.url + "/", download_files=False, verbose=False).predict(q, [], "zh", api_name="/ask")[0]
        user = next(m for m in history if m["role"] == "user")
        content = str(user["content"])
        if "![" in content:
            raise Abuse(f"the user message goes to the browser as Markdown: {content[:80]!r}")
        return "API: the user message is escaped (no Chromium to try it in)"

    def sparql_tab_disk(self) -> str:
        from gradio_client import Client

        since = time.time() - 1
        before = disk(app_temp_folders(self.s.cache, since, self.work))
        client = Client(self.s.url + "/", download_files=False, verbose=False)
        big = "SELECT ?s ?p ?o ({n} AS ?run) WHERE {{ ?s ?p ?o }}"  # every triple, each run a different result
        for n in range(self.runs):
            res = client.predict(big.format(n=n), "zh", api_name="/run_query")
            if "SELECT" not in str(res[1]):
                raise Abuse(f"run {n}: {str(res)[:120]}")
        after = disk(app_temp_folders(self.s.cache, since, self.work))
        files, size = after[0] - before[0], after[1] - before[1]
        detail = f"{self.runs} runs left {files} files, {size / 2**20:.1f} MB"
        if size > DISK_LIMIT:
            raise Abuse(f"{detail} (limit {DISK_LIMIT / 2**20:.0f} MB)")
        return detail

    # ---------------------------------------------------------------- the command line
    def fzqa(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fzqa.cli", *args],
            cwd=ROOT,
            env=clean_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=CASE_LIMIT,
        )

    def no_traceback(self, r: subprocess.CompletedProcess[str], codes: tuple[int, ...]) -> str:
        if "Traceback" in r.stderr:
            raise Abuse("a traceback: " + r.stderr.strip().splitlines()[-1][:160])
        if r.returncode not in codes:
            raise Abuse(f"exit status {r.returncode}: {r.stderr.strip()[:160]}")
        return (r.stderr.strip().splitlines() or ["(no message)"])[-1][:120]

    def cli_parse_encodings(self) -> str:
        text = (ROOT / "corpus" / "guizhou-2020.txt").read_text(encoding="utf-8")
        files = {
            "gbk.txt": text.encode("gbk", errors="replace"),
            "utf16.txt": text.encode("utf-16"),
            "binary.txt": bytes(range(256)) * 64,
            "empty.txt": b"",
        }
        out = []
        for name, data in files.items():
            p = self.work / name
            p.write_bytes(data)
            r = self.fzqa("parse", str(p), "--json")
            msg = self.no_traceback(r, (0, 1, 2))
            if r.returncode and name not in r.stderr:
                raise Abuse(f"{name}: the message does not name the file: {msg}")
            out.append(f"{name}: exit {r.returncode}")
        return ", ".join(out)

    def cli_batch(self) -> str:
        p = self.work / "batch.jsonl"
        p.write_bytes(b'{"id": 1, "q": "\\ud800"}\n\xff\xfe\n{"id": 3, "q": "' + COUNTY_MAYOR.encode() + b'"}\n')
        out = []
        for cmd in ("ask", "search"):
            r = self.fzqa(cmd, "--batch", str(p))
            self.no_traceback(r, (0,))
            rows = [json.loads(line) for line in r.stdout.splitlines()]
            if len(rows) != 3 or "error" not in rows[0] or "error" not in rows[1] or "error" in rows[2]:
                raise Abuse(f"{cmd}: {len(rows)} lines: {[sorted(x) for x in rows]}")
            out.append(f"{cmd}: 2 error lines, 1 answer")
        return ", ".join(out)

    def cli_settings(self) -> str:
        out = []
        for var, raw in (("FZQA_QUERY_TIMEOUT", "-1"), ("FZQA_PORT", "99999"), ("FZQA_EMBEDDER", "foo")):
            r = self.fzqa("ask", COUNTY_MAYOR, env={var: raw})
            msg = self.no_traceback(r, (2,))
            if var not in r.stderr:
                raise Abuse(f"{var}={raw}: the message does not say where the value came from: {msg}")
            out.append(msg)
        return out[0]

    def cli_damaged_graph(self) -> str:
        kg = self.work / "kg"
        shutil.copytree(ROOT / "kg", kg, dirs_exist_ok=True)
        ttl = kg / "fzqa-kg.ttl"
        ttl.write_bytes(ttl.read_bytes()[:50_000])
        r = self.fzqa("ask", COUNTY_MAYOR, env={"FZQA_KG_DIR": str(kg)})
        msg = self.no_traceback(r, (2,))
        if str(ttl) not in r.stderr or "fzqa build" not in r.stderr:
            raise Abuse(f"the message does not name the file and `fzqa build`: {msg}")
        return msg

    def catalogue(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("sparql: SERVICE via ex:a\\#", self.sparql_service_escape),
            ("sparql: cross-join ORDER BY", self.sparql_order_by_bomb),
            ("sparql: 10 000 nested braces", self.sparql_nested_braces),
            ("sparql: UPDATE", self.sparql_update),
            ("http: 10 MB announced body", self.huge_announced_body),
            ("http: 2.6 MB streamed bodies", self.huge_streamed_bodies),
            ("http: anonymous upload", self.upload_kept),
            ("http: 200 000-deep JSON", self.deep_json),
            ("http: lone surrogates", self.lone_surrogates),
            ("text: zero-width characters", self.invisible_characters),
            ("ui: Markdown image in a question", self.markdown_image),
            (f"ui: {self.runs} SPARQL-tab runs (disk)", self.sparql_tab_disk),
            ("cli: GBK/UTF-16/binary/empty parse", self.cli_parse_encodings),
            ("cli: batch with bad lines", self.cli_batch),
            ("cli: nonsense settings", self.cli_settings),
            ("cli: damaged kg/", self.cli_damaged_graph),
        ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for the whole run; later cases are skipped")
    ap.add_argument("--runs", type=int, default=30, help="SPARQL-tab runs of the disk case")
    args = ap.parse_args(argv)
    if not (30 <= args.budget <= 3600 and 1 <= args.runs <= 500):
        ap.error("use a budget of 30..3600 seconds and 1..500 runs")
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="fzqa-abuse-"))
    cache = work / "gradio-cache"
    cache.mkdir()
    listener = Listener()
    print(f"abuse: starting the server (python app.py) with its cache in {cache}", flush=True)
    server = Server(cache)
    results: list[Result] = []
    try:
        cases = Cases(server, listener, work, args.runs)
        since = time.time() - 1
        rss0, disk0 = server.rss(), disk(app_temp_folders(cache, since, work))
        for name, case in cases.catalogue():
            if time.monotonic() - start > args.budget:
                results.append(Result(name, False, "not run: out of time (--budget)", 0.0))
                continue
            t = time.perf_counter()
            try:
                detail, ok = case(), True
            except Abuse as exc:
                detail, ok = str(exc), False
            except (httpx.HTTPError, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
                detail, ok = f"{type(exc).__name__}: {exc}", False
            results.append(Result(name, ok, detail, time.perf_counter() - t))
            r = results[-1]
            print(f"{'PASS' if r.ok else 'FAIL'}  {r.name:<38} {r.seconds:6.1f} s  {r.detail}", flush=True)
        rss1, disk1 = server.rss(), disk(app_temp_folders(cache, since, work))
        alive = server.alive()
    finally:
        server.stop()
        listener.close()
        log = Path(tempfile.gettempdir()) / f"fzqa-abuse-{server.port}.log"
        shutil.copyfile(server.log, log)
        shutil.rmtree(work, ignore_errors=True)  # the cache, the copies of kg/ and the test files
    print()
    print(f"server RSS (with its SPARQL workers): {rss0 / 2**20:.0f} MB before, {rss1 / 2**20:.0f} MB after")
    print(
        f"disk (cache + fzqa temporary folders): {disk0[0]} files / {disk0[1] / 2**20:.1f} MB before, "
        f"{disk1[0]} files / {disk1[1] / 2**20:.1f} MB after"
    )
    print(f"server alive at the end: {alive}; its log: {log}")
    failed = [r.name for r in results if not r.ok]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
