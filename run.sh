#!/usr/bin/env bash
# The main job on a fresh machine: install, then open the web app on 127.0.0.1 with the sample report
# loaded, drafting offline (or with the model configured in .env / the environment).
# Extra arguments go to `xxgk serve` (e.g. ./run.sh --port 8080). `./run.sh demo` runs the command-line
# demo instead (draft → check → export every format into out/demo).
set -euo pipefail
cd "$(dirname "$0")"
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 NO_PROXY=127.0.0.1,localhost
bash scripts/setup.sh
if [ "${1:-}" = "demo" ]; then
  shift
  exec .venv/bin/xxgk demo "$@"
fi
exec .venv/bin/xxgk serve "$@"
