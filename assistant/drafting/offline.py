"""The offline drafter: deterministic formal prose from the notes and tables, with templates in ``prompts/offline``.

No network, no model. It is the default when no model is configured and the fallback when the model fails.
Every bullet of the notes is kept (only its spacing and final punctuation are normalised), and the only
numbers it adds come from the tables and the report year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2
import yaml

from ..schema import Report
from .notes import Notes
from .prompts import prompts_dir, table_numbers

CN_ORDINALS = "一二三四五六七八九十"
_CJK_DIGIT_SPACE = re.compile(
    r"(?<=[\u4e00-\u9fff“”《》（）%％])\s+(?=[0-9０-９])|(?<=[0-9０-９%％])\s+(?=[\u4e00-\u9fff“”《》（）])"
)
_TRAILING = re.compile(r"[\s。；;，,、.]+$")


def ordinal(i: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (enough for any list of notes)."""
    if i <= 10:
        return CN_ORDINALS[i - 1]
    tens, ones = divmod(i, 10)
    return ("" if tens == 1 else CN_ORDINALS[tens - 1]) + "十" + (CN_ORDINALS[ones - 1] if ones else "")


_ASCII_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*|^>\s*", re.M)


def chinese_punctuation(text: str) -> str:
    """ASCII punctuation next to Chinese as full-width marks, straight quotes as “” / ‘’, no Markdown.

    Digits keep their own marks (1,000 and 3.5 stay as they are).
    """
    text = _MARKDOWN.sub("", text)
    out: list[str] = []
    double = single = False
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch == '"':
            out.append("”" if double else "“")
            double = not double
        elif ch == "'":
            out.append("’" if single else "‘")
            single = not single
        elif ch in _ASCII_PUNCT and not (ch in ",." and prev.isdigit() and nxt.isdigit()):
            out.append(_ASCII_PUNCT[ch])
        else:
            out.append(ch)
    return "".join(out)


def tidy(text: str) -> str:
    """The final polish of every offline draft: Chinese punctuation, no doubled marks."""
    text = chinese_punctuation(text)
    text = re.sub(r"([，；。])\1+", r"\1", text)
    text = re.sub(r"[，；]。", "。", text)
    return re.sub(r"。([，；])", "。", text)


def formal(bullet: str) -> str:
    """A bullet as a clause of formal prose: no spaces between Chinese and digits, Chinese punctuation,
    no final punctuation."""
    text = _CJK_DIGIT_SPACE.sub("", bullet.strip())
    text = chinese_punctuation(text)
    return _TRAILING.sub("", text)


def _join(bullets: list[str]) -> str:
    clauses = [formal(b) for b in bullets if formal(b)]
    return "。".join(clauses) + ("。" if clauses else "")


def short_names(report: Report) -> list[str]:
    """The agency as a clerk may write it: full name, without 人民政府, and the first-person forms."""
    agency = re.sub(r"\s", "", report.agency)
    names = [agency]
    if agency.endswith("人民政府") and len(agency) > 4:
        names.append(agency[: -len("人民政府")])
    for prefix in ("市", "县", "区", "镇", "乡", "街道"):
        head, sep, tail = names[-1].rpartition(prefix)
        if sep and tail and len(tail) >= 2 and head:
            names.append(tail)
            break
    return sorted(set(names), key=len, reverse=True)


def strip_subject(clause: str, report: Report) -> str:
    """A clause without a leading year and agency, which the opening sentence already states
    ("2025年，白云镇坚持……" → "坚持……")."""
    names = "|".join(re.escape(n) for n in short_names(report))
    pattern = rf"^(?:(?:{report.year}\s*年(?:度)?|全年|本年度|今年)\s*[，,]?\s*)?(?:(?:{names}|我局|我镇|我乡|我县|我区|我市|本机关|本单位)\s*[，,]?\s*)?"
    stripped = re.sub(pattern, "", clause, count=1)
    return stripped or clause


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir() / "offline"), encoding="utf-8"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    """Fixed wording of the offline drafter (``prompts/offline/phrases.yaml``)."""
    data = yaml.safe_load((prompts_dir() / "offline" / "phrases.yaml").read_text(encoding="utf-8"))
    return dict(data)


def _render(name: str, **context: Any) -> str:
    return _env().get_template(name).render(**context).strip()


def _numbers(report: Report) -> dict[str, str]:
    def show(value: Any) -> str:
        if value is None:
            return "【待核实】"
        if isinstance(value, Decimal):
            return str(int(value)) if value == value.to_integral() else str(value)
        return str(value)

    return {k: show(v) for k, v in table_numbers(report).items()}


def _has_tables(report: Report, *keys: str) -> bool:
    numbers = table_numbers(report)
    return any(numbers[k] is not None for k in keys)


def draft_overview(notes: Notes, report: Report) -> str:
    words = phrases()
    n = _numbers(report)
    topics = []
    seen: set[str] = set()
    for i, (topic, title) in enumerate(words["topic_titles"].items(), 1):
        sentences: list[str] = []
        if topic == "主动公开" and report.format == "2021" and _has_tables(report, "normative_issued"):
            sentences.append(_render("active_disclosure.j2", n=n))
        if topic == "依申请公开" and _has_tables(report, "new_requests", "total_processed"):
            sentences.append(_render("applications.j2", n=n, year=report.year, agency=report.agency))
        # A bullet the clerk wrote under two sub-topics is stated once, where it first appears.
        bullets = [b for b in notes.topics.get(topic, []) if formal(b) not in seen]
        seen.update(formal(b) for b in bullets)
        if sentences:  # the table sentence states the figures: the notes' restatements of them go
            bullets = drop_restated(bullets, report)
        body = _join(bullets)
        if body:
            sentences.append(body)
        if topic == "监督保障":
            # The clerk's 考核评议 notes are always written; only a government is asked for them when missing.
            assessment = _join(notes.topics.get("考核评议", []))
            if assessment or report.body_type == "government":
                sentences.append(assessment or words["assessment_missing"])
            if _has_tables(report, "review", "litigation"):
                sentences.append(_render("review_litigation.j2", n=n))
        if not body and not (topic == "监督保障" and notes.topics.get("考核评议")):
            sentences.insert(0, words["missing_topic"].format(topic=title))
        topics.append({"number": f"（{ordinal(i)}）", "title": title, "body": "".join(sentences)})
    general = "，".join(strip_subject(formal(b), report) for b in notes.general)
    return _render("overview.j2", year=report.year, agency=report.agency, general=general, topics=topics)


_CLAUSE_SPLIT = re.compile(r"(?<=[，；：,;:])")


def drop_restated(bullets: list[str], report: Report) -> list[str]:
    """The bullets without clauses that state a table figure equal to the table's (the table sentence
    says it already). A clause stating a different number stays, so the contradiction is flagged."""
    from ..checks.facts import Facts
    from ..checks.narrative import figure_verdict, iter_figure_mentions

    facts = Facts(report)
    kept: list[str] = []
    for bullet in bullets:
        clauses = _CLAUSE_SPLIT.split(formal(bullet))
        rest = []
        for clause in clauses:
            mentions = list(iter_figure_mentions(clause))
            restated = bool(mentions) and all(
                any(facts.total(c) is not None for c in p.candidates) and figure_verdict(p, m.value, facts).ok
                for p, m in mentions
            )
            if not restated:
                rest.append(clause)
        text = _TRAILING.sub("", re.sub(r"^[，；：,;:]+", "", "".join(rest)))
        if text:
            kept.append(text)
    return kept


def _items(bullets: list[str]) -> list[dict[str, str]]:
    return [{"ordinal": ordinal(i), "text": formal(b)} for i, b in enumerate(bullets, 1) if formal(b)]


def draft_problems(notes: Notes, report: Report) -> str:
    return _render("problems.j2", items=_items(notes.bullets.get("problems", [])))


def draft_improvements(notes: Notes, report: Report) -> str:
    items = _items(notes.bullets.get("improvements", []))
    problems = _items(notes.bullets.get("problems", []))
    if items and len(items) == len(problems):  # the notes pair them: each measure answers its problem
        for item, problem in zip(items, problems, strict=True):
            text = problem["text"]
            item["problem"] = text if text.endswith(("问题", "不足", "短板")) else f"{text}的问题"
    missing = ""
    if len(problems) > len(items):
        missing = "、".join(f"第{p['ordinal']}项问题" for p in problems[len(items) :])
    return _render("improvements.j2", items=items, missing=missing)


def _matter_title(bullet: str) -> tuple[str, str]:
    words = phrases()
    head, sep, rest = formal(bullet).partition("：")
    if sep and len(head) <= 24 and rest:
        title = head
        if title.startswith("落实") and len(title) > 2:
            title = title[2:] + "落实情况"
        return title, rest
    for rule in words["matter_titles"]:
        if any(k in bullet for k in rule["keywords"]):
            return str(rule["title"]), formal(bullet)
    return str(words["other_title"]), formal(bullet)


def draft_other_matters(notes: Notes, report: Report) -> str:
    words = phrases()
    bullets = notes.bullets.get("other_matters", [])
    fee = [b for b in bullets if "信息处理费" in b]
    rest = [b for b in bullets if "信息处理费" not in b]
    fee_text = f"{report.year}年，{report.agency}" + _join(fee) if fee else words["fee_missing"]
    items = [{"title": words["fee_title"], "text": fee_text}]
    for bullet in rest:
        title, text = _matter_title(bullet)
        items.append({"title": title, "text": text + "。"})
    for i, item in enumerate(items, 1):
        item["number"] = f"（{ordinal(i)}）"
    return _render("other_matters.j2", items=items)


_DRAFTERS = {
    "overview": draft_overview,
    "problems": draft_problems,
    "improvements": draft_improvements,
    "other_matters": draft_other_matters,
}


@dataclass(frozen=True)
class OfflineDraft:
    """An offline draft and, when an instruction was given, what was done with it (Chinese)."""

    text: str
    note: str | None = None


def drop_repeats(text: str) -> str:
    """``text`` without a sentence or clause (6+ characters) already said earlier in the part."""
    seen: set[str] = set()
    lines = []
    for line in text.splitlines():
        kept: list[str] = []
        for piece in re.split(r"(?<=[。；])", line):
            key = re.sub(r"^(?:[一二三四五六七八九十]+是|（[一二三四五六七八九十]+）)|[。；\s]", "", piece)
            if len(key) >= 6 and key in seen and not key.startswith("【待核实"):
                if piece.endswith("。") and kept and kept[-1].endswith("；"):
                    kept[-1] = kept[-1][:-1] + "。"
                continue
            seen.add(key)
            kept.append(piece)
        lines.append("".join(kept))
    return "\n".join(lines)


def draft_offline(part: str, notes: Notes, report: Report) -> str:
    """The deterministic draft of one part."""
    return drop_repeats(tidy(_DRAFTERS[part](notes, report)))


def draft_offline_result(
    part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
) -> OfflineDraft:
    """The offline draft of one part, following ``instruction`` where it can be followed deterministically
    (更简洁, 突出X); any other instruction is declined in words (``note``), never pretended.

    A rewrite works on ``previous_text`` — the text as it stands, the clerk's hand edits included — and only
    without one on a fresh draft from the notes.
    """
    from .instructions import apply_instruction

    if not instruction:
        return OfflineDraft(draft_offline(part, notes, report))
    base = previous_text if previous_text and previous_text.strip() else draft_offline(part, notes, report)
    return apply_instruction(base, instruction)
