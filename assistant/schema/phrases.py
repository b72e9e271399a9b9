"""Figure phrases: how prose states a table figure (收到申请N件, 予以公开N件, 被申请行政复议N起 …).

The one table of them. The drafting guard (at drafting time) and rule X2/R4.3 (at check time) both read
prose through ``assistant.checks.narrative.iter_figure_mentions`` over this table, so they give the same
verdict on every sentence. Each phrase lists the cell sums it may mean (``candidates``); a stated number
that equals none of them is a contradiction with the tables.
"""

from __future__ import annotations

from typing import NamedTuple

_T3 = "applications"
NEW = f"{_T3}.new_requests.total"
CARRIED_OVER = f"{_T3}.carried_over.total"
PROCESSED = f"{_T3}.total_processed.total"
GRANTED = f"{_T3}.granted.total"
PARTIAL = f"{_T3}.partially_granted.total"
CARRIED_FORWARD = f"{_T3}.carried_forward.total"
REVIEW = "review_litigation.review.total"
LITIGATION = ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")
NORMATIVE_ISSUED = "active_disclosure.art20_1.normative_documents.issued"

# Clauses about these are not the disclosure-application table even when they say 收到/办结/答复.
NOT_APPLICATIONS = "建议|提案|信访|来信|咨询|留言|热线|投诉"


class FigurePhrase(NamedTuple):
    """A phrase that states a table figure.

    ``keywords`` (alternatives, ``|``) precede the number within a clause; the number nearest after a
    keyword belongs to it. ``requires`` must occur in the clause or its sentence, ``excludes`` must not
    occur in the clause. ``candidates`` are the cell sums it may mean (the first is named in messages).
    """

    rule: str
    name: str
    keywords: str
    candidates: tuple[tuple[str, ...], ...]
    requires: str | None = None
    excludes: str | None = None
    unit: str = "件"


FIGURE_PHRASES: tuple[FigurePhrase, ...] = (
    FigurePhrase(
        "X2", "收到申请", "收到|受理|新收",
        ((NEW,), (NEW, CARRIED_OVER), (PROCESSED,)),
        requires="申请", excludes=NOT_APPLICATIONS,
    ),
    FigurePhrase(
        "X2", "办结申请", "办结|答复|办理完毕",
        ((PROCESSED,), (NEW,)),
        requires="申请", excludes=NOT_APPLICATIONS + "|复议|诉讼",
    ),
    FigurePhrase("X2", "予以公开及部分公开",
                 "予以公开及部分公开|予以公开和部分公开|予以公开、部分公开|予以公开与部分公开|公开和部分公开|公开及部分公开",
                 ((GRANTED, PARTIAL),)),
    FigurePhrase("X2", "予以公开", "予以公开", ((GRANTED,),), excludes="部分|不予"),
    FigurePhrase("X2", "部分公开", "部分公开", ((PARTIAL,),)),
    FigurePhrase(
        "X2", "结转下年度",
        "结转下年度|结转下一年度|结转至下年|结转至下一年|结转到下年|结转到下一年|转入下年度|转入下一年度|结转下年",
        ((CARRIED_FORWARD,),),
    ),
    FigurePhrase("X2", "上年结转", "上年结转|上年度结转|上一年度结转", ((CARRIED_OVER,),)),
    FigurePhrase(
        "X2", "制发规范性文件", "制发|出台|印发|制定",
        ((NORMATIVE_ISSUED,),), requires="规范性文件", excludes="方案|要点|指南|目录",
    ),
    FigurePhrase("R4.3", "行政复议", "行政复议", ((REVIEW,),), excludes="备案", unit="件|起|宗"),
    FigurePhrase("R4.3", "行政诉讼", "行政诉讼", (LITIGATION,), unit="件|起|宗"),
)


def phrase_cells() -> frozenset[str]:
    """Every cell some figure phrase compares with."""
    return frozenset(c for p in FIGURE_PHRASES for cells in p.candidates for c in cells)


STALE_RULE = "X9"
STALE_LABEL = "疑似沿用上年数据"
