"""Fuzzed input never crashes the parser: the result is a document or a ParseError, nothing else."""

from __future__ import annotations

from pathlib import Path

from corpus import OWN_REPORT_TEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest import ParseError, ParseOutcome, parse_bytes, parse_text

SEED = OWN_REPORT_TEXT.read_text(encoding="utf-8")  # our sample in a published layout (tests/corpus.py)
FIXTURES = Path(__file__).parent / "fixtures"
CMS = (FIXTURES / "cms_2021.html").read_bytes().decode("gbk")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKENS = st.sampled_from(
    ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "（六）其他处理", "行政许可",
     "2023年政府信息公开工作年度报告", "1.属于国家秘密", "\t", "\n", "|", "0", "12", "/", "—", "99999999999999",
     "<td rowspan=\"99999\">", "<table>", "</tr>", "信息内容", "总计", "-3", "1.5", "【待补充】", "　"]
)


def outcome_or_refusal(call: object) -> None:
    try:
        result = call()  # type: ignore[operator]
    except ParseError as exc:
        assert str(exc)  # a Chinese reason, never empty
        return
    assert isinstance(result, ParseOutcome)
    assert result.report.year >= 2007


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    outcome_or_refusal(lambda: parse_text(text, "txt"))


@SETTINGS
@given(st.lists(TOKENS, max_size=80))
def test_report_shaped_token_soup(tokens: list[str]) -> None:
    text = "".join(tokens)
    outcome_or_refusal(lambda: parse_text(text, "txt"))
    outcome_or_refusal(lambda: parse_text(text, "html"))
    outcome_or_refusal(lambda: parse_text(text, "md"))


@SETTINGS
@given(st.data())
def test_mutated_seed(data: st.DataObject) -> None:
    lines = SEED.split("\n")
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "swap", "garble"]))
        if action == "drop":
            lines.pop(i)
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = data.draw(st.text(max_size=30)) + lines[i][::2]
        if not lines:
            lines = [""]
    outcome_or_refusal(lambda: parse_text("\n".join(lines), "txt"))


@SETTINGS
@given(st.data())
def test_mutated_html_page(data: st.DataObject) -> None:
    page = CMS
    for _ in range(data.draw(st.integers(1, 6))):
        cut = data.draw(st.integers(0, len(page) - 1))
        page = page[:cut] + data.draw(st.sampled_from(["", "<td>", "</table>", "rowspan=\"0\"", "colspan=x", "9"])) + page[cut + data.draw(st.integers(0, 200)) :]
    outcome_or_refusal(lambda: parse_text(page, "html"))


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from(["txt", "md", "html", "pdf", "docx"]))
def test_random_bytes(blob: bytes, kind: str) -> None:
    outcome_or_refusal(lambda: parse_bytes(blob, kind))
