"""Prose against tables and against itself: X2, R3.6, R3.7, R4.3, P1, X4, X5 and the section rules S*.

Narrative wording is loose, so these are warnings, and a phrase is compared only when its meaning is
clear (lessons.md: 收到 vs 收到+结转, 办结 vs 办理结果, 备案 ≠ 行政复议).

Documented rule ids added to format-spec §5 (data-contract §2 allows new ids):
- P1  in-prose arithmetic: “共…N件，其中…A件、…B件” must add up (parts > total is an error).
- S1.1 一、总体情况 lacks one of the five official sub-topics; S1.2 a government report lacks 考核/评议/责任追究.
- S5.1 五 never refers back to the previous year (spec §1(五), unconfirmed expectation → uncertain).
- S6.1 六 does not mention 信息处理费; S6.2 六 is empty or only “无”.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ..schema import cell_spec
from ..schema.labels import NARRATIVE_PARTS, NARRATIVE_SECTION
from ..schema.phrases import (
    CARRIED_FORWARD,
    FIGURE_PHRASES,
    NEW,
    STALE_LABEL,
    STALE_RULE,
    FigurePhrase,
    phrase_cells,
)
from ..textnum import NUMBER, extract_numbers, normalize, sentences, to_int
from .facts import Facts
from .findings import Finding

if TYPE_CHECKING:
    from ..schema import Report

_CLAUSE = re.compile(r"[^，,。；;！？\n]+")


class Mention(NamedTuple):
    """One figure stated in prose: the sentence and clause, the number (``start``/``end`` offsets of it in
    the scanned text) and ``raw``, the phrase from keyword to unit."""

    part: str
    sentence: str
    clause: str
    value: int
    raw: str
    start: int = 0
    end: int = 0


_NUM_WITH_UNIT = re.compile(f"(?P<num>{NUMBER})\\s*(?P<unit>件|起|宗)")
_GAP_MAX = 24  # characters between a keyword and its number ("收到政府信息公开申请" …)

# One pass finds which phrases a clause may hold: most sentences state no table figure.
_BY_KEYWORD: dict[str, list[FigurePhrase]] = {}
for _phrase in FIGURE_PHRASES:
    for _kw in _phrase.keywords.split("|"):
        _BY_KEYWORD.setdefault(_kw, []).append(_phrase)
_ANY_KEYWORD = re.compile("|".join(sorted(_BY_KEYWORD, key=len, reverse=True)))
_UNIT_RE = {p: re.compile(f"^(?:{p.unit})$") for p in FIGURE_PHRASES}

# Every cell the prose rules compare with: the memo key of the runner includes their values.
CELLS_READ: frozenset[str] = frozenset(
    phrase_cells()
    | {"applications.new_requests.total", "applications.carried_over.total", "applications.other_fee_unpaid.total"}
)


def clear_caches() -> None:
    _figure_mentions.cache_clear()
    sentences.cache_clear()


def iter_figure_mentions(text: str, part: str = "overview") -> Iterator[tuple[FigurePhrase, Mention]]:
    """Every phrase in ``text`` that states a table figure, with the number it states.

    The one reading of figure phrases: rule X2/R4.3 and the drafting guard both use it.
    """
    yield from _figure_mentions(text, part)


@lru_cache(maxsize=256)
def _figure_mentions(text: str, part: str) -> tuple[tuple[FigurePhrase, Mention], ...]:
    # Cached by text: the narrative rarely changes while a clerk edits the tables.
    return tuple(_scan_figures(text, part))


def _scan_figures(text: str, part: str) -> Iterator[tuple[FigurePhrase, Mention]]:
    text = normalize(text)
    if not _ANY_KEYWORD.search(text):
        return
    for sent in sentences(text):
        if not _ANY_KEYWORD.search(sent.text):
            continue
        for clause_m in _CLAUSE.finditer(sent.text):
            clause = clause_m.group(0)
            keywords = list(_ANY_KEYWORD.finditer(clause))
            if not keywords:
                continue
            for num in _NUM_WITH_UNIT.finditer(clause):
                # The number belongs to the nearest keyword before it, with no other number in between.
                before = [k for k in keywords if k.end() <= num.start()]
                if not before:
                    continue
                kw = before[-1]
                gap = clause[kw.end() : num.start()]
                if len(gap) > _GAP_MAX or re.search(r"\d", gap) or _NUM_WITH_UNIT.search(gap):
                    continue
                phrase = _phrase_for(kw.group(0), clause, sent.text, num.group("unit"))
                value = to_int(num.group("num"))
                if phrase is None or value is None:
                    continue
                offset = sent.start + clause_m.start()
                yield phrase, Mention(
                    part, sent.text.strip(), clause, value, clause[kw.start() : num.end()],
                    offset + num.start("num"), offset + num.end("num"),
                )


def _phrase_for(keyword: str, clause: str, sentence: str, unit: str) -> FigurePhrase | None:
    for phrase in _BY_KEYWORD[keyword]:
        if phrase.requires and not re.search(phrase.requires, clause + sentence):
            continue
        if phrase.excludes and re.search(phrase.excludes, clause):
            continue
        if not _UNIT_RE[phrase].match(unit):
            continue
        return phrase
    return None


class FigureVerdict(NamedTuple):
    """How a stated figure compares with the tables: ``ok`` (it equals a candidate sum, or no candidate is
    known); else ``cells``/``expected`` name the first known candidate; ``stale`` when the number is last
    year's value of a candidate and not this year's."""

    ok: bool
    cells: tuple[str, ...] = ()
    expected: int | None = None
    stale: bool = False
    previous_year: int | None = None


def figure_verdict(phrase: FigurePhrase, value: int, facts: Facts, previous: PreviousValues | None = None) -> FigureVerdict:
    """The verdict on one stated figure — shared by X2/R4.3 and the drafting guard."""
    known = [(cells, s) for cells in phrase.candidates if (s := facts.total(cells)) is not None]
    if not known or any(s == value for _, s in known):
        return FigureVerdict(True)
    cells, expected = known[0]
    stale = previous is not None and any(previous.total(c) == value for c, _ in known)
    return FigureVerdict(False, cells, expected, stale, previous.year if previous is not None else None)


class PreviousValues:
    """Last year's cell values, from a full report or the embedded ``previous_year`` reference."""

    def __init__(self, year: int, values: dict[str, int | None]) -> None:
        self.year = year
        self.values = values

    @classmethod
    def of(cls, report: Report, previous: Report | None) -> PreviousValues | None:
        if previous is not None:
            facts = Facts(previous)
            return cls(previous.year, {c: _int(facts.cell(c)) for c in phrase_cells()})
        ref = report.previous_year
        if ref is None:
            return None
        values: dict[str, int | None] = {}
        if ref.new_requests is not None:
            values[NEW] = _int(ref.new_requests.total)
        if ref.carried_forward is not None:
            values[CARRIED_FORWARD] = _int(ref.carried_forward.total)
        return cls(ref.year, values)

    def total(self, cells: tuple[str, ...]) -> int | None:
        got = [self.values.get(c) for c in cells]
        return None if None in got else sum(v for v in got if v is not None)


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else None


def _printed(cells: tuple[str, ...], fmt: str) -> str:
    """The cells as the clerk reads them: the printed table, row and column (ids stay in ``Finding.cells``)."""
    return "、".join(
        spec.full_label if (spec := cell_spec(c, fmt)) is not None else c  # type: ignore[arg-type]
        for c in cells
    )


def _prose_figure(rule: str, part: str, mention: Mention, verdict: FigureVerdict, message: str) -> Finding:
    return Finding(rule=rule, severity="warning", cells=list(verdict.cells), section=NARRATIVE_SECTION[part],
                   quote=mention.sentence, expected=verdict.expected, actual=mention.value, message=message)


def figure_finding(part: str, phrase: FigurePhrase, mention: Mention, verdict: FigureVerdict, fmt: str) -> Finding:
    """The finding of a figure that contradicts the tables (X2/R4.3), naming the cells."""
    where = _printed(verdict.cells, fmt)
    return _prose_figure(phrase.rule, part, mention, verdict,
                         f"正文“{mention.raw}”写的是 {mention.value}，与表格 {where} 不一致（表格为 {verdict.expected}）。"
                         f"原句：{mention.sentence}")


def stale_figure_finding(part: str, mention: Mention, verdict: FigureVerdict, fmt: str) -> Finding:
    """X9: the figure is last year's value of its cell, not this year's."""
    where = _printed(verdict.cells, fmt)
    return _prose_figure(STALE_RULE, part, mention, verdict,
                         f"{STALE_LABEL}：正文“{mention.raw}”写的 {mention.value} 是 {verdict.previous_year} 年的数字，"
                         f"本年表格 {where} 为 {verdict.expected}。原句：{mention.sentence}")


def _narrative(report: Report) -> Iterator[tuple[str, str]]:
    for part in NARRATIVE_PARTS:
        text = getattr(report.narrative, part)
        if text:
            yield part, text


def _squash(text: str) -> str:
    return re.sub(r"\s", "", normalize(text))


def copied_sentences(text: str, previous_texts: Iterable[str]) -> list[str]:
    """Sentences of ``text`` (10+ characters, with a number in them) found word for word in last year's
    narrative: figures carried over unchanged."""
    old = {_squash(s.text).rstrip("。；;") for t in previous_texts for s in sentences(normalize(t))}
    found = []
    for sent in sentences(normalize(text)):
        key = _squash(sent.text).rstrip("。；;")
        if len(key) >= 10 and key in old and extract_numbers(key):
            found.append(sent.text.strip())
    return found


def check_stale(
    facts: Facts, previous: PreviousValues | None, previous_narrative: dict[str, str] | None = None, parts: dict[str, str] | None = None
) -> list[Finding]:
    """X9 疑似沿用上年数据: a figure phrase stating last year's value of its cell instead of this year's,
    or a sentence with a number carried over word for word from last year's narrative.

    ``parts`` (part → text) defaults to the report's narrative; the guard passes a draft.
    """
    findings: list[Finding] = []
    texts = parts if parts is not None else dict(_narrative(facts.report))
    old = [t for t in (previous_narrative or {}).values() if t]
    for part, text in texts.items():
        flagged: set[str] = set()
        if previous is not None:
            for phrase, mention in iter_figure_mentions(text, part):
                verdict = figure_verdict(phrase, mention.value, facts, previous)
                if verdict.stale:
                    findings.append(stale_figure_finding(part, mention, verdict, facts.report.format))
                    flagged.add(mention.sentence)
        for sentence in copied_sentences(text, old) if old else []:
            if sentence in flagged:
                continue
            findings.append(
                Finding(
                    rule=STALE_RULE,
                    severity="warning",
                    section=NARRATIVE_SECTION[part],
                    quote=sentence,
                    message=f"{STALE_LABEL}：这句话与上一年度报告一字不差，其中的数字可能是上年的，请核实："
                    f"“{sentence}”。",
                )
            )
    return findings


def check_figures(facts: Facts) -> list[Finding]:
    """X2 / R4.3: a figure stated in prose disagrees with every cell it may refer to."""
    findings: list[Finding] = []
    for part, text in _narrative(facts.report):
        for phrase, mention in iter_figure_mentions(text, part):
            verdict = figure_verdict(phrase, mention.value, facts)
            if not verdict.ok:
                findings.append(figure_finding(part, phrase, mention, verdict, facts.report.format))
    return findings


# Within one clause: “未收到政府信息公开申请” or “收到…申请0件” (not “上年结转…申请0件”, not “被申请行政复议0件”).
_NO_APPLICATIONS = re.compile(
    r"(?:未|没有)(?:收到|受理)[^，,。；;]{0,12}申请|(?:收到|受理|新收)[^，,。；;复]{0,12}申请[^，,。；;]{0,4}?(?:为)?(?:0|零)\s*件"
)


def check_applications_prose(facts: Facts) -> list[Finding]:
    """R3.6: the table says no applications but the prose reports some, or the reverse."""
    new = facts.cell("applications.new_requests.total")
    carried = facts.cell("applications.carried_over.total")
    if new is None or carried is None:
        return []
    findings: list[Finding] = []
    for part, text in _narrative(facts.report):
        if new > 0 and _NO_APPLICATIONS.search(text):
            for sent in sentences(normalize(text)):
                if _NO_APPLICATIONS.search(sent.text):
                    findings.append(_r36(part, sent.text, "正文称未收到申请，但表格本年新收申请", int(new)))
        if new + carried == 0:
            for phrase, m in iter_figure_mentions(text, part):
                if phrase.name in ("收到申请", "办结申请") and m.value > 0:
                    findings.append(_r36(part, m.sentence, f"正文称收到申请 {m.value} 件，但表格本年新收与上年结转均", 0))
    return findings


def _r36(part: str, sentence: str, lead: str, value: int) -> Finding:
    return Finding(
        rule="R3.6",
        severity="warning",
        cells=["applications.new_requests.total", "applications.carried_over.total"],
        section=NARRATIVE_SECTION[part],
        quote=sentence.strip(),
        message=f"{lead}为 {value} 件，正文与表格矛盾。原句：{sentence.strip()}",
        actual=value,
    )


_FEE_COLLECTED = re.compile(rf"(?<!未)(?<!不)收取[^，。；]{{0,12}}信息处理费[^，。；]{{0,8}}?({NUMBER})\s*元")


def check_fee_reporting(facts: Facts) -> list[Finding]:
    """R3.7: fee notices were issued but 六 is silent on fees; fees collected with no applications."""
    findings: list[Finding] = []
    other = normalize(facts.report.narrative.other_matters or "")
    unpaid = facts.cell("applications.other_fee_unpaid.total")
    if unpaid and not re.search("信息处理费|收费通知", other):
        findings.append(
            Finding(
                rule="R3.7",
                severity="warning",
                cells=["applications.other_fee_unpaid.total"],
                section=NARRATIVE_SECTION["other_matters"],
                actual=unpaid,
                message=f"表格显示有 {unpaid} 件申请因逾期未缴费不再处理，说明发出过收费通知，"
                "但“六、其他需要报告的事项”未说明信息处理费收取情况。",
            )
        )
    new = facts.cell("applications.new_requests.total")
    carried = facts.cell("applications.carried_over.total")
    m = _FEE_COLLECTED.search(other) if "信息处理费" in other else None
    if m and (to_int(m.group(1)) or 0) > 0 and new == 0 and carried == 0:
        findings.append(
            Finding(
                rule="R3.7",
                severity="warning",
                cells=["applications.new_requests.total", "applications.carried_over.total"],
                section=NARRATIVE_SECTION["other_matters"],
                quote=m.group(0),
                message=f"正文称收取信息处理费（“{m.group(0)}”），但表格显示本年没有新收或结转的申请。",
            )
        )
    return findings


# A segment after the parts that compares with another year is not one of the parts:
# “共3件，其中网络2件、邮件1件，比上年增加1件” adds up to 3, not 4.
_COMPARISON = re.compile(r"比上年|较上年|较去年|比去年|同比|环比|增加|减少|上升|下降|增长|持平")

_TOTAL_WITH_PARTS = re.compile(
    rf"共(?:计)?[^，,。；;]*?(?P<total>{NUMBER})\s*(?P<unit>件|个|项|条|人次|人|次|家|场|篇)[，,]?\s*其中(?P<parts>[^。；;\n]*)"
)


def check_prose_arithmetic(report: Report) -> list[Finding]:
    """P1: “共收到建议、提案65件，其中人大建议25件、政协提案40件” must add up."""
    findings: list[Finding] = []
    for part, text in _narrative(report):
        if "其中" not in text or not _TOTAL_WITH_PARTS.search(normalize(text)):
            continue
        for sent in sentences(normalize(text)):
            if "其中" not in sent.text:
                continue
            for m in _TOTAL_WITH_PARTS.finditer(sent.text):
                total = to_int(m.group("total"))
                unit = m.group("unit")
                values = []
                for seg in re.split(r"[，,、]", m.group("parts")):
                    if _COMPARISON.search(seg):
                        break
                    found = re.search(rf"(?P<num>{NUMBER})\s*{unit}", seg)
                    if not found:
                        break
                    values.append(to_int(found.group("num")))
                if total is None or len(values) < 2 or any(v is None for v in values):
                    continue
                parts_sum = sum(v for v in values if v is not None)
                if parts_sum == total:
                    continue
                over = parts_sum > total
                findings.append(
                    Finding(
                        rule="P1",
                        severity="error" if over else "warning",
                        status="fail" if over else "uncertain",
                        section=NARRATIVE_SECTION[part],
                        quote=sent.text.strip(),
                        expected=total,
                        actual=parts_sum,
                        message=f"正文“共{total}{unit}”，其中各项相加为 {parts_sum}{unit}"
                        f"{'，超过了总数' if over else '，少于总数（如其中所列并非全部，可忽略）'}。原句：{sent.text.strip()}",
                    )
                )
    return findings


_TOPIC_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("主动公开", ("主动公开",)),
    ("依申请公开", ("依申请", "申请公开")),
    ("政府信息管理", ("信息管理", "公开目录", "保密审查", "发布审核", "文件清理")),
    ("政府信息公开平台建设", ("平台", "网站", "新媒体", "公开专栏")),
    ("监督保障", ("监督", "保障", "培训", "考核", "领导小组")),
)


def check_sections(report: Report) -> list[Finding]:
    """S1.1, S1.2, S5.1, S6.1, S6.2 — the content each narrative section is expected to cover."""
    findings: list[Finding] = []
    overview = normalize(report.narrative.overview or "")
    if overview.strip():
        missing = [name for name, keys in _TOPIC_KEYWORDS if not any(k in overview for k in keys)]
        if missing:
            findings.append(
                Finding(
                    rule="S1.1", severity="warning", section=NARRATIVE_SECTION["overview"],
                    message=f"“一、总体情况”未涉及{'、'.join(missing)}，格式要求总体情况包括主动公开、依申请公开、"
                    "政府信息管理、政府信息公开平台建设、监督保障五方面。",
                )
            )
        if report.body_type == "government" and not re.search("考核|评议|责任追究", overview):
            findings.append(
                Finding(
                    rule="S1.2", severity="warning", section=NARRATIVE_SECTION["overview"],
                    message="人民政府的年报应在“监督保障”中报告工作考核、社会评议和责任追究结果情况，正文未见相关内容。",
                )
            )
    five = normalize((report.narrative.problems or "") + (report.narrative.improvements or ""))
    if five.strip() and not re.search("上一年度|上年度|上年|去年|往年|前一年|以往", five):
        findings.append(
            Finding(
                rule="S5.1", severity="warning", status="uncertain", section="五、存在的主要问题及改进情况",
                message="“五、存在的主要问题及改进情况”未提及上一年度报告所列问题的改进情况；各地年报通常写明上年度问题的整改落实情况，请核对是否需要补充。",
            )
        )
    other = normalize(report.narrative.other_matters or "").strip()
    if other and re.fullmatch(r"[（(]?[一1]?[）)]?\s*无[。.]?", other):
        findings.append(
            Finding(
                rule="S6.2", severity="warning", section=NARRATIVE_SECTION["other_matters"],
                message="“六、其他需要报告的事项”仅写“无”；至少应说明信息处理费收取情况。",
            )
        )
    if other and "信息处理费" not in other:
        findings.append(
            Finding(
                rule="S6.1", severity="warning", section=NARRATIVE_SECTION["other_matters"],
                message="“六、其他需要报告的事项”未说明政府信息公开信息处理费的收取情况（未收取也应写明）。",
            )
        )
    return findings


# Text, not compiled, where a report often has nothing to match: ``re`` compiles and caches on first use.
_PERIOD = r"(\d{4})\s*年\s*1\s*月\s*1\s*日[^。]{0,12}?(\d{4})\s*年\s*12\s*月\s*31\s*日"
_PLAN = re.compile(r"(\d{4})\s*年[度]?[^，。；《》]{0,14}?政务公开(?:工作)?(?:要点|方案|实施方案|工作方案)")
_TITLE_YEAR = r"(\d{4})\s*年(?:度)?\s*政府信息公开(?:工作)?年度?报告"


def check_years(report: Report) -> list[Finding]:
    """X4: years in the title, the statistical period and the 工作要点/方案 named in the body agree; E7."""
    findings: list[Finding] = []
    year = report.year

    def wrong(where: str, found: int, quote: str, severity: str = "error") -> None:
        findings.append(
            Finding(
                rule="X4", severity=severity,  # type: ignore[arg-type]
                section=where, quote=quote, expected=year, actual=found,
                message=f"{where}中的年份 {found} 与报告年度 {year} 不一致：“{quote}”。",
            )
        )

    if report.title and (m := re.search(_TITLE_YEAR, normalize(report.title))) and int(m.group(1)) != year:
        wrong("标题", int(m.group(1)), report.title)
    texts = [("开头段落", report.opening or "")] + [(NARRATIVE_SECTION[p], t) for p, t in _narrative(report)]
    for where, text in texts:
        if "年" not in text:
            continue
        text = normalize(text)
        for m in re.finditer(_PERIOD, text) if "12月31日" in text.replace(" ", "") else ():
            for found in {int(m.group(1)), int(m.group(2))} - {year}:
                wrong(where, found, m.group(0))
        for m in _PLAN.finditer(text) if "政务公开" in text else ():
            if int(m.group(1)) != year and where != NARRATIVE_SECTION["improvements"]:
                wrong(where, int(m.group(1)), m.group(0))
    if report.format == "2019" and year >= 2021:
        findings.append(
            Finding(rule="X4", severity="warning", actual="2019", expected="2021",
                    message=f"{year} 年度报告仍使用 2019 年试行格式的表格，应使用国办公开办函〔2021〕30号规定的格式。")
        )
    if report.format == "2021" and year <= 2020:
        findings.append(
            Finding(rule="X4", severity="warning", actual="2021", expected="2019",
                    message=f"{year} 年度报告使用了 2021 年格式；该年度的报告一般使用 2019 年试行格式，请核实年度。")
        )
    return findings


def check_timeliness(report: Report) -> list[Finding]:
    """X5: published after the statutory deadline (1月31日; 3月31日 for an aggregated government report)."""
    if report.published_on is None:
        return []
    month = 3 if report.body_type == "government" else 1
    deadline = date(report.year + 1, month, 31)
    if report.published_on <= deadline:
        return []
    return [
        Finding(
            rule="X5", severity="warning", expected=deadline.isoformat(), actual=report.published_on.isoformat(),
            message=f"报告于 {report.published_on:%Y年%m月%d日} 发布，晚于法定期限 {deadline:%Y年%m月%d日}。",
        )
    ]
