"""Docs that run: every `$ fzqa …` example in the README's console blocks works as written."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = [
    line[2:].strip()
    for block in re.findall(r"```console\n(.*?)```", README, re.S)
    for line in block.splitlines()
    if line.startswith("$ fzqa ")
]


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e != "fzqa build"])
def test_readme_example_runs(example: str, built: None) -> None:
    args = shlex.split(example)[1:]
    proc = subprocess.run(
        [sys.executable, "-m", "fzqa.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    if "--json" in args or "--format json" in example:
        json.loads(proc.stdout)


def test_readme_test_command_is_what_ci_runs() -> None:
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
