#!/usr/bin/env bash
# Rebuild src/fzqa/static/fzqa-ui.js (the SPARQL editor, result tables and role tree of the web app) from
# fzqa-ui.mjs and the npm packages pinned in package.json / package-lock.json. Needs node and npm; only a
# developer changing the script runs this: the bundle is committed, so the app and the tests need no node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/fzqa-ui.mjs" "$work/"
cd "$work"
npm ci --no-audit --no-fund --ignore-scripts
# esbuild's binary comes in its own platform package; --ignore-scripts skips only its install-time check
out="$here/../../src/fzqa/static/fzqa-ui.js"
./node_modules/.bin/esbuild fzqa-ui.mjs --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --outfile="$out.part"
{
  echo "/* fzqa web app script, built by scripts/editor/build.sh. Bundles CodeMirror 6 (MIT licence, Marijn"
  echo "   Haverbeke and others, https://codemirror.net) and @lezer (MIT). Source: scripts/editor/fzqa-ui.mjs. */"
  cat "$out.part"
} >"$out"
rm -f "$out.part"
echo "wrote $out ($(wc -c <"$out") bytes)"
