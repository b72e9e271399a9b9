"""Reading the three statistics tables from rows of cells, matching every row and column by its label.

Rows come from real tables (HTML, Word, PDF) or from text lines split into cells. A row whose label
matches an official row label takes the value cells that follow it (on the same line, or on the next
lines when a layout puts one cell per line). Column order comes from the printed header, checked
against the official column labels. What cannot be read exactly stays null, with its raw text kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from ..schema.labels import (
    CELLS,
    LEGAL_ENTITY_GROUP,
    RESULTS_GROUP,
    SECTION3_COLUMNS,
    SECTION3_RULE_TEXT,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    FormatVersion,
    SubTable,
    section2_tables,
    section3_rows,
)
from .cells import CellValue, clean_cell, is_blank, is_value_like, parse_value, unglue
from .errors import ParseIssue
from .flattened import Run, resolve_runs
from .labelmatch import LabelIndex, LabelMatch, norm_label

S3_WIDTH = len(SECTION3_COLUMNS)
S4_WIDTH = len(SECTION4_COLUMNS)
_OTHER_GROUP = "（六）其他处理"
_SUBTOTAL = "legal_subtotal"  # not a cell of the format: read to keep the columns aligned, then checked and dropped
_RULE_NORM = norm_label(SECTION3_RULE_TEXT)[:8]


@dataclass
class TableResult:
    """Cell values found, raw text of cells that could not be read, issues, and which tables were seen."""

    values: dict[str, CellValue] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    issues: list[ParseIssue] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    notes: list[ParseIssue] = field(default_factory=list)  # every split or column mapping inferred, with its proof
    unread: dict[str, str] = field(default_factory=dict)  # cell id → why the parser could not read it (未能读取)

    @property
    def filled(self) -> int:
        return sum(1 for v in self.values.values() if v is not None)


@dataclass
class _Target:
    """A matched data row waiting for its value cells."""

    cells: list[str]
    kinds: list[str]
    label: str
    values: list[str] = field(default_factory=list)
    grouped: int = 0  # section 四: cells per group whose last is the group total
    collapsed: bool = False
    fed: list[int] = field(default_factory=list)  # numbers each contributing line held

    def add(self, cells: Sequence[str]) -> None:
        self.values.extend(cells)
        n = sum(1 for c in cells if c.strip())
        if n:
            self.fed.append(n)

    @property
    def one_per_line(self) -> bool:
        """Its numbers came one per line: each is one cell, never digits of several glued together."""
        return len(self.fed) >= 2 and max(self.fed) == 1


@cache
def _index(version: FormatVersion) -> LabelIndex:
    entries: list[tuple[str, str]] = []
    for sub in section2_tables(version):
        entries.append((f"cap:{sub.id}", sub.caption))
        for row in sub.rows:
            entries.append((f"s2:{sub.id}.{row.id}", row.label))
    for row in section3_rows(version):
        entries.append((f"s3:{row.id}", row.label))
    groups = {row.group for row in section3_rows(version) if row.group}
    if version == "2021":
        groups.add(_OTHER_GROUP)
    for g in sorted(groups):
        entries.append((f"grp:{g}", g))
    entries.append(("grp:results", RESULTS_GROUP))
    for grp in SECTION4_GROUPS:
        entries.append((f"s4:{grp.id}", grp.label))
    entries.append(("s4head:litigation", "行政诉讼"))
    entries.append(("hdr:info", "信息内容"))
    return LabelIndex(entries)


def _candidates(labels: list[str]) -> list[str]:
    """Texts a row might name itself by: every run of adjacent label cells (spaced labels split apart)."""
    seen: list[str] = []
    labels = labels[-8:]  # the row label is at the end; long prose lines are not table rows
    n = len(labels)
    for i in range(n):
        for j in range(n, i, -1):
            text = "".join(labels[i:j])
            if text not in seen:
                seen.append(text)
    return seen


def _rank(match: LabelMatch, text: str) -> tuple[int, int, int]:
    kind = match.key.split(":", 1)[0]
    data = 0 if kind in ("s2", "s3") else 1
    return (match.distance, data, -len(norm_label(text)))


class TableReader:
    """Walks rows in reading order and fills cells of the given format version."""

    def __init__(self, version: FormatVersion, mode: str) -> None:
        self.version: FormatVersion = version
        self.mode = mode  # "grid": empty cells are real blanks; "text": empty cells are layout
        self.index = _index(version)
        self.subtables: dict[str, SubTable] = {s.id: s for s in section2_tables(version)}
        self.result = TableResult()
        self.pending: _Target | None = None
        self.subtable: str | None = None
        self.s2_columns: dict[str, list[str]] = {}
        self.s2_header_names: list[str] | None = None  # header cells still arriving (one cell per line)
        self.s3_header: list[str] = []
        self.s3_subtotal_at: int | None = None  # position of a 法人或其他组织「小计」 column the header adds
        self.subtotal_rows: list[str] = []
        self.last_row: _Target | None = None  # the row just completed in text (stray numbers after it void it)
        self.s3_collecting = False
        self.s4_header: list[str] = []
        self.s4_active = False
        self.collapsed_other: _Target | None = None
        self.deferred: list[tuple[_Target, list[str]]] = []
        self.warned_labels: set[str] = set()

    # ---------------------------------------------------------------- rows

    def feed(self, row: Sequence[str | None]) -> None:
        cells = [c for c in row if c is not None]
        if self.mode == "text":
            cells = unglue(cells)
        label_idx = [i for i, c in enumerate(cells) if c.strip() and not is_value_like(c)]
        if not label_idx:
            self._values_only(cells)
            return
        self.last_row = None  # numbers after a label belong to that label, not to the row before
        labels = [cells[i] for i in label_idx]
        after = cells[label_idx[-1] + 1 :]
        head = norm_label(labels[0])
        if head.startswith("信息内容") and len(head) > 4:
            labels = ["信息内容", labels[0].split("容", 1)[1], *labels[1:]]
            cells = labels + after
            label_idx = list(range(len(labels)))
        match = self._best_match(labels)
        if match is None or not match.exact:
            # a flattened or text-layer row prints its group label first: 「（三）不予公开1.属于国家秘密」
            match = self.index.match_suffix("".join(labels)) or match
        if match is None:
            self._unmatched_labels(labels, after)
            return
        self._flush()
        kind, key = match.key.split(":", 1)
        if self.s2_header_names is not None and kind != "hdr":
            self._finish_section2_header()
        if kind != "hdr" and not match.exact:
            self._label_warning(labels, match)
        if kind == "cap":
            self.subtable = key
            self.s4_active = False
        elif kind == "hdr":
            self._section2_header(cells, label_idx)
        elif kind == "s2":
            self.s4_active = False
            self._section2_row(key, match, after)
        elif kind == "s3":
            self._end_s3_header()
            self._start(self._s3_target(key, match.label), after)
        elif kind == "grp":
            self._group_row(key, match, after)
        elif kind == "s4" and len([a for a in after if a.strip()]) >= S4_WIDTH:
            cells4 = [f"review_litigation.{key}.{c.id}" for c in SECTION4_COLUMNS]
            self._start(_Target(cells4, ["count"] * S4_WIDTH, match.label, grouped=S4_WIDTH), after)
        elif kind in ("s4", "s4head"):
            self.s4_active = True
            self.result.tables.add("review_litigation")
            self.s4_header.extend(labels)

    def _best_match(self, labels: list[str]) -> LabelMatch | None:
        found: list[tuple[tuple[int, int, int], LabelMatch]] = []
        for text in _candidates(labels):
            m = self.index.match(text)
            if m is not None:
                found.append((_rank(m, text), m))
        if not found:
            return None
        found.sort(key=lambda x: x[0])
        return found[0][1]

    def _unmatched_labels(self, labels: list[str], after: list[str]) -> None:
        text = "".join(labels)
        normed = norm_label(text)
        no_values = not [a for a in after if a.strip()]
        if self.s2_header_names is not None and no_values:
            self.s2_header_names.extend(labels)
            return
        if _RULE_NORM in normed or "申请人情况" in normed or (self.s3_collecting and no_values):
            self._flush()
            self.s3_collecting = True
            self.s3_header.extend(labels)
            self.result.tables.add("applications")
            return
        if self.s4_active and no_values:
            self._flush()
            self.s4_header.extend(labels)
            return
        if self.pending is not None and self.mode == "text":
            # a wrapped label line between a row label and its values (PDF text): keep waiting
            return
        if [a for a in after if is_value_like(a) and a.strip()] and len(normed) >= 4:
            self.result.issues.append(
                ParseIssue("X6", f"表格中有一行的标签不是规定格式中的行，已忽略该行：“{text[:40]}”", raw=" ".join(after)[:80])
            )

    def _values_only(self, cells: list[str]) -> None:
        if self.pending is None and self.last_row is not None and self.mode == "text" and any(c.strip() for c in cells):
            self._too_many(self.last_row, cells)
            return
        if self.pending is not None:
            self.pending.add(cells)
            self._maybe_complete()
        elif self.s4_active and [c for c in cells if c.strip()]:
            cells4 = [f"review_litigation.{g.id}.{c.id}" for g in SECTION4_GROUPS for c in SECTION4_COLUMNS]
            self._end_s4_header()
            self.pending = _Target(cells4, ["count"] * len(cells4), "四、行政复议、行政诉讼", grouped=S4_WIDTH)
            self.pending.add(cells)
            self._maybe_complete()

    # ---------------------------------------------------------------- section 二

    def _section2_header(self, cells: list[str], label_idx: list[int]) -> None:
        self._end_s3_header()
        self.s4_active = False
        self.s2_header_names = [cells[i] for i in label_idx if norm_label(cells[i]) != norm_label("信息内容")]
        if self.s2_header_names:
            self._finish_section2_header()

    def _finish_section2_header(self) -> None:
        names, self.s2_header_names = self.s2_header_names or [], None
        sub = self.subtable
        candidates = [self.subtables[sub]] if sub in self.subtables else list(self.subtables.values())
        for table in candidates:
            order = self._map_columns(table, names)
            if order is not None:
                self.subtable = table.id
                self.s2_columns[table.id] = order
                official = [c.id for c in table.columns]
                if order != official:
                    labels = {c.id: c.label for c in table.columns}
                    self.result.notes.append(
                        ParseIssue("X6", f"{table.caption}的列顺序与规定不同，按表头标签对应："
                                   + "、".join(labels[c] for c in order), cell=f"active_disclosure.{table.id}")
                    )
                return
        if sub is not None:
            self.result.issues.append(
                ParseIssue("X6", f"{self.subtables[sub].caption}的表头无法与规定的列标签对应：“{'、'.join(names)}”")
            )
            self.s2_columns[sub] = []

    def _map_columns(self, table: SubTable, names: list[str]) -> list[str] | None:
        index = LabelIndex((c.id, c.label) for c in table.columns)
        order: list[str] = []
        fuzzy: list[tuple[str, LabelMatch]] = []
        for name in names:
            m = index.match(name)
            if m is None or m.key in order:
                order = []
                break
            order.append(m.key)
            if not m.exact:
                fuzzy.append((name, m))
        if order and len(order) == len(table.columns):
            for name, m in fuzzy:
                self.result.issues.append(
                    ParseIssue("X6", f"列标签“{name.strip()}”与规定的“{m.label}”不一致（疑为错字），已按“{m.label}”读取")
                )
            return order
        joined = norm_label("".join(names))
        if joined == "".join(norm_label(c.label) for c in table.columns):
            return [c.id for c in table.columns]
        return None

    def _section2_row(self, key: str, match: LabelMatch, after: list[str]) -> None:
        sub_id, row_id = key.split(".", 1)
        table = self.subtables[sub_id]
        order = self.s2_columns.get(sub_id)
        if order is None:
            order = [c.id for c in table.columns]
            if len(order) > 1:
                self.result.issues.append(
                    ParseIssue("X6", f"{table.caption}缺少表头，按规定的列顺序读取“{match.label}”行")
                )
        if not order:
            for col in table.columns:
                cid = f"active_disclosure.{sub_id}.{row_id}.{col.id}"
                self._unreadable(cid, " ".join(after).strip(), "表头无法识别，未读取", ours=True)
            return
        self.result.tables.add("active_disclosure")
        kinds = {c.id: c.kind for c in table.columns}
        cells = [f"active_disclosure.{sub_id}.{row_id}.{c}" for c in order]
        self._start(_Target(cells, [kinds[c] for c in order], match.label), after)

    # ---------------------------------------------------------------- section 三

    def _s3_target(self, row_id: str, label: str) -> _Target:
        self.result.tables.add("applications")
        cells = [f"applications.{row_id}.{c.id}" for c in SECTION3_COLUMNS]
        if self.s3_subtotal_at is not None:
            cells.insert(self.s3_subtotal_at, f"applications.{row_id}.{_SUBTOTAL}")
            self.subtotal_rows.append(row_id)
        return _Target(cells, ["count"] * len(cells), label)

    def _end_s3_header(self) -> None:
        if not self.s3_collecting:
            return
        self.s3_collecting = False
        header = norm_label("".join(self.s3_header))
        missing = [c.label for c in SECTION3_COLUMNS if norm_label(c.label) not in header]
        if norm_label(LEGAL_ENTITY_GROUP) not in header:
            missing.append(LEGAL_ENTITY_GROUP)
        if missing:
            self.result.issues.append(
                ParseIssue("X6", f"三、收到和处理政府信息公开申请情况表头缺少列标签：{'、'.join(missing)}；按规定列顺序读取")
            )
        if "小计" in header:
            at = header.find("小计")
            # columns map by the header: the subtotal sits after the five kinds of organisation, or before them
            before = at < header.find(norm_label(SECTION3_COLUMNS[1].label)) and norm_label(SECTION3_COLUMNS[1].label) in header
            self.s3_subtotal_at = 1 if before else S3_WIDTH - 1
            where = "“自然人”之后、“商业企业”之前" if before else "“其他”之后、“总计”之前"
            self.result.issues.append(ParseIssue("X6", "三、收到和处理政府信息公开申请情况表多出“小计”列（规定格式中没有）"))
            self.result.notes.append(
                ParseIssue(
                    "X6",
                    f"三、收到和处理政府信息公开申请情况表头在{where}多一列“法人或其他组织 小计”：按表头对应各列，"
                    f"每行第 {self.s3_subtotal_at + 1} 个数为小计（不存入文档），最后一个数为总计",
                    cell="applications",
                )
            )

    def _group_row(self, key: str, match: LabelMatch, after: list[str]) -> None:
        values = [a for a in after if a.strip()]
        if not values:
            return
        if key == _OTHER_GROUP and self.version == "2021":
            target = _Target(
                [f"applications.other_collapsed.{c.id}" for c in SECTION3_COLUMNS], ["count"] * S3_WIDTH, key
            )
            target.collapsed = True
            self.collapsed_other = target
            self._start(target, after)
            return
        self.result.issues.append(
            ParseIssue("X6", f"表中“{match.label}”是分组标题，却填有数字（多加了小计行），这些数字未读取", raw=" ".join(values))
        )

    # ---------------------------------------------------------------- section 四

    def _end_s4_header(self) -> None:
        header = norm_label("".join(self.s4_header))
        need = [g.label for g in SECTION4_GROUPS] + ["行政诉讼"]
        missing = [n for n in need if norm_label(n) not in header]
        short = [c.label for c in SECTION4_COLUMNS if header.count(norm_label(c.label)) < len(SECTION4_GROUPS)]
        if missing or short:
            self.result.issues.append(
                ParseIssue(
                    "X6",
                    "四、政府信息公开行政复议、行政诉讼情况表头不完整（缺少："
                    + "、".join(missing + short)
                    + "），按规定列顺序读取",
                )
            )

    # ---------------------------------------------------------------- values

    def _start(self, target: _Target, after: list[str]) -> None:
        self.pending = target
        target.add(after)
        self._maybe_complete()

    def _maybe_complete(self) -> None:
        target = self.pending
        if target is None:
            return
        present = [v for v in target.values if v.strip()]
        if len(present) >= len(target.cells):
            if target.grouped and len(target.cells) > S4_WIDTH:
                self.s4_active = False
            self._flush()

    def _too_many(self, target: _Target, extra: list[str]) -> None:
        """Numbers right after a completed row (one cell per line): the row had more cells than columns."""
        self.last_row = None
        printed = " ".join(v.strip() for v in [*target.values, *extra] if v.strip())
        for cid in target.cells:
            if self.result.values.get(cid) is not None:
                self.result.values[cid] = None
            self.result.raw[cid] = printed
            self.result.unread[cid] = f"“{target.label}”行的数字比规定的列数多，无法对应到各列"
        self.result.issues.append(
            ParseIssue("X6", f"“{target.label}”行的数字比规定的列数多，表头也没有说明多出的列，无法对应到各列，未读取",
                       cell=target.cells[0], raw=printed)
        )

    def _flush(self) -> None:
        target, self.pending = self.pending, None
        self.last_row = None
        if target is None:
            return
        k = len(target.cells)
        vals = target.values
        present = [v for v in vals if v.strip()]
        if len(present) == k:
            chosen: list[str] | None = present
        elif len(present) > k:
            chosen = None
            self.result.issues.append(
                ParseIssue("X6", f"“{target.label}”行的数字比规定的列数多（{len(present)} 个，应为 {k} 个），未读取",
                           raw=" ".join(present))
            )
        elif self.mode == "grid" or len(vals) >= k:
            trimmed = list(vals)
            while len(trimmed) > k and not trimmed[-1].strip():
                trimmed.pop()
            while len(trimmed) > k and not trimmed[0].strip():
                trimmed.pop(0)
            chosen = trimmed if len(trimmed) == k else None
            if chosen is None and present and all(clean_cell(p).isdigit() for p in present):
                self.deferred.append((target, [clean_cell(p) for p in present]))
                return
        elif target.one_per_line:
            # one number per line: a missing line is a blank cell somewhere in the row, not glued digits
            for cid in target.cells:
                self._unreadable(cid, " ".join(present), f"“{target.label}”行只有 {len(present)} 个数（每行一个），少于 {k} 列，"
                                 "无法确定哪一列空白", ours=True)
            return
        elif present and all(re.sub(r"\s+", "", clean_cell(p)).isdigit() for p in present):
            self.deferred.append((target, [clean_cell(p) for p in present]))
            return
        else:
            chosen = None
        if chosen is None:
            for cid in target.cells:
                self._unreadable(cid, " ".join(present), f"“{target.label}”行的数字个数不对，无法对应到各列", ours=True)
            return
        for cid, kind, raw in zip(target.cells, target.kinds, chosen, strict=True):
            self._store(cid, kind, raw)
        if self.mode == "text":
            self.last_row = target

    def _store(self, cid: str, kind: str, raw: str) -> None:
        if cid in self.result.values and self.result.values[cid] is not None:
            self.result.issues.append(ParseIssue("X6", "该单元格在表中出现了不止一次，保留第一次读到的数", cell=cid, raw=raw))
            return
        value = parse_value(raw, kind)
        if value is None:
            self._unreadable(cid, raw, "不是数字，留空" if not is_blank(raw) else "单元格为空白或占位符，按空白（null）处理")
        else:
            self.result.values[cid] = value

    def _unreadable(self, cid: str, raw: str, why: str, ours: bool = False) -> None:
        """A cell left null. ``ours``: the parser could not place the printed numbers (未能读取), not a blank."""
        if ours:
            self.result.unread[cid] = why
        self.result.values.setdefault(cid, None)
        self.result.raw[cid] = raw.strip()
        rule = "R3.5" if is_blank(raw) else "R3.4"
        self.result.issues.append(ParseIssue(rule, why, cell=cid, raw=raw.strip()))

    def _label_warning(self, labels: list[str], match: LabelMatch) -> None:
        text = "".join(labels).strip()
        if match.label in self.warned_labels:
            return
        self.warned_labels.add(match.label)
        self.result.issues.append(
            ParseIssue("X6", f"标签“{text[:60]}”与规定的“{match.label}”不一致（疑为错字或漏字），已按规定标签读取")
        )

    # ---------------------------------------------------------------- the end

    def finish(self) -> TableResult:
        self._flush()
        if self.s3_collecting:
            self._end_s3_header()
        if self.s4_active and self.s4_header and not any(c.startswith("review_litigation") for c in self.result.values):
            self._end_s4_header()
        self._resolve_deferred()
        self._resolve_collapsed()
        self._check_subtotals()
        return self.result

    def _check_subtotals(self) -> None:
        """The extra 小计 column must equal the five kinds of organisation; a row where it does not is said so."""
        legal = [c.id for c in SECTION3_COLUMNS[1:-1]]
        for row in self.subtotal_rows:
            sub = self.result.values.pop(f"applications.{row}.{_SUBTOTAL}", None)
            self.result.raw.pop(f"applications.{row}.{_SUBTOTAL}", None)
            parts = [self.result.values.get(f"applications.{row}.{c}") for c in legal]
            if isinstance(sub, int) and all(isinstance(p, int) for p in parts):
                total = sum(p for p in parts if isinstance(p, int))
                if total != sub:
                    self.result.issues.append(
                        ParseIssue("X6", f"“小计”列为 {sub}，与五类法人或其他组织之和 {total} 不符（小计不存入文档）",
                                   cell=f"applications.{row}.{legal[0]}", raw=str(sub))
                    )

    def _resolve_collapsed(self) -> None:
        cells = {c: v for c, v in self.result.values.items() if c.startswith("applications.other_collapsed.")}
        if not cells:
            return
        for c in cells:
            self.result.values.pop(c)
            self.result.raw.pop(c, None)
        leaves = ("other_no_correction", "other_fee_unpaid", "other_misc")
        if any(self.result.values.get(f"applications.{leaf}.total") is not None for leaf in leaves):
            self.result.issues.append(
                ParseIssue("X6", "表中“（六）其他处理”分组行填有数字（多加了小计行），这些数字未读取")
            )
            return
        self.result.issues.append(
            ParseIssue("X6", "表中“（六）其他处理”合并成了一行（2019 年试行格式的写法），2021 年格式应分 3 行填报")
        )
        for col in SECTION3_COLUMNS:
            value = cells.get(f"applications.other_collapsed.{col.id}")
            for leaf in leaves:
                cid = f"applications.{leaf}.{col.id}"
                if value == 0:
                    # three counts ≥ 0 that sum to 0 are each 0: no guess involved
                    self.result.values[cid] = 0
                else:
                    self.result.values[cid] = None
                    self.result.raw[cid] = f"（六）其他处理合计 {'' if value is None else value}"
        nonzero = [c for c, v in cells.items() if v]
        if nonzero:
            self.result.issues.append(
                ParseIssue("R3.5", "“（六）其他处理”只有合计数，无法拆分到 3 个子项，子项留空（原文合计见 raw_cells）")
            )

    def _resolve_deferred(self) -> None:
        """Split digit runs with the table's arithmetic; ambiguous runs stay null with a warning."""
        runs = [Run(t.cells, t.label, tokens, t.grouped) for t, tokens in self.deferred]
        labels = {c: r.label for r in runs for c in r.cells}
        outcome = resolve_runs(runs, self.result.values, self.version)
        self.result.values.update(outcome.values)
        self.result.issues.extend(outcome.issues)
        self.result.notes.extend(outcome.notes)
        for cid, digits in outcome.ambiguous.items():
            self.result.values.setdefault(cid, None)
            self.result.raw[cid] = digits
            self.result.unread[cid] = f"“{labels[cid]}”行的数字（{digits}）无法确定各属哪一列"
        for cid, digits in outcome.impossible.items():
            self._unreadable(cid, digits, f"“{labels[cid]}”行的数字连在一起，没有一种拆分符合表内勾稽关系", ours=True)


def read_tables(rows: Sequence[Sequence[str | None]], version: FormatVersion, mode: str) -> TableResult:
    """Read every table cell of the given format from rows in reading order."""
    reader = TableReader(version, mode)
    for row in rows:
        reader.feed(row)
    result = reader.finish()
    known = CELLS[version]
    result.values = {c: v for c, v in result.values.items() if c in known}
    result.raw = {c: r for c, r in result.raw.items() if c in known}
    result.unread = {c: r for c, r in result.unread.items() if c in known and result.values.get(c) is None}
    return result
