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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..schema import Report
from ..schema.labels import NARRATIVE_PARTS, NARRATIVE_SECTION
from ..textnum import NUMBER, normalize, sentences, to_int
from .facts import Facts
from .findings import Finding

_CLAUSE = re.compile(r"[^，,。；;！？\n]+")


@dataclass(frozen=True)
class Mention:
    part: str
    sentence: str
    clause: str
    value: int
    raw: str


@dataclass(frozen=True)
class FigurePhrase:
    """A phrase that states a table figure: any of ``candidates`` (sums of cells) may match."""

    rule: str
    name: str
    keywords: str
    candidates: tuple[tuple[str, ...], ...]
    requires: str | None = None
    excludes: str | None = None
    unit: str = "件"

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.keywords, self.unit)


@lru_cache(maxsize=64)
def _pattern(keywords: str, unit: str) -> re.Pattern[str]:
    return re.compile(f"(?:{keywords})[^，,。；;\\d{{}}]{{0,24}}?(?P<num>{NUMBER})\\s*(?:{unit})")


_T3 = "applications"
_BOTH_GRANTED = "予以公开[及和、与]部分公开"
FIGURE_PHRASES: tuple[FigurePhrase, ...] = (
    FigurePhrase(
        "X2", "收到申请", "收到|受理|新收",
        ((f"{_T3}.new_requests.total",), (f"{_T3}.new_requests.total", f"{_T3}.carried_over.total"),
         (f"{_T3}.total_processed.total",)),
        requires="申请", excludes="建议|提案|信访|来信|咨询|留言",
    ),
    FigurePhrase(
        "X2", "办结申请", "办结|答复|办理完毕",
        ((f"{_T3}.total_processed.total",), (f"{_T3}.new_requests.total",)),
        requires="申请", excludes="建议|提案|信访",
    ),
    FigurePhrase("X2", "予以公开", "予以公开", ((f"{_T3}.granted.total",),), excludes="部分"),
    FigurePhrase("X2", "部分公开", "部分公开", ((f"{_T3}.partially_granted.total",),), excludes=_BOTH_GRANTED),
    # “予以公开及部分公开N件” states the sum of the two rows (issue 13.7)
    FigurePhrase(
        "X2", "予以公开及部分公开", "予以公开及部分公开|予以公开和部分公开|予以公开、部分公开|予以公开与部分公开",
        ((f"{_T3}.granted.total", f"{_T3}.partially_granted.total"),),
    ),
    FigurePhrase("X2", "结转下年度", "结转下年度|转入下年度|结转至下年", ((f"{_T3}.carried_forward.total",),)),
    FigurePhrase("X2", "上年结转", "上年结转|上年度结转", ((f"{_T3}.carried_over.total",),)),
    FigurePhrase(
        "X2", "制发规范性文件", "制发|出台|印发|制定",
        (("active_disclosure.art20_1.normative_documents.issued",),), requires="规范性文件",
        excludes="方案|要点|指南|目录",
    ),
    FigurePhrase(
        "R4.3", "行政复议", "行政复议", (("review_litigation.review.total",),), excludes="备案", unit="件|起|宗"
    ),
    FigurePhrase(
        "R4.3", "行政诉讼", "行政诉讼",
        (("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"),),
        unit="件|起|宗",
    ),
)


# One pass finds which phrases a sentence may hold: most sentences state no table figure.
_BY_KEYWORD: dict[str, list[FigurePhrase]] = {}
for _phrase in FIGURE_PHRASES:
    for _kw in _phrase.keywords.split("|"):
        _BY_KEYWORD.setdefault(_kw, []).append(_phrase)
_ANY_KEYWORD = re.compile("|".join(sorted(_BY_KEYWORD, key=len, reverse=True)))

# Every cell the prose rules compare with: the memo key of the runner includes their values.
CELLS_READ: frozenset[str] = frozenset(
    {c for p in FIGURE_PHRASES for cells in p.candidates for c in cells}
    | {"applications.new_requests.total", "applications.carried_over.total", "applications.other_fee_unpaid.total"}
)


def clear_caches() -> None:
    _figure_mentions.cache_clear()
    sentences.cache_clear()


def iter_figure_mentions(text: str, part: str = "overview") -> Iterator[tuple[FigurePhrase, Mention]]:
    """Every phrase in ``text`` that states a table figure, with the number it states."""
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
        found = _ANY_KEYWORD.findall(sent.text)
        if not found:
            continue
        candidates = list(dict.fromkeys(p for kw in found for p in _BY_KEYWORD[kw]))
        for clause in _CLAUSE.findall(sent.text):
            for phrase in candidates:
                if phrase.requires and not re.search(phrase.requires, clause + sent.text):
                    continue
                if phrase.excludes and re.search(phrase.excludes, clause):
                    continue
                for m in phrase.pattern.finditer(clause):
                    value = to_int(m.group("num"))
                    if value is not None:
                        yield phrase, Mention(part, sent.text.strip(), clause, value, m.group(0))


def _narrative(report: Report) -> Iterator[tuple[str, str]]:
    for part in NARRATIVE_PARTS:
        text = getattr(report.narrative, part)
        if text:
            yield part, text


def check_figures(facts: Facts) -> list[Finding]:
    """X2 / R4.3: a figure stated in prose disagrees with every cell it may refer to."""
    findings: list[Finding] = []
    for part, text in _narrative(facts.report):
        for phrase, mention in iter_figure_mentions(text, part):
            sums = [(cells, facts.total(cells)) for cells in phrase.candidates]
            known = [(cells, s) for cells, s in sums if s is not None]
            if not known or any(s == mention.value for _, s in known):
                continue
            cells, expected = known[0]
            findings.append(
                Finding(
                    rule=phrase.rule,
                    severity="warning",
                    cells=list(cells),
                    section=NARRATIVE_SECTION[part],
                    quote=mention.sentence,
                    expected=expected,
                    actual=mention.value,
                    message=f"正文“{mention.raw}”写的是 {mention.value}，与表格不一致（表格为 {expected}）。"
                    f"原句：{mention.sentence}",
                )
            )
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
                message="“五、存在的主要问题及改进情况”未提及上一年度报告所列问题的改进情况（格式是否明确要求尚待确认）。",
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


_PERIOD = re.compile(r"(\d{4})\s*年\s*1\s*月\s*1\s*日[^。]{0,12}?(\d{4})\s*年\s*12\s*月\s*31\s*日")
_PLAN = re.compile(r"(\d{4})\s*年[度]?[^，。；《》]{0,14}?政务公开(?:工作)?(?:要点|方案|实施方案|工作方案)")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年(?:度)?\s*政府信息公开(?:工作)?年度?报告")


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

    if report.title and (m := _TITLE_YEAR.search(normalize(report.title))) and int(m.group(1)) != year:
        wrong("标题", int(m.group(1)), report.title)
    texts = [("开头段落", report.opening or "")] + [(NARRATIVE_SECTION[p], t) for p, t in _narrative(report)]
    for where, text in texts:
        if "年" not in text:
            continue
        text = normalize(text)
        for m in _PERIOD.finditer(text) if "12月31日" in text.replace(" ", "") else ():
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
