"""The checks a model reply must pass before the guard reads it: cleaned of reasoning blocks and Markdown,
complete, Chinese, not runaway, not reciting the instructions, no Latin garbage, related to the notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .results import Usage


@dataclass
class Reply:
    """One model reply (or its failure): the text, why it ended, its usage, and the failure if any."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    kind: str | None = None  # the failure's kind (errors.Failure.kind), e.g. "stopped"


_CJK = re.compile(r"[\u4e00-\u9fff]")


_THINK = re.compile(r"<think>.*?</think>", re.S)
_FENCE = re.compile(r"^```\w*\s*$", re.M)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s.*$\n?", re.M)


def clean_reply(text: str) -> str:
    """The prose of a reply: without reasoning blocks (<think>…</think> of R1/Qwen3 servers), code fences,
    Markdown headings or bold markers, which some models add despite the prompt."""
    text = _THINK.sub("", text)
    text = _FENCE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = text.replace("**", "").replace("__", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Latin words a formal report may contain (政务App, Web 端, Wi-Fi …); others inside Chinese prose are garbage.
_LATIN_OK = frozenset({"app", "web", "wifi", "wi", "fi", "www", "http", "https", "gov", "cn", "com", "html", "pdf",
                       "ofd", "wps", "oa", "url", "ai", "ip", "id", "qq", "sms"})
_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z][A-Za-z]*(?![A-Za-z])")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；、）)]+")
_BIGRAM_SHARE = 0.3  # a sentence "relates to the notes" when 30 % of its character pairs occur there


def foreign_words(text: str) -> list[str]:
    """Latin-letter words with lower case inside Chinese prose (a tiny model's "漏vapor"), URLs aside."""
    words = _LATIN_WORD.findall(_URL.sub("", text))
    return [w for w in words if w.lower() not in _LATIN_OK and len(w) >= 2]


def _bigrams(text: str) -> set[str]:
    han = "".join(_CJK.findall(text))
    return {han[i : i + 2] for i in range(len(han) - 1)}


def relates_to(text: str, sources: str) -> bool:
    """Whether some sentence of ``text`` shares enough wording with the notes and tables (``sources``)."""
    known = _bigrams(sources)
    if not known:
        return True
    for sentence in re.split(r"[。；！？\n]", text):
        pairs = _bigrams(sentence)
        if len(pairs) >= 4 and len(pairs & known) >= _BIGRAM_SHARE * len(pairs):
            return True
    return False


def reply_problem(reply: Reply, max_chars: int = 8000, instructions: str = "", sources: str = "") -> str | None:
    """Why a reply cannot be used (Chinese), or None.

    Empty, cut, not Chinese prose, runaway length (over ``max_chars``), Latin words inside the Chinese,
    prose with no sentence that relates to the notes and tables (``sources``), or a reply that recites
    the drafting instructions (``instructions``: the system prompt) instead of writing the part.
    """
    if reply.error:
        return reply.error
    text = clean_reply(reply.text)
    if not text:
        return "模型返回了空内容"
    if reply.finish_reason != "stop":
        return f"模型输出不完整（结束原因：{reply.finish_reason or '连接提前结束'}）"
    visible = re.sub(r"\s", "", text)
    if len(_CJK.findall(visible)) < max(10, len(visible) * 0.3):
        return "模型返回的不是中文正文"
    if len(text) > max_chars:
        return f"模型输出过长（{len(text)} 字，超过上限 {max_chars} 字）"
    if repeated := _repeated_sentence(text):
        return f"模型输出过长且反复重复同一句话（“{repeated[:20]}…”）"
    if recites(visible, instructions):
        return "模型复述了起草要求，而不是撰写正文"
    if foreign := foreign_words(text):
        return f"模型输出夹杂无意义的外文（“{'、'.join(dict.fromkeys(foreign[:3]))}”）"
    if sources and not relates_to(text, sources):
        return "模型输出与要点和统计表格无关"
    return None


def _repeated_sentence(text: str) -> str | None:
    """A sentence of 8+ characters that occurs three times or more: a runaway generation."""
    seen: dict[str, int] = {}
    for sentence in re.split(r"(?<=[。；！？])", text):
        key = re.sub(r"\s|^[一二三四五六七八九十]+是", "", sentence)
        if len(key) >= 8:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] >= 3:
                return sentence.strip()
    return None


def recites(visible_text: str, instructions: str) -> bool:
    """Whether the reply contains a whole line (12+ characters) of the instructions, verbatim."""
    for line in instructions.splitlines():
        probe = re.sub(r"\s", "", line)
        probe = re.sub(r"^(\d+[.、．]|[-*#>]+)", "", probe)
        if len(probe) >= 12 and probe in visible_text:
            return True
    return False
