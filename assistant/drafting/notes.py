"""Bullet notes (data-contract §3): Markdown with one heading per part, or the same structure in YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from ..errors import AssistantError
from ..schema.document import DocumentTooComplexError, check_shape
from ..schema.labels import NARRATIVE_LABELS

Part = Literal["overview", "problems", "improvements", "other_matters"]
PARTS: tuple[Part, ...] = ("overview", "problems", "improvements", "other_matters")

PART_ALIASES: dict[Part, tuple[str, ...]] = {
    "overview": ("总体情况", "一、总体情况", "概述", "总体", "overview"),
    "problems": ("存在问题", "存在的主要问题", "主要问题", "问题", "problems"),
    "improvements": ("改进情况", "改进措施", "整改情况", "改进", "improvements"),
    "other_matters": ("其他需要报告的事项", "六、其他需要报告的事项", "其他事项", "其他", "other_matters"),
}
# The five official sub-topics of 总体情况 plus the 第五十条第四项 items for government bodies.
TOPICS: dict[str, tuple[str, ...]] = {
    "主动公开": ("主动公开", "主动公开政府信息", "active_disclosure"),
    "依申请公开": ("依申请公开", "依申请公开政府信息", "applications"),
    "政府信息管理": ("政府信息管理", "信息管理", "information_management"),
    "平台建设": ("平台建设", "政府信息公开平台建设", "政务公开平台建设", "platforms"),
    "监督保障": ("监督保障", "监督保障机制", "supervision"),
    "考核评议": (
        "考核、社会评议和责任追究",
        "工作考核、社会评议和责任追究",
        "工作考核、社会评议和责任追究结果情况",
        "考核评议",
        "考核",
        "assessment",
    ),
}
_ENUM = re.compile(r"^[（(]?[一二三四五六七八九十0-9]+[）)、.．]\s*")


class NotesError(AssistantError, ValueError):
    """The notes cannot be read; the message names the bad heading or line and lists what is accepted."""


def _norm(label: str) -> str:
    return _ENUM.sub("", re.sub(r"\s+", "", label)).rstrip("：:")


def _lookup(label: str, table: dict[Any, tuple[str, ...]]) -> Any | None:
    key = _norm(label)
    for target, aliases in table.items():
        if key in (_norm(a) for a in aliases):
            return target
    return None


def _accepted_parts() -> str:
    return "、".join(aliases[0] for aliases in PART_ALIASES.values())


def _accepted_topics() -> str:
    return "、".join(aliases[0] for aliases in TOPICS.values())


@dataclass
class Notes:
    """The notes per part. ``parts["overview"]`` keeps its ``## 子标题`` lines; ``general`` are overview
    bullets before the first sub-heading; ``topics`` the overview bullets by sub-topic."""

    parts: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    topics: dict[str, list[str]] = field(default_factory=dict)
    bullets: dict[str, list[str]] = field(default_factory=dict)

    def text(self, part: str) -> str:
        return self.parts.get(part, "")

    def all_text(self) -> str:
        return "\n".join(self.parts.values())

    def is_empty(self) -> bool:
        return not any(self.bullets.values()) and not self.general and not any(self.topics.values())


def _bullet(line: str) -> str:
    return re.sub(r"^\s*(?:[-*+•·]|\d+[.、)）])\s*", "", line).strip()


def _parse_markdown(text: str) -> Notes:
    notes = Notes()
    part: Part | None = None
    topic: str | None = None
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        m = re.match(r"^(#{1,6})\s*(.+?)\s*#*$", stripped)
        if m and len(m.group(1)) == 1:
            found = _lookup(m.group(2), PART_ALIASES)
            if found is None:
                raise NotesError(
                    f"要点第 {lineno} 行的一级标题“{m.group(2)}”无法识别；可用的一级标题为：{_accepted_parts()}。"
                )
            part, topic = found, None
            notes.parts.setdefault(found, "")
            notes.bullets.setdefault(found, [])
            continue
        if part is None:
            raise NotesError(
                f"要点第 {lineno} 行“{stripped[:20]}”不在任何一级标题之下；请先写一级标题（{_accepted_parts()}）。"
            )
        notes.parts[part] += line.rstrip() + "\n"
        if m:
            if part != "overview":
                raise NotesError(
                    f"要点第 {lineno} 行的二级标题“{m.group(2)}”只能用于“总体情况”之下，"
                    f"可用的二级标题为：{_accepted_topics()}。"
                )
            topic = _lookup(m.group(2), TOPICS)
            if topic is None:
                raise NotesError(
                    f"要点第 {lineno} 行的二级标题“{m.group(2)}”无法识别；"
                    f"“总体情况”下可用的二级标题为：{_accepted_topics()}。"
                )
            notes.topics.setdefault(topic, [])
            continue
        item = _bullet(stripped)
        if not item:
            continue
        if part == "overview":
            (notes.topics.setdefault(topic, []) if topic else notes.general).append(item)
        notes.bullets[part].append(item)
    return notes


def _items(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [_bullet(v) for v in value.splitlines() if _bullet(v)]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise NotesError(f"要点“{where}”应为文字或文字列表，实际为 {type(value).__name__}。")


def _parse_yaml(data: dict[Any, Any]) -> Notes:
    notes = Notes()
    for key, value in data.items():
        part = _lookup(str(key), PART_ALIASES)
        if part is None:
            raise NotesError(f"要点中的标题“{key}”无法识别；可用的一级标题为：{_accepted_parts()}。")
        lines: list[str] = []
        if part == "overview" and isinstance(value, dict):
            for sub, sub_value in value.items():
                topic = _lookup(str(sub), TOPICS)
                if topic is None and _norm(str(sub)) not in ("总体", "general", "总述"):
                    raise NotesError(
                        f"要点“总体情况”下的二级标题“{sub}”无法识别；可用的二级标题为：{_accepted_topics()}。"
                    )
                items = _items(sub_value, f"{key}/{sub}")
                if topic is None:
                    notes.general.extend(items)
                    lines[:0] = [f"- {i}" for i in items]
                else:
                    notes.topics[topic] = items
                    lines += [f"## {TOPICS[topic][0]}"] + [f"- {i}" for i in items]
        else:
            items = _items(value, str(key))
            if part == "overview":
                notes.general.extend(items)
            lines = [f"- {i}" for i in items]
        notes.bullets[part] = (
            [*notes.general, *(i for t in notes.topics.values() for i in t)]
            if part == "overview"
            else (_items(value, str(key)))
        )
        notes.parts[part] = "\n".join(lines) + ("\n" if lines else "")
    return notes


def parse_notes(text: str) -> Notes:
    """Read bullet notes (Markdown headings or YAML). Raises ``NotesError`` naming the bad heading."""
    if re.search(r"^\s*#{1,6}\s*\S", text, flags=re.M):
        return _parse_markdown(text)
    if not text.strip():
        return Notes()
    try:
        data = yaml.safe_load(text)
        check_shape(data)  # deep nesting and alias bombs, as for report documents
    except yaml.YAMLError as exc:
        raise NotesError(f"要点既不是带标题的 Markdown，也不是合法的 YAML：{str(exc).splitlines()[0]}") from exc
    except RecursionError as exc:
        raise NotesError("要点的 YAML 嵌套层数过深，不是起草要点") from exc
    except DocumentTooComplexError as exc:
        raise NotesError(f"要点的 YAML {exc}，不是起草要点") from exc
    if not isinstance(data, dict):
        raise NotesError(f"要点应以标题分段（Markdown 的 # 标题或 YAML 的键），可用的一级标题为：{_accepted_parts()}。")
    return _parse_yaml(data)


def part_label(part: str) -> str:
    return NARRATIVE_LABELS.get(part, part)


class PartError(AssistantError, ValueError):
    """An unknown part name; the message lists the accepted ones."""


def check_part(part: str) -> str:
    """``part`` if it is one of the four narrative parts, else ``PartError`` in Chinese."""
    if part not in PARTS:
        accepted = "、".join(f"{p}（{part_label(p)}）" for p in PARTS)
        raise PartError(f"未知的正文部分“{part}”；可选：{accepted}。")
    return part
