"""The official format as data: every table, row, column and heading with its id and exact label.

Labels are reproduced verbatim from 国办公开办函〔2021〕30号 (and the 2019 trial format of
国办公开办函〔2019〕60号) as recorded in ``format-spec.md``. Everything else — models, checks,
renderers, parsers — derives its ids and labels from here, so a label is written exactly once.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

FormatVersion = Literal["2021", "2019"]
CellKind = Literal["count", "money", "signed_count"]

# The records of the format are NamedTuples, not frozen dataclasses: defining one costs about a quarter as
# much, and `xxgk check` defines them (here, in textnum and the checks) at every start.


class Column(NamedTuple):
    """One data column of a table: its id in the document and its printed label."""

    id: str
    label: str
    kind: CellKind = "count"


class Row(NamedTuple):
    """One data row. ``group`` is the printed group label (（三）不予公开 …) above numbered leaves."""

    id: str
    label: str
    group: str | None = None


class SubTable(NamedTuple):
    """A captioned sub-table of section 二 (第二十条第（一）项 …)."""

    id: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


# ---------------------------------------------------------------- section headings (spec §1)


class Heading(NamedTuple):
    number: str
    label: str
    aliases: tuple[str, ...] = ()


SECTION_HEADINGS: tuple[Heading, ...] = (
    Heading("一", "一、总体情况"),
    Heading("二", "二、主动公开政府信息情况", ("二、行政机关主动公开政府信息情况",)),
    Heading("三", "三、收到和处理政府信息公开申请情况", ("三、行政机关收到和处理政府信息公开申请情况",)),
    Heading(
        "四",
        "四、政府信息公开行政复议、行政诉讼情况",
        (
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "四、政府信息公开行政复议和行政诉讼情况",
        ),
    ),
    Heading(
        "五",
        "五、存在的主要问题及改进情况",
        ("五、政府信息公开工作存在的主要问题及改进情况", "五、存在问题及改进情况"),
    ),
    Heading("六", "六、其他需要报告的事项"),
)

# The narrative parts of the document and where they stand in the report.
NarrativePart = Literal["overview", "problems", "improvements", "other_matters"]
# How every message, view and prompt names a cell with no value (blank is not 0): one word, everywhere.
BLANK_CELL = "空白"
NARRATIVE_PARTS: tuple[NarrativePart, ...] = ("overview", "problems", "improvements", "other_matters")
NARRATIVE_LABELS: dict[str, str] = {
    "overview": "总体情况",
    "problems": "存在问题",
    "improvements": "改进情况",
    "other_matters": "其他需要报告的事项",
}
# 机关类型 as a clerk chooses it (the body type drives R2.4, S1.2 and the X5 deadline).
BODY_TYPE_LABELS: dict[str, str] = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇人民政府、街道办事处",
    "other": "其他机关",
}
NARRATIVE_SECTION: dict[str, str] = {
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况（一）存在问题",
    "improvements": "五、存在的主要问题及改进情况（二）改进情况",
    "other_matters": "六、其他需要报告的事项",
}
OVERVIEW_TOPICS: tuple[tuple[str, str], ...] = (
    ("（一）", "主动公开"),
    ("（二）", "依申请公开"),
    ("（三）", "政府信息管理"),
    ("（四）", "政府信息公开平台建设"),
    ("（五）", "监督保障"),
)

# ---------------------------------------------------------------- section 二 (spec §2, §8.1)

INFO_CONTENT = "信息内容"
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)
SECTION2_2021: tuple[SubTable, ...] = (
    SubTable(
        "art20_1",
        "第二十条第（一）项",
        (Column("issued", "本年制发件数"), Column("repealed", "本年废止件数"), Column("in_force", "现行有效件数")),
        (Row("regulations", "规章"), Row("normative_documents", "行政规范性文件")),
    ),
    SubTable("art20_5", "第二十条第（五）项", _DECISIONS_2021, (Row("admin_licensing", "行政许可"),)),
    SubTable(
        "art20_6",
        "第二十条第（六）项",
        _DECISIONS_2021,
        (Row("admin_penalty", "行政处罚"), Row("admin_coercion", "行政强制")),
    ),
    SubTable(
        "art20_8",
        "第二十条第（八）项",
        (Column("fee_amount_wan_yuan", "本年收费金额（单位：万元）", "money"),),
        (Row("admin_fees", "行政事业性收费"),),
    ),
)

_ITEMS_2019 = (
    Column("prev_year_items", "上一年项目数量"),
    Column("change", "本年增/减", "signed_count"),
    Column("decisions", "处理决定数量"),
)
SECTION2_2019: tuple[SubTable, ...] = (
    SubTable(
        "art20_1",
        "第二十条第（一）项",
        (
            Column("new_made", "本年新制作数量"),
            Column("new_published", "本年新公开数量"),
            Column("total_published", "对外公开总数量"),
        ),
        (Row("regulations", "规章"), Row("normative_documents", "规范性文件")),
    ),
    SubTable(
        "art20_5",
        "第二十条第（五）项",
        _ITEMS_2019,
        (Row("admin_licensing", "行政许可"), Row("other_external_services", "其他对外管理服务事项")),
    ),
    SubTable("art20_6", "第二十条第（六）项", _ITEMS_2019, (Row("admin_penalty", "行政处罚"), Row("admin_coercion", "行政强制"))),
    SubTable("art20_8", "第二十条第（八）项", _ITEMS_2019[:2], (Row("admin_fees", "行政事业性收费"),)),
    SubTable(
        "art20_9",
        "第二十条第（九）项",
        (Column("procurement_items", "采购项目数量"), Column("procurement_amount", "采购总金额", "money")),
        (Row("gov_central_procurement", "政府集中采购"),),
    ),
)

# ---------------------------------------------------------------- section 三 (spec §3, §8.2)

SECTION3_RULE_TEXT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_GROUP = "申请人情况"
LEGAL_ENTITY_GROUP = "法人或其他组织"
SECTION3_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("public_interest", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)
APPLICANT_COLUMNS: tuple[str, ...] = tuple(c.id for c in SECTION3_COLUMNS if c.id != "total")
LEGAL_ENTITY_COLUMNS: tuple[str, ...] = APPLICANT_COLUMNS[1:]

RESULTS_GROUP = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_REJECTED = "（五）不予处理"
_OTHER = "（六）其他处理"

_HEAD_ROWS = (
    Row("new_requests", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
)
_LEAVES_BEFORE_OTHER = (
    Row("granted", "（一）予以公开"),
    Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Row("denied_state_secret", "1.属于国家秘密", _DENIED),
    Row("denied_law_prohibited", "2.其他法律行政法规禁止公开", _DENIED),
    Row("denied_security_stability", "3.危及“三安全一稳定”", _DENIED),
    Row("denied_third_party", "4.保护第三方合法权益", _DENIED),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", _DENIED),
    Row("denied_process_info", "6.属于四类过程性信息", _DENIED),
    Row("denied_enforcement_file", "7.属于行政执法案卷", _DENIED),
    Row("denied_admin_query", "8.属于行政查询事项", _DENIED),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", _UNAVAILABLE),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", _UNAVAILABLE),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", _UNAVAILABLE),
    Row("rejected_petition_complaint", "1.信访举报投诉类申请", _REJECTED),
    Row("rejected_duplicate", "2.重复申请", _REJECTED),
    Row("rejected_publication", "3.要求提供公开出版物", _REJECTED),
    Row("rejected_excessive", "4.无正当理由大量反复申请", _REJECTED),
    Row("rejected_confirm_reissue", "5.要求行政机关确认或重新出具已获取信息", _REJECTED),
)
_OTHER_LEAVES_2021 = (
    Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", _OTHER),
    Row("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", _OTHER),
    Row("other_misc", "3.其他", _OTHER),
)
_OTHER_LEAF_2019 = (Row("other_total_2019", "（六）其他处理"),)
_TAIL_ROWS = (
    Row("total_processed", "（七）总计"),
    Row("carried_forward", "四、结转下年度继续办理"),
)

DISPOSAL_LEAVES_2021: tuple[Row, ...] = _LEAVES_BEFORE_OTHER + _OTHER_LEAVES_2021
DISPOSAL_LEAVES_2019: tuple[Row, ...] = _LEAVES_BEFORE_OTHER + _OTHER_LEAF_2019
SECTION3_ROWS_2021: tuple[Row, ...] = _HEAD_ROWS + DISPOSAL_LEAVES_2021 + _TAIL_ROWS
SECTION3_ROWS_2019: tuple[Row, ...] = _HEAD_ROWS + DISPOSAL_LEAVES_2019 + _TAIL_ROWS
# Rows under 三、本年度办理结果 (leaves plus （七）总计): the official rowspan of column 1.
RESULTS_ROW_IDS_2021 = tuple(r.id for r in DISPOSAL_LEAVES_2021) + ("total_processed",)
RESULTS_ROW_IDS_2019 = tuple(r.id for r in DISPOSAL_LEAVES_2019) + ("total_processed",)

# ---------------------------------------------------------------- section 四 (spec §4)


class ReviewGroup(NamedTuple):
    id: str
    label: str
    parent: str | None = None


SECTION4_GROUPS: tuple[ReviewGroup, ...] = (
    ReviewGroup("review", "行政复议"),
    ReviewGroup("litigation_direct", "未经复议直接起诉", "行政诉讼"),
    ReviewGroup("litigation_after_review", "复议后起诉", "行政诉讼"),
)
SECTION4_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other_result", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)

# ---------------------------------------------------------------- cells


TableId = Literal["active_disclosure", "applications", "review_litigation"]
TABLE_LABELS: dict[str, str] = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


class CellSpec(NamedTuple):
    """One statistics cell: its dotted id (= its path in the document) and how a clerk names it."""

    id: str
    table: TableId
    row: str
    column: str
    row_label: str
    column_label: str
    kind: CellKind = "count"
    group_label: str | None = None

    @property
    def label(self) -> str:
        """The cell as a clerk reads the printed table, e.g. 「（一）予以公开」行「自然人」列."""
        row = f"{self.group_label} {self.row_label}" if self.group_label else self.row_label
        if self.table == "review_litigation":
            return f"「{row}」的「{self.column_label}」"
        return f"「{row}」行「{self.column_label}」列"

    @property
    def full_label(self) -> str:
        """The cell with its section, for messages that stand alone."""
        return f"{TABLE_LABELS[self.table]}表{self.label}"


def section2_tables(version: FormatVersion) -> tuple[SubTable, ...]:
    return SECTION2_2021 if version == "2021" else SECTION2_2019


def section3_rows(version: FormatVersion) -> tuple[Row, ...]:
    return SECTION3_ROWS_2021 if version == "2021" else SECTION3_ROWS_2019


def disposal_leaves(version: FormatVersion) -> tuple[Row, ...]:
    return DISPOSAL_LEAVES_2021 if version == "2021" else DISPOSAL_LEAVES_2019


def _build_cells(version: FormatVersion) -> dict[str, CellSpec]:
    cells: dict[str, CellSpec] = {}
    for sub in section2_tables(version):
        for row in sub.rows:
            for col in sub.columns:
                cid = f"active_disclosure.{sub.id}.{row.id}.{col.id}"
                cells[cid] = CellSpec(
                    cid, "active_disclosure", row.id, col.id, row.label, col.label, col.kind, sub.caption
                )
    for row in section3_rows(version):
        group = row.group or (RESULTS_GROUP if row.id in ("granted", "partially_granted", "total_processed") else None)
        for col in SECTION3_COLUMNS:
            cid = f"applications.{row.id}.{col.id}"
            label = col.label
            if col.id in LEGAL_ENTITY_COLUMNS:
                label = f"{LEGAL_ENTITY_GROUP}·{col.label}"
            cells[cid] = CellSpec(cid, "applications", row.id, col.id, row.label, label, "count", group)
    for grp in SECTION4_GROUPS:
        glabel = f"{grp.parent}·{grp.label}" if grp.parent else grp.label
        for col in SECTION4_COLUMNS:
            cid = f"review_litigation.{grp.id}.{col.id}"
            cells[cid] = CellSpec(cid, "review_litigation", grp.id, col.id, glabel, col.label)
    return cells


CELLS: dict[FormatVersion, dict[str, CellSpec]] = {"2021": _build_cells("2021"), "2019": _build_cells("2019")}


def cell_spec(cell_id: str, version: FormatVersion = "2021") -> CellSpec | None:
    """The spec of a cell id, or None if the id is not a cell of that format."""
    return CELLS[version].get(cell_id)


def describe(cell_id: str, version: FormatVersion = "2021") -> str:
    """`id（中文标签）` for messages; falls back to the bare id for unknown ids."""
    spec = cell_spec(cell_id, version) or cell_spec(cell_id, "2019" if version == "2021" else "2021")
    return f"{cell_id}（{spec.full_label}）" if spec else cell_id
