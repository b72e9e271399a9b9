#!/usr/bin/env bash
# The whole test suite on a fresh machine: Debian packages, the virtualenv, the real inference server for the
# drafting tests, lint, types, then the tests — run from a copy of the repository with nothing beside it (the
# repository stands alone), the third-party corpus passed in by XXGK_CORPUS_DIR when there is one — and last
# the built wheel, installed outside the checkout. Extra arguments go to pytest (e.g. ./test.sh -k checks).
set -euo pipefail
cd "$(dirname "$0")"
root="$(pwd)"
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 NO_PROXY=127.0.0.1,localhost
bash scripts/apt-deps.sh
bash scripts/setup.sh
if [ -f scripts/llm-server.sh ]; then bash scripts/llm-server.sh; fi
.venv/bin/ruff check assistant tests benchmarks
.venv/bin/mypy

# Third-party documents (real published reports) are never committed; tests read them from the corpus folder.
corpus="${XXGK_CORPUS_DIR:-}"
if [ -z "$corpus" ] && [ -d ../shared ]; then corpus="$(cd ../shared && pwd)"; fi
alone="$(mktemp -d "${TMPDIR:-/tmp}/xxgk-alone.XXXXXX")"
trap 'rm -rf "$alone"' EXIT
tar --exclude=./.venv --exclude=./.git --exclude=./out --exclude='*/__pycache__' --exclude=./.mypy_cache \
    --exclude=./.ruff_cache --exclude=./.hypothesis --exclude=./.env -cf - . | tar -xf - -C "$alone"
mkdir -p out/screenshots
status=0
(
  cd "$alone"
  XXGK_CORPUS_DIR="$corpus" XXGK_SCREENSHOT_DIR="$root/out/screenshots" PYTHONPATH="$alone" XXGK_REQUIRE_BROWSER=1 \
    "$root/.venv/bin/pytest" -q -p no:cacheprovider -rs "$@"
) || status=$?
[ "$status" -eq 0 ] || exit "$status"
bash scripts/wheel-smoke.sh
