"""What drafting returns: per-part results, streaming events and usage counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..checks import Finding

Backend = Literal["offline", "llm", "offline-fallback"]
BACKEND_LABELS: dict[str, str] = {
    "offline": "离线起草",
    "llm": "模型起草",
    "offline-fallback": "模型失败后改用离线起草",
    "manual": "人工修改",
}


@dataclass
class Usage:
    """Model usage of one part: HTTP calls (incl. retries and re-asks), tokens, transport retries, guard re-asks."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    reasks: int = 0
    estimated: bool = False  # the server reported no token counts; they are estimated from the text

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.retries += other.retries
        self.reasks += other.reasks
        self.estimated = self.estimated or other.estimated

    def to_data(self) -> dict[str, int | bool]:
        return {
            "estimated": self.estimated,
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "retries": self.retries,
            "reasks": self.reasks,
        }


@dataclass
class DraftResult:
    """One drafted part. ``findings`` are the guard's unresolved findings (their numbers are marked
    【待核实：原文为X】 in ``text``); ``notice`` is the Chinese announcement to show (fallback, re-asks)."""

    part: str
    text: str
    backend: Backend
    findings: list[Finding] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    fallback_reason: str | None = None
    notice: str | None = None
    interrupted: bool = False  # stopped by the clerk: ``text`` is what was written until then

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_data(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "text": self.text,
            "backend": self.backend,
            "findings": [f.to_data() for f in self.findings],
            "usage": self.usage.to_data(),
            "fallback_reason": self.fallback_reason,
            "notice": self.notice,
            "interrupted": self.interrupted,
        }


@dataclass
class DraftEvent:
    """A streaming event: ``delta`` (more text), ``status`` (a Chinese message: re-ask, fallback — after a
    status the final text may differ from the deltas, so show ``result.text`` on ``done``), ``done``."""

    type: Literal["delta", "status", "done"]
    text: str = ""
    result: DraftResult | None = None


EXIT_OK = 0
EXIT_UNVERIFIED = 1
EXIT_FELL_BACK = 3


def exit_status(results: dict[str, DraftResult] | list[DraftResult]) -> tuple[int, str | None]:
    """The exit code of a drafting run and what to say: 3 when a part fell back to the offline drafter
    (the model failed), else 1 when numbers are left 【待核实】, else 0. Shells map it, nothing more."""
    items = list(results.values()) if isinstance(results, dict) else list(results)
    fell = [r.part for r in items if r.backend == "offline-fallback"]
    if fell:
        from .notes import part_label

        names = "、".join(part_label(p) for p in fell)
        return EXIT_FELL_BACK, f"模型起草失败，以下部分改用了离线起草：{names}（退出码 {EXIT_FELL_BACK}）。"
    unresolved = sum(len(r.findings) for r in items)
    if unresolved:
        return EXIT_UNVERIFIED, f"共有 {unresolved} 处数字待核实，已在正文中标注【待核实】。"
    return EXIT_OK, None
