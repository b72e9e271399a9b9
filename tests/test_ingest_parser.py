"""Parsing published reports: the seed text, the shared real PDFs, and our layout fixtures, cell by cell."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import corpus
import pytest
import yaml
from corpus import OWN_REPORT_TEXT, CorpusPath

from assistant.checks import check_report
from assistant.ingest import ParseError, detect_version, parse_bytes, parse_file, parse_text
from assistant.schema import CELLS, iter_cells, load_report, load_report_file

ROOT = Path(__file__).resolve().parents[1]
SEED = CorpusPath(corpus.SEED)  # third-party: skips where the corpus is absent
PUBLISHED = CorpusPath(corpus.PUBLISHED)
FIXTURES = Path(__file__).parent / "fixtures"
COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")
S4 = ("upheld", "corrected", "other_result", "pending", "total")


def cells_of(report: Any) -> dict[str, Any]:
    return dict(iter_cells(report))


def expected_doc(name: str) -> Any:
    return load_report(yaml.safe_load((FIXTURES / f"{name}.expected.yaml").read_text(encoding="utf-8")))


def table3(rows: dict[str, tuple[int, ...]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row, values in rows.items():
        assert len(values) == 7, row
        out.update({f"applications.{row}.{c}": v for c, v in zip(COLS, values, strict=True)})
    return out


def only_np(n: int) -> tuple[int, ...]:
    """A row where every application came from natural persons."""
    return (n, 0, 0, 0, 0, 0, n)


# ---------------------------------------------------------------- the seed


@pytest.mark.parametrize("source", ["own", "seed"])
def test_published_text_parses_to_exactly_the_sample_tables(source: str) -> None:
    """Our own text fixture always; the real seed report (same figures) where the corpus is present."""
    outcome = parse_file(OWN_REPORT_TEXT if source == "own" else SEED)
    expected = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    got, want = cells_of(outcome.report), cells_of(expected)
    assert len(want) == len(CELLS["2021"]) == 200
    assert got == want
    assert outcome.version == "2021"
    assert outcome.report.raw_cells == {}


@pytest.mark.parametrize("source", ["own", "seed"])
def test_published_text_metadata_narrative_and_the_typo_warning(source: str) -> None:
    outcome = parse_file(OWN_REPORT_TEXT if source == "own" else SEED)
    expected = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    report = outcome.report
    assert (report.agency, report.year) == ("淄博市工业和信息化局", 2022)
    assert report.title == "淄博市工业和信息化局2022年政府信息公开工作年度报告"
    assert report.contact == expected.contact
    if source == "own":  # our fixture carries the sample's narrative, paragraph for paragraph
        assert report.narrative == expected.narrative
    else:  # the published narrative: every part read, the page break inside （一） joined
        parts = report.narrative.model_dump()
        assert all(parts[p] for p in ("overview", "problems", "improvements", "other_matters"))
        assert "政府信息148条" in parts["overview"]
    assert report.opening is not None and report.opening.startswith("本年度报告中所列数据的统计期限自2022年1月1日起")
    typo = [i for i in outcome.issues if "本年度止件数" in i.message]
    assert len(typo) == 1 and typo[0].rule == "X6" and "本年废止件数" in typo[0].message


# ---------------------------------------------------------------- real published PDFs, values transcribed by hand

HONGZE = {
    "active_disclosure.art20_1.regulations.issued": 0,
    "active_disclosure.art20_1.regulations.repealed": 0,
    "active_disclosure.art20_1.regulations.in_force": 0,
    "active_disclosure.art20_1.normative_documents.issued": 3,
    "active_disclosure.art20_1.normative_documents.repealed": 0,
    "active_disclosure.art20_1.normative_documents.in_force": 8,
    "active_disclosure.art20_5.admin_licensing.decisions": 9487,
    "active_disclosure.art20_6.admin_penalty.decisions": 2776,
    "active_disclosure.art20_6.admin_coercion.decisions": 84,
    "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan": Decimal("7545"),
    **table3(
        {
            "new_requests": only_np(95), "carried_over": only_np(0), "granted": only_np(50),
            "partially_granted": only_np(9), "denied_state_secret": only_np(0), "denied_law_prohibited": only_np(0),
            "denied_security_stability": only_np(1), "denied_third_party": only_np(0),
            "denied_internal_affairs": only_np(0), "denied_process_info": only_np(1),
            "denied_enforcement_file": only_np(1), "denied_admin_query": only_np(0),
            "unavailable_not_held": only_np(31), "unavailable_needs_creation": only_np(1),
            "unavailable_unclear": only_np(0), "rejected_petition_complaint": only_np(1),
            "rejected_duplicate": only_np(0), "rejected_publication": only_np(0), "rejected_excessive": only_np(0),
            "rejected_confirm_reissue": only_np(0),
            # printed as one collapsed （六）其他处理 row of zeros: three counts ≥ 0 summing to 0 are each 0
            "other_no_correction": only_np(0), "other_fee_unpaid": only_np(0), "other_misc": only_np(0),
            "total_processed": only_np(95), "carried_forward": only_np(0),
        }
    ),
    **{f"review_litigation.review.{c}": v for c, v in zip(S4, (1, 1, 0, 0, 2), strict=True)},
    **{f"review_litigation.litigation_direct.{c}": v for c, v in zip(S4, (1, 0, 0, 0, 1), strict=True)},
    **{f"review_litigation.litigation_after_review.{c}": v for c, v in zip(S4, (2, 0, 1, 0, 3), strict=True)},
}

HUAIAN = {
    "active_disclosure.art20_1.regulations.issued": 1,
    "active_disclosure.art20_1.regulations.repealed": 0,
    "active_disclosure.art20_1.regulations.in_force": 11,
    "active_disclosure.art20_1.normative_documents.issued": 8,
    "active_disclosure.art20_1.normative_documents.repealed": 26,
    "active_disclosure.art20_1.normative_documents.in_force": 66,
    "active_disclosure.art20_5.admin_licensing.decisions": 447228,
    "active_disclosure.art20_6.admin_penalty.decisions": 3985758,
    "active_disclosure.art20_6.admin_coercion.decisions": 88283,
    "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan": Decimal("96171.6"),
    **table3(
        {
            "new_requests": (3001, 53, 0, 0, 61, 4, 3119),
            "carried_over": (34, 0, 0, 0, 0, 0, 34),
            "granted": (1288, 21, 0, 0, 50, 3, 1362),
            "partially_granted": (447, 7, 0, 0, 0, 0, 454),
            "denied_state_secret": only_np(2),
            "denied_law_prohibited": (30, 1, 0, 0, 0, 0, 31),
            "denied_security_stability": only_np(5),
            "denied_third_party": only_np(6),
            "denied_internal_affairs": (7, 1, 0, 0, 0, 0, 8),
            "denied_process_info": only_np(12),
            "denied_enforcement_file": only_np(9),
            "denied_admin_query": only_np(105),
            "unavailable_not_held": (746, 12, 0, 0, 10, 1, 769),
            "unavailable_needs_creation": only_np(11),
            "unavailable_unclear": only_np(1),
            "rejected_petition_complaint": (56, 6, 0, 0, 0, 0, 62),
            "rejected_duplicate": only_np(25),
            "rejected_publication": only_np(0),
            "rejected_excessive": only_np(0),
            "rejected_confirm_reissue": only_np(1),
            "other_no_correction": (67, 3, 0, 0, 1, 0, 71),
            "other_fee_unpaid": only_np(6),
            "other_misc": (108, 2, 0, 0, 0, 0, 110),
            "total_processed": (2932, 53, 0, 0, 61, 4, 3050),
            "carried_forward": only_np(103),
        }
    ),
    **{f"review_litigation.review.{c}": v for c, v in zip(S4, (72, 64, 178, 37, 351), strict=True)},
    **{f"review_litigation.litigation_direct.{c}": v for c, v in zip(S4, (13, 4, 8, 1, 26), strict=True)},
    **{f"review_litigation.litigation_after_review.{c}": v for c, v in zip(S4, (12, 1, 1, 6, 20), strict=True)},
}


@pytest.mark.parametrize(
    ("name", "expected", "agency"),
    [("hongze_district_2024", HONGZE, "淮安市洪泽区人民政府"), ("huaian_city_2024", HUAIAN, "淮安市人民政府")],
)
def test_published_pdf_parses_every_cell(name: str, expected: dict[str, Any], agency: str) -> None:
    outcome = parse_file(PUBLISHED / f"{name}.pdf")
    assert len(expected) == 200
    assert cells_of(outcome.report) == expected
    assert (outcome.report.agency, outcome.report.year, outcome.version) == (agency, 2024, "2021")


def test_hongze_deviations_are_reported_not_hidden() -> None:
    outcome = parse_file(PUBLISHED / "hongze_district_2024.pdf")
    messages = " ".join(i.message for i in outcome.issues)
    assert "2.其他法律行政止公开" in messages  # the printed typo, mapped to 2.其他法律行政法规禁止公开 with a warning
    assert "（六）其他处理”合并成了一行" in messages
    report = outcome.report
    assert report.contact is not None and report.contact.postcode == "223100" and report.contact.phone == "0517-87290606"
    assert report.narrative.improvements is not None and report.narrative.improvements.startswith("针对存在问题")
    assert "使各行政机关答复" in report.narrative.improvements  # the paragraph continues across the page break


def test_error_published_in_a_real_report_is_found_after_parsing() -> None:
    """洪泽区 2024 says 受理…申请 17 件 in section 一 while its table's 本年新收 total is 95."""
    report = parse_file(PUBLISHED / "hongze_district_2024.pdf").report
    x2 = [f for f in check_report(report).findings if f.rule == "X2" and "applications.new_requests.total" in f.cells]
    assert x2, "the narrative/table mismatch of the published report must be found"
    assert (x2[0].expected, x2[0].actual) == (95, 17)


def test_huaian_contact_and_section5_split() -> None:
    report = parse_file(PUBLISHED / "huaian_city_2024.pdf").report
    assert report.contact is not None
    assert report.contact.email == "hazwgkc@163.com" and report.contact.address == "淮安市翔宇南道1号"
    assert report.narrative.problems is not None and report.narrative.problems.startswith("对照上级新要求")
    assert report.narrative.improvements is not None and report.narrative.improvements.startswith("针对存在问题，下一步")
    assert report.narrative.other_matters == "2024年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费3940元。"


# ---------------------------------------------------------------- layout fixtures written by us


@pytest.mark.parametrize("name", ["cms_2021.html", "pipe_tables.md"])
def test_layout_fixture_parses_exactly(name: str) -> None:
    outcome = parse_file(FIXTURES / name)
    expected = expected_doc("county_2023")
    assert cells_of(outcome.report) == cells_of(expected)
    assert outcome.report.narrative == expected.narrative
    assert outcome.report.contact == expected.contact
    assert (outcome.report.agency, outcome.report.title, outcome.report.opening) == (
        expected.agency, expected.title, expected.opening,
    )
    assert not [i for i in outcome.issues if i.rule != "META"]


def test_cms_page_keeps_publication_date_and_drops_site_furniture() -> None:
    report = parse_file(FIXTURES / "cms_2021.html").report
    assert str(report.published_on) == "2024-01-26"
    assert report.narrative.other_matters is not None
    assert "分享到" not in report.narrative.other_matters and "ICP" not in report.narrative.other_matters


def test_one_cell_per_line_with_a_placeholder_cell() -> None:
    outcome = parse_file(FIXTURES / "one_cell_per_line.txt")
    want = cells_of(expected_doc("county_2023"))
    want["applications.denied_state_secret.research"] = None  # printed as “/”: blank, never 0
    assert cells_of(outcome.report) == want
    assert outcome.report.raw_cells == {"applications.denied_state_secret.research": "/"}
    assert [i.rule for i in outcome.issues if i.cell] == ["R3.5"]


def test_2019_trial_format_with_collapsed_other_row() -> None:
    outcome = parse_file(FIXTURES / "trial_2019.html")
    expected = expected_doc("township_2020")
    assert outcome.version == "2019" and outcome.report.format == "2019"
    assert cells_of(outcome.report) == cells_of(expected)
    assert outcome.report.applications is not None
    assert outcome.report.applications.other_total_2019 is not None
    assert outcome.report.active_disclosure.art20_5.admin_licensing.change == -2  # type: ignore[union-attr]
    assert outcome.report.narrative.problems == "政务公开人员业务水平有待提高。"
    assert outcome.report.narrative.improvements == "加强业务培训，提升公开质量。"


def test_flattened_digits_resolved_by_arithmetic_and_ambiguous_run_left_blank() -> None:
    outcome = parse_file(FIXTURES / "flattened_2021.html")
    want = cells_of(expected_doc("county_2023"))
    ambiguous = [f"active_disclosure.art20_1.normative_documents.{c}" for c in ("issued", "repealed", "in_force")]
    for cid in ambiguous:
        want[cid] = None  # 2114 reads as 2/1/14, 21/1/4 or 2/11/4: section 二 has no arithmetic to choose
    assert cells_of(outcome.report) == want
    assert {c: outcome.report.raw_cells[c] for c in ambiguous} == dict.fromkeys(ambiguous, "2114")
    flat = " ".join(i.message for i in outcome.issues if i.rule == "FLAT")
    assert "2114" in flat and "3 种拆分" in flat
    # 276012036 also splits as 2,7,6,0,1,20,36 within its row; only the column balance (R3.1) picks 27,6,0,1,2,0,36
    assert cells_of(outcome.report)["applications.total_processed.natural_person"] == 27


# ---------------------------------------------------------------- versions, kinds and refusals


@pytest.mark.parametrize(
    ("text", "year", "version", "warns"),
    [
        ("信息内容 本年制发件数 本年废止件数 现行有效件数", 2022, "2021", False),
        ("信息内容 本年新制作数量 本年新公开数量 对外公开总数量 政府集中采购", 2020, "2019", False),
        ("本年制发件数 现行有效件数 政府集中采购", 2021, "2021", True),
        ("没有任何表格", 2020, "2019", False),
        ("没有任何表格", 2023, "2021", False),
    ],
)
def test_version_fingerprint(text: str, year: int, version: str, warns: bool) -> None:
    got, issues = detect_version(text, year)
    assert got == version
    assert bool(issues) is warns


def test_parse_text_kinds_and_refusals() -> None:
    seed = OWN_REPORT_TEXT.read_text(encoding="utf-8")
    assert parse_text(seed, "txt").report.agency == "淄博市工业和信息化局"
    with pytest.raises(ParseError, match="只接受文本类型"):
        parse_text(seed, "pdf")
    with pytest.raises(ParseError, match="报告年度"):
        parse_text("这是一段与年报无关的文字。\n第二行。", "txt")
    with pytest.raises(ParseError, match="PDF"):
        parse_bytes(b"%PDF-1.4 broken", "pdf")
    with pytest.raises(ParseError, match="Word"):
        parse_bytes(b"PK\x03\x04 not a docx", "docx")


def test_gbk_encoded_page_is_read(tmp_path: Path) -> None:
    page = (FIXTURES / "cms_2021.html").read_bytes()
    page.decode("gbk")  # the fixture is GBK, as many county sites still serve
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    assert parse_bytes(page, "html").report.agency == "青河县自然资源局"


def test_unsupported_and_empty_files(tmp_path: Path) -> None:
    odd = tmp_path / "report.rtf"
    odd.write_text("{\\rtf1}", encoding="utf-8")
    with pytest.raises(ParseError, match="不支持的文件类型"):
        parse_file(odd)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="空的"):
        parse_file(empty)


def test_xlsx_goes_to_the_workbook_reader(tmp_path: Path, sample_report: Any) -> None:
    from assistant import api

    path = tmp_path / "stats.xlsx"
    api.write_workbook(sample_report, path)
    outcome = parse_file(path)
    assert outcome.kind == "xlsx"
    assert cells_of(outcome.report) == cells_of(sample_report)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ParseError, match="工作簿"):
        parse_file(broken)


def test_pdf_without_ruling_lines_reads_the_text_layer() -> None:
    """Our sample text (fixtures/sample_published.txt) printed to PDF by LibreOffice: no table lines at all, only positioned text."""
    outcome = parse_file(FIXTURES / "sample_textlayer.pdf")
    assert cells_of(outcome.report) == cells_of(load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml"))
    assert [i.rule for i in outcome.issues] == ["X6"]  # only the printed typo 本年度止件数


def test_utf16_text_file_from_notepad(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(OWN_REPORT_TEXT.read_text(encoding="utf-8").encode("utf-16"))
    assert cells_of(parse_file(path).report) == cells_of(load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml"))


def test_docx_without_a_body_is_refused_in_chinese(tmp_path: Path, sample_report) -> None:
    """A regression the fuzzer found: a document.xml with no w:body raised AttributeError."""
    import io
    import zipfile

    from assistant.api import export_report

    blob = export_report(sample_report, tmp_path / "r.docx", force=True).read_bytes()
    src, buf = zipfile.ZipFile(io.BytesIO(blob)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
            out.writestr(info.filename, body)
    with pytest.raises(ParseError, match="正文部分已损坏"):
        parse_bytes(buf.getvalue(), "docx")


def test_docx_with_a_damaged_compressed_part_is_refused_in_chinese(tmp_path: Path, sample_report) -> None:
    """A regression the fuzzer found: a broken deflate stream in word/document.xml raised zlib.error."""
    import io
    import zipfile

    from assistant.api import export_report

    blob = bytearray(export_report(sample_report, tmp_path / "r.docx", force=True).read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(blob))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    blob[start + 100: start + 164] = bytes(64)  # zeros inside the compressed data
    with pytest.raises(ParseError):
        parse_bytes(bytes(blob), "docx")


def test_one_table_of_readable_kinds_says_what_is_supported(tmp_path: Path) -> None:
    """The reader, parse_file and the audit answer from one list (the reader's message once named xlsx twice)."""
    from assistant.ingest.audit import audit
    from assistant.ingest.sources import SUPPORTED_TEXT, read_source

    with pytest.raises(ParseError) as refused:
        read_source("正文", "rtf")
    assert SUPPORTED_TEXT in str(refused.value) and "xlsx 与 xlsx" not in str(refused.value)
    page = tmp_path / "report.xhtml"  # an alias the reader folds into html: the audit reads it too
    page.write_text(OWN_REPORT_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    summary = audit([page])
    assert [r.status for r in summary.files] and summary.reports == 1, [(r.status, r.reason) for r in summary.files]
