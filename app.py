"""`python app.py`: the whole web app (Gradio UI at /, SPARQL endpoint at /sparql, JSON API at /api/*) on
embedded defaults, building the graph and the clause index first when they are missing.

Run with a Python that lacks the dependencies, it creates ``.venv`` beside this file, installs the project
into it and starts again with that environment's Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _venv_python() -> Path:
    return ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _bootstrap(reason: str) -> None:
    """Create .venv, install the project into it, and re-run this file with its Python."""
    py = _venv_python()
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve() or os.environ.get("_FZQA_APP_BOOTSTRAPPED"):
        sys.exit(
            f"app.py: cannot import the app ({reason}), even in {py.parent.parent}; try: {py} -m pip install -e {ROOT}"
        )
    print(f"app.py: the dependencies are missing ({reason})", flush=True)
    if not py.exists():
        print(f"app.py: creating a virtual environment in {ROOT / '.venv'}", flush=True)
        venv.EnvBuilder(with_pip=True).create(ROOT / ".venv")
    ready = subprocess.run([str(py), "-c", "import fzqa.server, gradio, uvicorn"], capture_output=True).returncode == 0
    if not ready:
        print(f"app.py: installing the project into it: {py} -m pip install -e {ROOT}", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "-e", str(ROOT)], check=True)
    print(f"app.py: starting again with {py}", flush=True)
    env = {**os.environ, "_FZQA_APP_BOOTSTRAPPED": "1"}
    os.execve(str(py), [str(py), str(ROOT / "app.py"), *sys.argv[1:]], env)


def main() -> None:
    try:
        import fastapi  # noqa: F401
        import gradio  # noqa: F401
        import uvicorn  # noqa: F401

        from fzqa.server import serve
    except ImportError as exc:
        _bootstrap(str(exc))
        return
    serve()


if __name__ == "__main__":
    main()
