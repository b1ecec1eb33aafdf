"""Shared fixtures: the graph and the clause index are built once per test session when missing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def built() -> None:
    """kg/ and index/ exist and are current (index/ is not committed: a fresh clone builds it here)."""
    from fzqa.index import ClauseIndexError
    from fzqa.pipeline import build_index, ensure_built, open_index

    ensure_built()
    try:
        open_index()
    except ClauseIndexError:
        build_index()


@pytest.fixture(scope="module")
def live() -> Any:
    """The real app (`python app.py`) on a free loopback port, started once per test session (conftest_web)."""
    from conftest_web import live_server

    return live_server()


@pytest.fixture(scope="module")
def http(live: Any) -> Iterator[Any]:
    """An HTTP client of the live app."""
    import httpx

    with httpx.Client(base_url=live.url, timeout=60, trust_env=False) as c:
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (conftest_web.require_chromium: skipped locally, a failure in CI)."""
    from conftest_web import CHROMIUM_ARGS, require_chromium

    exe = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
