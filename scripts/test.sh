#!/usr/bin/env bash
# The test command of the README: sets up everything on a fresh machine, then lints, type-checks and tests.
#   bash scripts/test.sh            (extra pytest arguments are passed on)
# Installs: a virtualenv in .venv with the project, its test extra and the sentence-transformers extra
# (torch 2.13.0 CPU first, so pip does not fetch a CUDA build); Debian's chromium, Java, CJK fonts, the OWL API,
# jsonld-java and Virtuoso when missing (root only; the browser tests, tests/test_owl_profile.py and
# tests/test_virtuoso.py need them).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need_apt+=(fonts-noto-cjk)
java --list-modules 2>/dev/null | grep -q "^jdk.compiler" || need_apt+=(default-jdk-headless)  # java File.java
[ -f /usr/share/java/owlapi-distribution.jar ] || need_apt+=(libowlapi-java)  # OWL 2 DL profile check
[ -f /usr/share/java/jsonld-java.jar ] || need_apt+=(libjsonld-java)  # the OWL API's JSON-LD parser
[ -x /usr/bin/roqet ] || need_apt+=(rasqal-utils)  # a SPARQL protocol client of another ecosystem
command -v virtuoso-t >/dev/null 2>&1 || need_apt+=(virtuoso-opensource)  # a real SPARQL server (test_virtuoso)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing Debian packages: ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "[test] missing Debian packages (install them as root): ${need_apt[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[test] creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  echo "[test] installing torch 2.13.0 (CPU)"
  .venv/bin/pip install -q "torch==2.13.0"
fi
echo "[test] installing fzqa with its test and sentence-transformers extras"
.venv/bin/pip install -q -e ".[test,st]"

echo "[test] ruff"
.venv/bin/ruff check src tests bench app.py
echo "[test] mypy"
.venv/bin/mypy
echo "[test] pytest"
.venv/bin/pytest -q "$@"
