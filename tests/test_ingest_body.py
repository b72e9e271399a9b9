"""The body behind a report (issue 13.6/13.7): its type inferred from the name, the rules that depend on it,
and the audit pairing only the same body across years."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.checks import check_report
from assistant.ingest import audit, parse_text
from assistant.ingest.body import infer_body_type, region_of

FIXTURES = Path(__file__).parent / "fixtures"
AGENCY = "青河县自然资源局"


def county_text(agency: str = AGENCY, year: int = 2023) -> str:
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8").replace(AGENCY, agency)
    return text.replace("2023", str(year))


@pytest.mark.parametrize(
    ("agency", "kind"),
    [
        ("淮安市洪泽区人民政府", "government"), ("淮安市人民政府办公室", "government"),
        ("青河县自然资源局", "department"), ("青河县发展和改革委员会", "department"),
        ("和平街道办事处", "township"), ("青河县城关镇人民政府", "township"), ("某某", None), ("（未识别机关）", None),
    ],
)
def test_body_type_from_the_name(agency: str, kind: str | None) -> None:
    assert infer_body_type(agency)[0] == kind


def test_parse_states_the_inferred_type_and_it_can_be_overridden() -> None:
    report = parse_text(county_text("青河县人民政府")).report
    assert report.body_type == "government"
    assert any("机关类型" in n and "推断为人民政府" in n for n in report.parse_notes)
    overridden = report.model_copy(update={"body_type": "department"})
    assert overridden.body_type == "department"


def test_x5_deadline_follows_the_body() -> None:
    published = date(2024, 3, 15)
    gov = parse_text(county_text("青河县人民政府")).report.model_copy(update={"published_on": published})
    dept = parse_text(county_text()).report.model_copy(update={"published_on": published})
    assert not check_report(gov).by_rule("X5")
    [late] = check_report(dept).by_rule("X5")
    assert late.expected == "2024-01-31"


def test_r24_is_silent_for_a_government_report() -> None:
    from assistant.schema import set_cells

    cells = {"active_disclosure.art20_1.regulations.issued": 1, "active_disclosure.art20_1.regulations.in_force": 1}
    gov = set_cells(parse_text(county_text("青河县人民政府")).report, cells)
    dept = set_cells(parse_text(county_text()).report, cells)
    assert not check_report(gov).by_rule("R2.4")
    assert [f.status for f in check_report(dept).by_rule("R2.4")] == ["fail"]


def test_x2_reads_granted_and_partly_granted_as_their_sum() -> None:
    report = parse_text(county_text()).report
    # the table: 予以公开 14, 部分公开 3
    report.narrative.overview = "全年予以公开及部分公开17件。"
    assert not check_report(report).by_rule("X2")
    report.narrative.overview = "全年予以公开及部分公开3件。"
    [x2] = check_report(report).by_rule("X2")
    assert (x2.expected, x2.actual) == (17, 3)


def test_region_from_the_name_or_the_address() -> None:
    assert region_of("淮安市洪泽区人民政府") == "淮安市洪泽区"
    assert region_of("财政局", "青河县人民路18号") == "青河县"
    assert region_of("财政局") == ""


def test_audit_never_pairs_unrecognised_or_other_bodies(tmp_path: Path) -> None:
    """Two reports with no recognisable agency, and two same-named bodies in different counties: no X1 pairing."""
    anon = county_text()
    anon = anon.split("\n", 2)[2].replace("请与青河县自然资源局联系", "请与我们联系").replace(AGENCY, "本局")
    anon = "2023年政府信息公开工作年度报告\n" + anon
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "2022.txt").write_text(anon.replace("2023", "2022"), encoding="utf-8")
    (tmp_path / "a" / "2023.txt").write_text(anon, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2022.txt").write_text(county_text("青河县财政局", 2022), encoding="utf-8")
    (tmp_path / "b" / "2023.txt").write_text(county_text("白水县财政局", 2023), encoding="utf-8")
    summary = audit([tmp_path], workers=1)
    assert len(summary.files) == 4
    assert [f.agency for f in summary.files if f.path.startswith(str(tmp_path / "a"))] == ["（未识别机关）"] * 2
    assert all(f.previous == "" for f in summary.files)
    # the same body in consecutive years still pairs
    (tmp_path / "b" / "2023.txt").write_text(county_text("青河县财政局", 2023), encoding="utf-8")
    summary = audit([tmp_path / "b"], workers=1)
    assert {Path(f.path).name: Path(f.previous).name if f.previous else "" for f in summary.files} == {
        "2022.txt": "", "2023.txt": "2022.txt",
    }
