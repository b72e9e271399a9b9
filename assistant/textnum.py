"""Numbers in Chinese prose: Arabic, full-width, Chinese numerals (via cn2an), %, 万/亿.

Shared by the narrative checks and the drafting number guard, so both read a number the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = f"[{CN_DIGITS}]+"
# A number as it appears in a phrase: Arabic (optionally with 万/亿) or Chinese numerals.
NUMBER = f"(?:{ARABIC}\\s*[万亿]?|{CHINESE})"

_ARABIC_RE = re.compile(f"^({ARABIC})\\s*([万亿]?)$")


_HAS_FULL_WIDTH = re.compile("[０-９．％\u3000]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％\u3000", "0123456789.% ")


def normalize(text: str) -> str:
    """Full-width digits, %, and ideographic spaces to ASCII; Chinese punctuation is kept.

    One character maps to one character, so offsets into the result are offsets into the original.
    Only the number-bearing characters are folded: quoting a sentence back to the clerk must show
    their own punctuation.
    """
    return text.translate(_FULL_WIDTH) if _HAS_FULL_WIDTH.search(text) else text


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
        return _from_chinese(token)
    except (InvalidOperation, ValueError, KeyError):
        return None


def _from_chinese(token: str) -> Decimal:
    """Chinese numerals via cn2an, imported on first use (it costs ~0.3 s at start-up)."""
    import cn2an

    return Decimal(str(cn2an.cn2an(token, "smart")))


def to_int(raw: str) -> int | None:
    """Like ``to_number`` but only for whole numbers."""
    value = to_number(raw)
    if value is None or value != value.to_integral():
        return None
    return int(value)


class Sentence(NamedTuple):
    text: str
    start: int


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")


@lru_cache(maxsize=512)
def sentences(text: str) -> tuple[Sentence, ...]:
    """Split prose into sentences (。；！？ and line breaks), keeping offsets. Cached by text."""
    result: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.end()].strip():
            result.append(Sentence(text[start : m.end()], start))
        start = m.end()
    if text[start:].strip():
        result.append(Sentence(text[start:], start))
    return tuple(result)


# ---------------------------------------------------------------- number mentions (drafting guard)

NumberKind = str  # "arabic" | "chinese" | "percent"

# Measure words after which a Chinese numeral is a quantity (一件, 三个); without one, 一 in 一是, 进一步,
# 统一 or 三审三校 is a word, not a number.
CLASSIFIERS = "件条项个人次家场期篇名批份类户宗起座所台套本册张页天日月年周岁倍余多"
_DIGIT = "0-9０-９"
_ARABIC_TOKEN = f"[{_DIGIT}]+(?:[,，][{_DIGIT}]{{3}})*(?:[.．][{_DIGIT}]+)?"
# Patterns a command may never need are kept as text: ``re`` compiles and caches them on first use.
_MENTION = (
    f"(?P<pct_cn>百分之(?P<pct_cn_num>[{CN_DIGITS}点]+))"
    f"|(?P<arabic>{_ARABIC_TOKEN})(?P<scale>\\s*[万亿](?![元]?[{_DIGIT}]))?(?P<pct>\\s*[%％])?"
    f"|(?P<chinese>[{CN_DIGITS}]+)(?=(?P<cls>[{CLASSIFIERS}]))"
)
_CLASSIFIER = f"\\s*(余|多)?\\s*([{CLASSIFIERS}%％元]|万元|亿元)"


class NumberMention(NamedTuple):
    """One number in prose: where it is (``text[start:end] == raw``), its value, unit and kind.

    ``unit`` is the measure word right after it (件, 条, 人次 → 人, %, 元 …) or None; ``kind`` is
    ``arabic`` (incl. full-width and 万/亿 scaled), ``chinese`` (cn2an) or ``percent``.
    """

    start: int
    end: int
    raw: str
    value: Decimal
    unit: str | None
    kind: NumberKind


def _unit_after(text: str, end: int) -> str | None:
    m = re.compile(_CLASSIFIER).match(text, end)
    return m.group(2) if m else None


def extract_numbers(text: str) -> list[NumberMention]:
    """Every quantity in ``text``: Arabic (full-width too), ``1.5万``, ``30%``, ``百分之百``, ``一件``.

    A Chinese numeral counts only when a measure word follows it (so 一是 and 三审三校 are words);
    enumerators such as （一） and 一是 are never numbers.
    """
    found: list[NumberMention] = []
    for m in re.finditer(_MENTION, text):
        raw = m.group(0)
        if m.group("pct_cn"):
            value = to_number(m.group("pct_cn_num").replace("点", "."))
            if value is None:
                try:
                    value = _from_chinese(m.group("pct_cn_num"))
                except ValueError:
                    continue
            found.append(NumberMention(m.start(), m.end(), raw, value, "%", "percent"))
            continue
        if m.group("arabic"):
            token = m.group("arabic") + (m.group("scale") or "")
            value = to_number(token.replace("，", ",").replace("．", "."))
            if value is None:
                continue
            end = m.end()
            if m.group("pct"):
                found.append(NumberMention(m.start(), end, raw, value, "%", "percent"))
            else:
                found.append(NumberMention(m.start(), end, raw.rstrip(), value, _unit_after(text, end), "arabic"))
            continue
        token = m.group("chinese")
        # A numeral directly inside （） or followed by 是 is an enumerator, already excluded by the lookahead.
        value = to_number(token)
        if value is None:
            continue
        found.append(NumberMention(m.start(), m.end(), token, value, _unit_after(text, m.end()), "chinese"))
    return found
