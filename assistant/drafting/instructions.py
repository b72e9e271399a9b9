"""Reviewer instructions the offline drafter can follow deterministically; the others are declined in words.

- 更简洁 / 精简 / 简短: the standard opening clause goes, short sentences of a paragraph are merged.
- 突出X / 重点写X / 把X放在前面: the paragraph or item about X comes first.
Anything else (更生动, 补充培训情况 …) needs a model: the text stays as it was and the notice says plainly
that the instruction was not followed.
"""

from __future__ import annotations

import re

from .offline import CN_ORDINALS, OfflineDraft, ordinal

_CONCISE = re.compile(r"简洁|精简|简短|简练|压缩|缩短")
_EMPHASIS = re.compile(r"(?:突出|重点(?:写|介绍|反映)?|强调|把|将)[“\"「]?(?P<topic>[^”\"」，。；]{2,12}?)[”\"」]?(?:放在前面|放前面|提前|前置|$|，|。)")
OPENING = re.compile(r"^为保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，")
_ENUM_HEAD = re.compile(f"^(?:（[{CN_ORDINALS}]+）|[{CN_ORDINALS}]+是)")


def apply_instruction(text: str, instruction: str) -> OfflineDraft:
    """Follow ``instruction`` on ``text`` when it can be done without a model; else keep it and say so."""
    wanted = instruction.strip()
    if _CONCISE.search(wanted):
        shorter = concise(text)
        if shorter == text:
            return OfflineDraft(text, "本部分已无可删减的固定表述，内容未变。")
        return OfflineDraft(shorter, "已按“更简洁”删去固定开头语，并合并了短句。")
    m = _EMPHASIS.search(wanted)
    if m:
        topic = m.group("topic").strip()
        moved = put_first(text, topic)
        if moved is None:
            return OfflineDraft(text, f"正文中没有关于“{topic}”的内容，无法突出；请先在要点中补充。")
        if moved == text:
            return OfflineDraft(text, f"关于“{topic}”的内容已在最前面。")
        return OfflineDraft(moved, f"已将关于“{topic}”的内容调到最前面。")
    return OfflineDraft(
        text,
        f"离线起草无法按“{wanted[:30]}”改写，内容未变；如需按此要求改写，请直接修改文本，或配置模型后重新起草。",
    )


def concise(text: str) -> str:
    """Without the standard opening clause; within each paragraph, short sentences joined by "，"."""
    lines = text.splitlines()
    if lines:
        lines[0] = OPENING.sub("", lines[0])
    return "\n".join(_merge_short(line) for line in lines)


def _merge_short(paragraph: str, short: int = 24) -> str:
    sentences = [s for s in re.split(r"(?<=。)", paragraph) if s]
    if len(sentences) < 2:
        return paragraph
    out = [sentences[0]]
    for sentence in sentences[1:]:
        prev = out[-1]
        # Join a short sentence to the one before, unless either opens an enumerated item or title.
        if len(sentence) <= short and len(prev) <= short * 2 and not _ENUM_HEAD.match(sentence) and not prev.endswith("）。"):
            out[-1] = prev[:-1] + "，" + sentence
        else:
            out.append(sentence)
    return "".join(out)


def put_first(text: str, topic: str) -> str | None:
    """``text`` with the paragraph (or 一是… item) that mentions ``topic`` first; None if none does."""
    lines = text.splitlines()
    if len(lines) > 1:  # paragraphs: the opening stays first, sub-topics are renumbered
        head, body = (lines[0], lines[1:]) if not lines[0].startswith("（") else ("", lines)
        hit = [line for line in body if topic in line]
        if not hit:
            return None if topic not in head else text
        rest = [line for line in body if topic not in line]
        ordered = [_renumber(line, i) for i, line in enumerate(hit + rest, 1)]
        return "\n".join(([head] if head else []) + ordered)
    items = re.split(f"(?=[{CN_ORDINALS}]+是)", text)
    lead, items = (items[0], items[1:]) if items and not _ENUM_HEAD.match(items[0]) else ("", items)
    hit = [it for it in items if topic in it]
    if not hit:
        return None
    ordered = hit + [it for it in items if topic not in it]
    cleaned = [re.sub(f"^[{CN_ORDINALS}]+是", "", it).rstrip("；。") for it in ordered]
    joined = "；".join(f"{ordinal(i)}是{it}" for i, it in enumerate(cleaned, 1)) + "。"
    return lead + joined


def _renumber(line: str, i: int) -> str:
    return re.sub(f"^（[{CN_ORDINALS}]+）", f"（{ordinal(i)}）", line)
