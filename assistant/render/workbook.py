"""The statistics workbook: a fill-in template laid out like the official tables, a filled export, and the reader.

Sheets: 说明, 基本信息 (format, year, body, contact), 表二, 表三, 表四 — each table drawn from the same
grid as the DOCX/HTML output, so a clerk sees the printed layout. Label cells are locked (sheet
protection without password); value cells are unlocked; in the template the totals are formulas.
``read_workbook`` reads cells by position, verifies every label, and names the sheet and cell of any
bad input (e.g. 「表三」!D7) together with the cell id and its Chinese label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..checks import CheckResult
from ..fsio import UnsafeInputError, atomic_save, check_regular_file, check_zip
from ..schema import InputProblem, Report, ReportInputError, get_cell, load_report
from ..schema.labels import (
    BLANK_CELL,
    BODY_TYPE_LABELS,
    CELLS,
    SECTION3_COLUMNS,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    TABLE_LABELS,
    FormatVersion,
)
from ..schema.text import strip_controls
from ..textnum import normalize, to_number
from .assemble import FAILED_MARK
from .layout import TableGrid, section2_grid, section3_grid, section4_grid

SHEET_INFO = "基本信息"
SHEET_README = "说明"
TABLE_SHEETS = {"active_disclosure": "表二", "applications": "表三", "review_litigation": "表四"}
GRID_TOP = 2  # row 1 holds the table title; the official grid starts on row 2
BLANK_MARKS = ("/", "-", "—", "——", "－", "无", "／")
# Words earlier workbooks wrote for 机关类型, still read.
_BODY_TYPE_ALIASES = {"部门": "department", "乡镇（街道）": "township", "其他": "other"}
# 基本信息: (document key, label). Row n+2 holds field n.
INFO_FIELDS: tuple[tuple[str, str], ...] = (
    ("format", "格式版本"),
    ("year", "统计年度"),
    ("agency", "机关名称"),
    ("body_type", "机关类型"),
    ("contact.address", "地址"),
    ("contact.postcode", "邮编"),
    ("contact.phone", "电话"),
    ("contact.email", "邮箱"),
)
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
_FONT = Font(name="仿宋_GB2312", size=10)
_SUM_RE = re.compile(r"^=SUM\(([A-Z]+\d+(?::[A-Z]+\d+)?(?:,[A-Z]+\d+(?::[A-Z]+\d+)?)*)\)$")
_LABEL_NORMALISE = re.compile(r"\s+")
_PLAIN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
_NOTICE = {"2021": "国办公开办函〔2021〕30号", "2019": "国办公开办函〔2019〕60号"}
_RULE = {"active_disclosure": "R2.1", "applications": "R3.4", "review_litigation": "R4.2"}
_COL_WIDTHS = {
    "active_disclosure": [22, 16, 16, 16],
    "applications": [6, 12, 40] + [10] * 7,
    "review_litigation": [8] * 15,
}


@dataclass(frozen=True)
class WorkbookProblem(InputProblem):
    """An input problem located in the workbook: sheet and cell address besides the cell id and label."""

    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        where = f"「{self.sheet}」!{self.cell}" if self.cell else f"「{self.sheet}」"
        what = f"{self.field}（{self.label}）" if self.label else self.field
        return f"{where} {what}：应为{self.expected}，实际为 {self.given}"


class WorkbookError(ReportInputError):
    """The workbook cannot be read as a report; ``problems`` name sheet + cell, cell id + label, and expectation."""

    def __init__(self, problems: list[WorkbookProblem], source: str | None = None) -> None:
        super().__init__(list(problems), source)
        self.problems: list[InputProblem] = list(problems)


# ---------------------------------------------------------------- layout


def _grids(version: FormatVersion) -> dict[str, TableGrid]:
    return {
        "active_disclosure": section2_grid(None, version),
        "applications": section3_grid(None, version),
        "review_litigation": section4_grid(None),
    }


def _coord(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + GRID_TOP}"


def cell_addresses(version: FormatVersion = "2021") -> dict[str, tuple[str, str]]:
    """Where each statistics cell lives: cell id → (sheet name, cell address such as "D5")."""
    out: dict[str, tuple[str, str]] = {}
    for table_id, grid in _grids(version).items():
        for gc in grid.value_cells():
            assert gc.cell_id is not None
            out[gc.cell_id] = (TABLE_SHEETS[table_id], _coord(gc.row, gc.col))
    return out


class Formula(str):
    """One of our own total formulas (``=SUM(…)``): the only strings a workbook we write holds as formulas."""


def _total_formulas(version: FormatVersion) -> dict[str, Formula]:
    """Formulas of the template's total cells (R3.3 row totals, R3.2 （七）总计, R4.1 group totals)."""
    addr = cell_addresses(version)
    formulas: dict[str, Formula] = {}
    applicant = [c.id for c in SECTION3_COLUMNS if c.id != "total"]
    rows = {cid.split(".")[1] for cid in CELLS[version] if cid.startswith("applications.")}
    leaves = [cid.split(".")[1] for cid in CELLS[version]
              if cid.startswith("applications.") and cid.endswith(".total")
              and cid.split(".")[1] not in ("new_requests", "carried_over", "total_processed", "carried_forward")]
    for col in applicant:
        first, last = addr[f"applications.{leaves[0]}.{col}"][1], addr[f"applications.{leaves[-1]}.{col}"][1]
        formulas[f"applications.total_processed.{col}"] = Formula(f"=SUM({first}:{last})")
    for row in rows:
        first, last = addr[f"applications.{row}.{applicant[0]}"][1], addr[f"applications.{row}.{applicant[-1]}"][1]
        formulas[f"applications.{row}.total"] = Formula(f"=SUM({first}:{last})")
    parts = [c.id for c in SECTION4_COLUMNS if c.id != "total"]
    for group in SECTION4_GROUPS:
        prefix = f"review_litigation.{group.id}"
        first, last = addr[f"{prefix}.{parts[0]}"][1], addr[f"{prefix}.{parts[-1]}"][1]
        formulas[f"review_litigation.{group.id}.total"] = Formula(f"=SUM({first}:{last})")
    return formulas


def _validation(kind: str) -> DataValidation:
    if kind == "money":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写不小于 0 的金额（单位：万元），不要填写“元”等文字。"
    elif kind == "signed_count":
        dv = DataValidation(type="whole", operator="between", formula1="-1000000", formula2="1000000", allow_blank=True)
        dv.error = "请填写整数，减少用负数表示（如 -8）。"
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写不小于 0 的整数件数；没有发生的填 0。"
    dv.errorTitle = "输入有误"
    dv.showErrorMessage = True
    return dv


def _put(cell: Cell, value: Any) -> None:
    """Set a cell; text is always stored as a string cell, so “=cmd|…”, “=HYPERLINK(…)” from a parsed or
    typed report can never become a formula (openpyxl would otherwise make any “=…” text a formula)."""
    if isinstance(value, str):
        cell.value = strip_controls(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _style(cell: Cell, locked: bool, header: bool = False) -> None:
    cell.border = _BORDER
    cell.font = Font(name=_FONT.name, size=_FONT.size, bold=header)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.protection = Protection(locked=locked)
    cell.fill = _LABEL_FILL if locked else _INPUT_FILL


def _table_sheet(wb: Workbook, table_id: str, grid: TableGrid, values: dict[str, Any], version: FormatVersion) -> None:
    ws = wb.create_sheet(TABLE_SHEETS[table_id])
    _put(ws["A1"], TABLE_LABELS[table_id])
    ws["A1"].font = Font(name="黑体", size=12, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.n_cols)
    for i, width in enumerate(_COL_WIDTHS[table_id]):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    validations: dict[str, DataValidation] = {}
    for gc in grid.cells:
        cell = cast(Cell, ws.cell(row=gc.row + GRID_TOP, column=gc.col + 1))
        if gc.cell_id is None:
            _put(cell, gc.text)
            _style(cell, locked=True, header=gc.header)
        else:
            value = values.get(gc.cell_id)
            formula = isinstance(value, Formula)
            if formula:
                cell.value = str(value)
            else:
                _put(cell, value)
            _style(cell, locked=formula)
            if not formula:
                kind = CELLS[version][gc.cell_id].kind
                if kind not in validations:
                    validations[kind] = _validation(kind)
                validations[kind].add(cell)
        if gc.rowspan > 1 or gc.colspan > 1:
            ws.merge_cells(start_row=gc.row + GRID_TOP, start_column=gc.col + 1,
                           end_row=gc.row + GRID_TOP + gc.rowspan - 1, end_column=gc.col + gc.colspan)
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = None
    ws.protection.sheet = True  # label cells locked, no password: the structure stays as printed


def _info_sheet(wb: Workbook, info: dict[str, Any]) -> None:
    ws = wb.create_sheet(SHEET_INFO)
    _put(ws["A1"], "项目")
    _put(ws["B1"], "填写内容")
    for cell in (ws["A1"], ws["B1"]):
        _style(cell, locked=True, header=True)
    for i, (key, label) in enumerate(INFO_FIELDS):
        label_cell, value_cell = ws.cell(row=i + 2, column=1), ws.cell(row=i + 2, column=2)
        _put(label_cell, label)
        _style(label_cell, locked=key == "format")
        _put(value_cell, info.get(key))
        value_cell.number_format = "@"  # postcodes and phone numbers keep their leading zeros
        _style(value_cell, locked=key == "format")
        value_cell.alignment = Alignment(horizontal="left", vertical="center")
    dv = DataValidation(type="list", formula1='"' + ",".join(BODY_TYPE_LABELS.values()) + '"', allow_blank=True)
    dv.add(f"B{[k for k, _ in INFO_FIELDS].index('body_type') + 2}")
    ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    ws.protection.sheet = True


def _readme_sheet(wb: Workbook, version: FormatVersion, failed: CheckResult | None) -> None:
    ws = cast(Worksheet, wb.active)
    ws.title = SHEET_README
    lines = [
        f"政府信息公开工作年度报告统计表（{_NOTICE[version]}格式）",
        "填写说明：",
        "1. 在“基本信息”表填写统计年度、机关名称等；在“表二”“表三”“表四”的黄色单元格填写数据。",
        "2. 件数填写不小于 0 的整数；没有发生的填 0，不要留空，也不要填写“/”“-”“无”。",
        "3. 收费金额单位为万元，可填小数。",
        "4. 灰色单元格为表格标签，已锁定；“总计”等合计单元格由公式自动计算。",
        "5. 填好后在年报起草助手页面的“统计数据”中点击“从 Excel 统计表导入”，或在“我的报告”中“从统计表新建报告”。",
    ]
    if failed is not None:
        lines.insert(1, f"【{FAILED_MARK}：本表数据有 {failed.errors} 个错误，仅供内部核对】")
        lines[2:2] = [f"{f.rule}：{f.message}" for f in failed.findings if f.severity == "error"]
    for i, line in enumerate(lines, start=1):
        _put(ws.cell(row=i, column=1), line)
    ws.column_dimensions["A"].width = 100


def _build(path: str | Path, version: FormatVersion, values: dict[str, Any], info: dict[str, Any],
           failed: CheckResult | None = None, approval: str | None = None) -> Path:
    wb = Workbook()
    if approval:  # file properties only
        wb.properties.contentStatus, wb.properties.description = "审核通过", approval
    _readme_sheet(wb, version, failed)
    _info_sheet(wb, info)
    for table_id, grid in _grids(version).items():
        _table_sheet(wb, table_id, grid, values, version)
    return atomic_save(path, wb.save)


def write_template(path: str | Path, version: FormatVersion = "2021") -> Path:
    """A blank fill-in workbook laid out like the official tables, with formulas for the totals."""
    return _build(path, version, dict(_total_formulas(version)), {"format": version})


def write_workbook(report: Report, path: str | Path, failed: CheckResult | None = None,
                   approval: str | None = None) -> Path:
    """The report's statistics as a filled workbook (values, no formulas, so it reads back exactly).

    A cell that is blank in the document stays blank (its original text, e.g. “/”, is kept if known).
    """
    values: dict[str, Any] = {}
    for cell_id in CELLS[report.format]:
        value = get_cell(report, cell_id)
        values[cell_id] = value if value is not None else report.raw_cells.get(cell_id)
    contact = report.contact
    info: dict[str, Any] = {
        "format": report.format,
        "year": report.year,
        "agency": report.agency,
        "body_type": BODY_TYPE_LABELS.get(report.body_type) if report.body_type else None,
    }
    if contact is not None:
        for key in ("address", "postcode", "phone", "email"):
            info[f"contact.{key}"] = getattr(contact, key)
    return _build(path, report.format, values, info, failed, approval)


# ---------------------------------------------------------------- reading


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = load_workbook(path)
        self._cached: Workbook | None = None
        self.problems: list[WorkbookProblem] = []

    @property
    def cached(self) -> Workbook:
        """The same workbook with Excel's last calculated values; loaded only when a formula is met."""
        if self._cached is None:
            self._cached = load_workbook(self.path, data_only=True)
        return self._cached

    def problem(self, sheet: str, cell: str, field: str, label: str, expected: str, given: str,
                rule: str | None = None) -> None:
        self.problems.append(WorkbookProblem(field, label, expected, given, rule, sheet, cell))

    def sheet(self, name: str) -> Worksheet | None:
        if name not in self.wb.sheetnames:
            self.problem(name, "", "（工作表）", name, f"名为“{name}”的工作表（请使用 xxgk stats-template 生成的模板）",
                         "缺少该工作表")
            return None
        return cast(Worksheet, self.wb[name])

    def raw(self, ws: Worksheet, address: str, kind: str = "count", seen: frozenset[str] = frozenset()) -> Any:
        """The cell's value; formulas give Excel's cached result, or our own sum when never calculated.

        A sum over a bad operand gives ``_DEPENDENT``: the operand is reported, not the total again.
        """
        value = ws[address].value
        if not (isinstance(value, str) and value.startswith("=")):
            return value
        cached = self.cached[ws.title][address].value
        if cached is not None:
            return cached
        match = _SUM_RE.match(value.replace(" ", "").upper())
        if match is None or address in seen:
            return _Unreadable(value)
        total: Decimal | None = None
        for part in match.group(1).split(","):
            min_col, min_row, max_col, max_row = range_boundaries(part)
            for r in range(cast(int, min_row), cast(int, max_row) + 1):
                for c in range(cast(int, min_col), cast(int, max_col) + 1):
                    operand = self.raw(ws, f"{get_column_letter(c)}{r}", kind, seen | {address})
                    if operand is _DEPENDENT:
                        return _DEPENDENT
                    number, ok = _cell_value(kind, operand)
                    if not ok:
                        return _DEPENDENT
                    if number is not None:
                        total = (total or Decimal(0)) + number
        # Every operand blank: the total is blank too (Excel would show 0, but nothing was filled in).
        return total


class _Unreadable(str):
    """A formula we cannot evaluate without Excel (no cached result)."""


_DEPENDENT = object()  # a total whose operands are already reported as bad


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and value.strip():
        return to_number(value)
    return None


def _given(value: Any) -> str:
    if isinstance(value, _Unreadable):
        return f"无法计算的公式 {value}（请在 Excel/WPS 中打开并保存后再导入）"
    if isinstance(value, str):
        return f"文字“{value}”"
    if isinstance(value, bool):
        return "逻辑值 " + ("TRUE" if value else "FALSE")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


_EXPECTED = {
    "count": "不小于 0 的整数件数（没有发生的填 0）",
    "signed_count": "整数（减少用负数表示）",
    "money": "不小于 0 的金额数字，单位万元（可填小数，不要填写“元”等文字）",
}


def _cell_value(kind: str, value: Any) -> tuple[int | Decimal | None, bool]:
    """(parsed value, ok). Blank or a blank mark gives (None, True)."""
    if value is None or isinstance(value, _Unreadable):
        return None, value is None
    if isinstance(value, str):
        text = normalize(value).strip()
        if not text or text in BLANK_MARKS:
            return None, True
        # Only a plain number typed as text ("3", "1.25"); "三件", "约3", "1.5万元" are errors, not guesses.
        if not _PLAIN_NUMBER.match(text):
            return None, False
        value = text.replace(",", "")
    number = _as_decimal(value)
    if number is None or not number.is_finite():
        return None, False
    if kind == "money":
        return (number, True) if number >= 0 else (None, False)
    if number != number.to_integral():
        return None, False
    if kind == "count" and number < 0:
        return None, False
    return int(number), True


def _label_ok(actual: Any, expected: str) -> bool:
    def norm(s: str) -> str:
        return _LABEL_NORMALISE.sub("", normalize(s)).replace('"', "“")

    return isinstance(actual, str) and norm(actual).replace("“", "").replace("”", "") == \
        norm(expected).replace("“", "").replace("”", "")


def _read_info(reader: _Reader) -> dict[str, Any]:
    ws = reader.sheet(SHEET_INFO)
    info: dict[str, Any] = {}
    if ws is None:
        return info
    for i, (key, label) in enumerate(INFO_FIELDS):
        row = i + 2
        printed = ws.cell(row=row, column=1).value
        if not _label_ok(printed, label):
            reader.problem(SHEET_INFO, f"A{row}", key, label, f"标签“{label}”", _given(printed))
            continue
        value = reader.raw(ws, f"B{row}")
        if isinstance(value, float) and value == int(value):
            value = int(value)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            continue
        if key == "year":
            year = _as_decimal(value)
            if year is None or year != year.to_integral():
                reader.problem(SHEET_INFO, f"B{row}", key, label, "四位数字年份，如 2022", _given(value))
                continue
            value = int(year)
        elif key == "body_type":
            reverse = {**_BODY_TYPE_ALIASES, **{v: k for k, v in BODY_TYPE_LABELS.items()}}
            if value not in reverse and value not in BODY_TYPE_LABELS:
                reader.problem(SHEET_INFO, f"B{row}", key, label, "以下之一：" + "、".join(BODY_TYPE_LABELS.values()),
                               _given(value))
                continue
            value = reverse.get(value, value)
        else:
            value = str(value)
        info[key] = value
    return info


def _nest(data: dict[str, Any], dotted: str, value: Any) -> None:
    *path, last = dotted.split(".")
    node = data
    for part in path:
        node = node.setdefault(part, {})
    node[last] = value


def read_workbook(path: str | Path) -> Report:
    """Read a filled statistics workbook back into a report document.

    Raises ``WorkbookError`` listing every bad cell: sheet and address, cell id, Chinese label, what was expected.
    """
    p = Path(path)
    try:
        check_regular_file(p)
        check_zip(p, "统计工作簿")
    except UnsafeInputError as exc:
        raise WorkbookError([WorkbookProblem(p.name, "统计工作簿", "可读取的 .xlsx 文件", str(exc), sheet=p.name)],
                            p.name) from exc
    try:
        reader = _Reader(p)
    except Exception as exc:  # a damaged or hostile file fails in zipfile, zlib, XML or openpyxl in many ways
        if isinstance(exc, MemoryError):
            raise
        raise WorkbookError([WorkbookProblem(p.name, "统计工作簿", "可读取的 .xlsx 文件",
                                             f"无法解析的内容（{type(exc).__name__}）", sheet=p.name)], p.name) from exc
    info = _read_info(reader)
    version = cast(FormatVersion, info.get("format", "2021"))
    if version not in ("2021", "2019"):
        reader.problem(SHEET_INFO, "B2", "format", "格式版本", "“2021” 或 “2019”", _given(version))
        version = "2021"
    data: dict[str, Any] = {k: v for k, v in info.items() if "." not in k}
    for key, value in info.items():
        if "." in key:
            _nest(data, key, value)
    raw_cells: dict[str, str] = {}
    specs = CELLS[version]
    for table_id, grid in _grids(version).items():
        ws = reader.sheet(TABLE_SHEETS[table_id])
        if ws is None:
            continue
        for gc in grid.cells:
            address = _coord(gc.row, gc.col)
            if gc.cell_id is None:
                actual = ws[address].value
                if not _label_ok(actual, gc.text):
                    reader.problem(ws.title, address, "（表格标签）", TABLE_LABELS[table_id],
                                   f"标签“{gc.text}”（表格结构不可改动）", _given(actual))
                continue
            spec = specs[gc.cell_id]
            value = reader.raw(ws, address, spec.kind)
            if value is _DEPENDENT:
                continue
            parsed, ok = _cell_value(spec.kind, value)
            if not ok:
                rule = "R2.2" if spec.kind == "money" else _RULE[table_id]
                reader.problem(ws.title, address, gc.cell_id, spec.full_label, _EXPECTED[spec.kind], _given(value),
                               rule)
                continue
            if parsed is None and isinstance(value, str) and value.strip():
                raw_cells[gc.cell_id] = value.strip()
            _nest(data, gc.cell_id, str(parsed) if isinstance(parsed, Decimal) else parsed)
    if raw_cells:
        data["raw_cells"] = raw_cells
    for key, label in (("year", "统计年度"), ("agency", "机关名称")):
        if key not in data and not any(pr.field == key for pr in reader.problems):
            row = [k for k, _ in INFO_FIELDS].index(key) + 2
            reader.problem(SHEET_INFO, f"B{row}", key, label, "必填内容", BLANK_CELL)
    if reader.problems:
        raise WorkbookError(reader.problems, p.name)
    try:
        return load_report(data, source=str(p))
    except ReportInputError as exc:
        raise WorkbookError([_locate(problem, version) for problem in exc.problems], p.name) from exc


def _locate(problem: InputProblem, version: FormatVersion) -> WorkbookProblem:
    """Attach the sheet and cell address to a validation problem from the document model."""
    addresses = cell_addresses(version)
    sheet, cell = addresses.get(problem.field, (SHEET_INFO, ""))
    if not cell:
        keys = [k for k, _ in INFO_FIELDS]
        if problem.field in keys:
            cell = f"B{keys.index(problem.field) + 2}"
    return WorkbookProblem(problem.field, problem.label, problem.expected, problem.given, problem.rule, sheet, cell)

