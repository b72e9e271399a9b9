"""The prose of a published report: title, opening, contact, the six sections and the narrative parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..schema.labels import SECTION_HEADINGS
from .labelmatch import norm_label

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[{_CJK}])")
_TERMINAL = tuple("。！？；：!?;:")
_LIST_START = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|\d+[.、．]|第[一二三四五六七八九十]+[，,、])"
)
_FOOTER = re.compile(r"^\s*[-—–]\s*\d+\s*[-—–]\s*$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$")
_MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|[-*+]\s+(?=[（(一二三四五六七八九十]))")

HEADING_KEYWORDS: dict[str, tuple[str, ...]] = {
    "一": ("总体情况",),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请公开情况"),
    "四": ("行政复议", "行政诉讼"),
    "五": ("问题",),
    "六": ("其他需要报告",),
}
_PROBLEMS_HEAD = re.compile(
    r"^[（(]一[）)]\s*(?:政府信息公开工作)?(?:存在的?主要问题|存在的?问题|主要问题|问题|存在不足)[^。]{0,12}?(?:[。.:：]|$)"
)
_IMPROVE_HEAD = re.compile(
    r"^[（(]二[）)]\s*(?:改进情况|改进措施|整改情况|改进方向|下一步(?:工作)?(?:打算|计划|措施)?|工作打算|改进)[^。]{0,12}?(?:[。.:：]|$)"
)
_IMPROVE_START = re.compile(r"^(?:针对|下一步|今后|\d{4}\s*年[，,]?\s*(?:我们|我[市区县局委办]|本机关)?将)")
# A report's title as printed (the year captured); the one-line splitter cuts after it too.
TITLE_PATTERN = r"(\d{4})\s*年度?\s*(?:政府)?信息公开(?:工作)?年度?报告"
_TITLE = re.compile(TITLE_PATTERN)
_PERIOD = re.compile(r"(\d{4})\s*年\s*1\s*月\s*1\s*日")
_PERIOD_END = re.compile(r"截[至止]\s*(\d{4})\s*年\s*12\s*月\s*31\s*日")
# an overview opening on its year (``2023年，本局……``): the year the report covers, said so when used
_BODY_YEAR = re.compile(r"(?:^|\n)(20\d{2})\s*年(?:度)?[，,]")
_PUBLISHED = re.compile(r"(?:发布|成文|公开)(?:时间|日期)\s*[:：]\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def squeeze(text: str) -> str:
    """Remove PDF artefacts: spaces next to Chinese characters, bold markers; keep other spacing."""
    text = text.replace("**", "").replace("__", "")
    text = _SPACE_NEAR_CJK.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# a sub-heading on a line of its own (``（二）改进情况``): short, no punctuation; the next line is not its continuation
_SHORT_SUBHEAD = re.compile(r"^[（(][一二三四五六七八九十]+[）)][^，。；：,;:]{1,14}$")
_BODY_NAME = re.compile(r"(?:政府|局|委员会|委|办公室|办|厅|署|中心|院|处|街道|办事处|[乡镇])$")
_NOT_TABS = " \u3000\u00a0\v\u200b\ufeff"


def clean_lines(text: str) -> list[str]:
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\f", "")
        if _FOOTER.match(line.strip()):
            continue
        # tabs are cell separators: a row whose last cells are blank ends in tabs that must stay
        line = _MD_PREFIX.sub("", line.strip(_NOT_TABS)) if line.strip() else ""
        lines.append(line.strip(_NOT_TABS))
    return lines


def _heading_of(line: str, number: str) -> bool:
    raw = line.replace("#", "").replace("*", "").strip()
    if not re.match(rf"^{number}\s*[、，,．.]", raw):
        return False
    normed = norm_label(raw)
    if len(normed) > 40:
        return False
    heading = SECTION_HEADINGS["一二三四五六".index(number)]
    if any(normed.startswith(norm_label(label)) for label in (heading.label, *heading.aliases)):
        return True
    return len(normed) <= 30 and any(k in normed for k in HEADING_KEYWORDS[number])


def find_headings(lines: list[str]) -> dict[str, int]:
    """Line index of each of the six headings, searched in order (table rows like 三、本年度办理结果 do not match)."""
    found: dict[str, int] = {}
    start = 0
    firsts = [line.lstrip("#* \t")[:1] for line in lines]
    for number in "一二三四五六":
        for i in range(start, len(lines)):
            if firsts[i] == number and _heading_of(lines[i], number):
                found[number] = i
                start = i + 1
                break
    return found


def paragraphs(lines: list[str], rejoin: bool) -> list[str]:
    """Paragraphs of a section body. ``rejoin``: plain text wraps lines (and page breaks) mid-sentence."""
    out: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        text = squeeze(line)
        if not text:
            continue
        if rejoin and out and not out[-1].endswith(_TERMINAL) and not _LIST_START.match(text) \
                and not _SHORT_SUBHEAD.match(out[-1]):
            out[-1] += text
        else:
            out.append(text)
    return out


@dataclass
class Prose:
    """Everything outside the tables."""

    title: str | None = None
    agency: str | None = None
    year: int | None = None
    period_year: int | None = None
    opening: str | None = None
    published_on: date | None = None
    contact: dict[str, str] = field(default_factory=dict)
    headings: dict[str, int] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    table_lines: tuple[int, int] = (0, 0)
    lines: list[str] = field(default_factory=list)


def _contact(text: str) -> dict[str, str]:
    flat = squeeze(text.replace("\n", ""))
    found: dict[str, str] = {}
    m = re.search(r"地址\s*[:：]\s*([^；;，,。）)\n]+)", flat)
    if m:
        found["address"] = m.group(1).strip()
    m = re.search(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})", flat)
    if m:
        found["postcode"] = m.group(1)
    m = re.search(r"(?:联系电话|电话)\s*[:：]\s*([0-9０-９][0-9０-９\-－—()（） ]{5,}[0-9０-９])", flat)
    if m:
        found["phone"] = m.group(1).strip()
    m = re.search(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+", flat)
    if m:
        found["email"] = m.group(0)
    return found


def _title_block(lines: list[str]) -> tuple[int | None, str | None, str | None, int | None]:
    """(line index of the title, title, agency, year) from the lines before 一、总体情况."""
    for i, line in enumerate(lines):
        flat = squeeze(line)
        m = _TITLE.search(flat)
        if not m and i + 1 < len(lines) and 0 < len(flat) <= 40 and not flat.endswith(_TERMINAL):
            # a title wrapped over two lines (PDFs centre a long title on two): read the pair as one
            pair = flat + squeeze(lines[i + 1])
            m = _TITLE.search(pair) if len(squeeze(lines[i + 1])) <= 40 else None
            flat = pair if m else flat
        if not m or len(flat) > 80:
            continue
        agency = flat[: m.start()].strip(" 　:：-—")
        title = flat
        if not agency:
            for j in range(i - 1, max(-1, i - 3), -1):
                prev = squeeze(lines[j])
                if prev and len(prev) <= 40 and not re.search(r"[>：:。|]|首页|发布", prev):
                    agency = prev
                    title = prev + flat
                    break
        return i, title, agency or None, int(m.group(1))
    return None, None, None, None


_NAMED_BODY = re.compile(
    r"(?:^|(?<=[，,。；：:\s年]))([\u4e00-\u9fff]{2,20}?(?:人民政府办公室|人民政府|街道办事处|委员会|局|办公室))"
    r"(?=[坚认全深持始以在按根按的是）)，,])"
)


def _first_body(lines: list[str]) -> str | None:
    """The first body an untitled excerpt names (``2023年，青河县自然资源局坚持…``)."""
    for line in lines:
        m = _NAMED_BODY.search(squeeze(line))
        if m:
            return m.group(1)
    return None


def read_prose(text: str, rejoin: bool, page_title: str = "") -> Prose:
    lines = clean_lines(text)
    prose = Prose(lines=lines)
    prose.headings = find_headings(lines)
    first = prose.headings.get("一", len(lines))
    head_lines = lines[:first] if "一" in prose.headings else lines[:40]
    t_idx, prose.title, prose.agency, prose.year = _title_block(head_lines)
    if prose.title is None and page_title:
        _, prose.title, prose.agency, prose.year = _title_block([page_title])
    joined_head = "\n".join(head_lines)
    m = _PERIOD.search(squeeze(joined_head)) or _PERIOD.search(squeeze(text)) or _PERIOD_END.search(squeeze(text))
    if m:
        prose.period_year = int(m.group(1))
    elif prose.year is None:
        body = _BODY_YEAR.search(squeeze(text))
        if body:
            prose.period_year = int(body.group(1))
            prose.notes.append(f"没有标题和统计期限：年度取自正文“{body.group(0)}”，请核对")
    m = _PUBLISHED.search(joined_head)
    if m:
        try:
            prose.published_on = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            prose.notes.append("发布日期无法识别，未读取")
    opening_lines = head_lines[(t_idx + 1) if t_idx is not None else 0 :]
    opening = [p for p in paragraphs(opening_lines, rejoin) if len(p) > 15 and re.search(r"[。）)]$|统计|报告", p)]
    if opening:
        prose.opening = "\n".join(opening)
    prose.contact = _contact(prose.opening or joined_head)
    if prose.agency is None:
        m = re.search(r"请与\s*(\S{2,30}?)\s*联系", squeeze(joined_head))
        if m and _BODY_NAME.search(m.group(1)):  # “请与我们联系” names nobody
            prose.agency = m.group(1)
    if prose.agency is None:
        named = _first_body(lines[: prose.headings.get("二", 40)])
        if named:
            prose.agency = named
            prose.notes.append(f"没有标题：机关名称取自正文中第一处机关名称“{named}”，请核对")
    prose.narrative = _narrative(lines, prose.headings, rejoin, prose.notes)
    start = prose.headings.get("二", prose.headings.get("一", 0))
    end = prose.headings.get("五", prose.headings.get("六", len(lines)))
    prose.table_lines = (start, end if end > start else len(lines))
    return prose


def _section(lines: list[str], headings: dict[str, int], number: str) -> list[str] | None:
    if number not in headings:
        return None
    start = headings[number] + 1
    later = [i for n, i in headings.items() if i > headings[number]]
    end = min(later) if later else len(lines)
    return lines[start:end]


def _narrative(lines: list[str], headings: dict[str, int], rejoin: bool, notes: list[str]) -> dict[str, str]:
    parts: dict[str, str] = {}
    overview = _section(lines, headings, "一")
    if overview is not None:
        parts["overview"] = "\n".join(paragraphs(overview, rejoin))
    other = _section(lines, headings, "六")
    if other is not None:
        parts["other_matters"] = "\n".join(_drop_trailer(paragraphs(other, rejoin)))
    five = _section(lines, headings, "五")
    if five is not None:
        problems, improvements = split_section5(paragraphs(five, rejoin), notes)
        parts["problems"] = "\n".join(problems)
        parts["improvements"] = "\n".join(improvements)
    return parts


_TRAILER = re.compile(
    r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$|分享到|主办[:：]|ICP|网站标识码|版权所有|打印本页|关闭窗口|【打印】|扫一扫"
)


def _drop_trailer(paras: list[str]) -> list[str]:
    """The last section ends where the signature, the date or the site's footer begins."""
    for i, para in enumerate(paras):
        if i > 0 and _TRAILER.search(para):
            end = i - 1 if i >= 1 and len(paras[i - 1]) <= 30 and not paras[i - 1].endswith(_TERMINAL) else i
            return paras[: max(end, 1)]
    return paras


def split_section5(paras: list[str], notes: list[str]) -> tuple[list[str], list[str]]:
    """Section 五 into （一）存在问题 and （二）改进情况 (their variants), or by the paragraph that turns to remedies."""
    p_at = next((i for i, p in enumerate(paras) if _PROBLEMS_HEAD.match(p)), None)
    i_at = next((i for i, p in enumerate(paras) if _IMPROVE_HEAD.match(p)), None)
    if i_at is not None:
        problems = paras[(p_at or 0) : i_at]
        improvements = paras[i_at:]
        if problems:
            problems[0] = _PROBLEMS_HEAD.sub("", problems[0]).strip()
        improvements[0] = _IMPROVE_HEAD.sub("", improvements[0]).strip()
        return [p for p in problems if p], [p for p in improvements if p]
    turn = next((i for i, p in enumerate(paras) if i > 0 and _IMPROVE_START.match(p)), None)
    if turn is not None:
        notes.append("第五部分没有“（一）存在问题”“（二）改进情况”小标题，按“针对……/下一步……”段落拆分")
        return paras[:turn], paras[turn:]
    if paras:
        notes.append("第五部分无法区分存在问题与改进情况，全部放入“存在问题”")
    return paras, []
