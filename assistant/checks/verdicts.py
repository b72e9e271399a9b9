"""Verdicts on findings: a reviewer's decision that survives re-checks while the values it judged stay the same.

A verdict is anchored to a finding by its rule and where it points (the cells, or the section and quoted
sentence of a prose finding) and fingerprinted by the values involved (the cells' values, the finding's
expected and actual figures, the quoted text). A re-check that finds the same anchor with the same fingerprint
carries the verdict onto the new finding; when the values changed, the verdict is dropped and reported as
stale, so nobody's decision silently covers a different problem. A dismissed (不属于问题) finding does not count
as an error: it no longer blocks export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import AssistantError
from ..schema import get_cell
from .findings import DECISION_LABELS, CheckResult, Decision, Finding, FindingVerdict

if TYPE_CHECKING:
    from ..schema import Report

STALE_MARK = "【裁定已失效】"  # starts every note of a dropped verdict (the page lists these notes)


class VerdictError(AssistantError, ValueError):
    """A verdict that cannot be recorded or a verdicts file that cannot be read (message in Chinese)."""


class Verdict(BaseModel):
    """One decision on one finding, with who made it and when."""

    # defer_build: the validator is built when a verdict is first made or read, not at every `xxgk check`.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    anchor: str = Field(description="规则与位置的指纹（规则 + 单元格，或规则 + 部分 + 引文）")
    fingerprint: str = Field(description="所涉数值的指纹；数值改变后裁定失效")
    rule: str
    cells: list[str] = []  # pydantic copies it per instance; a factory would cost a signature parse
    decision: Decision
    reason: str | None = None
    by: str
    at: str = Field(description="ISO 8601 时间（UTC）")
    agency: str | None = None
    year: int | None = None
    summary: str | None = Field(default=None, description="裁定时的问题说明，便于阅读")

    @field_validator("reason")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def label(self) -> str:
        return DECISION_LABELS[self.decision]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value else str(value)
    return value


def anchor_of(finding: Finding) -> str:
    """Where the finding points: its rule and cells, or (prose) its section and quoted sentence."""
    where: list[Any] = sorted(finding.cells) if finding.cells else [finding.section, finding.quote]
    return _digest(["anchor", finding.rule, where])


def fingerprint_of(finding: Finding, report: Report) -> str:
    """The values a verdict judged: the cells' current values, the finding's figures and its quote."""
    values = {c: _plain(get_cell(report, c)) for c in sorted(finding.cells)}
    return _digest(["values", values, _plain(finding.expected), _plain(finding.actual), finding.quote])


def _digest(parts: Sequence[Any]) -> str:
    import json  # loaded only once a verdict is involved: a plain `xxgk check` never needs it

    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def decide(
    finding: Finding, report: Report, decision: Decision, by: str, reason: str | None = None,
    at: datetime | None = None,
) -> Verdict:
    """A verdict on ``finding`` as it stands in ``report``. 不属于问题 needs a reason; so does a name."""
    if decision not in DECISION_LABELS:
        raise VerdictError(f"裁定“{decision}”无效；可选：{'、'.join(f'{k}（{v}）' for k, v in DECISION_LABELS.items())}。")
    if not (by or "").strip():
        raise VerdictError("请填写裁定人。")
    if decision == "dismissed" and not (reason or "").strip():
        raise VerdictError("标记为“不属于问题”时必须写明理由（例如：本年度无此类申请）。")
    moment = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return Verdict(
        anchor=anchor_of(finding), fingerprint=fingerprint_of(finding, report), rule=finding.rule,
        cells=list(finding.cells), decision=decision, reason=reason, by=by.strip(), at=moment,
        agency=report.agency, year=report.year, summary=finding.plain_message(report.format)[:200],
    )


@dataclass
class VerdictOutcome:
    """The check result with verdicts carried onto its findings, and the verdicts that no longer apply."""

    result: CheckResult
    applied: list[Verdict] = field(default_factory=list)
    stale: list[Verdict] = field(default_factory=list)  # same place, values changed: dropped, to be said
    unmatched: list[Verdict] = field(default_factory=list)  # the finding is gone (fixed, or the rule holds now)

    def stale_notes(self) -> list[str]:
        from ..timefmt import local_time, zone_name

        # Named by the problem as it read when decided (a clerk never sees rule ids), timed in the clerk's zone.
        return [
            f"{STALE_MARK}对“{(v.summary or v.rule)[:60]}”的裁定“{v.label()}”（{v.by}，"
            f"{local_time(v.at, '%Y-%m-%d %H:%M')}，{zone_name()}）已失效：所涉数值已变化，请重新核对。"
            for v in self.stale
        ]


def applies_to(verdict: Verdict, report: Report) -> bool:
    """A verdict recorded for another body's or year's report never applies (audit batches hold many)."""
    if verdict.agency is not None and verdict.agency != report.agency:
        return False
    return verdict.year is None or verdict.year == report.year


def apply_verdicts(result: CheckResult, report: Report, verdicts: Iterable[Verdict]) -> VerdictOutcome:
    """Carry each still-valid verdict onto its finding; the latest verdict on one anchor wins."""
    latest: dict[str, Verdict] = {}
    for recorded in sorted((v for v in verdicts if applies_to(v, report)), key=lambda v: v.at):
        latest[recorded.anchor] = recorded
    outcome = VerdictOutcome(CheckResult(notes=list(result.notes)))
    if not latest:  # nothing to carry: no anchor to compute
        outcome.result.findings.extend(result.findings)
        return outcome
    matched: set[str] = set()
    for finding in result.findings:
        verdict = latest.get(anchor_of(finding))
        if verdict is None:
            outcome.result.findings.append(finding)
            continue
        matched.add(verdict.anchor)
        if verdict.fingerprint != fingerprint_of(finding, report):
            outcome.stale.append(verdict)
            outcome.result.findings.append(finding)
            continue
        outcome.applied.append(verdict)
        carried = FindingVerdict(
            decision=verdict.decision, label=verdict.label(), reason=verdict.reason, by=verdict.by, at=verdict.at,
        )
        outcome.result.findings.append(finding.model_copy(update={"verdict": carried}))
    outcome.unmatched = [v for a, v in latest.items() if a not in matched]
    outcome.result.notes.extend(outcome.stale_notes())
    return outcome


# ---------------------------------------------------------------- verdict files (CLI, audit)


def read_verdicts(path: str | Path) -> list[Verdict]:
    """A verdicts file (JSON or YAML list, as written by ``write_verdicts``); a missing file holds none."""
    from ..schema import read_data_file

    p = Path(path)
    if not p.exists():
        return []
    try:
        data = read_data_file(p)
    except Exception as exc:  # any reader failure: the file is not a verdicts file
        raise VerdictError(f"裁定文件 {p.name} 无法读取：应为 JSON 或 YAML 格式的裁定列表。") from exc
    items = data.get("verdicts") if isinstance(data, dict) else data
    if items is None:
        return []
    if not isinstance(items, list):
        raise VerdictError(f"裁定文件 {p.name} 应为裁定记录的列表。")
    verdicts: list[Verdict] = []
    for n, item in enumerate(items, 1):
        try:
            verdicts.append(Verdict.model_validate(item))
        except ValidationError as exc:
            fields = "、".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
            raise VerdictError(f"裁定文件 {p.name} 第 {n} 条记录无效（字段：{fields or '格式'}）。") from exc
    return verdicts


def write_verdicts(path: str | Path, verdicts: Iterable[Verdict]) -> Path:
    """Write the verdicts (YAML, or JSON by extension) through the one atomic write seam (``assistant.fsio``)."""
    import json

    import yaml

    from ..fsio import atomic_write_text

    p = Path(path)
    data = {"verdicts": [v.model_dump(exclude_none=True) for v in verdicts]}
    text = (
        json.dumps(data, ensure_ascii=False, indent=2)
        if p.suffix.lower() == ".json"
        else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    atomic_write_text(p, text)
    return p
