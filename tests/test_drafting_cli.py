"""`xxgk draft`: offline on the sample notes, -o documents, exit codes, a model server, fallback, secrecy."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from fake_openai_server import FakeOpenAIServer
from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting import VersionStore, parse_notes
from assistant.drafting.offline import drop_restated, formal
from assistant.schema import load_report_file

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "assistant" / "samples" / "sample_notes.md"
REPORT = ROOT / "assistant" / "samples" / "sample_report.yaml"
SECRET = "sk-test-SECRET-cli-55"
PROBLEMS_OK = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，多渠道解读能力有待完善。三是业务工作水平有待提升。"

runner = CliRunner()


@pytest.fixture
def model_env(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    server.reset()
    monkeypatch.setenv("XXGK_LLM_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("XXGK_LLM_MODEL", "fake-qwen")
    monkeypatch.setenv("XXGK_LLM_TIMEOUT", "3")
    monkeypatch.setenv("XXGK_LLM_FIRST_TOKEN_TIMEOUT", "3")
    monkeypatch.setenv("XXGK_LLM_RETRIES", "1")
    return server


def test_offline_draft_of_the_sample_has_every_fact(_user_dir: Path) -> None:
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("【一、总体情况】", "【五、存在的主要问题及改进情况（一）存在问题】",
                    "【五、存在的主要问题及改进情况（二）改进情况】", "【六、其他需要报告的事项】"):
        assert heading in out
    notes = parse_notes(NOTES.read_text(encoding="utf-8"))
    doc = load_report_file(REPORT)
    for part, bullets in notes.bullets.items():
        for bullet in bullets:
            body = (drop_restated([bullet], doc) or [""])[0] if part == "overview" else formal(bullet)
            body = body.split("：", 1)[1] if part == "other_matters" and "：" in body[:24] else body
            assert body in out, bullet
    assert "离线起草（未配置模型）" in result.stderr
    store = VersionStore(_user_dir / "drafts.sqlite3")
    assert [len(store.list_versions("default", p)) for p in ("overview", "problems", "improvements", "other_matters")] \
        == [1, 1, 1, 1]
    assert store.load_notes("default", "all") == NOTES.read_text(encoding="utf-8")


def test_output_document_gets_the_parts(tmp_path: Path) -> None:
    out = tmp_path / "draft.json"
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--section", "problems", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["narrative"]["problems"].startswith("一是公开方式单一化、陈旧化")
    original = yaml.safe_load(REPORT.read_text(encoding="utf-8"))
    assert data["narrative"]["overview"] == original["narrative"]["overview"]  # other parts untouched
    assert data["applications"]["new_requests"]["total"] == 3
    assert result.stdout == ""


def test_yaml_output_with_all_parts(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--offline", "-o", str(out)])
    assert result.exit_code == 0, result.output
    narrative = yaml.safe_load(out.read_text(encoding="utf-8"))["narrative"]
    assert narrative["other_matters"].startswith("（一）依申请公开信息处理费收费情况。")
    assert "离线起草（已指定 --offline）" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "summary"], "--section 的值“summary”无效"),
        (["--report", "missing.yaml"], "找不到文件"),
        (["-o", "out.docx"], "应以 .json、.yaml 或 .yml 结尾"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["draft", str(NOTES), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_notes_exit_2_naming_the_heading(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# 总体情况\n- 甲\n# 工作亮点\n- 乙\n", encoding="utf-8")
    result = runner.invoke(app, ["draft", str(notes)])
    assert result.exit_code == 2 and "工作亮点" in result.stderr and "其他需要报告的事项" in result.stderr


def test_bad_report_exit_2_naming_the_cell(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2022\nagency: 某局\napplications:\n  new_requests: {total: -1}\n", encoding="utf-8")
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(bad)])
    assert result.exit_code == 2 and "applications.new_requests.total" in result.stderr


def test_without_report_says_so_and_uses_last_year() -> None:
    result = runner.invoke(app, ["draft", str(NOTES), "--section", "problems"])
    assert result.exit_code == 0 and "未指定 --report" in result.stderr


def test_model_draft_with_planted_number_is_fixed_by_one_reask(model_env: FakeOpenAIServer, _user_dir: Path) -> None:
    invented = PROBLEMS_OK.replace("多渠道解读能力", "全年仅开展解读37次，多渠道解读能力")
    model_env.push({"text": invented}, {"text": PROBLEMS_OK})
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--section", "problems"])
    assert result.exit_code == 0, result.output
    assert "模型 fake-qwen" in result.stderr and "经 1 次重写" in result.stderr
    assert result.stdout.rstrip().endswith(PROBLEMS_OK)
    assert "37" in [m["content"] for m in model_env.chat_requests()[1]["messages"]][-1]
    everything = result.stdout + result.stderr
    assert SECRET not in everything
    assert SECRET.encode() not in (_user_dir / "drafts.sqlite3").read_bytes()


def test_unresolved_number_exits_1(model_env: FakeOpenAIServer) -> None:
    invented = PROBLEMS_OK.replace("多渠道解读能力", "全年仅开展解读37次，多渠道解读能力")
    model_env.default = {"text": invented}
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--section", "problems"])
    assert result.exit_code == 1
    assert "【待核实：原文为37】" in result.stdout and "待核实（G1）" in result.stderr


def test_failing_server_still_drafts_and_announces_the_fallback(model_env: FakeOpenAIServer) -> None:
    model_env.default = {"status": 500}
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT)])
    assert result.exit_code == 3, result.output  # a part fell back: said, and a distinct exit code
    assert result.stderr.count("已改用离线起草") >= 4
    assert "一是公开方式单一化、陈旧化" in result.stdout and "（一）依申请公开信息处理费收费情况" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_streaming_all_parts_drafts_the_others_concurrently(model_env: FakeOpenAIServer) -> None:
    model_env.default = {"delay": 0.6, "text": PROBLEMS_OK}
    started = time.monotonic()
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT)])
    elapsed = time.monotonic() - started
    assert result.exit_code in (0, 1), result.output  # the canned reply may not suit every part
    assert len(model_env.chat_requests()) >= 4
    assert elapsed < 2.0, elapsed  # four 0.6 s replies one after another would take 2.4 s
    out = result.stdout
    positions = [out.index(h) for h in ("【一、总体情况】", "（一）存在问题】", "（二）改进情况】", "【六、其他需要报告的事项】")]
    assert positions == sorted(positions)


def test_instruction_redrafts_from_the_latest_version(model_env: FakeOpenAIServer) -> None:
    assert runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--section", "problems",
                               "--offline"]).exit_code == 0
    model_env.push({"text": PROBLEMS_OK})
    result = runner.invoke(app, ["draft", str(NOTES), "--section", "problems", "--instruction", "更简洁"])
    assert result.exit_code == 0, result.output
    user = model_env.chat_requests()[0]["messages"][-1]["content"]
    assert "更简洁" in user and "此前的稿件" in user and "一是公开方式单一化、陈旧化，以文字形式为主；" in user
    assert "使用上次起草时保存的报告文档" in result.stderr


def test_python_api_draft_notes() -> None:
    from assistant import api
    from assistant.drafting import NotesError, PartError

    results = api.draft_notes(NOTES.read_text(encoding="utf-8"), REPORT, parts=["problems", "other_matters"])
    assert list(results) == ["problems", "other_matters"]
    assert results["problems"].backend == "offline" and results["problems"].text.startswith("一是公开方式单一化")
    assert "（一）依申请公开信息处理费收费情况" in results["other_matters"].text
    with pytest.raises(PartError, match="未知的正文部分“summary”"):
        api.draft_notes("# 存在问题\n- 甲\n", parts=["summary"])
    with pytest.raises(NotesError, match="亮点"):
        api.draft_notes("# 亮点\n- 甲\n")


def test_a_part_that_fell_back_exits_3_and_says_so(model_env: FakeOpenAIServer) -> None:
    """Every part fell back and the command still exited 0 (issue 14.6 e): now a distinct code and a message."""
    model_env.default = {"status": 500}
    result = runner.invoke(app, ["draft", str(NOTES), "--report", str(REPORT), "--section", "problems"])
    assert result.exit_code == 3, result.output
    assert "改用了离线起草" in result.stderr and "退出码 3" in result.stderr
