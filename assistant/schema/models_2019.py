"""The 2019 trial format's own models (国办公开办函〔2019〕60号, spec §8.1), used for the years 2019–2020.

Loaded on first use through ``models.Report2019`` / ``models.Report``: see ``models``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .models import (
    Count,
    Line,
    Money,
    SignedCount,
    _ApplicationsBase,
    _ReportBase,
    _Strict,
)


class MadePublished2019(_Strict):
    new_made: Count | None = Field(None, title="本年新制作数量")
    new_published: Count | None = Field(None, title="本年新公开数量")
    total_published: Count | None = Field(None, title="对外公开总数量")


class Items2019(_Strict):
    prev_year_items: Count | None = Field(None, title="上一年项目数量")
    change: SignedCount | None = Field(None, title="本年增/减")
    decisions: Count | None = Field(None, title="处理决定数量")


class FeeItems2019(_Strict):
    prev_year_items: Count | None = Field(None, title="上一年项目数量")
    change: SignedCount | None = Field(None, title="本年增/减")


class Procurement2019(_Strict):
    procurement_items: Count | None = Field(None, title="采购项目数量")
    procurement_amount: Money | None = Field(None, title="采购总金额")


class Art20Item1v2019(_Strict):
    regulations: MadePublished2019 | None = Field(None, title="规章")
    normative_documents: MadePublished2019 | None = Field(None, title="规范性文件")


class Art20Item5v2019(_Strict):
    admin_licensing: Items2019 | None = Field(None, title="行政许可")
    other_external_services: Items2019 | None = Field(None, title="其他对外管理服务事项")


class Art20Item6v2019(_Strict):
    admin_penalty: Items2019 | None = Field(None, title="行政处罚")
    admin_coercion: Items2019 | None = Field(None, title="行政强制")


class Art20Item8v2019(_Strict):
    admin_fees: FeeItems2019 | None = Field(None, title="行政事业性收费")


class Art20Item9v2019(_Strict):
    gov_central_procurement: Procurement2019 | None = Field(None, title="政府集中采购")


class ActiveDisclosure2019(_Strict):
    """Section 二 of the 2019 trial format (spec §8.1)."""

    art20_1: Art20Item1v2019 | None = Field(None, title="第二十条第（一）项")
    art20_5: Art20Item5v2019 | None = Field(None, title="第二十条第（五）项")
    art20_6: Art20Item6v2019 | None = Field(None, title="第二十条第（六）项")
    art20_8: Art20Item8v2019 | None = Field(None, title="第二十条第（八）项")
    art20_9: Art20Item9v2019 | None = Field(None, title="第二十条第（九）项")


class Applications2019(_ApplicationsBase):
    """Section 三 of the 2019 trial format: （六）其他处理 is a single row."""

    other_total_2019: Line = Field(None, title="（六）其他处理")
    total_processed: Line = Field(None, title="（七）总计")
    carried_forward: Line = Field(None, title="四、结转下年度继续办理")


class Report2019(_ReportBase):
    """A report in the 2019 trial format (国办公开办函〔2019〕60号), used for years 2019–2020."""

    format: Literal["2019"]
    active_disclosure: ActiveDisclosure2019 | None = None
    applications: Applications2019 | None = None
