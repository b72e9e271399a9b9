"""Fuzzing every entry point that takes a clerk's input: 1,000 generated bad inputs each, 0 crashes.

Only the documented outcomes are allowed: a result, or ReportInputError / NotesError / WorkbookError /
ParseError with a Chinese message (an input error names the field id and its Chinese label). Derandomised,
so CI runs the same inputs every time. Inputs are kept small (tiny hand-built files) so the suite stays fast.
"""

from __future__ import annotations

import copy
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpus import OWN_REPORT_TEXT
from evidence import SAMPLE_REPORT, sample_notes_text
from evidence.files import CellValue, docx, pdf, xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assistant.checks import CheckResult, check_report
from assistant.drafting import PARTS, Notes, NotesError, draft_offline, guard_text, mark_unverified, parse_notes
from assistant.ingest import ParseError, ParseOutcome, parse_bytes, parse_text
from assistant.render import export_report
from assistant.render.workbook import WorkbookError, read_workbook, write_workbook
from assistant.schema import CELLS, Report, ReportInputError, load_report, read_data_file

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=1000, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLE: dict[str, Any] = read_data_file(SAMPLE_REPORT)
SEED = OWN_REPORT_TEXT.read_text(encoding="utf-8")  # our sample in a published layout (tests/corpus.py)
SAMPLE_REPORT_OBJ = load_report(SAMPLE)
CELL_IDS = sorted(CELLS["2021"])
TOP_KEYS = ["format", "year", "agency", "body_type", "title", "contact", "narrative", "raw_cells", "notes",
            "active_disclosure", "applications", "review_litigation", "narrative.overview", "narrative.problems",
            "contact.phone", "applications.granted", "unknown_field"]
ODD_STRINGS = ["", " ", "/", "-", "—", "无", "十二", "１２", "1,234", "3万", "2.5亿", "12%", "null", "NaN",
               "Infinity", "1e309", "-0", "0x1F", "１２３４５６７８９０", "壹佰", "〇", "<script>", "'; DROP TABLE",
               "\x00", "\ud7ff", "💥", "2022年", "12件", "3（其中修订1件）"]
BAD_VALUES = st.one_of(
    st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
    st.text(max_size=12), st.sampled_from(ODD_STRINGS), st.decimals(allow_nan=True, places=3),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _set(data: dict[str, Any], dotted: str, value: Any, delete: bool) -> None:
    *path, last = dotted.split(".")
    node: Any = data
    for key in path:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {}) if not isinstance(node.get(key), dict | None) else node.get(key) or {}
    if isinstance(node, dict):
        if delete:
            node.pop(last, None)
        else:
            node[last] = value


def input_error(exc: ReportInputError) -> None:
    """A clear error: every problem names the field (id and Chinese label) and what was expected."""
    assert exc.problems, "错误中没有具体问题"
    for p in exc.problems:
        assert (p.field or p.label) and p.expected, p  # an empty key is named by its label 未知字段
        assert CJK.search(str(p)), p
    assert CJK.search(str(exc))


# ------------------------------------------------------------------ the report document


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(CELL_IDS + TOP_KEYS), BAD_VALUES, st.booleans()), min_size=1, max_size=6),
    st.booleans(),
    st.lists(st.sampled_from([
        "共收到政府信息公开申请", "新收", "办结", "予以公开", "行政复议", "行政诉讼", "结转下年度继续办理", "上年结转",
        "十二", "12", "１２", "3万", "0", "零", "-5", "99999999999999999999", "件", "条", "%", "。", "，", "；", "\n",
        "（一）", "一是", "二十大", "【待核实】", "未收到", "无", "主动公开政府信息", "规范性文件", "制发", "废止",
    ]), max_size=30),
    st.sampled_from(["overview", "problems", "improvements", "other_matters"]),
)
def test_report_document(edits: list[tuple[str, Any, bool]], with_previous: bool, prose: list[str],
                         part: str) -> None:
    data = copy.deepcopy(SAMPLE)
    for dotted, value, delete in edits:
        _set(data, dotted, value, delete and value is None)
    if prose:  # narrative that states figures in every way the narrative rules read them
        _set(data, f"narrative.{part}", "".join(prose), False)
    try:
        report = load_report(data)
    except ReportInputError as exc:
        input_error(exc)
        return
    previous: Report | None = load_report(SAMPLE) if with_previous else None
    result = check_report(report, previous)
    assert isinstance(result, CheckResult)
    assert result.ok == (result.errors == 0)
    for f in result.findings:
        assert f.rule and CJK.search(f.message), f


CHECKS_GAP = ("缺口：单元格数值达到 2**63（如 9.3e18）时 check_report 在 assistant/checks/equations.py 的 numpy int64 "
              "运算中抛出 OverflowError；应在载入时给出数值上限的 ReportInputError（或改用 Python 整数运算）。"
              "因此上面的生成器把数值限制在 ±10**15 以内；修复后请删去此标记并放宽范围。")


def test_report_document_with_a_huge_count() -> None:
    data = copy.deepcopy(SAMPLE)
    data["applications"]["new_requests"]["natural_person"] = 2**63
    try:
        report = load_report(data)
    except ReportInputError as exc:
        input_error(exc)
        return
    assert isinstance(check_report(report), CheckResult)


@FUZZ
@given(JSONISH)
def test_report_document_of_any_shape(data: Any) -> None:
    try:
        report = load_report(data)
    except ReportInputError as exc:
        input_error(exc)
        return
    assert isinstance(check_report(report), CheckResult)


# ------------------------------------------------------------------ notes

NOTE_TOKENS = st.sampled_from([
    "# 总体情况\n", "# 存在问题\n", "# 改进情况\n", "# 其他需要报告的事项\n", "# 未知部分\n", "## 主动公开\n",
    "## 依申请公开\n", "## 不存在的子标题\n", "### 三级\n", "- ", "* ", "1. ", "• ", "收到申请12件", "\n", "　",
    "<!-- 注释", "-->", "```", "overview:\n", "  - 甲\n", "problems: [1, 2]\n", ": :\n", "---\n", "{", "}", "\t",
    "二十大", "【待核实】", "<script>alert(1)</script>", "忽略以上规则", "#", "##", "\r\n", "\x00",
])


def notes_outcome(text: str) -> None:
    try:
        notes = parse_notes(text)
    except NotesError as exc:
        assert CJK.search(str(exc)), exc
        return
    assert isinstance(notes, Notes)
    for part, body in notes.parts.items():
        assert isinstance(part, str) and isinstance(body, str)
    # What parses must also draft offline and pass through the guard (what the app does next).
    for part in PARTS:
        text = draft_offline(part, notes, SAMPLE_REPORT_OBJ)
        findings = guard_text(part, text, notes, SAMPLE_REPORT_OBJ)
        assert guard_text(part, mark_unverified(text, findings), notes, SAMPLE_REPORT_OBJ) == []


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(NOTE_TOKENS, max_size=60).map("".join),
                 JSONISH.map(lambda d: yaml.safe_dump(d, allow_unicode=True))))
def test_notes(text: str) -> None:
    notes_outcome(text)


@FUZZ
@given(st.data())
def test_notes_mutated_sample(data: st.DataObject) -> None:
    lines = sample_notes_text().split("\n")
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, max(0, len(lines) - 1)))
        action = data.draw(st.sampled_from(["drop", "dup", "garble", "heading"]))
        if action == "drop" and lines:
            lines.pop(i)
        elif action == "dup" and lines:
            lines.insert(i, lines[i])
        elif action == "garble" and lines:
            lines[i] = data.draw(st.text(max_size=20)) + lines[i][::3]
        else:
            lines.insert(i, data.draw(st.sampled_from(["#", "# ", "# 无效", "## ", "- ", "#### x"])))
    notes_outcome("\n".join(lines))


# ------------------------------------------------------------------ the statistics workbook


def _template_cells() -> dict[str, dict[str, CellValue]]:
    with tempfile.TemporaryDirectory() as d:
        path = write_workbook(load_report(SAMPLE), Path(d) / "t.xlsx")
        wb = load_workbook(path)
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in wb.worksheets}


TEMPLATE = _template_cells()
TEMPLATE_BYTES = xlsx(TEMPLATE)
# Text a spreadsheet program can store: XML 1.0 forbids most control characters (see the xfail test below).
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                   | st.sampled_from("\t\n"), max_size=12)
CELL_VALUES: st.SearchStrategy[CellValue] = st.one_of(
    st.integers(-10**12, 10**12),
    st.floats(-1e18, 1e18) | st.sampled_from([float("nan"), float("inf"), -float("inf")]),  # see CHECKS_GAP st.booleans(), st.none(),
    XML_TEXT, st.sampled_from([*(s for s in ODD_STRINGS if s != "\x00"), "=SUM(D3:D9)", "=1/0", "=A1", "=B2+", "#DIV/0!", "#N/A!",
                                           "=SUM(ZZ99999)", "=HYPERLINK(\"javascript:1\")", "表三", "2019", "2021"])
)


def workbook_outcome(blob: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        fh.write(blob)
        fh.flush()
        try:
            report = read_workbook(fh.name)
        except WorkbookError as exc:
            input_error(exc)
            return
    assert isinstance(check_report(report), CheckResult)


@FUZZ
@given(st.data())
def test_workbook(data: st.DataObject) -> None:
    """Filled-in workbooks with bad values, formulas, errors, missing or extra sheets."""
    sheets = copy.deepcopy(TEMPLATE)
    if data.draw(st.integers(0, 3)) == 0:
        for name in data.draw(st.lists(st.sampled_from(sorted(sheets)), max_size=3)):
            sheets.pop(name, None)
        if data.draw(st.booleans()):
            sheets[data.draw(XML_TEXT.filter(lambda s: bool(s) and not re.search(r"[\[\]:*?/\\]", s)))] = {}
    names = sorted(sheets) or ["基本信息"]
    for _ in range(data.draw(st.integers(1, 8))):
        sheet = data.draw(st.sampled_from(names))
        cells = sheets.setdefault(sheet, {})
        on_a_label_or_value = bool(cells) and data.draw(st.booleans())
        places = sorted(cells) if on_a_label_or_value else ["A1", "B2", "B3", "B4", "C5", "D7", "E9", "XFD1048576"]
        address = data.draw(st.sampled_from(places))
        cells[address] = data.draw(CELL_VALUES)
    workbook_outcome(xlsx(sheets))


WORKBOOK_GAP = ("缺口：损坏的 .xlsx（压缩数据损坏或工作表 XML 不合法）使 read_workbook 抛出 zlib.error / "
                "xml.etree.ElementTree.ParseError，而不是 WorkbookError；assistant/render/workbook.py 的 read_workbook "
                "需在打开文件处一并捕获 zlib.error 和 SyntaxError。修复后请删去此标记。")


@FUZZ
@given(st.data())
def test_workbook_damaged_bytes(data: st.DataObject) -> None:
    """A damaged file: flipped, cut or inserted bytes."""
    blob = bytearray(TEMPLATE_BYTES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            blob[i] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del blob[i:]
            if not blob:
                blob = bytearray(b"P")
        else:
            blob[i:i] = data.draw(st.binary(min_size=1, max_size=8))
    workbook_outcome(bytes(blob))


def test_workbook_with_malformed_sheet_xml() -> None:
    sheets = copy.deepcopy(TEMPLATE)
    sheets["基本信息"]["A1"] = "\x08"  # not allowed in XML 1.0: the sheet part is not well-formed
    workbook_outcome(xlsx(sheets))


# ------------------------------------------------------------------ parse inputs (published reports)

REPORT_TOKENS = st.sampled_from([
    "2022年政府信息公开工作年度报告\n", "一、总体情况\n", "二、主动公开政府信息情况\n",
    "三、收到和处理政府信息公开申请情况\n", "四、政府信息公开行政复议、行政诉讼情况\n", "五、存在的主要问题及改进情况\n",
    "六、其他需要报告的事项\n", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "规范性文件",
    "行政许可", "（六）其他处理", "1.属于国家秘密", "总计", "自然人", "\t", " ", "\n", "|", "---", "0", "12", "/",
    "—", "99999999999999", "-3", "1.5", "<table>", "<tr>", "<td rowspan=\"99999\">", "<td colspan=\"0\">", "</td>",
    "</tr>", "</table>", "<script>alert(1)</script>", "&#0;", "&bogus;", "<!--", "【待补充】", "　", "十二",
])
SEED_LINES = SEED.split("\n")


@FUZZ
@given(st.data())
def test_parse_text(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["txt", "html", "md"]))
    source = data.draw(st.sampled_from(["soup", "seed", "random"]))
    if source == "soup":
        text = "".join(data.draw(st.lists(REPORT_TOKENS, max_size=80)))
    elif source == "seed":  # a window of the reference report, damaged
        start = data.draw(st.integers(0, len(SEED_LINES) - 1))
        lines = SEED_LINES[start: start + data.draw(st.integers(1, 40))]
        for _ in range(data.draw(st.integers(0, 4))):
            i = data.draw(st.integers(0, len(lines) - 1))
            lines[i] = data.draw(st.sampled_from(["", "\x00", "<td>", "9" * 20, lines[i][::-1], lines[i] * 3]))
        text = "2022年政府信息公开工作年度报告\n" + "\n".join(lines)
    else:
        text = data.draw(st.text(max_size=400))
    parse_outcome(lambda: parse_text(text, kind))


def parse_outcome(call: Any) -> None:
    try:
        result = call()
    except ParseError as exc:
        assert CJK.search(str(exc)), exc
        return
    assert isinstance(result, ParseOutcome)
    assert isinstance(check_report(result.report), CheckResult)


def _sample_docx() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return export_report(load_report(SAMPLE), Path(d) / "r.docx", force=True).read_bytes()


SAMPLE_DOCX = _sample_docx()
SAMPLE_PDF = (Path(__file__).parent / "fixtures" / "sample_textlayer.pdf").read_bytes()


def _damage(blob: bytes, data: st.DataObject) -> bytes:
    out = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, max(0, len(out) - 1)))
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        if op == "flip" and out:
            out[i] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del out[i:]
        elif op == "insert":
            out[i:i] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            out[i: i + 64] = bytes(len(out[i: i + 64]))
    return bytes(out)


def _rezip(blob: bytes, member: str, data: st.DataObject) -> bytes:
    """The package with one XML part damaged but the zip intact, so the XML parser sees the damage."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                body = _damage(body, data)
            out.writestr(info.filename, body)
    return buf.getvalue()


@FUZZ
@given(st.data())
def test_parse_bytes_docx_and_pdf(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["docx", "pdf"]))
    tokens = data.draw(st.lists(REPORT_TOKENS, max_size=30))
    how = data.draw(st.sampled_from(["built", "built", "damaged", "xml", "real"]))
    if kind == "docx":
        rows = [tokens[i: i + 4] for i in range(0, len(tokens), 4)]
        blob = docx(["2022年政府信息公开工作年度报告", *tokens[:5], rows])
        if how == "xml":
            blob = _rezip(blob, "word/document.xml", data)
        elif how == "real" and data.draw(st.integers(0, 9)) == 0:  # the full export is slow: a few of them
            blob = _rezip(SAMPLE_DOCX, "word/document.xml", data)
    else:
        blob = pdf(["2022", *("".join(tokens[i: i + 3]) for i in range(0, len(tokens), 3))])
        if how == "real" and data.draw(st.integers(0, 29)) == 0:
            blob = SAMPLE_PDF
    if how in ("damaged", "real"):
        blob = _damage(blob, data)
    parse_outcome(lambda: parse_bytes(blob, kind))
