"""What every browser suite shares: Debian's Chromium, its headless flags, the screenshot folder, a browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Screenshots of each step (XXGK_SCREENSHOT_DIR; test.sh points it at out/screenshots of the checkout).
IMG = Path(os.environ.get("XXGK_SCREENSHOT_DIR", ROOT / "out" / "screenshots"))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    """Skip the calling test module when Debian's Chromium is missing; under the test command (which installs
    it, ``XXGK_REQUIRE_BROWSER=1``) fail instead, so a failed install never passes as skipped browser tests."""
    import pytest

    if not Path(CHROMIUM).exists():  # pragma: no cover - the CI installs it
        if os.environ.get("XXGK_REQUIRE_BROWSER"):
            pytest.fail("测试命令已安装 Debian chromium，却找不到 /usr/bin/chromium", pytrace=False)
        pytest.skip("需要 Debian chromium（/usr/bin/chromium）", allow_module_level=True)


def launch() -> Iterator[Any]:
    """A headless Chromium for a module's tests (use as the body of a module-scoped fixture)."""
    from playwright.sync_api import sync_playwright

    IMG.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
