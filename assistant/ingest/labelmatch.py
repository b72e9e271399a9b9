"""Label normalisation and matching (spec preamble, X6): rows and columns are found by their label.

Published tables spell labels with full- or half-width brackets, straight or curly quotes, list numbers
as ``1.`` ``1、`` ``1．``, characters split by spaces and small typos (本年度止件数). Normalising removes
the harmless differences; the remaining small differences map with a warning, never silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_TRANSLATE = str.maketrans(
    {
        "（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'", "，": ",", "：": ":",
        "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")",
    }
)
_DROP = re.compile(r"[\s、.．·•*_]+")


@lru_cache(maxsize=65536)
def norm_label(text: str) -> str:
    """The comparable form of a label: NFKC, no whitespace, one bracket/quote/comma/colon style, no 、 or dots."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _DROP.sub("", text)


def edit_distance(a: str, b: str, limit: int = 99) -> int:
    """Levenshtein distance, giving up early (returning ``limit + 1``) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def allowed_distance(length: int) -> int:
    """How many edits a label of this length may differ by and still be recognised (with a warning)."""
    if length < 5:
        return 0
    if length < 8:
        return 1
    return max(2, length // 4)


@dataclass(frozen=True)
class LabelMatch:
    key: str
    label: str
    distance: int

    @property
    def exact(self) -> bool:
        return self.distance == 0


class LabelIndex:
    """Known labels (key → official label), matched exactly or within a small edit distance."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._entries = [(key, label, norm_label(label)) for key, label in entries]
        self._exact: dict[str, tuple[str, str]] = {}
        self._lengths = sorted({len(n) for _, _, n in self._entries})
        self._cache: dict[str, LabelMatch | None] = {}
        for key, label, normed in self._entries:
            self._exact.setdefault(normed, (key, label))

    def match(self, text: str) -> LabelMatch | None:
        """The label this text names: exact after normalisation, else the unique nearest within tolerance."""
        normed = norm_label(text)
        if normed in self._cache:
            return self._cache[normed]
        found = self._match(normed)
        if len(self._cache) < 50_000:
            self._cache[normed] = found
        return found

    def _match(self, normed: str) -> LabelMatch | None:
        if not normed:
            return None
        hit = self._exact.get(normed)
        if hit:
            return LabelMatch(hit[0], hit[1], 0)
        limit = allowed_distance(len(normed) + 3)
        if limit == 0 or not any(abs(n - len(normed)) <= limit for n in self._lengths):
            return None
        best: list[tuple[int, str, str]] = []
        for key, label, target in self._entries:
            d = edit_distance(normed, target, limit)
            if d <= min(limit, allowed_distance(max(len(normed), len(target)))):
                best.append((d, key, label))
        if not best:
            return None
        best.sort()
        if len(best) > 1 and best[1][0] == best[0][0] and best[1][1] != best[0][1]:
            return None  # two labels equally near: refuse to pick one
        return LabelMatch(best[0][1], best[0][2], best[0][0])

    def match_suffix(self, text: str) -> LabelMatch | None:
        """The longest label (≥ 4 characters) this text ends with: a flattened row prints its group label first."""
        normed = norm_label(text)
        best: tuple[int, str, str] | None = None
        for key, label, target in self._entries:
            longer = best is None or len(target) > best[0]
            if len(target) >= 4 and len(normed) > len(target) and normed.endswith(target) and longer:
                best = (len(target), key, label)
        return LabelMatch(best[1], best[2], 0) if best else None
