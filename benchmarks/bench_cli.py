"""Command-line start-up: ``xxgk check`` of the sample vs ``python -c "import pydantic, yaml"`` (same run).

Both are whole processes, timed from spawn to exit, interleaved round by round so a busy machine slows both
alike; the figure is the ratio of the medians. Goal (issue 11): cli_check_startup_ratio ≤ 2.5.
On a machine whose speed drifts (a shared virtual machine) the medians move by a tenth from run to run, so
the ratio of the fastest runs is given beside it (``…_best``: as ``timeit`` reasons, the fastest run is the
one least disturbed by others).
A third process shows the floor under any pydantic program: ``import pydantic, yaml`` imports pydantic
lazily, and the first model class built loads the rest of it (``one_model_ratio``). A fourth runs the same
check with pydantic's plugin discovery left on (``PYDANTIC_DISABLE_PLUGINS=""``), which the command line
otherwise skips (``plugin_scan_ms``: what that costs).
Run: ``python benchmarks/bench_cli.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assistant" / "samples" / "sample_report.yaml"


_ONE_MODEL = "import yaml\nfrom pydantic import BaseModel\nclass A(BaseModel):\n    x: int\nA(x=1)"


def _seconds(cmd: list[str], env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1 = the report has errors; anything else is a broken run
        raise RuntimeError(f"{cmd} exited {done.returncode}")
    return elapsed


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 7 if quick else 31
    xxgk = shutil.which("xxgk", path=str(Path(sys.executable).parent)) or "xxgk"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    baseline_cmd = [sys.executable, "-c", "import pydantic, yaml"]
    one_model_cmd = [sys.executable, "-c", _ONE_MODEL]
    check_cmd = [xxgk, "check", str(SAMPLE)]
    scan_env = {**env, "PYDANTIC_DISABLE_PLUGINS": ""}
    with tempfile.TemporaryDirectory() as cwd:  # not the checkout: the installed package is what starts
        # Bytecode for both sides in one fresh cache, as pip writes it at install time: an editable checkout
        # (or PYTHONDONTWRITEBYTECODE) would otherwise make only our side compile its sources on every start.
        env["PYTHONPYCACHEPREFIX"] = str(Path(cwd) / "pycache")
        scan_env["PYTHONPYCACHEPREFIX"] = env["PYTHONPYCACHEPREFIX"]
        for cmd in (baseline_cmd, one_model_cmd, check_cmd):  # warm the disk cache and the bytecode of each
            _seconds(cmd, env, cwd)
        baseline, one_model, check, scanning = [], [], [], []
        for _ in range(rounds):
            baseline.append(_seconds(baseline_cmd, env, cwd))
            one_model.append(_seconds(one_model_cmd, env, cwd))
            check.append(_seconds(check_cmd, env, cwd))
            scanning.append(_seconds(check_cmd, scan_env, cwd))
    base_ms, check_ms = statistics.median(baseline) * 1000, statistics.median(check) * 1000
    model_ms, scan_ms = statistics.median(one_model) * 1000, statistics.median(scanning) * 1000
    print(f"python -c 'import pydantic, yaml'：中位数 {base_ms:.0f} ms；一个 pydantic 模型：{model_ms:.0f} ms；"
          f"xxgk check 样例：中位数 {check_ms:.0f} ms（最快 {min(check) * 1000:.0f} ms，基线最快 {min(baseline) * 1000:.0f} ms）")
    return {
        "cli_check_startup_ratio": round(check_ms / base_ms, 2),
        "cli_check_startup_ratio_best": round(min(check) / min(baseline), 2),
        "one_model_ratio": round(model_ms / base_ms, 2),
        "plugin_scan_ms": round(scan_ms - check_ms, 1),
        "baseline_ms": round(base_ms, 1),
        "one_model_ms": round(model_ms, 1),
        "check_ms": round(check_ms, 1),
        "rounds": rounds,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(run(parser.parse_args().quick))
