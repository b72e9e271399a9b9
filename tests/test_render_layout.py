"""The official table layouts (format-spec §2–4, §8): spans, header text and where each cell sits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from render_support import distinct_report, layout_grid

from assistant.render.layout import MISSING, format_value, section2_grid, section3_grid, section4_grid
from assistant.schema import get_cell
from assistant.schema.labels import SECTION3_COLUMNS, section3_rows


def test_section3_header_and_row_groups_2021() -> None:
    grid = layout_grid(section3_grid(None, "2021"))
    rule = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert grid[(0, 0)] == (rule, 3, 3)
    assert grid[(0, 3)] == ("申请人情况", 1, 7)
    assert grid[(1, 3)] == ("自然人", 2, 1)
    assert grid[(1, 4)] == ("法人或其他组织", 1, 5)
    assert grid[(1, 9)] == ("总计", 2, 1)
    assert [grid[(2, c)][0] for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert grid[(3, 0)] == ("一、本年新收政府信息公开申请数量", 1, 3)
    assert grid[(4, 0)] == ("二、上年结转政府信息公开申请数量", 1, 3)
    assert grid[(5, 0)] == ("三、本年度办理结果", 22, 1)
    assert grid[(5, 1)] == ("（一）予以公开", 1, 2)
    assert grid[(6, 1)] == ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)
    assert grid[(7, 1)] == ("（三）不予公开", 8, 1)
    assert grid[(7, 2)][0] == "1.属于国家秘密"
    assert grid[(15, 1)] == ("（四）无法提供", 3, 1)
    assert grid[(18, 1)] == ("（五）不予处理", 5, 1)
    assert grid[(23, 1)] == ("（六）其他处理", 3, 1)
    assert grid[(26, 1)] == ("（七）总计", 1, 2)
    assert grid[(27, 0)] == ("四、结转下年度继续办理", 1, 3)
    assert max(r for r, _ in grid) == 27


def test_section3_2019_has_single_other_row_and_rowspan_20() -> None:
    grid = layout_grid(section3_grid(None, "2019"))
    assert grid[(5, 0)] == ("三、本年度办理结果", 20, 1)
    assert grid[(23, 1)] == ("（六）其他处理", 1, 2)
    assert grid[(24, 1)] == ("（七）总计", 1, 2)
    assert grid[(25, 0)] == ("四、结转下年度继续办理", 1, 3)


def test_grids_tile_every_position_exactly_once() -> None:
    for table in (section2_grid(None, "2021"), section2_grid(None, "2019"), section3_grid(None, "2021"),
                  section3_grid(None, "2019"), section4_grid(None)):
        covered: list[tuple[int, int]] = []
        for c in table.cells:
            covered += [(c.row + i, c.col + j) for i in range(c.rowspan) for j in range(c.colspan)]
        assert sorted(covered) == [(r, c) for r in range(table.n_rows) for c in range(table.n_cols)], table.id


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_section3_value_cells_sit_under_their_row_and_column_labels(version: str) -> None:
    report = distinct_report(version)  # type: ignore[arg-type]
    table = section3_grid(report, report.format)
    by_id = {c.cell_id: c for c in table.value_cells()}
    labels = {(c.row, c.col): c.text for c in table.cells if c.cell_id is None}
    for i, row in enumerate(section3_rows(report.format)):
        for j, col in enumerate(SECTION3_COLUMNS):
            cell = by_id[f"applications.{row.id}.{col.id}"]
            assert (cell.row, cell.col) == (3 + i, 3 + j)
            assert cell.text == str(get_cell(report, cell.cell_id or ""))
        assert row.label in {text for (r, _), text in labels.items() if r == 3 + i}
    assert len(by_id) == len(section3_rows(report.format)) * 7


def test_section2_2021_captions_headers_and_spans() -> None:
    report = distinct_report("2021")
    grid = layout_grid(section2_grid(report, "2021"))
    assert grid[(0, 0)] == ("第二十条第（一）项", 1, 4)
    assert [grid[(1, c)][0] for c in range(4)] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert grid[(2, 0)][0] == "规章" and grid[(3, 0)][0] == "行政规范性文件"
    assert grid[(4, 0)] == ("第二十条第（五）项", 1, 4)
    assert grid[(5, 1)] == ("本年处理决定数量", 1, 3)
    assert grid[(11, 0)] == ("第二十条第（八）项", 1, 4)
    assert grid[(12, 1)] == ("本年收费金额（单位：万元）", 1, 3)
    fee = get_cell(report, "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan")
    assert grid[(13, 1)] == (str(fee), 1, 3)
    assert len(section2_grid(report, "2021").value_cells()) == 10


def test_section2_2019_five_subtables_with_signed_change() -> None:
    report = distinct_report("2019")
    table = section2_grid(report, "2019")
    captions = [c.text for c in table.cells if c.kind == "caption"]
    assert captions == [f"第二十条第（{n}）项" for n in ("一", "五", "六", "八", "九")]
    change = next(c for c in table.cells if c.cell_id == "active_disclosure.art20_5.admin_licensing.change")
    assert change.text.startswith("-")
    fee_change = next(c for c in table.cells if c.cell_id == "active_disclosure.art20_8.admin_fees.change")
    assert fee_change.colspan == 2  # two value columns spread over three
    assert len(table.value_cells()) == 6 + 6 + 6 + 2 + 2


def test_section4_headers() -> None:
    grid = layout_grid(section4_grid(None))
    assert grid[(0, 0)] == ("行政复议", 2, 5)
    assert grid[(0, 5)] == ("行政诉讼", 1, 10)
    assert grid[(1, 5)] == ("未经复议直接起诉", 1, 5)
    assert grid[(1, 10)] == ("复议后起诉", 1, 5)
    assert [grid[(2, c)][0] for c in range(15)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    assert all(grid[(3, c)] == (MISSING, 1, 1) for c in range(15))


def test_format_value() -> None:
    assert format_value(None) == MISSING
    assert format_value(0) == "0"
    assert format_value(Decimal("1.50")) == "1.5"
    assert format_value(Decimal("2.00")) == "2"
    assert format_value(Decimal("1E+1")) == "10"
    assert format_value(Decimal("0.0001")) == "0.0001"
