"""The areas' server-side logic (what each UI event calls) and the app's construction and configuration."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import OWN_REPORT_TEXT
from fake_openai_server import FakeOpenAIServer, serve

from assistant.app import AppConfig, AppContext
from assistant.app.grids import grid_rows
from assistant.app.tab_compose import accept_version, draft_stream
from assistant.app.tab_preview import ExportRefused, export_file, preview_html
from assistant.app.tab_settings import connection_test
from assistant.app.tab_stats import edit_table, import_file, stats_outputs
from assistant.app.workspace import Workspace
from assistant.drafting import VersionStore

INVENTED = "2022年，市工信局坚持以习近平新时代中国特色社会主义思想为指导，局网站主动公开政府信息148条，全年组织培训8888场次。"


@pytest.fixture
def space(tmp_path: Path):
    with VersionStore(tmp_path) as store:
        yield Workspace.open(store, None)[0]


@pytest.fixture
def llm():
    srv = serve()
    yield srv
    srv.stop()


def _use(space: Workspace, srv: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_GUARD_TRIES", "0")
    space.save_settings(srv.url, "fake-model", False)


def test_a_cell_edit_reports_the_cell_and_autofill_clears_it(space: Workspace) -> None:
    rows = grid_rows(space.report(), "applications")
    rows[2][8] = "5"
    report, result, error = edit_table(space, "applications", rows)
    assert error is None and not result.ok
    assert "applications.granted.total" in {c for f in result.findings for c in f.cells}
    grids_and_findings = stats_outputs(report, result)
    assert "「三、本年度办理结果 （一）予以公开」行「总计」列" in grids_and_findings[-1]
    styled = grids_and_findings[1].to_html()
    assert "#fde2e1" in styled  # the flagged cell is coloured
    report, _ = space.fill_totals()
    assert space.check(report).ok and report.applications.granted.total == 1  # type: ignore[union-attr]


def test_an_unreadable_value_is_refused_and_nothing_is_saved(space: Workspace) -> None:
    rows = grid_rows(space.report(), "review_litigation")
    rows[0][2] = "七"  # Chinese numerals are read
    rows[0][3] = "abc"
    _, _, error = edit_table(space, "review_litigation", rows)
    assert error and "review_litigation.review.corrected" in error and "「行政复议」的「结果纠正」" in error
    assert space.report().review_litigation.review.upheld == 0  # type: ignore[union-attr]


def test_export_is_blocked_with_reasons_then_written_per_workspace(space: Workspace) -> None:
    space.set_cells({"applications.granted.total": 5})
    with pytest.raises(ExportRefused) as info:
        export_file(space, "docx")
    message = str(info.value)
    assert "已拒绝导出" in message and "**统计数据**" in message and "「（一）予以公开」行" in message
    assert "--force" not in message
    status, frame = preview_html(space)
    assert "已拒绝导出" in status and frame.startswith("<iframe")
    space.fill_totals()
    path = export_file(space, "docx")
    assert path.exists() and space.owner not in str(path) and space.id not in str(path) and path.name.endswith("年度报告.docx")
    import docx

    assert "淄博市工业和信息化局" in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert export_file(space, "md").read_text(encoding="utf-8").count("一、总体情况") == 1


def test_drafting_streams_flags_the_invented_number_and_keeps_the_version(
    space: Workspace, llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(space, llm, monkeypatch)
    llm.default = {"text": INVENTED, "chunk": 4}
    notes = "- 以习近平新时代中国特色社会主义思想为指导\n- 局网站主动公开政府信息 148 条"  # the reply must relate to them
    steps = list(draft_stream(AppContext(AppConfig(), space.store), space, "overview", "notes", notes, []))
    lengths = [len(chat[-1]["content"]) for chat, _ in steps]
    assert len({n for n in lengths if 0 < n < len(INVENTED)}) >= 2  # partial replies were yielded
    chat, guard = steps[-1]
    assert "8888" in guard and "G1" in guard and "待核实" in chat[-1]["content"]
    assert space.chat("overview") == chat and space.notes("overview") == notes
    version = space.store.latest(space.id, "overview")
    assert version is not None and version.backend == "llm"

    llm.push({"match": "更简洁", "text": INVENTED.replace("，全年组织培训8888场次", "")})
    *_, (chat, guard) = draft_stream(AppContext(AppConfig(), space.store), space, "overview", "instruction", "更简洁", chat)
    assert "核对通过" in guard and chat[-2] == {"role": "user", "content": "更简洁", "kind": "instruction"}
    message = accept_version(space, "overview", None)
    assert "已将第" in message and "8888" not in (space.report().narrative.overview or "")


def test_offline_switch_drafts_without_the_model(space: Workspace, llm: FakeOpenAIServer, monkeypatch) -> None:
    _use(space, llm, monkeypatch)
    ctx = AppContext(AppConfig(offline=True), space.store)
    *_, (_, guard) = draft_stream(ctx, space, "problems", "notes", "- 公开方式单一", [])
    assert "离线起草" in guard and llm.chat_requests() == []


def test_connection_test_reports_success_and_failure_without_the_key(
    space: Workspace, llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hidden-123")
    space.save_settings(llm.url, "fake-model", False)
    assert "连接成功" in connection_test(space)
    space.save_settings("http://127.0.0.1:9/v1", "fake-model", False)
    verdict = connection_test(space, timeout=1)
    assert "连接失败" in verdict and "sk-hidden-123" not in verdict
    space.save_settings("https://api.example.com/v1", "m", False)
    assert "测试环境禁止访问外部模型服务" in connection_test(space)


def test_a_failed_connection_test_does_not_save_the_address(space: Workspace, llm: FakeOpenAIServer) -> None:
    from assistant.app.tab_settings import test_and_save

    space.save_settings(llm.url, "fake-model", False)
    verdict = test_and_save(space, "http://127.0.0.1:9/v1", "other", False)
    assert "连接失败" in verdict and "设置未保存" in verdict
    assert space.settings_data()["base_url"] == llm.url and space.settings_data()["model"] == "fake-model"
    assert "已保存" in test_and_save(space, llm.url, "fake-model-2", False)
    assert space.settings_data()["model"] == "fake-model-2"


def test_imports_check_the_file_type_and_roll_last_year_forward(space: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"不支持的文件类型“\.exe”"):
        import_file(space, str(tmp_path / "x.exe"), "report")
    report, message = import_file(space, str(Path(__file__).parents[1] / "assistant" / "samples" / "sample_report.yaml"), "report")
    assert report.year == 2023 and "2022 年度报告" in message
    assert space.report().year == 2023


def test_the_app_builds_binds_loopback_and_keeps_no_user_data_at_module_level(tmp_path: Path) -> None:
    from assistant.app import build_app
    from assistant.app.ui import launch_kwargs

    ctx = AppContext(AppConfig(), VersionStore(tmp_path))
    demo = build_app(ctx)
    kwargs = launch_kwargs(ctx)
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["auth"] is None and kwargs["max_file_size"] == "20mb"
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"grid_applications", "findings", "chat", "export_docx", "test_connection"} <= ids
    assert all(fn.api_visibility == "private" for fn in demo.fns.values())  # no scriptable API
    assert kwargs["run_history"] is False
    assert ctx.browser_secret() == ctx.browser_secret()  # stable across restarts: the browser's id survives
    assert (tmp_path / "app_secret").stat().st_mode & 0o077 == 0
    secured = launch_kwargs(AppContext(AppConfig(auth=("clerk", "pw")), VersionStore(tmp_path)))
    assert secured["auth"]("clerk", "pw") is True and secured["auth"]("clerk", "pq") is False


def test_cli_serve_rejects_a_malformed_login() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, ["serve", "--auth", "nopassword"])
    assert result.exit_code == 2 and "用户名:密码" in result.output


def test_stop_keeps_the_partial_text_as_an_interrupted_version(
    space: Workspace, llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(space, llm, monkeypatch)
    llm.default = {"text": INVENTED, "chunk": 2, "chunk_delay": 0.05}
    ctx = AppContext(AppConfig(), space.store)
    steps = draft_stream(ctx, space, "overview", "notes", "- 公开信息 148 条", [])
    for chat, _ in steps:
        if len(chat[-1]["content"]) >= 6:
            ctx.stop_flag(space.id).set()
            break
    rest = list(steps)
    chat, guard = rest[-1]
    assert "已停止生成" in guard and chat[-1]["content"].endswith("（已停止生成）")
    # the page never says "stopped" while the reply still looks unfinished (a browser may read in between)
    assert all(said[-1]["content"].endswith("（已停止生成）") for said, message in rest if "已停止" in message)
    version = space.store.latest(space.id, "overview")
    assert version is not None and version.status == "interrupted" and 6 <= len(version.text) < len(INVENTED)
    assert space.chat("overview")[-1]["version"] == version.id


def test_with_login_the_workspace_follows_the_user_not_the_browser(tmp_path: Path) -> None:
    ctx = AppContext(AppConfig(auth=("clerk", "pw")), VersionStore(tmp_path))
    first = ctx.space("ws-browser-one-xxxxxxxx", "clerk")
    again = ctx.space("ws-browser-two-xxxxxxxx", "clerk")
    other = ctx.space("ws-browser-one-xxxxxxxx", "reviewer")
    assert first.id == again.id != other.id and "clerk" not in first.id


def test_prepare_lets_several_clerks_work_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.app.server import prepare

    monkeypatch.delenv("GRADIO_DEFAULT_CONCURRENCY_LIMIT", raising=False)
    demo, _ = prepare(AppConfig(draft_concurrency=3))
    assert demo._queue.default_concurrency_limit == 3  # Gradio's default would be 1 per event
    # Drafting events are not held to the model's concurrency: offline drafts must not queue behind model
    # drafts (the drafter's per-endpoint gate bounds the model calls).
    limits = {fn.concurrency_limit for fn in demo.fns.values() if fn.concurrency_id == "drafting"}
    assert limits == {16} and not any(fn.concurrency_id == "llm" for fn in demo.fns.values())


def test_import_from_a_filled_workbook_and_from_a_published_text_report(space: Workspace, tmp_path: Path) -> None:
    from assistant.api import write_workbook
    from assistant.schema import set_cells

    changed = set_cells(space.report(), {"review_litigation.review.upheld": 2, "review_litigation.review.total": 2})
    workbook = write_workbook(changed, tmp_path / "stats.xlsx")
    report, message = import_file(space, str(workbook), "workbook")
    assert "Excel" in message and space.report().review_litigation.review.total == 2  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="xlsx"):
        import_file(space, str(tmp_path / "stats.csv"), "workbook")

    report, message = import_file(space, str(OWN_REPORT_TEXT), "report")  # last year's report, as published
    assert report.year == 2023 and report.agency == "淄博市工业和信息化局"


def test_cli_serve_reports_a_busy_port_in_chinese() -> None:
    import socket

    from typer.testing import CliRunner

    from assistant.cli import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2 and "端口已被占用" in result.output and f"127.0.0.1:{port}" in result.output


def test_a_hand_edit_with_control_characters_is_kept_clean_and_the_page_says_so(space: Workspace) -> None:
    from assistant.app.tab_compose import save_edit

    message, version_id = save_edit(space, "problems", "一是公开\x08方式单一。\x1b二是解读不足。")
    assert "已删除 2 个控制字符" in message
    assert space.store.get_version(version_id).text == "一是公开方式单一。二是解读不足。"
    clean, _ = save_edit(space, "problems", "一是公开方式单一。")
    assert "控制字符" not in clean


def test_report_information_with_control_characters_is_announced() -> None:
    from assistant.app.tab_reports import _cleaned

    assert _cleaned(("某某镇\x07人民政府", "township", 2025, "2021", "地址\x00")) == (
        "已删除 2 个控制字符（如退格、转义符；它们会使 Word、Excel 导出失败）。")
    assert _cleaned(("某某镇人民政府", "township", 2025)) == ""


def test_notes_edits_and_drafting_runs_are_in_the_history(space: Workspace) -> None:
    """Gap of issue 15: 操作记录 lists notes edits (one line per part and sitting, not per keystroke) and drafts."""
    ctx = AppContext(AppConfig(offline=True), space.store)
    space.save_notes("problems", "- 公开方式单一")
    space.save_notes("problems", "- 公开方式单一，解读不足")  # the autosave of the next keystrokes
    space.save_notes("problems", "- 公开方式单一，解读不足")  # a refresh echoing the same text
    list(draft_stream(ctx, space, "problems", "notes", "- 公开方式单一，解读不足", []))
    steps = [(h.action, h.detail) for h in space.review().history()]
    assert steps.count(("修改要点", "五、存在的主要问题及改进情况（一）存在问题")) == 1, steps
    assert any(action == "起草正文" and "第 1 版" in detail and "离线" in detail for action, detail in steps), steps
