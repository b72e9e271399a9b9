"""The export gate: a report whose checks find errors is not exported unless forced."""

from __future__ import annotations

from collections.abc import Sequence

from ..checks import CheckResult, Verdict, apply_verdicts, check_report
from ..errors import AssistantError
from ..schema import Report

_MAX_LISTED = 20


class ExportBlocked(AssistantError, ValueError):
    """The checks found errors; ``result`` holds them. The message lists the reasons in Chinese."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        errors = [f for f in result.findings if f.severity == "error"]
        lines = [
            f"报告校验未通过（{result.errors} 个错误），已拒绝导出。"
            "请先修正以下问题，或使用强制导出（--force，文稿将标注「校验未通过」）："
        ]
        lines += [f"  - {f.rule}：{f.message}" for f in errors[:_MAX_LISTED]]
        if len(errors) > _MAX_LISTED:
            lines.append(f"  …… 另有 {len(errors) - _MAX_LISTED} 个错误")
        super().__init__("\n".join(lines))


def gate(report: Report, force: bool, verdicts: Sequence[Verdict] | None = None) -> CheckResult | None:
    """Run the checks. Errors raise ``ExportBlocked`` unless ``force``; then the result is returned for marking.

    ``verdicts``: reviewers' decisions; an error ruled 不属于问题 (still valid for the current values) does not
    block. Returns None when there is nothing to mark.
    """
    result = check_report(report)
    if verdicts:
        result = apply_verdicts(result, report, verdicts).result
    if result.ok:
        return None
    if not force:
        raise ExportBlocked(result)
    return result
