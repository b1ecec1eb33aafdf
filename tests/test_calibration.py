"""The assistant's evidence model: fitted from the tune split by bench/calibrate.py, reproducible, read safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fzqa.qa import CALIBRATION, FEATURES, load_calibration

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_model_is_what_the_tune_split_fits() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "calibrate.py"), "--check", "--folds", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "up to date" in run.stdout


def test_the_model_says_where_it_came_from() -> None:
    cal = load_calibration()
    assert set(cal.features) <= set(FEATURES) and len(cal.weights) == len(cal.features)
    assert 0 < cal.answer < 1 and 0 < cal.keep < 1
    assert "bench/calibrate.py" in cal.provenance["fitted_by"] and "split tune" in cal.provenance["data"]
    assert cal.provenance["gold_rows"] > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "cannot read"),
        (json.dumps({"features": ["support"], "weights": [1.0]}), "cannot read"),
        (json.dumps({"features": ["shoe size"], "weights": [1.0], "bias": 0, "keep": 0.5, "answer": 0.5}), "shoe size"),
    ],
)
def test_a_damaged_model_file_is_named_with_the_fix(tmp_path: Path, text: str, expected: str) -> None:
    bad = tmp_path / "calibration.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RuntimeError) as e:
        load_calibration(bad)
    assert str(bad) in str(e.value) and expected in str(e.value) and "bench/calibrate.py" in str(e.value)
    assert CALIBRATION.exists()  # the package's own file is untouched
