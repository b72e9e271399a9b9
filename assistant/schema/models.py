"""Pydantic models of the report document (data-contract §1): the 2021 format and what both formats share.

The 2019 trial format's own classes live in ``models_2019`` and load on first use (``Report2019`` or
``Report`` from here loads them): checking a 2021 report never defines them, a tenth of ``xxgk check``'s
start-up.

Count cells are strict: an integer ≥ 0 or ``null`` (blank). Text, fractions, booleans, negatives
and unknown keys are input errors; ``load_report`` turns them into a ``ReportInputError`` that
names each cell by its id and its official Chinese label.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, Strict

from .text import CleanText

Count = Annotated[int, Strict(), Field(ge=0)]
SignedCount = Annotated[int, Strict()]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
BodyType = Literal["department", "government", "township", "other"]


class _Strict(BaseModel):
    # defer_build: a model builds its validator on first use, so a class a command never validates costs
    # nothing (the command line starts faster).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


# ---------------------------------------------------------------- section 二, 2021


class IssuedRepealedInForce(_Strict):
    issued: Count | None = Field(None, title="本年制发件数")
    repealed: Count | None = Field(None, title="本年废止件数")
    in_force: Count | None = Field(None, title="现行有效件数")


class Decisions(_Strict):
    decisions: Count | None = Field(None, title="本年处理决定数量")


class FeeAmount(_Strict):
    fee_amount_wan_yuan: Money | None = Field(None, title="本年收费金额（单位：万元）")


class Art20Item1(_Strict):
    regulations: IssuedRepealedInForce | None = Field(None, title="规章")
    normative_documents: IssuedRepealedInForce | None = Field(None, title="行政规范性文件")


class Art20Item5(_Strict):
    admin_licensing: Decisions | None = Field(None, title="行政许可")


class Art20Item6(_Strict):
    admin_penalty: Decisions | None = Field(None, title="行政处罚")
    admin_coercion: Decisions | None = Field(None, title="行政强制")


class Art20Item8(_Strict):
    admin_fees: FeeAmount | None = Field(None, title="行政事业性收费")


class ActiveDisclosure(_Strict):
    """Section 二 of the 2021 format: 10 cells in four sub-tables."""

    art20_1: Art20Item1 | None = Field(None, title="第二十条第（一）项")
    art20_5: Art20Item5 | None = Field(None, title="第二十条第（五）项")
    art20_6: Art20Item6 | None = Field(None, title="第二十条第（六）项")
    art20_8: Art20Item8 | None = Field(None, title="第二十条第（八）项")


# ---------------------------------------------------------------- section 三


class ApplicantCounts(_Strict):
    """One row of section 三: the six applicant columns and 总计."""

    natural_person: Count | None = Field(None, title="自然人")
    commercial: Count | None = Field(None, title="商业企业")
    research: Count | None = Field(None, title="科研机构")
    public_interest: Count | None = Field(None, title="社会公益组织")
    legal_service: Count | None = Field(None, title="法律服务机构")
    other_org: Count | None = Field(None, title="其他")
    total: Count | None = Field(None, title="总计")


Line = ApplicantCounts | None


class _ApplicationsBase(_Strict):
    new_requests: Line = Field(None, title="一、本年新收政府信息公开申请数量")
    carried_over: Line = Field(None, title="二、上年结转政府信息公开申请数量")
    granted: Line = Field(None, title="（一）予以公开")
    partially_granted: Line = Field(None, title="（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    denied_state_secret: Line = Field(None, title="1.属于国家秘密")
    denied_law_prohibited: Line = Field(None, title="2.其他法律行政法规禁止公开")
    denied_security_stability: Line = Field(None, title="3.危及“三安全一稳定”")
    denied_third_party: Line = Field(None, title="4.保护第三方合法权益")
    denied_internal_affairs: Line = Field(None, title="5.属于三类内部事务信息")
    denied_process_info: Line = Field(None, title="6.属于四类过程性信息")
    denied_enforcement_file: Line = Field(None, title="7.属于行政执法案卷")
    denied_admin_query: Line = Field(None, title="8.属于行政查询事项")
    unavailable_not_held: Line = Field(None, title="1.本机关不掌握相关政府信息")
    unavailable_needs_creation: Line = Field(None, title="2.没有现成信息需要另行制作")
    unavailable_unclear: Line = Field(None, title="3.补正后申请内容仍不明确")
    rejected_petition_complaint: Line = Field(None, title="1.信访举报投诉类申请")
    rejected_duplicate: Line = Field(None, title="2.重复申请")
    rejected_publication: Line = Field(None, title="3.要求提供公开出版物")
    rejected_excessive: Line = Field(None, title="4.无正当理由大量反复申请")
    rejected_confirm_reissue: Line = Field(None, title="5.要求行政机关确认或重新出具已获取信息")


class Applications(_ApplicationsBase):
    """Section 三 of the 2021 format: 25 rows × 7 columns."""

    other_no_correction: Line = Field(
        None, title="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    )
    other_fee_unpaid: Line = Field(
        None, title="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    other_misc: Line = Field(None, title="3.其他")
    total_processed: Line = Field(None, title="（七）总计")
    carried_forward: Line = Field(None, title="四、结转下年度继续办理")


# ---------------------------------------------------------------- section 四


class ReviewCounts(_Strict):
    upheld: Count | None = Field(None, title="结果维持")
    corrected: Count | None = Field(None, title="结果纠正")
    other_result: Count | None = Field(None, title="其他结果")
    pending: Count | None = Field(None, title="尚未审结")
    total: Count | None = Field(None, title="总计")


class ReviewLitigation(_Strict):
    """Section 四: identical in both formats, 15 cells."""

    review: ReviewCounts | None = Field(None, title="行政复议")
    litigation_direct: ReviewCounts | None = Field(None, title="行政诉讼·未经复议直接起诉")
    litigation_after_review: ReviewCounts | None = Field(None, title="行政诉讼·复议后起诉")


# ---------------------------------------------------------------- metadata and narrative


class Contact(_Strict):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    address: CleanText | None = Field(None, title="地址")
    postcode: CleanText | None = Field(None, title="邮编")
    phone: CleanText | None = Field(None, title="电话")
    email: CleanText | None = Field(None, title="邮箱")


class Narrative(_Strict):
    """The prose parts. Any may be missing or empty while drafting."""

    overview: CleanText | None = Field(None, title="一、总体情况")
    problems: CleanText | None = Field(None, title="五、（一）存在问题")
    improvements: CleanText | None = Field(None, title="五、（二）改进情况")
    other_matters: CleanText | None = Field(None, title="六、其他需要报告的事项")


class PreviousYearReference(_Strict):
    """Last year's figures kept in this year's document for the cross-year checks (X1, X3, R2.6)."""

    year: int
    agency: CleanText | None = None
    new_requests: ApplicantCounts | None = None
    carried_forward: ApplicantCounts | None = None
    regulations_in_force: Count | None = None
    normative_documents_in_force: Count | None = None


class _ReportBase(_Strict):
    year: Annotated[int, Strict(), Field(ge=2007, le=2100, title="统计年度")]
    agency: Annotated[CleanText, Field(min_length=1, title="机关名称")]
    body_type: BodyType | None = Field(None, title="机关类型")
    contact: Contact | None = None
    title: CleanText | None = Field(None, title="发布标题（导入时保留）")
    opening: CleanText | None = Field(None, title="开头段落（导入时保留）")
    published_on: date | None = Field(None, title="发布日期")
    review_litigation: ReviewLitigation | None = None
    narrative: Narrative = Field(default_factory=Narrative)
    previous_year: PreviousYearReference | None = None
    raw_cells: dict[str, CleanText] = Field(
        {}, title="导入时未能读成数字的单元格原文（单元格编号 → 原文）"
    )
    parse_notes: list[str] = Field(
        [], title="导入说明：解析时推断的数字拆分、列对应与机关类型，及其依据"
    )

    @property
    def default_title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


class Report2021(_ReportBase):
    """A report in the 2021 national format (国办公开办函〔2021〕30号)."""

    format: Literal["2021"] = "2021"
    active_disclosure: ActiveDisclosure | None = None
    applications: Applications | None = None


if TYPE_CHECKING:
    from .models_2019 import Report2019

    Report: TypeAlias = Report2021 | Report2019
else:

    def __getattr__(name: str) -> Any:
        # ``Report`` (either format) and ``Report2019`` are built from the 2019 classes on first use.
        if name == "Report2019":
            from .models_2019 import Report2019

            return Report2019
        if name == "Report":
            from .models_2019 import Report2019

            return Report2021 | Report2019
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
