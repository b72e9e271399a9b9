"""Review and sign-off in Chromium: a clerk and a reviewer on two browser contexts of one `xxgk serve --logins`.

share → reviewer dismisses a finding with a reason → re-check keeps it → the clerk changes the cell (verdict
dropped, said so) → comment and answer → submit (locked) → return → fix → submit → approve → export (the DOCX
properties name the approval) ; a third user sees nothing; the history lists every step. Without logins on
127.0.0.1, the same reports open from 127.0.0.1 and from localhost. Screenshots: out/screenshots/review-*.png.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from evidence.browser import IMG, launch, require_chromium
from evidence.gradio_http import ServeProcess

pytestmark = pytest.mark.browser

PASSWORDS = {"clerk": "clerk-pass-1", "boss": "boss-pass-22", "third": "third-pass-3"}
REASON = "复议案件由上级机关统一统计，本机关按上级口径填报"

require_chromium()


class Person:
    """One person's browser context, logged in."""

    def __init__(self, browser: Any, url: str, name: str) -> None:
        self.name = name
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True, locale="zh-CN")
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("dialog", lambda d: d.accept())
        self.page.goto(url)
        self.page.locator("input[data-testid=textbox]").first.fill(name)
        self.page.locator("input[type=password]").fill(PASSWORDS[name])
        self.page.get_by_role("button", name="登录").click()
        self.page.locator("#ready").get_by_text("就绪").wait_for()
        self.shots = 0

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def wait(self, selector: str, needle: str, absent: bool = False) -> str:
        js = ("([s, n, a]) => { const e = document.querySelector(s); if (!e) return false; "
              "const has = e.innerText.includes(n); return a ? !has : has; }")
        try:
            self.page.wait_for_function(js, arg=[selector, needle, absent])
        except Exception:
            self.page.screenshot(path=str(IMG / f"review-{self.name}-failed.png"), full_page=True)
            shown = self.page.locator(selector).all_inner_texts()
            raise AssertionError(f"{self.name}: {selector} 未出现“{needle}”，实际：{shown}") from None
        return str(self.page.locator(selector).inner_text())

    def choose(self, dropdown: str, option: str | re.Pattern[str]) -> None:
        self.page.locator(f"#{dropdown} input").click()
        self.page.get_by_role("option", name=option).first.click()

    def type_cell(self, grid: str, row: int, col: int, value: str) -> None:
        self.page.locator(f'#{grid} [data-testid="cell-{row}-{col}"]').click()
        self.page.keyboard.type(value)
        self.page.keyboard.press("Enter")

    def type_cell_until(self, grid: str, row: int, col: int, value: str, selector: str, needle: str) -> str:
        """Type into a cell until the page answers (a grid re-rendered by an earlier event can drop a keystroke)."""
        js = "([s, n]) => { const e = document.querySelector(s); return !!e && e.innerText.includes(n); }"
        for _attempt in range(3):
            self.page.wait_for_timeout(600)
            self.type_cell(grid, row, col, value)
            try:
                self.page.wait_for_function(js, arg=[selector, needle], timeout=10_000)
                return str(self.page.locator(selector).inner_text())
            except Exception:  # typed into a re-rendering grid: type again
                continue
        return self.wait(selector, needle)

    def snap(self, step: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(IMG / f"review-{self.name}-{self.shots:02d}-{step}.png"), full_page=True)


def _add_user(env: dict[str, str], name: str) -> None:
    exe = Path(sys.executable).parent / "xxgk"
    done = subprocess.run([str(exe), "users", "add", name, "--password-stdin"], input=PASSWORDS[name] + "\n",
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    data = tmp_path_factory.mktemp("review")
    srv = ServeProcess(data, None, {}, ("--offline", "--logins"))
    for name in PASSWORDS:
        _add_user(srv.env, name)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def test_clerk_and_reviewer_finish_review_and_approve_one_report(
    browser: Any, server: ServeProcess, tmp_path: Path,
) -> None:
    clerk = Person(browser, server.url, "clerk")
    boss = Person(browser, server.url, "boss")
    try:
        _flow(clerk, boss, browser, server, tmp_path)
    finally:
        clerk.ctx.close()
        boss.ctx.close()


def _flow(clerk: Person, boss: Person, browser: Any, server: ServeProcess, tmp_path: Path) -> None:
    # The clerk makes a report of their own (a copy of the 示例) and shares it with the reviewer.
    clerk.tab("我的报告")
    clerk.page.locator("#duplicate_report").click()
    clerk.wait("#current_report", "示例（副本）")
    clerk.tab("审核")
    clerk.page.locator("#share_box").get_by_text("共享给同事").click()
    clerk.page.locator("#share_name input, #share_name textarea").first.fill("boss")
    clerk.page.locator("#share_submit").click()
    clerk.wait("#review_message", "已共享给 boss（审核）")
    # A figure the clerk typed that breaks table 四's arithmetic (复议 结果维持 1, 总计 still 0).
    clerk.tab("统计数据")
    clerk.type_cell_until("grid_review_litigation", 0, 2, "1", "#findings", "检查未通过")
    clerk.snap("shared-and-error")

    # The reviewer finds it among their reports, marked as shared for review, and opens it.
    boss.page.reload()
    boss.page.locator("#ready").get_by_text("就绪").wait_for()
    boss.tab("我的报告")
    boss.choose("report_list", re.compile("示例（副本）（clerk共享 · 审核）"))
    boss.page.locator("#open_report").click()
    boss.wait("#current_report", "clerk共享")
    boss.tab("审核")
    boss.wait("#review_status", "共享给您审核")
    boss.choose("verdict_finding", re.compile("错误"))
    boss.choose("verdict_decision", "不属于问题（须写明理由）")
    boss.page.locator("#verdict_save").click()
    boss.wait("#review_message", "必须写明理由")
    boss.page.locator("#verdict_reason textarea").fill(REASON)
    boss.page.locator("#verdict_save").click()
    boss.wait("#review_message", "已保存裁定：不属于问题")
    boss.page.locator("#comment_text textarea").fill("请核对表四复议案件的总计")
    boss.page.locator("#comment_submit").click()
    boss.wait("#comment_list", "请核对表四复议案件的总计")
    # A reviewer never edits: typing into a cell is refused and nothing is stored.
    boss.tab("统计数据")
    boss.wait("#stats_readonly", "您是这份报告的审核人")  # no editing tools for a reviewer, the reason instead
    assert boss.page.locator("#fill_totals").is_hidden() and boss.page.locator("#fill_zeros").is_hidden()
    boss.type_cell_until("grid_review_litigation", 0, 3, "7", "#stats_status", "审核人")
    boss.snap("verdict-and-comment")
    boss.tab("撰写")
    boss.wait("#compose_readonly", "您是这份报告的审核人")
    assert boss.page.locator("#draft_notes").is_hidden() and boss.page.locator("#save_edit").is_hidden()
    assert boss.page.locator("#notes textarea").is_disabled()

    # The clerk re-checks: the verdict is kept and no longer counts as an error.
    clerk.page.reload()
    clerk.page.locator("#ready").get_by_text("就绪").wait_for()
    clerk.tab("统计数据")
    findings = clerk.wait("#findings", "不属于问题")
    assert REASON in findings and "检查通过" in findings
    # The clerk changes the cell the verdict judged: it is dropped, and the page says so.
    stale = clerk.type_cell_until("grid_review_litigation", 0, 2, "2", "#findings", "【裁定已失效】")
    assert "检查未通过" in stale
    clerk.page.locator("#fill_totals").click()
    clerk.wait("#stats_status", "自动计算合计：已改动")
    clerk.wait("#findings", "检查通过")
    # The clerk answers the comment and submits.
    clerk.tab("审核")
    clerk.wait("#comment_list", "请核对表四复议案件的总计")
    clerk.page.locator("#reply_text textarea").fill("已按结果维持2件更正总计")
    clerk.page.locator("#reply_submit").click()
    clerk.wait("#comment_list", "已按结果维持2件更正总计")
    clerk.page.locator("#review_submit").click()
    clerk.wait("#review_message", "已提交审核")
    clerk.tab("统计数据")
    clerk.type_cell_until("grid_review_litigation", 0, 3, "9", "#stats_status", "已提交审核")  # locked while submitted
    clerk.wait("#stats_readonly", "已提交审核")
    assert clerk.page.locator("#fill_totals").is_hidden()
    clerk.snap("submitted-locked")

    # The reviewer returns it with a comment.
    boss.tab("审核")
    boss.wait("#review_status", "待审核")
    boss.wait("#since_approval", "还没有审核通过的版本")
    boss.page.locator("#review_back_text textarea").fill("请把复议结果维持改回1件并重新核对")
    boss.page.locator("#review_back").click()
    boss.wait("#review_message", "已退回修改")

    # The clerk fixes and submits again.
    clerk.tab("统计数据")
    clerk.type_cell_until("grid_review_litigation", 0, 2, "1", "#stats_status", "已自动保存")
    clerk.page.locator("#fill_totals").click()
    clerk.wait("#stats_status", "自动计算合计：已改动")
    clerk.tab("审核")
    clerk.wait("#review_status", "已退回修改")
    clerk.page.locator("#review_submit").click()
    clerk.wait("#review_message", "已提交审核")

    # The reviewer approves.
    boss.tab("统计数据")
    boss.tab("审核")
    boss.wait("#review_status", "待审核")
    boss.page.locator("#review_approve").click()
    boss.wait("#review_message", "已审核通过（第 1 次）")
    boss.wait("#review_status", "当前内容即审核通过的版本")
    boss.wait("#since_approval", "统计表与审核通过时相同")
    boss.snap("approved")

    # The clerk exports: the file's properties name the approval; the printed text does not.
    clerk.tab("预览与导出")
    clerk.page.wait_for_timeout(500)
    clerk.page.locator("#export_docx").click()
    clerk.wait("#export_status", "已生成")
    link = clerk.page.locator("#export_file a").first
    link.wait_for()
    with clerk.page.expect_download() as dl:
        link.click()
    target = tmp_path / dl.value.suggested_filename
    dl.value.save_as(target)
    import docx

    document = docx.Document(str(target))
    props = document.core_properties
    assert props.content_status == "审核通过" and "审核人 boss" in props.comments and "第 1 次" in props.comments
    assert "审核人" not in "\n".join(p.text for p in document.paragraphs)
    assert any("2" in c.text for t in document.tables for row in t.rows for c in row.cells)

    # The history lists every step, with who did it.
    clerk.tab("审核")
    history = clerk.wait("#review_history", "审核通过")
    for step in ("共享", "裁定问题", "提出意见", "回复意见", "提交审核", "退回修改", "审核通过", "自动计算合计"):
        assert step in history, step
    assert "boss" in history and "clerk" in history
    clerk.snap("history")

    # A third user sees nothing of it.
    third = Person(browser, server.url, "third")
    try:
        third.tab("我的报告")
        third.page.locator("#report_list input").click()
        options = third.page.get_by_role("option").all_inner_texts()
        assert options and not any("副本" in o or "clerk" in o for o in options), options
        assert "请核对表四" not in third.page.content()
    finally:
        third.ctx.close()


def test_without_logins_localhost_and_127_open_the_same_reports(
    browser: Any, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    srv = ServeProcess(tmp_path_factory.mktemp("single"), None, {}, ("--offline",), per_browser=False)
    srv.start()
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        first = ctx.new_page()
        first.set_default_timeout(30_000)
        first.goto(srv.url)
        first.locator("#ready").get_by_text("就绪").wait_for()
        first.get_by_role("tab", name="我的报告").click()
        first.locator("#new_agency textarea").fill("青山县白云镇人民政府")
        first.locator("#new_year input").fill("2025")
        first.locator("#new_report").click()
        first.wait_for_function("() => document.querySelector('#current_report')?.innerText.includes('白云镇')")
        other = ctx.new_page()  # another origin: its browser storage is empty
        other.set_default_timeout(30_000)
        other.goto(srv.url.replace("127.0.0.1", "localhost"))
        other.locator("#ready").get_by_text("就绪").wait_for()
        assert other.evaluate("() => location.hostname") == "localhost"
        other.get_by_role("tab", name="我的报告").click()
        other.wait_for_function("() => document.querySelector('#current_report')?.innerText.includes('白云镇')")
        other.screenshot(path=str(IMG / "review-single-user-localhost.png"), full_page=True)
        # Each browser keeps its own open report: opening the 示例 here leaves the first one on 白云镇.
        other.locator("#load_sample").click()
        other.wait_for_function("() => document.querySelector('#current_report')?.innerText.includes('示例')")
        first.reload()
        first.locator("#ready").get_by_text("就绪").wait_for()
        first.get_by_role("tab", name="我的报告").click()
        first.wait_for_function("() => document.querySelector('#current_report')?.innerText.includes('白云镇')")
    finally:
        ctx.close()
        srv.stop()
