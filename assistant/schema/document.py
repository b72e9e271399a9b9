"""Loading, saving and addressing report documents.

``load_report`` is the one door into the models: it picks the format, validates strictly and turns
pydantic's errors into a ``ReportInputError`` that names each cell by id and Chinese label.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import yaml
from pydantic import BaseModel, Field, ValidationError

from ..errors import AssistantError
from ..fsio import atomic_write_text, reason_of
from .labels import CELLS, FormatVersion, cell_spec
from .models import Report2021, _ReportBase

if TYPE_CHECKING:
    from .models import Report, Report2019

CellValue = int | Decimal | None

_FIELD_LABELS = {
    "format": "格式版本", "year": "统计年度", "agency": "机关名称", "body_type": "机关类型",
    "contact": "联系方式", "narrative": "正文", "title": "标题", "opening": "开头段落",
    "published_on": "发布日期", "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: where (id and label), what was expected, what was given."""

    field: str
    label: str
    expected: str
    given: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.field}（{self.label}）" if self.label else self.field
        return f"{where}：应为{self.expected}，实际为 {self.given}"


class ReportInputError(AssistantError, ValueError):
    """The input is not a valid report document. ``problems`` lists every bad field or cell."""

    def __init__(self, problems: list[InputProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        head = f"报告文件 {source} 无法读取" if source else "报告文档无效"
        lines = [f"{head}，共 {len(problems)} 处问题："] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its problems when it crosses a process boundary (a parse in a child process)
        return (self.__class__, (self.problems, self.source))


def _rule_for(field_id: str) -> str | None:
    table = field_id.split(".", 1)[0]
    return {"active_disclosure": "R2.1", "applications": "R3.4", "review_litigation": "R4.2"}.get(table)


def _describe_given(value: Any) -> str:
    if isinstance(value, str):
        return f"文字“{value}”"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}"
    if isinstance(value, dict):
        return "一组字段"
    if isinstance(value, list):
        return "一个列表"
    import json  # only an input error needs it; `xxgk check` of a good YAML report never loads json

    return json.dumps(value, ensure_ascii=False, default=str)


def _expected_for(err_type: str, spec_kind: str | None, field_id: str) -> str:
    if spec_kind == "money":
        if err_type == "greater_than_equal":
            return "不小于 0 的金额（单位：万元）"
        return "以万元为单位的数字（如 0 或 1.25；不要填写“元”等单位文字）"
    if spec_kind == "signed_count":
        return "整数（减少用负数表示）"
    if spec_kind == "count":
        return "不小于 0 的整数件数，或留空（null）"
    if err_type == "extra_forbidden":
        return "文档格式中定义的字段（此字段不存在）"
    if err_type == "missing":
        return "必填字段"
    if field_id == "year":
        return "2007–2100 之间的整数年份"
    if field_id == "format":
        return "“2021” 或 “2019”"
    return "有效的值"


def _accepted_keys(parent: list[str], version: FormatVersion) -> list[str]:
    prefix = ".".join(parent) + "." if parent else ""
    keys: list[str] = []
    for cid in CELLS[version]:
        if cid.startswith(prefix):
            key = cid[len(prefix):].split(".", 1)[0]
            if key not in keys:
                keys.append(key)
    return keys if parent else []


def _problems_from(exc: ValidationError, version: FormatVersion) -> list[InputProblem]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        field_id = ".".join(loc)
        spec = cell_spec(field_id, version)
        label = spec.full_label if spec else _FIELD_LABELS.get(field_id, "")
        kind = spec.kind if spec else None
        given = "（缺失）" if err["type"] == "missing" else _describe_given(err.get("input"))
        expected = _expected_for(err["type"], kind, field_id)
        if err["type"] == "extra_forbidden" and not spec:
            label = label or "未知字段"
            siblings = _accepted_keys(loc[:-1], version)
            if siblings:
                expected = "以下字段之一：" + "、".join(siblings)
        rule = _rule_for(field_id) if spec else None
        if spec and spec.kind == "money":
            rule = "R2.3" if isinstance(err.get("input"), str) and "元" in err["input"] else "R2.2"
        problems.append(InputProblem(field_id, label, expected, given, rule))
    return problems


def load_report(data: Mapping[str, Any] | BaseModel, source: str | None = None) -> Report:
    """Validate a report document (a dict as read from JSON/YAML) into a model.

    Raises ``ReportInputError`` naming every bad cell by id and Chinese label.
    """
    if isinstance(data, _ReportBase):  # either format (isinstance of the union would load the 2019 classes)
        return cast("Report", data)
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if not isinstance(data, Mapping):
        raise ReportInputError(
            [InputProblem("（根）", "报告文档", "一个包含 year、agency 等字段的对象", _describe_given(data))],
            source,
        )
    version = data.get("format", "2021")
    if version not in ("2021", "2019"):
        raise ReportInputError(
            [InputProblem("format", "格式版本", "“2021” 或 “2019”", _describe_given(version))], source
        )
    cls: type[Report2021] | type[Report2019]
    if version == "2021":
        cls = Report2021
    else:
        from .models_2019 import Report2019

        cls = Report2019
    try:
        return cls.model_validate(data if isinstance(data, dict) else dict(data))
    except ValidationError as exc:
        raise ReportInputError(_problems_from(exc, cast(FormatVersion, version)), source) from exc


# libyaml's safe loader parses a report about 5× faster than the pure-Python one; same results.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A report document is a few kilobytes and five levels deep; these bounds are far above any real one and
# stop a crafted file (deep nesting → RecursionError, YAML aliases expanding exponentially) early.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000


class DocumentTooComplexError(AssistantError, ValueError):
    """The data is nested too deeply or holds too many values to be a report document."""


def check_shape(data: Any, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Raise ``DocumentTooComplexError`` when ``data`` nests deeper than ``max_depth`` or holds more than
    ``max_nodes`` values (counted as visited, so shared YAML aliases count every time they are used)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise DocumentTooComplexError(f"内容过多（超过 {max_nodes} 个值，可能含有重复展开的 YAML 别名）")
        if depth > max_depth:
            raise DocumentTooComplexError(f"嵌套层数过深（超过 {max_depth} 层）")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def read_data_file(path: str | Path) -> Any:
    """Read JSON or YAML (by extension; YAML is a superset, so unknown extensions try YAML).

    Only regular files up to ``MAX_DOCUMENT_BYTES``; raises ``DocumentTooComplexError`` for data nested
    deeper than ``MAX_DEPTH`` or larger than ``MAX_NODES`` values.
    """
    p = Path(path)
    if not p.is_file():
        raise OSError(errno.EINVAL, "不是普通文件（可能是文件夹或设备）")
    if p.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DocumentTooComplexError(f"文件超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB，不是报告文档")
    with p.open("rb") as fh:
        raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentTooComplexError(f"文件超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB，不是报告文档")
    text = raw.decode("utf-8-sig")
    try:
        if p.suffix.lower() == ".json":
            import json  # here: reading YAML (the usual case) never loads it

            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_SAFE_LOADER)
    except RecursionError as exc:
        raise DocumentTooComplexError(f"嵌套层数过深（超过 {MAX_DEPTH} 层）") from exc
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or ""):  # libyaml's own limit, met before Python recursion is
            raise DocumentTooComplexError(f"嵌套层数过深（超过 {MAX_DEPTH} 层）") from exc
        raise
    check_shape(data)
    return data


def load_report_file(path: str | Path) -> Report:
    """Load a report document from a .json/.yaml/.yml file.

    Messages name the file by its name only: an uploaded file's folder is the server's business.
    """
    name = Path(path).name
    try:
        data = read_data_file(path)
    except DocumentTooComplexError as exc:
        raise ReportInputError([InputProblem(name, "文件", "结构简单的报告文档（JSON 或 YAML）", str(exc))], name) from exc
    except UnicodeDecodeError as exc:
        raise ReportInputError([InputProblem(name, "文件", "可读取的 UTF-8 文本文件", "无法按 UTF-8 解码的内容")],
                               name) from exc
    except OSError as exc:
        raise ReportInputError([InputProblem(name, "文件", "可读取的 UTF-8 文本文件", reason_of(exc))], name) from exc
    except (ValueError, yaml.YAMLError) as exc:  # ValueError: json.JSONDecodeError (json loads only for .json)
        raise ReportInputError([InputProblem(name, "文件", "合法的 JSON 或 YAML", _syntax_where(exc))], name) from exc
    return load_report(data, source=name)


def _syntax_where(exc: ValueError | yaml.YAMLError) -> str:
    """Where a syntax error is, in Chinese (the parsers' own messages are English)."""
    if isinstance(exc, ValueError):
        lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if lineno is not None:  # json.JSONDecodeError carries the line and column
            return f"第 {lineno} 行第 {colno} 列附近的语法错误"
        # YAML that parses but holds a value Python cannot make: 2024-02-30, a number thousands of digits long
        return "无法读取的值（例如不存在的日期，或位数过多的数字）"
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f"第 {mark.line + 1} 行第 {mark.column + 1} 列附近的语法错误"
    return "无法解析的内容"


def report_to_data(report: Report) -> dict[str, Any]:
    """The document as plain JSON-compatible data (decimals as strings, dates as ISO text)."""
    return cast(dict[str, Any], report.model_dump(mode="json", exclude_none=False))


def dump_report(report: Report, fmt: str = "json") -> str:
    """Serialise to JSON (``fmt="json"``) or YAML (``fmt="yaml"``)."""
    data = report_to_data(report)
    if fmt == "json":
        import json

        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def save_report(report: Report, path: str | Path) -> Path:
    """Write the document as JSON or YAML, chosen by the file extension."""
    p = Path(path)
    fmt = "yaml" if p.suffix.lower() in (".yaml", ".yml") else "json"
    return atomic_write_text(p, dump_report(report, fmt))


def report_json_schema() -> dict[str, Any]:
    """JSON Schema of the report document (both formats, selected by ``format``)."""
    from pydantic import TypeAdapter  # a module of its own in pydantic, which only this needs

    from .models_2019 import Report2019

    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[Report2021 | Report2019, Field(discriminator="format")])
    schema = adapter.json_schema()
    schema["title"] = "政府信息公开工作年度报告文档"
    return schema


# ---------------------------------------------------------------- addressing cells


def get_cell(report: Report, cell_id: str) -> CellValue:
    """The value of a cell by dotted id; None when the cell, its row or its table is absent."""
    node: Any = report
    for part in cell_id.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return cast(CellValue, node)


def has_row(report: Report, cell_id: str) -> bool:
    """Whether the row holding this cell exists in the document (the cell itself may be blank)."""
    node: Any = report
    for part in cell_id.split(".")[:-1]:
        node = getattr(node, part, None)
        if node is None:
            return False
    return True


def set_cells(report: Report, values: Mapping[str, CellValue]) -> Report:
    """A copy of the report with the given cells set (rows and tables created as needed), re-validated."""
    data = report_to_data(report)
    for cell_id, value in values.items():
        if cell_id not in CELLS[report.format]:
            raise ReportInputError(
                [InputProblem(cell_id, "单元格", f"{report.format} 格式中的单元格编号", "未知编号")]
            )
        node = data
        *path, last = cell_id.split(".")
        for part in path:
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
        node[last] = str(value) if isinstance(value, Decimal) else value
    return load_report(data)


def _row_layout(version: FormatVersion) -> list[tuple[tuple[str, ...], str, tuple[str, ...], Any]]:
    rows: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for cid in CELLS[version]:
        *path, col = cid.split(".")
        rows.setdefault(tuple(path), []).append((cid, col))
    return [
        (path, ".".join(path), tuple(c for c, _ in cols), attrgetter(*(k for _, k in cols)))
        for path, cols in rows.items()
    ]


_ROW_LAYOUT = {v: _row_layout(v) for v in ("2021", "2019")}
ROW_IDS: dict[str, tuple[str, ...]] = {v: tuple(r for _, r, _, _ in _ROW_LAYOUT[v]) for v in ("2021", "2019")}
_ALL_CELLS = {
    v: (tuple(CELLS[v]), attrgetter(*CELLS[v]), tuple(row_id for _, row_id, _, _ in _ROW_LAYOUT[v]))
    for v in ("2021", "2019")
}


def flatten_cells(report: Report) -> tuple[dict[str, CellValue], set[str]]:
    """All cell values by id (None for blank or absent) and the set of row paths present.

    One walk over the model, in C where possible (attrgetter): the checks read cells hundreds of
    times per report, and the app re-checks on every cell edit.
    """
    ids, getter, row_ids = _ALL_CELLS[report.format]
    try:
        # Complete documents (the common case): every cell in one C-level walk.
        return dict(zip(ids, getter(report), strict=True)), set(row_ids)
    except AttributeError:
        pass  # some table or row is absent: walk row by row
    values: dict[str, CellValue] = {}
    rows: set[str] = set()
    for path, row_id, ids, getter in _ROW_LAYOUT[report.format]:
        node: Any = report
        for part in path:
            node = getattr(node, part)
            if node is None:
                break
        if node is None:
            values.update(dict.fromkeys(ids))
            continue
        rows.add(row_id)
        got = getter(node)
        if len(ids) == 1:
            values[ids[0]] = got
        else:
            for cid, value in zip(ids, got, strict=True):
                values[cid] = value
    return values, rows


def iter_cells(report: Report) -> Iterator[tuple[str, CellValue]]:
    """Every cell of the report's format with its value (None for blank or absent)."""
    for cell_id in CELLS[report.format]:
        yield cell_id, get_cell(report, cell_id)
