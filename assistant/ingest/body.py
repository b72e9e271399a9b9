"""What kind of body published a report, and where it sits, from its name (rules X5, R2.4 and the audit pairing).

The type decides which deadline applies (X5: a government's own report by 3月31日, departments and
townships by 1月31日) and whether 规章 can be issued (R2.4). It is inferred from the agency name and
stated in the document's ``parse_notes``, so a clerk can see it and override ``body_type``.
"""

from __future__ import annotations

import re

from ..schema.labels import BODY_TYPE_LABELS
from ..schema.models import BodyType

UNRECOGNISED_AGENCY = "（未识别机关）"
_TOWNSHIP = re.compile(r"(?:[乡镇]人民政府(?:办公室)?|街道(?:办事处|党工委)?|[乡镇])$")
_GOVERNMENT = re.compile(r"人民政府(?:办公室|办公厅)?$")
_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|厅|署|中心|院|所|处|会)$")
_REGION = re.compile(r"^(?:.{1,12}?(?:自治区|特别行政区|省|自治州|地区|盟|市|自治县|自治旗|县|旗|区))+")


def infer_body_type(agency: str | None) -> tuple[BodyType | None, str | None]:
    """(type, the note saying so) from the agency name; (None, None) when the name says nothing."""
    if not agency or agency == UNRECOGNISED_AGENCY:
        return None, None
    name = re.sub(r"\s+", "", agency)
    kind: BodyType | None
    if _TOWNSHIP.search(name):
        kind = "township"
    elif _GOVERNMENT.search(name):
        kind = "government"
    elif _DEPARTMENT.search(name):
        kind = "department"
    else:
        return None, None
    note = (f"机关类型按机关名称“{agency}”推断为{BODY_TYPE_LABELS[kind]}（影响 X5 发布期限与 R2.4 规章判断），"
            "如有误请修改“机关类型”")
    return kind, note


def region_of(agency: str | None, address: str | None = None) -> str:
    """The administrative division a body belongs to: the name's leading 省/市/县/区 part, else the address's."""
    for text in (agency, address):
        if text:
            m = _REGION.match(re.sub(r"\s+", "", text))
            if m:
                return m.group(0)
    return ""
