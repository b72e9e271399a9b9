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

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.retries += other.retries
        self.reasks += other.reasks

    def to_data(self) -> dict[str, int]:
        return {
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
        }


@dataclass
class DraftEvent:
    """A streaming event: ``delta`` (more text), ``status`` (a Chinese message: re-ask, fallback — after a
    status the final text may differ from the deltas, so show ``result.text`` on ``done``), ``done``."""

    type: Literal["delta", "status", "done"]
    text: str = ""
    result: DraftResult | None = None
