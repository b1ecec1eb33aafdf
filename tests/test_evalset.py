"""The labelled evaluation sets of eval/ stay sound: every gold provision exists in the parsed measures, the fields
are valid, the dev questions are kept, and the tune/holdout split follows its fixed rule (eval/README.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _evalset() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evalset", ROOT / "eval" / "evalset.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["evalset"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_eval_sets_are_sound() -> None:
    evalset = _evalset()
    assert evalset.check_all() == []
    questions = evalset.load_questions(evalset.QUESTIONS)
    assert len(questions) >= 120
    assert {q.split for q in questions} == {"tune"}  # the former holdout was retired into tune (eval/README.md)
    for f, split in evalset.MAIN_SPLITS:  # fresh sets are retired into tune after their aggregate runs
        if f.is_file():
            assert {q.split for q in evalset.load_questions(f)} == {split}, f.name
    assert evalset.MAIN_SPLITS[-1][1] == "holdout"  # the newest set is the one not looked at
