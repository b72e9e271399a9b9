"""What parsing reports: the error for input that is not a report, and the notes on what it could not read."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AssistantError


class ParseError(AssistantError, ValueError):
    """The input is not a readable report (wrong type, garbage, no report found). The message is Chinese."""


@dataclass(frozen=True)
class ParseIssue:
    """Something the parser could not read exactly: a cell left blank, a label matched with a typo, …

    ``rule`` is the check rule the issue belongs to (X6 labels/structure, R3.5 unreadable cell, FLAT for
    concatenated digits, META for metadata); ``cell`` the cell id when it is about one cell.
    """

    rule: str
    message: str
    cell: str | None = None
    raw: str | None = None

    def __str__(self) -> str:
        where = f"[{self.cell}] " if self.cell else ""
        raw = f"（原文：“{self.raw}”）" if self.raw is not None else ""
        return f"{self.rule} {where}{self.message}{raw}"
