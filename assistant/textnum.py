"""Numbers in Chinese prose: Arabic, full-width, Chinese numerals (via cn2an), %, 万/亿.

Shared by the narrative checks and the drafting number guard, so both read a number the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = f"[{CN_DIGITS}]+"
# A number as it appears in a phrase: Arabic (optionally with 万/亿) or Chinese numerals.
NUMBER = f"(?:{ARABIC}\\s*[万亿]?|{CHINESE})"

_ARABIC_RE = re.compile(f"^({ARABIC})\\s*([万亿]?)$")


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) — positions can shift, so extract after this."""
    return unicodedata.normalize("NFKC", text)


def to_number(raw: str) -> Decimal | None:
    """The value of one number token: ``"148"``, ``"1.5万"``, ``"一百四十八"``, ``"６５"``; None if unreadable."""
    token = normalize(raw).strip().replace(" ", "")
    if not token:
        return None
    m = _ARABIC_RE.match(token)
    try:
        if m:
            value = Decimal(m.group(1).replace(",", ""))
            scale = {"": 1, "万": 10_000, "亿": 100_000_000}[m.group(2)]
            return value * scale
        return Decimal(str(cn2an.cn2an(token, "smart")))
    except (InvalidOperation, ValueError, KeyError):
        return None


def to_int(raw: str) -> int | None:
    """Like ``to_number`` but only for whole numbers."""
    value = to_number(raw)
    if value is None or value != value.to_integral():
        return None
    return int(value)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")


def sentences(text: str) -> list[Sentence]:
    """Split prose into sentences (。；！？ and line breaks), keeping offsets."""
    result: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.end()].strip():
            result.append(Sentence(text[start : m.end()], start))
        start = m.end()
    if text[start:].strip():
        result.append(Sentence(text[start:], start))
    return result
