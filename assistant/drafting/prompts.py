"""Prompt files in ``prompts/``: loading, the per-part inputs, the table brief and the size estimate."""

from __future__ import annotations

import math
import os
import re
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import Report, get_cell
from ..schema.labels import BLANK_CELL
from .guard import SUBTOTALS
from .notes import Notes, part_label

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

PROMPTS_DIR = Path(str(files("assistant") / "prompts"))  # package data: found in a wheel too


def prompts_dir() -> Path:
    """The packaged ``assistant/prompts/``, or ``XXGK_PROMPTS_DIR`` (for prompt authors)."""
    return Path(os.environ.get("XXGK_PROMPTS_DIR") or PROMPTS_DIR)


@lru_cache(maxsize=64)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def read_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` (UTF-8)."""
    return _read(prompts_dir() / name)


@lru_cache(maxsize=16)
def chat_prompt(part: str) -> ChatPromptTemplate:
    """System prompt + the part's prompt, as a LangChain template (f-string variables)."""
    from langchain_core.prompts import ChatPromptTemplate  # ~1 s (langsmith): only when a model drafts

    return ChatPromptTemplate.from_messages(
        [("system", read_prompt("system.md")), ("human", read_prompt(f"{part}.md"))]
    )


def _n(value: Any) -> str:
    if value is None:
        return f"（{BLANK_CELL}）"
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    return str(value)


def _sum(report: Report, cells: tuple[str, ...]) -> Any:
    values = [get_cell(report, c) for c in cells]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def table_numbers(report: Report) -> dict[str, Any]:
    """The table figures the narrative talks about (None = blank cell)."""
    other = SUBTOTALS["other"] if report.format == "2021" else SUBTOTALS["other_2019"]
    return {
        "new_requests": get_cell(report, "applications.new_requests.total"),
        "carried_over": get_cell(report, "applications.carried_over.total"),
        "granted": get_cell(report, "applications.granted.total"),
        "partially_granted": get_cell(report, "applications.partially_granted.total"),
        "denied": _sum(report, SUBTOTALS["denied"]),
        "unavailable": _sum(report, SUBTOTALS["unavailable"]),
        "rejected": _sum(report, SUBTOTALS["rejected"]),
        "other": _sum(report, other),
        "total_processed": get_cell(report, "applications.total_processed.total"),
        "carried_forward": get_cell(report, "applications.carried_forward.total"),
        "review": get_cell(report, "review_litigation.review.total"),
        "litigation": _sum(report, SUBTOTALS["litigation"]),
        "normative_issued": get_cell(report, "active_disclosure.art20_1.normative_documents.issued")
        if report.format == "2021"
        else None,
        "normative_repealed": get_cell(report, "active_disclosure.art20_1.normative_documents.repealed")
        if report.format == "2021"
        else None,
        "normative_in_force": get_cell(report, "active_disclosure.art20_1.normative_documents.in_force")
        if report.format == "2021"
        else None,
    }


def tables_brief(report: Report) -> str:
    """The statistics the overview may cite, in short Chinese lines (blank cells say so)."""
    n = {k: _n(v) for k, v in table_numbers(report).items()}
    lines = [
        f"- 本年新收政府信息公开申请{n['new_requests']}件，上年结转{n['carried_over']}件。",
        f"- 办理结果：予以公开{n['granted']}件，部分公开{n['partially_granted']}件，不予公开{n['denied']}件，"
        f"无法提供{n['unavailable']}件，不予处理{n['rejected']}件，其他处理{n['other']}件，"
        f"总计{n['total_processed']}件；结转下年度继续办理{n['carried_forward']}件。",
        f"- 因政府信息公开工作被申请行政复议{n['review']}件，被提起行政诉讼{n['litigation']}件。",
    ]
    if report.format == "2021":
        lines.append(
            f"- 本年制发行政规范性文件{n['normative_issued']}件，废止{n['normative_repealed']}件，"
            f"现行有效{n['normative_in_force']}件。"
        )
    return "\n".join(lines)


def _notes_block(notes: Notes, part: str) -> str:
    text = notes.text(part).strip()
    return text or "（无要点）"


def prompt_inputs(
    part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
) -> dict[str, str]:
    """The variables of the system and part prompts."""
    extra: list[str] = []
    if previous_text:
        extra.append(f"\n此前的稿件（在此基础上修改）：\n{previous_text.strip()}")
    if instruction:
        extra.append(f"\n审核人的修改要求（务必落实，但仍不得编造数字和事实）：{instruction.strip()}")
    government = report.body_type == "government"
    return {
        "agency": report.agency,
        "year": str(report.year),
        "part_label": part_label(part),
        "notes": _notes_block(notes, part),
        "tables": tables_brief(report),
        "example": read_prompt(f"examples/{part}.md"),
        "problems": _notes_block(notes, "problems"),
        "government_requirement": (
            "- 本单位是人民政府，（五）监督保障一段还要写明工作考核、社会评议和责任追究结果情况。\n"
            if government
            else ""
        ),
        "extra": "\n".join(extra),
    }


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (tiktoken cannot download here): one token per CJK character or
    full-width mark, one per four other characters. cl100k gives 0.7–1.3 per Chinese character."""
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def prompt_size(part: str, notes: Notes, report: Report) -> int:
    """Estimated prompt tokens of one part (system + part prompt with the given notes and tables)."""
    messages = chat_prompt(part).format_messages(**prompt_inputs(part, notes, report))
    return sum(estimate_tokens(str(m.content)) for m in messages)
