"""Views: findings naming cells, coloured grids for both formats, guard marks."""

from __future__ import annotations

import re

from assistant.app.views import findings_html, grid_frame, guard_markdown, marked_markdown
from assistant.checks import CheckResult, Finding, check_report
from assistant.schema import load_report, set_cells


def test_findings_name_cells_and_escape_text(sample_report) -> None:
    result = CheckResult(findings=[Finding(rule="R9", severity="error", cells=["applications.granted.total"],
                                           message="<script>x</script> 不相等")])
    page = findings_html(result, sample_report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    main, detail = page.split("<details>")
    assert "三、收到和处理政府信息公开申请情况表「三、本年度办理结果 （一）予以公开」行「总计」列" in main
    assert "applications.granted.total" not in main and "R9" not in main  # ids only in the collapsed detail
    assert "applications.granted.total" in detail and "R9" in detail
    assert 'data-pos="grid_applications:2:8"' in main  # clicking it outlines that exact cell
    assert "检查未通过" in page


def test_flagged_cells_are_coloured_by_severity(sample_report) -> None:
    broken = set_cells(sample_report, {"applications.granted.total": 5})
    css = grid_frame(broken, "applications", check_report(broken)).to_html().split("</style>")[0]
    assert "#fde2e1" in css
    # the edited cell (row 2 = （一）予以公开, column 8 = 总计) and the cells its rules name; 新收 stays plain
    assert re.search(r"_row2_col8\b", css) and re.search(r"_row2_col2\b", css)
    assert not re.search(r"_row0_col2\b", css)
    clean = grid_frame(sample_report, "applications", check_report(sample_report)).to_html()
    assert "#fde2e1" not in clean


def test_a_2019_report_gets_its_own_grids() -> None:
    report = load_report({"format": "2019", "year": 2020, "agency": "某局"})
    result = check_report(report)
    frame = grid_frame(report, "active_disclosure", result).data
    assert "第二十条第（九）项" in frame.iloc[:, 0].tolist() and list(frame.columns)[:2] == ["项目", "信息内容"]
    assert len(grid_frame(report, "applications", result).data) == 23  # （六）其他处理 is one row in 2019 (2021: 25)


def test_guard_marks_and_summary() -> None:
    assert marked_markdown("培训【待核实：原文为8888】场次") == "培训<mark>【待核实：原文为8888】</mark>场次"
    finding = Finding(rule="G1", severity="error", message="数字 8888 无法在要点或统计表中找到", actual=8888,
                      quote="全年培训8888场次")
    text = guard_markdown([finding], "仍有 1 处数字无法核实", "模型起草")
    assert "**8888**" in text and "全年培训8888场次" in text and "模型起草" in text
    assert "核对通过" in guard_markdown([], None, "离线起草")


def test_model_output_renders_as_text_without_remote_images() -> None:
    from assistant.app.views import as_text

    reply = "一是宣传不足。![统计](https://attacker.example/beacon.png)<img src='https://attacker.example/x'>"
    shown = marked_markdown(reply + "【待核实：原文为37】")
    assert "<img" not in shown and "![" not in shown and "](" not in shown
    assert "<mark>【待核实：原文为37】</mark>" in shown
    assert as_text("一是") == "一是"
    finding = Finding(rule="G1", severity="error", message="数字无法核实", actual=37, quote="![a](https://x.example/b.png)")
    assert "![" not in guard_markdown([finding], None, "模型起草")


def test_diff_is_side_by_side_by_sentence() -> None:
    from assistant.app.views import diff_html

    page = diff_html("一是公开方式单一。二是解读形式单一。", "一是公开方式单一。二是解读渠道<b>较少。", "第 1 版", "第 2 版")
    assert page.count("<tr>") == 3  # header + the same sentence + the changed one
    assert '<td class="del">二是解读形式单一。</td><td class="ins">二是解读渠道&lt;b&gt;较少。</td>' in page
    assert '<td class="">一是公开方式单一。</td>' in page
    assert "相同" in diff_html("甲。", "甲。", "a", "b")


def test_a_blank_cell_is_named_with_one_word_in_change_lists(sample_report) -> None:
    from assistant.app.views import changes_markdown
    from assistant.drafting.edits import cell_changes
    from assistant.schema.labels import BLANK_CELL

    blanked = set_cells(sample_report, {"applications.new_requests.commercial": None})
    listed = changes_markdown("空白填 0", cell_changes(blanked, sample_report))
    assert f"{BLANK_CELL} → 0" in listed and "未填写" not in listed
