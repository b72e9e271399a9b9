"""Characters as publishers' tools really emit them: compatibility forms and Traditional characters.

Chromium's “print to PDF” writes many ideographs as Kangxi radicals (⼀⼯⽉⽇ for 一工月日), and some
sites serve their pages converted to Traditional characters. Both look right and match nothing. Kangxi
and compatibility ideographs are folded to the unified ideographs by NFKC (they are the same characters).
Traditional text is converted to Simplified with OpenCC for matching, character by character so every
line keeps its length and place; the source characters are restored in the prose afterwards.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

# Kangxi radicals, CJK radicals supplement, CJK compatibility ideographs (and their supplement)
_COMPAT = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
_CJK = re.compile("[\u4e00-\u9fff]")
# characters of these reports that differ in Traditional writing: a text with none of them is not converted
_TELLTALE = re.compile("[報開處請機關規範數況資條復議訴結維糾審總與們會這為於]")
MIN_TRADITIONAL = 12  # characters that differ in Simplified before a text counts as Traditional
MIN_SHARE = 0.02


def fold_compat(text: str) -> str:
    """Kangxi radicals and compatibility ideographs → the unified ideographs (other characters untouched)."""
    if not _COMPAT.search(text):
        return text
    return _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


@cache
def _converter() -> Any | None:
    try:
        import opencc
    except ImportError:  # an optional reader: without it Traditional pages are read as they are
        log.warning("OpenCC 未安装，繁体字页面按原文匹配")
        return None
    return opencc.OpenCC("t2s")


@dataclass
class Simplified:
    """A text converted for matching, and how to give its prose back in the source characters."""

    text: str
    converted: bool = False
    back: dict[str, str] = field(default_factory=dict)  # simplified char → the one source char it came from

    aligned: tuple[str, str] | None = None  # (converted, source) texts whose characters correspond one to one

    def align(self, converted: str, source: str) -> None:
        """Give the prose's text before and after conversion, character for character (same length)."""
        if len(converted) == len(source):
            self.aligned = (converted, source)

    def restore(self, text: str) -> str:
        """The source characters of converted text: by position where the paragraph is found in the aligned
        text, else character by character (a character two source characters share then stays simplified)."""
        if not self.converted or not text:
            return text
        return "\n".join(self._restore_paragraph(p) for p in text.split("\n"))

    def _restore_paragraph(self, para: str) -> str:
        if self.aligned is not None and para:
            at = self.aligned[0].find(para)
            if at >= 0:
                return self.aligned[1][at : at + len(para)]
        return "".join(self.back.get(ch, ch) for ch in para)


def _char_map(chars: set[str]) -> dict[str, str]:
    conv = _converter()
    if conv is None or not chars:
        return {}
    ordered = sorted(chars)
    out = conv.convert("\n".join(ordered)).split("\n")
    if len(out) != len(ordered):
        return {}
    return {t: s for t, s in zip(ordered, out, strict=True) if len(s) == 1 and s != t}


def to_simplified(*texts: str) -> tuple[list[str], Simplified]:
    """The texts in Simplified characters when together they are Traditional; else unchanged.

    Each text is converted with OpenCC's phrases (反覆 → 反复) when that keeps its length, else character by
    character, so lines and positions stay where they were.
    """
    joined = "".join(texts)
    if len(_TELLTALE.findall(joined)) < 3:
        return list(texts), Simplified(joined)
    cjk = set(_CJK.findall(joined))
    mapping = _char_map(cjk) if len(cjk) >= MIN_TRADITIONAL else {}
    differing = sum(1 for ch in _CJK.findall(joined) if ch in mapping)
    total = len(_CJK.findall(joined)) or 1
    conv = _converter()
    if conv is None or differing < MIN_TRADITIONAL or differing / total < MIN_SHARE:
        return list(texts), Simplified(joined)
    table = str.maketrans(mapping)
    out: list[str] = []
    sources: dict[str, set[str]] = {}
    for text in texts:
        phrased = conv.convert(text)
        converted = phrased if len(phrased) == len(text) else text.translate(table)
        out.append(converted)
        for src, dst in zip(text, converted, strict=True):
            sources.setdefault(dst, set()).add(src)
    # a simplified character restores only when one source character gave it (发 from 發 and 髮 stays 发)
    back = {dst: next(iter(src)) for dst, src in sources.items() if len(src) == 1 and dst not in src}
    result = Simplified(joined, True, back)
    return out, result
