"""Findings: the records every check returns (data-contract §2), and their collection."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning"]
Status = Literal["fail", "not_assessable", "uncertain"]
Decision = Literal["confirmed", "dismissed", "fixed"]

DECISION_LABELS: dict[str, str] = {"confirmed": "确认需修改", "dismissed": "不属于问题", "fixed": "已修改"}


class FindingVerdict(BaseModel):
    """A reviewer's verdict carried on a finding (``checks.verdicts``; optional key ``verdict`` in §2 output)."""

    model_config = ConfigDict(frozen=True)

    decision: Decision
    label: str
    reason: str | None = None
    by: str
    at: str


class Finding(BaseModel):
    """One problem found in a report.

    ``status`` says whether the rule failed, could not be evaluated (a blank operand) or is uncertain
    (narrative wording that may mean something else). Only failed hard rules are errors.
    """

    model_config = ConfigDict(frozen=True)  # shared between memoised check runs: never mutated

    rule: str
    severity: Severity
    cells: list[str] = []  # pydantic copies it per instance; a factory would cost a signature parse
    message: str
    expected: int | Decimal | str | None = None
    actual: int | Decimal | str | None = None
    status: Status = "fail"
    section: str | None = None
    quote: str | None = None
    formula: str | None = None
    verdict: FindingVerdict | None = None

    def plain_message(self, version: str) -> str:
        """The message with each ``id（label）`` (and bare id) shown as the printed label only (for clerks)."""
        from ..schema.labels import CELLS, describe

        text = self.message
        for cid in self.cells:
            spec = CELLS[version].get(cid)  # type: ignore[index]
            if spec is not None:
                text = text.replace(describe(cid, version), spec.full_label).replace(cid, spec.full_label)  # type: ignore[arg-type]
        return text

    @property
    def dismissed(self) -> bool:
        """A reviewer ruled it 不属于问题: it no longer counts as an error or blocks export."""
        return self.verdict is not None and self.verdict.decision == "dismissed"

    def to_data(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        for key in ("expected", "actual"):
            value = getattr(self, key)
            if isinstance(value, Decimal):
                data[key] = float(value) if value != value.to_integral() else int(value)
        return data


@dataclass
class CheckResult:
    """All findings for one report, with the counts the CLI and app show.

    A plain dataclass: the findings are already validated, and the app builds one on every cell edit.
    """

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Errors still open: a finding dismissed by a reviewer (不属于问题) is not counted."""
        return sum(1 for f in self.findings if f.severity == "error" and not f.dismissed)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning" and not f.dismissed)

    @property
    def dismissed(self) -> int:
        return sum(1 for f in self.findings if f.dismissed)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def cells_flagged(self) -> set[str]:
        return {c for f in self.findings for c in f.cells}

    def to_data(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "dismissed": self.dismissed,
            "findings": [f.to_data() for f in self.findings],
        }

    def to_json(self) -> str:
        import json  # only `--json` output needs it

        return json.dumps(self.to_data(), ensure_ascii=False, indent=2)

    def summary(self) -> str:
        if not self.findings:
            return "检查通过：未发现问题。"
        head = "检查通过" if self.ok else "检查未通过"
        tail = f"，另有 {self.dismissed} 项经裁定不属于问题" if self.dismissed else ""
        return f"{head}：{self.errors} 个错误，{self.warnings} 个警告{tail}。"
