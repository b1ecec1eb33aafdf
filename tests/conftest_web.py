"""Shared helpers of the web tests: build the graph/index once, run the real app (`python app.py`) on a free
loopback port in a subprocess, once per test session, and find Debian's Chromium.

Not a conftest.py (other test files need none of this): test_server.py and test_browser.py import it.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY_TIMEOUT = 2.0  # seconds: the test server stops runaway queries quickly
MAX_RESULTS = 2000  # below the graph's triple count, so the cap can be seen
STARTUP_LIMIT = 180.0


@dataclass(frozen=True)
class Live:
    url: str
    port: int
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@cache
def ensure_built() -> None:
    """Build kg/ and index/ once when either is missing."""
    from fzqa.pipeline import build
    from fzqa.settings import load_settings

    s = load_settings()
    if not (s.kg / "fzqa-kg.ttl").is_file() or not (s.index / "manifest.json").is_file():
        build(s)


@cache
def live_server() -> Live:
    """The real app, started as `python app.py` on a free loopback port; stopped when the session ends."""
    ensure_built()
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="fzqa-server-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}
    env.update(
        {
            "FZQA_HOST": "127.0.0.1",
            "FZQA_PORT": str(port),
            "FZQA_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
            "FZQA_MAX_RESULTS": str(MAX_RESULTS),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        out.close()

    atexit.register(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return Live(url, port, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop()
    raise RuntimeError(f"the server did not come up in {STARTUP_LIMIT:.0f} s:\n{log.read_text(errors='replace')}")


def require_chromium() -> str:
    """Debian's Chromium; without it the browser tests skip locally and fail in CI (CI=true)."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    msg = f"{CHROMIUM} is missing: apt-get install -y chromium"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " (CI is set, so a missing browser is a failure)")
    pytest.skip(msg)


SHOTS = Path("/tmp/fzqa-shots")  # screenshots the browser tests take (and look at)
WAIT = 30_000  # ms a browser test waits for the app


def app_page(browser: Any, live: Live, viewport: dict[str, int], **context: Any) -> Iterator[Any]:
    """The app's page in a new browser context (Chinese locale); after the test, no request may have left the
    server and no JavaScript error may have happened."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", **context)
    pg = ctx.new_page()
    outside: list[str] = []
    errors: list[str] = []
    pg.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((live.url, "data:", "blob:", "about:")) else None,
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(live.url + "/")
    pg.wait_for_selector("#question textarea", timeout=WAIT)
    yield pg
    ctx.close()
    assert outside == [], f"the page fetched from outside the server: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def pick(pg: Any, elem_id: str, option: str) -> None:
    """Choose ``option`` in the Gradio dropdown ``elem_id``."""
    pg.click(f"#{elem_id} input")
    pg.locator(".options li.item", has_text=option).first.click()


def guizhou_6_6_pair(pg: Any) -> Any:
    """The provision panel opened for 贵州 6(6): its two boxes (Guizhou's 6(6), then Guangxi's provision of the same
    number), checked for what both chat tests expect of it."""
    pair = pg.locator("#provision-pair")
    pair.wait_for(timeout=WAIT)
    boxes = pair.locator(".prov")
    assert boxes.count() == 2
    assert "每年至少举办2次法治专题讲座" in boxes.nth(0).inner_text()
    assert "第六条第（六）项" in boxes.nth(0).inner_text()
    assert "广西 第六条（六）" in boxes.nth(1).inner_text()  # the other measure's provision of the same number
    return boxes
