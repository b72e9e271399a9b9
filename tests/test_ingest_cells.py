"""Single cells: numbers, blanks and placeholders, list numbers, and splitting text lines into cells."""

from __future__ import annotations

from assistant.ingest.cells import is_blank, is_value_like, parse_value, split_line, unglue


def test_cell_helpers() -> None:
    assert split_line("a\t\tb") == ["a", "", "b"]
    assert split_line("| a | b |") == ["a", "b"]
    assert split_line("|---|:---:|") == []
    assert split_line("规章 0 0 0") == ["规章", "0", "0", "0"]
    assert is_value_like("12") and is_value_like("/") and is_value_like("22（其中修订16件）")
    assert not is_value_like("1.属于国家秘密") and not is_value_like("2024 年，全区政府信息公开工作虽取得一定成绩")
    assert parse_value("1,234", "count") == 1234
    assert parse_value("-8", "signed_count") == -8
    assert parse_value("-8", "count") is None
    assert parse_value("3.5", "count") is None
    assert str(parse_value("0.35", "money")) == "0.35"


def test_placeholders_are_blanks() -> None:
    assert is_blank("【待补充】") and is_blank(" / ") and is_blank("——") and not is_blank("0")
    assert parse_value("【待补充】", "count") is None


def test_unglue_only_label_then_digits() -> None:
    assert unglue(["行政许可3960181"]) == ["行政许可", "3960181"]
    assert unglue(["行政事业性收费12.35"]) == ["行政事业性收费", "12.35"]
    assert unglue(["1.属于国家秘密"]) == ["1.属于国家秘密"]
    assert unglue(["第二十条第（一）项"]) == ["第二十条第（一）项"]
