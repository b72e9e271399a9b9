"""Label normalisation and tolerant matching (spec preamble and X6)."""

from __future__ import annotations

import pytest

from assistant.ingest.labelmatch import LabelIndex, edit_distance, norm_label


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("(一) 予以公开", "（一）予以公开"),
        ("3.危及\"三安全一稳定\"", "3.危及“三安全一稳定”"),
        ("1、申请人无正当理由逾期不补正行政机关不再处理", "1.申请人无正当理由逾期不补正、行政机关不再处理"),
        ("本年收费金额(单位:万元)", "本年收费金额（单位：万元）"),
        ("自 然 人", "自然人"),
        ("三\n、\n本\n年\n度", "三、本年度"),
    ],
)
def test_harmless_differences_normalise_away(a: str, b: str) -> None:
    assert norm_label(a) == norm_label(b)


def test_different_labels_stay_different() -> None:
    assert norm_label("行政许可") != norm_label("行政处罚")
    assert norm_label("（一）予以公开") != norm_label("（二）予以公开")


def test_edit_distance_and_early_exit() -> None:
    assert edit_distance("本年度止件数", "本年废止件数") == 1
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("abcdef", "uvwxyz", limit=2) == 3


def index() -> LabelIndex:
    return LabelIndex(
        [("repealed", "本年废止件数"), ("issued", "本年制发件数"), ("lic", "行政许可"), ("pen", "行政处罚"),
         ("law", "2.其他法律行政法规禁止公开"), ("secret", "1.属于国家秘密")]
    )


def test_typo_maps_with_its_distance() -> None:
    m = index().match("本年度止件数")
    assert m is not None and (m.key, m.distance, m.exact) == ("repealed", 1, False)
    m = index().match("2.其他法律行政止公开")  # three characters dropped from a long label (洪泽区 2024)
    assert m is not None and m.key == "law" and m.distance == 3


def test_short_labels_never_match_fuzzily() -> None:
    # 行政许可 and 行政处罚 are two edits apart: a short label must match exactly or not at all
    assert index().match("行政许罚") is None
    m = index().match("行政许可")
    assert m is not None and m.exact


def test_unrelated_text_does_not_match() -> None:
    assert index().match("本年度政务公开工作要点落实情况") is None
    assert index().match("") is None


def test_suffix_match_for_group_prefixed_labels() -> None:
    m = index().match_suffix("（三）不予公开1.属于国家秘密")
    assert m is not None and m.key == "secret"
    assert index().match_suffix("属于国家秘密") is None
