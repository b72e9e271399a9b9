#!/usr/bin/env bash
# The package stands on its own: build the sdist and the wheel, install the wheel (not editable, with the app
# extra) into a fresh virtualenv outside the checkout, and run the library, the CLI and the web app from a
# folder that is not the checkout. Used by test.sh; needs .venv (scripts/setup.sh) for the build frontend.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/xxgk-wheel.XXXXXX")"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== 构建 sdist 与 wheel"
.venv/bin/python -m build -q --sdist --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/*.whl)"
sdist="$(ls "$work"/dist/*.tar.gz)"
.venv/bin/python -m zipfile -l "$wheel" >"$work/wheel.list"
tar -tzf "$sdist" >"$work/sdist.list"
for f in prompts/system.md prompts/examples/overview.md prompts/offline/phrases.yaml prompts/eval/township.yaml samples/sample_report.yaml samples/sample_notes.md render/templates; do
  grep -q "assistant/$f" "$work/wheel.list" || { echo "wheel 缺少 assistant/$f"; exit 1; }
  grep -q "assistant/$f" "$work/sdist.list" || { echo "sdist 缺少 assistant/$f"; exit 1; }
done
if grep -q "^tests/" "$work/wheel.list"; then echo "wheel 不应包含测试"; exit 1; fi

# The library does not pull in the web app: gradio and pandas are required only by the `app` extra.
.venv/bin/python - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as whl:
    meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
    requires = [l for l in whl.read(meta).decode().splitlines() if l.startswith("Requires-Dist:")]
for name in ("gradio", "pandas"):
    lines = [l for l in requires if l.split()[1].lower().startswith(name)]
    assert lines and all('extra == "app"' in l for l in lines), (name, lines)
assert not any(l.split()[1].lower().startswith(("tiktoken", "beautifulsoup4")) and "extra" not in l for l in requires), requires
print("wheel 依赖：gradio、pandas 仅属于 app 扩展")
PY

echo "== 在全新虚拟环境中安装 wheel（含 app 扩展）"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
"$work/venv/bin/python" -m pip install -q "${wheel}[app]"
xxgk="$work/venv/bin/xxgk"
run="$work/run"
mkdir -p "$run"
cd "$run"  # not the checkout: nothing may be read relative to it
export XXGK_DATA_DIR="$run/data" GRADIO_ANALYTICS_ENABLED=False
unset XXGK_PROMPTS_DIR
"$work/venv/bin/python" - <<'PY'
import assistant, pathlib
where = pathlib.Path(assistant.__file__).resolve()
assert "site-packages" in str(where), f"imported from {where}, not from the installed wheel"
print("导入自", where.parent)
PY
"$xxgk" sample -o sample
"$xxgk" check sample/sample_report.yaml
"$xxgk" draft sample/sample_notes.md --report sample/sample_report.yaml --offline -o drafted.yaml
"$xxgk" check drafted.yaml >/dev/null
"$xxgk" export drafted.yaml -o report.docx
"$xxgk" export drafted.yaml -o report.xlsx
"$xxgk" demo --offline -o demo
test -s report.docx && test -s report.xlsx && test -s demo/report.yaml && compgen -G "demo/*.docx" >/dev/null

echo "== xxgk serve：等待首个 HTTP 200"
port="$("$work/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$xxgk" serve --port "$port" --offline >"$run/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  if "$work/venv/bin/python" -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).status == 200 else 1)" 2>/dev/null; then
    echo "xxgk serve 已响应 HTTP 200（127.0.0.1:$port）"
    exit 0
  fi
  kill -0 "$server" 2>/dev/null || { cat "$run/serve.log"; echo "xxgk serve 已退出"; exit 1; }
  sleep 1
done
cat "$run/serve.log"; echo "xxgk serve 未在 120 秒内响应"; exit 1
