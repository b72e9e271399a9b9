"""Our reading failures are 未能读取, never findings against the publisher (issue 13.2)."""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.ingest import parse_text
from assistant.ingest.audit import audit, audit_one

FIXTURES = Path(__file__).parent / "fixtures"
REVIEW_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n行政诉讼\n"


def county() -> str:
    return (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")


def review_section(text: str) -> tuple[int, int]:
    return text.index("四、政府信息公开行政复议"), text.index("五、存在的主要问题")


def test_unreadable_review_table_is_not_reported_as_missing(tmp_path: Path) -> None:
    """Section 四 is printed with numbers, but its header is in words we do not know: 未能读取, no X6 error."""
    text = county()
    start, end = review_section(text)
    numbers = "\n".join(ln for ln in text[start:end].split("\n") if ln.strip().isdigit())
    garbled = text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n复议情况 诉讼情况\n" + numbers + "\n" + text[end:]
    outcome = parse_text(garbled)
    assert "review_litigation" in outcome.unread
    assert any(i.rule == "UNREAD" and i.message.startswith("未能读取：") for i in outcome.issues)
    assert not [i for i in outcome.issues if i.rule == "X6" and "未找到" in i.message]
    path = tmp_path / "report.txt"
    path.write_text(garbled, encoding="utf-8")
    result = audit_one(str(path))
    assert not [x for x in result.findings if x["rule"] == "X6" and "四、" in (x.get("section") or "")]
    assert [u["reason"] for u in result.unread] == [outcome.unread["review_litigation"]]
    assert result.unread[0]["voided"]  # the X6 “缺少表格” the check raised is named, not counted


def test_review_table_truly_absent_is_x6(tmp_path: Path) -> None:
    text = county()
    start, end = review_section(text)
    path = tmp_path / "report.txt"
    path.write_text(text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n本年度无相关情况。\n" + text[end:], encoding="utf-8")
    result = audit_one(str(path))
    assert [x for x in result.findings if x["rule"] == "X6" and x["severity"] == "error"]
    assert not result.unread


def test_printed_row_we_cannot_read_is_unread_not_missing() -> None:
    text = county().replace("3.其他\n1\n0\n0\n0\n0\n0\n1\n", "3.其他\n壹\n")
    outcome = parse_text(text)
    assert outcome.unread.get("applications.other_misc.total")
    assert not [i for i in outcome.issues if i.rule == "X6" and "找不到" in i.message]


def test_row_truly_missing_is_still_x6() -> None:
    outcome = parse_text(county().replace("3.其他\n1\n0\n0\n0\n0\n0\n1\n", ""))
    assert "applications.other_misc.total" not in outcome.unread
    assert any(i.rule == "X6" and "3.其他" in i.message for i in outcome.issues)


def test_ambiguous_digits_are_unread_and_not_blamed_as_blank(tmp_path: Path) -> None:
    text = county().replace("行政规范性文件\n2\n1\n14\n", "行政规范性文件2114\n")
    path = tmp_path / "flat.txt"
    path.write_text(text, encoding="utf-8")
    summary = audit([path], workers=1, out_csv=tmp_path / "audit.csv")
    [result] = summary.files
    cells = {c for u in result.unread for c in u["cells"]}
    assert "active_disclosure.art20_1.normative_documents.issued" in cells
    blamed = [x for x in result.findings if "active_disclosure.art20_1.normative_documents.issued" in x.get("cells", [])]
    assert not blamed  # no “为空白” sent to the publisher for digits we could not split
    with (tmp_path / "audit.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    unread_rows = [r for r in rows if r["unread"]]
    assert unread_rows and all(r["rule"] == "UNREAD" and r["source"] == "未能读取" for r in unread_rows)
    assert "2114" in unread_rows[0]["unread"]


def test_section5_that_cannot_be_split_leaves_improvements_unread(tmp_path: Path) -> None:
    text = county().replace("（一）存在问题\n", "").replace("（二）改进情况\n", "")
    outcome = parse_text(text)
    assert "narrative.improvements" in outcome.unread
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = audit_one(str(path))
    assert not [x for x in result.findings if x["rule"] == "X6" and "改进情况" in x["message"]]


def test_audit_summary_counts_reports_with_unread_parts(tmp_path: Path) -> None:
    (tmp_path / "flat.txt").write_text(county().replace("行政规范性文件\n2\n1\n14\n", "行政规范性文件2114\n"), encoding="utf-8")
    (tmp_path / "good.txt").write_text(county(), encoding="utf-8")
    summary = audit([tmp_path], workers=1)
    assert [Path(f.path).name for f in summary.with_unread] == ["flat.txt"]
    assert summary.to_data()["reports_with_unread"] == 1
    assert "未能读取" in summary.to_text()


def test_the_document_itself_states_what_could_not_be_read() -> None:
    outcome = parse_text(county().replace("行政规范性文件\n2\n1\n14\n", "行政规范性文件2114\n"))
    assert [n for n in outcome.report.parse_notes if n.startswith("未能读取：") and "2114" in n]
