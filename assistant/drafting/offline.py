"""The offline drafter: deterministic formal prose from the notes and tables, with templates in ``prompts/offline``.

No network, no model. It is the default when no model is configured and the fallback when the model fails.
Every bullet of the notes is kept (only its spacing and final punctuation are normalised), and the only
numbers it adds come from the tables and the report year.
"""

from __future__ import annotations

import re
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


def formal(bullet: str) -> str:
    """A bullet as a clause of formal prose: no spaces between Chinese and digits, no final punctuation."""
    text = _CJK_DIGIT_SPACE.sub("", bullet.strip())
    text = text.replace(":", "：").replace(";", "；")
    return _TRAILING.sub("", text)


def _join(bullets: list[str]) -> str:
    clauses = [formal(b) for b in bullets if formal(b)]
    return "。".join(clauses) + ("。" if clauses else "")


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
    for i, (topic, title) in enumerate(words["topic_titles"].items(), 1):
        sentences: list[str] = []
        if topic == "主动公开" and report.format == "2021" and _has_tables(report, "normative_issued"):
            sentences.append(_render("active_disclosure.j2", n=n))
        if topic == "依申请公开" and _has_tables(report, "new_requests", "total_processed"):
            sentences.append(_render("applications.j2", n=n, year=report.year, agency=report.agency))
        body = _join(notes.topics.get(topic, []))
        if body:
            sentences.append(body)
        if topic == "监督保障":
            if report.body_type == "government":
                sentences.append(_join(notes.topics.get("考核评议", [])) or words["assessment_missing"])
            if _has_tables(report, "review", "litigation"):
                sentences.append(_render("review_litigation.j2", n=n))
        if not body and not (topic == "监督保障" and notes.topics.get("考核评议")):
            sentences.insert(0, words["missing_topic"].format(topic=title))
        topics.append({"number": f"（{ordinal(i)}）", "title": title, "body": "".join(sentences)})
    general = "，".join(formal(b) for b in notes.general)
    return _render("overview.j2", year=report.year, agency=report.agency, general=general, topics=topics)


def _items(bullets: list[str]) -> list[dict[str, str]]:
    return [{"ordinal": ordinal(i), "text": formal(b)} for i, b in enumerate(bullets, 1) if formal(b)]


def draft_problems(notes: Notes, report: Report) -> str:
    return _render("problems.j2", items=_items(notes.bullets.get("problems", [])))


def draft_improvements(notes: Notes, report: Report) -> str:
    items = _items(notes.bullets.get("improvements", []))
    problems = _items(notes.bullets.get("problems", []))
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


def draft_offline(part: str, notes: Notes, report: Report) -> str:
    """The deterministic draft of one part."""
    return _DRAFTERS[part](notes, report)
