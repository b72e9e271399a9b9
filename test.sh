#!/usr/bin/env bash
# The whole test suite on a fresh machine: Debian packages, the virtualenv, lint, types, tests.
# Extra arguments go to pytest (e.g. ./test.sh -k checks).
set -euo pipefail
cd "$(dirname "$0")"
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 NO_PROXY=127.0.0.1,localhost
bash scripts/apt-deps.sh
bash scripts/setup.sh
.venv/bin/ruff check assistant tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -q -p no:cacheprovider "$@"
