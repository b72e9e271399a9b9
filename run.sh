#!/usr/bin/env bash
# The main job on a fresh machine: install, then run the demo on the sample report with the
# offline drafter (or the model configured in .env / the environment).
set -euo pipefail
cd "$(dirname "$0")"
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
bash scripts/setup.sh
exec .venv/bin/xxgk demo "$@"
