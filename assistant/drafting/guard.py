"""The number guard: every number in a drafted part must come from the notes, the tables or the year.

Rules (findings in the check format, data-contract §2):

- **G1** (error) — an untraceable number: a number in the draft that is neither in the notes, nor a
  cell value of the report's tables, nor the report year, nor part of a fixed phrase of the allow-list
  (二十大, 三审三校, 双随机一公开 …). ``actual`` is the number, ``quote`` the sentence.
- **X2** (warning, format-spec §5.4) — a phrase that states a table figure (收到申请N件, 办结N件,
  予以公开N件, 行政复议N件 …) with a number different from the cell. ``cells`` names the cells,
  ``expected`` is the table value, ``actual`` the stated one.

``mark_unverified`` replaces each flagged number by 【待核实：原文为X】 so nothing wrong is kept silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..checks import Finding
from ..schema import Report, get_cell
from ..schema.labels import NARRATIVE_SECTION, describe
from ..textnum import NumberMention, extract_numbers, sentences
from .notes import Notes

# Set phrases whose numerals are names, not quantities. Curated; each entry is tested.
FIXED_PHRASES: tuple[str, ...] = (
    "国办公开办函〔2021〕30号",
    "国办公开办函〔2019〕60号",
    "国办函〔2020〕109号",
    "十八大",
    "十九大",
    "二十大",
    "十八届",
    "十九届",
    "二十届",
    "一中全会",
    "二中全会",
    "三中全会",
    "四中全会",
    "五中全会",
    "六中全会",
    "七中全会",
    "十三五",
    "十四五",
    "十五五",
    "三审三校",
    "双随机一公开",
    "一网通办",
    "一网统管",
    "一件事一次办",
    "高效办成一件事",
    "一次办好",
    "最多跑一次",
    "一窗受理",
    "一站式",
    "三安全一稳定",
    "三类内部事务信息",
    "四类过程性信息",
    "第二十条",
    "第四十九条",
    "第五十条",
    "第四十七条",
    "五公开",
    "12345",
    "三会一课",
    "两个确立",
    "两个维护",
    "四个意识",
    "四个自信",
    "1月1日",
    "12月31日",
)
MARK_RE = re.compile(r"【待核实[^】]*】")

G1 = "G1"
X2 = "X2"


@dataclass(frozen=True)
class _TableFigure:
    keywords: tuple[str, ...]
    needs: tuple[str, ...]  # at least one of these words in the clause ("" = none needed)
    cells: tuple[str, ...]  # the cell ids whose sum is the figure
    alt_cells: tuple[str, ...] = ()  # an accepted alternative reading (new + carried over)


# Order matters: the first keyword found in the clause before "N件" decides which cell is meant.
TABLE_FIGURES: tuple[_TableFigure, ...] = (
    _TableFigure(("行政复议",), ("",), ("review_litigation.review.total",)),
    _TableFigure(
        ("行政诉讼",),
        ("",),
        ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"),
    ),
    _TableFigure(("结转下年", "结转至下", "结转到下"), ("",), ("applications.carried_forward.total",)),
    _TableFigure(("上年结转",), ("",), ("applications.carried_over.total",)),
    _TableFigure(("部分公开",), ("",), ("applications.partially_granted.total",)),
    _TableFigure(("予以公开",), ("申请",), ("applications.granted.total",)),
    _TableFigure(("现行有效",), ("规范性文件",), ("active_disclosure.art20_1.normative_documents.in_force",)),
    _TableFigure(("制发", "出台", "印发"), ("规范性文件",), ("active_disclosure.art20_1.normative_documents.issued",)),
    _TableFigure(
        ("收到", "受理", "新收"),
        ("申请",),
        ("applications.new_requests.total",),
        ("applications.new_requests.total", "applications.carried_over.total"),
    ),
    _TableFigure(("办结", "答复", "办理完毕"), ("申请",), ("applications.total_processed.total",)),
)
# Subtotals a draft may state although the table prints no such row (不予公开 N 件 = the eight leaves).
SUBTOTALS: dict[str, tuple[str, ...]] = {
    prefix: tuple(f"applications.{row}.total" for row in rows)
    for prefix, rows in {
        "denied": (
            "denied_state_secret",
            "denied_law_prohibited",
            "denied_security_stability",
            "denied_third_party",
            "denied_internal_affairs",
            "denied_process_info",
            "denied_enforcement_file",
            "denied_admin_query",
        ),
        "unavailable": ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"),
        "rejected": (
            "rejected_petition_complaint",
            "rejected_duplicate",
            "rejected_publication",
            "rejected_excessive",
            "rejected_confirm_reissue",
        ),
        "other": ("other_no_correction", "other_fee_unpaid", "other_misc"),
    }.items()
}
SUBTOTALS["other_2019"] = ("applications.other_total_2019.total",)
SUBTOTALS["litigation"] = (
    "review_litigation.litigation_direct.total",
    "review_litigation.litigation_after_review.total",
)

# Clauses about these are not the disclosure-application table even when they say 收到/办结.
_NOT_APPLICATIONS = ("建议", "提案", "信访", "来信", "咨询", "留言", "热线", "投诉")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！？]")


def _spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in MARK_RE.finditer(text)]
    for phrase in phrases:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]
    return spans


def _inside(m: NumberMention, spans: list[tuple[int, int]]) -> bool:
    return any(s <= m.start and m.end <= e for s, e in spans)


# Notes a part may draw on besides its own (improvements answer the problems).
RELATED_NOTES: dict[str, tuple[str, ...]] = {"improvements": ("problems",)}


def traceable_values(part: str, notes: Notes, report: Report) -> set[Decimal]:
    """Every value a part may state: numbers of its notes, the table cells (and X2 sums), the year.

    Only the part's own notes count, so a figure of 其他事项 cannot wander into 存在问题 unnoticed.
    """
    sources = [notes.text(p) for p in (part, *RELATED_NOTES.get(part, ()))]
    values = set(_note_values("\n".join(sources)))
    values |= _cell_values(report.model_dump(include=set(TABLES)))
    for fig in TABLE_FIGURES:
        for cells in (fig.cells, fig.alt_cells):
            total = _sum(report, cells)
            if total is not None:
                values.add(total)
    for cells in SUBTOTALS.values():
        total = _sum(report, cells)
        if total is not None:
            values.add(total)
    values.add(Decimal(report.year))
    return values


TABLES = ("active_disclosure", "applications", "review_litigation")


@lru_cache(maxsize=256)
def _note_values(text: str) -> frozenset[Decimal]:
    return frozenset(m.value for m in extract_numbers(text))


def _cell_values(node: object) -> set[Decimal]:
    """Every number in the dumped tables (walking plain dicts is faster than addressing each cell)."""
    raw: set[object] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            stack.extend(item.values())
        else:
            raw.add(item)
    return {Decimal(v) for v in raw if type(v) is int or type(v) is Decimal}


def _sum(report: Report, cells: tuple[str, ...]) -> Decimal | None:
    if not cells:
        return None
    vals = [get_cell(report, c) for c in cells]
    if any(v is None for v in vals):
        return None
    return sum((Decimal(v) for v in vals if v is not None), Decimal(0))


def _table_figure(clause: str) -> _TableFigure | None:
    if any(w in clause for w in _NOT_APPLICATIONS):
        return None
    for fig in TABLE_FIGURES:
        if any(k in clause for k in fig.keywords) and any(n in clause for n in fig.needs):
            return fig
    return None


def _fmt(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral() else str(value)


def guard_text(part: str, text: str, notes: Notes, report: Report) -> list[Finding]:
    """Findings G1 (untraceable number) and X2 (table figure ≠ cell) for one drafted part."""
    findings: list[Finding] = []
    allowed = traceable_values(part, notes, report)
    section = NARRATIVE_SECTION.get(part, part)
    spans = _spans(text, FIXED_PHRASES)
    for sent in sentences(text):
        quote = sent.text.strip()
        for m in extract_numbers(sent.text):
            if _inside(NumberMention(m.start + sent.start, m.end + sent.start, m.raw, m.value, m.unit, m.kind), spans):
                continue
            before = _CLAUSE_BREAK.split(sent.text[max(0, m.start - 30) : m.start])[-1]
            fig = _table_figure(before) if m.unit == "件" else None
            if fig is not None:
                expected = _sum(report, fig.cells)
                alternative = _sum(report, fig.alt_cells)
                if expected is not None and m.value not in (expected, alternative):
                    cells = list(dict.fromkeys(fig.cells + fig.alt_cells))
                    where = "、".join(describe(c, report.format) for c in fig.cells)
                    findings.append(
                        Finding(
                            rule=X2,
                            severity="warning",
                            cells=cells,
                            section=section,
                            quote=quote,
                            expected=int(expected) if expected == expected.to_integral() else expected,
                            actual=int(m.value) if m.value == m.value.to_integral() else m.value,
                            message=f"“{quote}”中写的是 {m.raw} 件，但表格 {where} 为 {_fmt(expected)} 件，"
                            "两者应一致。",
                        )
                    )
                    continue
                if expected is not None:
                    continue
            if m.value not in allowed:
                findings.append(
                    Finding(
                        rule=G1,
                        severity="error",
                        cells=[],
                        section=section,
                        quote=quote,
                        actual=int(m.value) if m.value == m.value.to_integral() else m.value,
                        message=f"“{quote}”中的数字 {m.raw} 在要点和表格中都找不到出处，不得编造，请核实。",
                    )
                )
    return findings


def mark_unverified(text: str, findings: list[Finding]) -> str:
    """Replace each flagged number by 【待核实：原文为X】 (in its quoted sentence); other text is unchanged."""
    edits: list[tuple[int, int, str]] = []
    for f in findings:
        if f.rule not in (G1, X2) or not f.quote or f.actual is None:
            continue
        pos = text.find(f.quote)
        while pos >= 0:
            target = Decimal(str(f.actual))
            spans = _spans(text, FIXED_PHRASES)
            hit = next(
                (
                    m
                    for m in extract_numbers(f.quote)
                    if m.value == target
                    and not _inside(NumberMention(pos + m.start, pos + m.end, m.raw, m.value, m.unit, m.kind), spans)
                    and not any(s == pos + m.start for s, _, _ in edits)
                ),
                None,
            )
            if hit is not None:
                edits.append((pos + hit.start, pos + hit.end, f"【待核实：原文为{hit.raw}】"))
                break
            pos = text.find(f.quote, pos + 1)
    for start, end, repl in sorted(edits, reverse=True):
        text = text[:start] + repl + text[end:]
    return text
