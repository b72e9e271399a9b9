"""Text hygiene for every string that enters a report: control characters are removed on input.

A backspace or an escape sequence (a model reply is enough) would otherwise pass the checks and the
preview, then make the Word and Excel writers fail (XML 1.0 forbids them). Line breaks and tabs stay.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

log = logging.getLogger(__name__)

# C0 controls except tab, line feed and carriage return; DEL and the C1 block; the two XML non-characters;
# lone surrogates (a JSON "\ud800" decodes to one and no UTF-8 writer accepts it).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and line breaks are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any character ``strip_controls`` would remove."""
    return CONTROL_CHARACTERS.search(text) is not None


def control_notice(count: int, where: str | None = None) -> str:
    """The clerk's notice that ``count`` control characters were removed (from ``where``, a field's label)."""
    place = f"“{where}”中的" if where else ""
    return f"已删除{place} {count} 个控制字符（如退格、转义符；它们会使 Word、Excel 导出失败）。"


def removal_notice(*texts: str | None) -> str:
    """The notice for the control characters ``texts`` will lose (``""`` when none)."""
    count = sum(len(CONTROL_CHARACTERS.findall(t)) for t in texts if t)
    return control_notice(count) if count else ""


def _clean(value: str, info: ValidationInfo) -> str:
    if not has_controls(value):
        return value
    cleaned = strip_controls(value)
    log.warning("removed %d control character(s) from field %s", len(value) - len(cleaned), info.field_name)
    return cleaned


CleanText = Annotated[str, AfterValidator(_clean)]
"""A string field whose control characters are removed when the document is validated or assigned."""
