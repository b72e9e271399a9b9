"""Published report (PDF, HTML, Word, Markdown, text) → report document (data-contract §1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

from ..schema import Report, ReportInputError, load_report, report_to_data
from ..schema.labels import CELLS, FormatVersion
from .body import UNRECOGNISED_AGENCY, infer_body_type
from .cells import split_line
from .chars import Simplified, fold_compat, to_simplified
from .errors import ParseError, ParseIssue
from .formats import is_statistics_workbook
from .labelmatch import norm_label
from .limits import check_input_file, read_input
from .narrative import Prose, clean_lines, find_headings, read_prose, squeeze
from .oneline import unfold
from .sources import READABLE_KINDS, SUPPORTED_TEXT, SourceDoc, kind_of, read_source
from .tables import TableResult, read_tables
from .unread import classify

TABLE_IDS = ("active_disclosure", "applications", "review_litigation")
_SIGNALS_2019 = ("本年新制作数量", "对外公开总数量", "上一年项目数量", "本年增/减", "第二十条第（九）项", "政府集中采购", "其他对外管理服务事项")
_SIGNALS_2021 = ("本年制发件数", "现行有效件数", "本年收费金额（单位：万元）", "逾期未按收费通知要求缴纳费用")


@dataclass
class ParseOutcome:
    """A parsed report: the document, its format version, and everything that could not be read exactly."""

    report: Report
    version: FormatVersion
    issues: list[ParseIssue] = field(default_factory=list)
    source: str | None = None
    kind: str = "txt"
    unread: dict[str, str] = field(default_factory=dict)  # 未能读取: cell / table / narrative.<part> → why

    @property
    def unreadable(self) -> dict[str, str]:
        """Cells left blank because their text was not a number (cell id → raw text)."""
        return dict(self.report.raw_cells)

    @property
    def warnings(self) -> list[str]:
        return [str(i) for i in self.issues]

    def to_data(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "format": self.version,
            "issues": [{"rule": i.rule, "cell": i.cell, "message": i.message, "raw": i.raw} for i in self.issues],
            "unread": dict(self.unread),
            "report": report_to_data(self.report),
        }


def detect_version(text: str, year: int | None) -> tuple[FormatVersion, list[ParseIssue]]:
    """Spec §8.5: the table labels that only one format has decide; none at all → by year."""
    normed = norm_label(text)
    n2019 = sum(1 for s in _SIGNALS_2019 if norm_label(s) in normed)
    n2021 = sum(1 for s in _SIGNALS_2021 if norm_label(s) in normed)
    issues: list[ParseIssue] = []
    if n2019 and n2021:
        version: FormatVersion = "2019" if n2019 > n2021 else "2021"
        issues.append(
            ParseIssue("X6", f"表格同时含有 2019 年试行格式与 2021 年格式的标签，表格可能被改动；按 {version} 年格式读取")
        )
    elif n2019:
        version = "2019"
    elif n2021:
        version = "2021"
    else:
        version = "2019" if year is not None and year <= 2020 else "2021"
    return version, issues


def _by_table(mapping: dict[str, Any]) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {t: {} for t in TABLE_IDS}
    for key, value in mapping.items():
        grouped[key[: key.index(".")]][key] = value
    return grouped


def _merge(results: list[TableResult]) -> TableResult:
    """Per table, keep the reading that filled most cells (a real table beats its flattened text)."""
    if len(results) == 1:
        return results[0]
    values = [_by_table(r.values) for r in results]
    raws = [_by_table(r.raw) for r in results]
    merged = TableResult()
    for table in TABLE_IDS:
        fills = [sum(1 for v in vals[table].values() if v is not None) for vals in values]
        best = fills.index(max(fills))
        if fills[best] == 0:
            best = next((i for i, r in enumerate(results) if table in r.tables), best)
        chosen = results[best]
        merged.values.update(values[best][table])
        merged.raw.update(raws[best][table])
        merged.issues.extend(i for i in chosen.issues if i.cell is None or i.cell.startswith(table + "."))
        merged.notes.extend(i for i in chosen.notes if i.cell is None or i.cell.startswith(table + "."))
        merged.unread.update({c: r for c, r in chosen.unread.items() if c.startswith(table + ".")})
        if table in chosen.tables:
            merged.tables.add(table)
    seen: set[str] = set()
    unique = []
    for issue in merged.issues:
        key = str(issue)
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    merged.issues = unique
    return merged


@cache
def _rows_of(version: FormatVersion) -> dict[str, tuple[str, ...]]:
    rows: dict[str, list[str]] = {t: [] for t in TABLE_IDS}
    for cell_id in CELLS[version]:
        row = cell_id.rsplit(".", 1)[0]
        table = cell_id[: cell_id.index(".")]
        if row not in rows[table]:
            rows[table].append(row)
    return {t: tuple(r) for t, r in rows.items()}


def _document(
    prose: Prose, tables: TableResult, version: FormatVersion, issues: list[ParseIssue], region_text: str
) -> tuple[dict[str, Any], dict[str, str]]:
    year = prose.year or prose.period_year
    data: dict[str, Any] = {"format": version, "year": year, "agency": prose.agency or UNRECOGNISED_AGENCY}
    notes: list[str] = []
    if prose.agency is None:
        issues.append(ParseIssue("META", f"未能识别发布机关名称，已填“{UNRECOGNISED_AGENCY}”，请核对"))
    body_type, body_note = infer_body_type(prose.agency)
    if body_type is not None and body_note is not None:
        data["body_type"] = body_type
        notes.append(body_note)
    if prose.year and prose.period_year and prose.year != prose.period_year:
        issues.append(ParseIssue("X4", f"标题年度（{prose.year}）与统计期限年度（{prose.period_year}）不一致，按标题年度读取"))
    for key, meta in (("title", prose.title), ("opening", prose.opening), ("published_on", prose.published_on)):
        if meta:
            data[key] = meta
    if prose.contact:
        data["contact"] = dict(prose.contact)
    data["narrative"] = {k: v for k, v in prose.narrative.items() if v}
    seen_rows: set[str] = set()
    for cell_id, value in tables.values.items():
        row, path, last = _cell_path(cell_id)
        seen_rows.add(row)
        node = data
        for part in path:
            node = node.setdefault(part, {})
        node[last] = str(value) if isinstance(value, Decimal) else value
    rows = _rows_of(version)
    labels = {r: _row_label(r, version) for t in TABLE_IDS for r in rows[t]}
    unread = classify(prose, tables.tables, seen_rows, rows, labels, region_text)
    issues.extend(unread.issues)
    unread.items.update(tables.unread)
    data["raw_cells"] = dict(tables.raw)
    notes.extend(dict.fromkeys(n.message for n in tables.notes))
    # what we could not read stays stated in the document itself, so a later check can be read against it
    notes.extend(dict.fromkeys(f"未能读取：{why}" for why in unread.items.values()))
    if notes:
        data["parse_notes"] = notes
    return data, unread.items


@cache
def _cell_path(cell_id: str) -> tuple[str, tuple[str, ...], str]:
    *path, last = cell_id.split(".")
    return ".".join(path), tuple(path), last


@cache
def _row_label(row_path: str, version: FormatVersion) -> str:
    spec = next((s for c, s in CELLS[version].items() if c.startswith(row_path + ".")), None)
    return f"{spec.row_label}" if spec else row_path


def _table_region(lines: list[str]) -> tuple[int, int]:
    headings = find_headings(lines)
    start = headings.get("二", headings.get("一", 0))
    end = headings.get("五", headings.get("六", len(lines)))
    return start, end


def _matchable(doc: SourceDoc) -> tuple[SourceDoc, Simplified]:
    """The source with compatibility ideographs folded and Traditional characters simplified (lines kept in place)."""
    texts = [doc.text, doc.table_text or "", doc.title, *(c for row in doc.grid for c in row if c is not None)]
    texts = [fold_compat(t) for t in texts]
    converted, simplified = to_simplified(*texts)
    if simplified.converted:
        # the prose is read from squeezed lines: align the converted and source text the same way
        simplified.align(*("".join(squeeze(ln) for ln in clean_lines(t)) for t in (converted[0], texts[0])))
    text, table_text, title, *cells = converted
    it = iter(cells)
    grid = [[None if c is None else next(it) for c in row] for row in doc.grid]
    return SourceDoc(doc.kind, text, grid, title, None if doc.table_text is None else table_text), simplified


def _restore(prose: Prose, simplified: Simplified) -> None:
    """The prose in the source's characters again (it was read from the simplified text, line for line)."""
    if not simplified.converted:
        return
    prose.title = simplified.restore(prose.title or "") or None
    prose.agency = simplified.restore(prose.agency or "") or None
    prose.opening = simplified.restore(prose.opening or "") or None
    prose.narrative = {k: simplified.restore(v) for k, v in prose.narrative.items()}
    if "address" in prose.contact:
        prose.contact["address"] = simplified.restore(prose.contact["address"])
    prose.notes.append("原文为繁体字：已转换为简体字匹配表格与标题，正文、标题与机关名称保留原文用字")


def parse_source(doc: SourceDoc, source: str | None = None) -> ParseOutcome:
    """Interpret a read source: prose, version fingerprint, tables, then validate as a report document."""
    doc, simplified = _matchable(doc)
    rejoin = doc.kind in ("txt", "md")
    text, unfolded = unfold(doc.text, tables=doc.table_text is None)
    prose = read_prose(text, rejoin, doc.title)
    if unfolded:
        prose.notes.append(unfolded)
    _restore(prose, simplified)
    grid_text = "\n".join("".join(c for c in row if c) for row in doc.grid)
    version, issues = detect_version(doc.text + grid_text, prose.year or prose.period_year)
    readings: list[TableResult] = []
    if doc.grid:
        readings.append(read_tables(doc.grid, version, "grid"))
    if not readings or len(readings[0].tables) < len(TABLE_IDS):
        # no real tables, or some missing: read the text lines too (flattened or copied tables)
        lines = prose.lines if doc.table_text is None else clean_lines(doc.table_text)
        start, end = prose.table_lines if doc.table_text is None else _table_region(lines)
        region = lines[start:end] if end > start else lines
        readings.append(read_tables([split_line(ln) for ln in region], version, "text"))
        region_text = "\n".join(region)
    else:
        region_text = ""
    tables = _merge(readings)
    issues.extend(ParseIssue("META", n) for n in prose.notes)
    if prose.year is None and prose.period_year is None:
        raise ParseError("找不到报告年度（标题中的“XXXX年政府信息公开工作年度报告”或统计期限），不是可识别的年度报告")
    if not tables.tables and len(prose.headings) < 3:
        raise ParseError("既找不到统计表，也找不到年度报告的各部分标题，不是可识别的政府信息公开工作年度报告")
    data, unread = _document(prose, tables, version, issues, region_text + grid_text)
    issues.extend(tables.issues)
    try:
        report = load_report(data, source=source)
    except ReportInputError as exc:
        raise ParseError(f"读出的内容不是有效的报告文档：{exc}") from exc
    return ParseOutcome(cast(Report, report), version, issues, source, doc.kind, unread)


def parse_text(text: str, kind: str = "txt") -> ParseOutcome:
    """Parse report content given as text (``kind`` = txt, md or html)."""
    if kind not in ("txt", "md", "html"):
        raise ParseError(f"parse_text 只接受文本类型（txt、md、html），收到“{kind}”")
    return parse_source(read_source(text, kind))


def parse_bytes(data: bytes, kind: str, source: str | None = None) -> ParseOutcome:
    """Parse report content as bytes of the given kind (txt, md, html, docx, pdf, doc, wps, xlsx sheet)."""
    return parse_source(read_source(data, kind), source)




def parse_file(path: str | Path) -> ParseOutcome:
    """Parse a published report file of any readable kind (see ``READABLE_KINDS``).

    ``.xlsx``: our statistics workbook goes to its exact reader, any other sheet is read by its labels.
    ``.doc``/``.wps`` are converted by LibreOffice; ``.ofd`` is refused with the reason.
    """
    p = Path(path)
    check_input_file(p)  # a device, folder or pipe is refused as what it is, whatever its name
    kind = kind_of(p)
    if kind not in READABLE_KINDS:
        raise ParseError(f"不支持的文件类型“{p.suffix or '（无扩展名）'}”：{SUPPORTED_TEXT}")
    try:
        data = read_input(p)  # regular files only, size-bounded
    except OSError as exc:
        raise ParseError(f"无法读取文件 {p.name}：{exc.strerror or exc}") from exc
    if not data.strip():
        raise ParseError(f"文件 {p.name} 是空的")
    if kind == "xlsx" and is_statistics_workbook(data):
        return _parse_workbook(p)
    doc = read_source(data, kind)
    if not doc.title:
        doc.title = p.stem  # an excerpt without a title line: the file name may carry agency and year
    return parse_source(doc, str(p))


def _parse_workbook(path: Path) -> ParseOutcome:
    try:
        from ..render import workbook
    except ImportError as exc:
        raise ParseError("统计工作簿（.xlsx）读取功能尚未提供（assistant.render.workbook 缺失）") from exc
    reader = getattr(workbook, "read_workbook", None)
    if reader is None:
        raise ParseError("统计工作簿（.xlsx）读取功能尚未提供（缺少 read_workbook）")
    error_type = getattr(workbook, "WorkbookError", ValueError)
    try:
        report = reader(path)
    except error_type as exc:
        raise ParseError(f"统计工作簿无法读取：{exc}") from exc
    return ParseOutcome(report, report.format, [], str(path), "xlsx")
