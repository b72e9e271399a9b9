"""The export gate blocks on check errors only, with the reasons in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import api
from assistant.checks import CheckResult, Finding
from assistant.render import ExportBlocked, export_report
from assistant.render.gate import gate


def test_gate_uses_the_checks(sample_report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever rule fails, the gate blocks on severity error only."""
    warning = Finding(rule="S5.1", severity="warning", message="仅警告")
    error = Finding(rule="X9", severity="error", message="测试用错误")
    monkeypatch.setattr("assistant.render.gate.check_report", lambda report: CheckResult(findings=[warning]))
    assert export_report(sample_report, tmp_path / "ok.md").exists()
    monkeypatch.setattr("assistant.render.gate.check_report", lambda report: CheckResult(findings=[warning, error]))
    with pytest.raises(ExportBlocked, match="X9：测试用错误"):
        api.render_html(sample_report)


def test_gate_returns_the_result_to_mark_only_when_forced(sample_data, sample_report) -> None:
    sample_data["review_litigation"]["review"]["total"] = 5  # R4.1 fails
    report = api.load_report(sample_data)
    with pytest.raises(ExportBlocked) as exc:
        gate(report, force=False)
    assert exc.value.result.errors == len([f for f in exc.value.result.findings if f.severity == "error"]) >= 1
    assert any("review_litigation.review.total" in f.cells for f in exc.value.result.findings)
    assert "--force" in str(exc.value)
    forced = gate(report, force=True)
    assert forced is not None and not forced.ok
    assert gate(sample_report, force=False) is None
