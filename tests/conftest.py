"""Shared fixtures: the graph and the clause index are built once per test session when missing."""

from __future__ import annotations

import os

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
