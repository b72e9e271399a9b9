"""The number guard: every number in a drafted part must come from the notes, the tables or the year.

Rules (findings in the check format, data-contract §2):

- **G1** (error) — an untraceable number: a number in the draft that is neither in the notes, nor a
  cell value of the report's tables, nor the report year, nor part of a fixed phrase of the allow-list
  (二十大, 三审三校, 双随机一公开 …). ``actual`` is the number, ``quote`` the sentence.
- **X2 / R4.3** (warning, format-spec §5.4) — a phrase that states a table figure (收到申请N件, 办结N件,
  予以公开N件, 被申请行政复议N起 …) with a number different from the cell: read and judged by the very
  functions of the check (``assistant.checks.narrative``, table ``assistant.schema.phrases``), so guard
  and check agree on every sentence. ``cells`` names the cells, ``expected`` is the table value.
- **X9** (warning) — 疑似沿用上年数据, when last year's report is given.
- List numbers ("1." at a line start, "（三）", "(3)") are enumerators, not figures.

``mark_unverified`` replaces each flagged number by 【待核实：原文为X】 so nothing wrong is kept silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from ..checks import Finding
from ..checks.facts import Facts
from ..checks.narrative import (
    PreviousValues,
    check_stale,
    figure_finding,
    figure_verdict,
    iter_figure_mentions,
)
from ..schema import Report, get_cell
from ..schema.labels import NARRATIVE_PARTS, NARRATIVE_SECTION
from ..schema.phrases import FIGURE_PHRASES, STALE_RULE
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
MARKED_RULES = (G1, X2, "R4.3", STALE_RULE)


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

_LIST_NUMBER = re.compile(r"(?:^|(?<=[\n。；;：:！？]))\s*[(（]?[0-9０-９]{1,2}[)）]?[.．、)）](?![0-9０-９])")
_PAREN_NUMBER = re.compile(r"[(（][0-9０-９一二三四五六七八九十]{1,3}[)）]")


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
    for phrase in FIGURE_PHRASES:
        for cells in phrase.candidates:
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


def _fmt(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral() else str(value)


def enumerator_spans(text: str) -> list[tuple[int, int]]:
    """List numbers — "1." "2、" at a line or sentence start, "（三）" "(3)" — which are not figures."""
    spans = [(m.start(), m.end()) for m in _LIST_NUMBER.finditer(text)]
    return spans + [(m.start(), m.end()) for m in _PAREN_NUMBER.finditer(text)]


def guard_text(
    part: str, text: str, notes: Notes, report: Report, previous: Report | None = None
) -> list[Finding]:
    """Findings of one drafted part: G1 (untraceable number), X2/R4.3 (a figure phrase ≠ its cells — the
    same reading and verdict as the check), X9 (疑似沿用上年数据, when last year's report is known)."""
    findings: list[Finding] = []
    allowed = traceable_values(part, notes, report)
    section = NARRATIVE_SECTION.get(part, part)
    spans = _spans(text, FIXED_PHRASES) + enumerator_spans(text)
    facts = Facts(report)
    figures: set[int] = set()  # where the numbers of figure phrases with a known cell sum start
    for phrase, mention in iter_figure_mentions(text, part):
        verdict = figure_verdict(phrase, mention.value, facts)
        if any(facts.total(c) is not None for c in phrase.candidates):
            figures.add(mention.start)
        if not verdict.ok:
            findings.append(figure_finding(part, phrase, mention, verdict, report.format))
    for sent in sentences(text):
        quote = sent.text.strip()
        for m in extract_numbers(sent.text):
            start = m.start + sent.start
            if _inside(NumberMention(start, m.end + sent.start, m.raw, m.value, m.unit, m.kind), spans):
                continue
            if start in figures:
                continue  # checked against its cells above, the same way as rule X2
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
    prev = PreviousValues.of(report, previous)
    old: dict[str, str] | None = (
        {p: getattr(previous.narrative, p) or "" for p in NARRATIVE_PARTS} if previous is not None else None
    )
    findings += check_stale(facts, prev, old, {part: text})
    return findings


def mark_unverified(text: str, findings: list[Finding]) -> str:
    """Replace each flagged number by 【待核实：原文为X】 (in its quoted sentence); other text is unchanged."""
    edits: list[tuple[int, int, str]] = []
    for f in findings:
        if f.rule not in MARKED_RULES or not f.quote or f.actual is None:
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
