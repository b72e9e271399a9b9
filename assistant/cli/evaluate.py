"""`xxgk eval-drafting` — the drafting scorecard: built-in cases drafted by the chosen backend, scored per part."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ._app import app, fail, out, write_text


@app.command("eval-drafting")
def eval_drafting(
    offline: Annotated[bool, typer.Option("--offline", help="用离线起草评测（不调用模型）")] = False,
    base_url: Annotated[str | None, typer.Option("--base-url", help="模型服务地址（默认取环境变量）")] = None,
    model: Annotated[str | None, typer.Option("--model", help="模型名称（默认取环境变量）")] = None,
    case: Annotated[list[str] | None, typer.Option("--case", help="只评测指定用例（可重复）：department / township / county")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出评分")] = False,
) -> None:
    """起草评分：用内置用例（部门、乡镇、县政府，含/不含上年报告）起草各部分并逐项评分。

    评分项：要点覆盖、无出处数字、与表格矛盾、疑似沿用上年数据、结构、文风、篇幅。可用于比较模型。
    """
    from ..drafting import Drafter, RemoteModelForbiddenError, load_settings
    from ..drafting.scorecard import load_cases, run_scorecard, summary

    overrides: dict[str, object] = {"offline": True} if offline else {}
    if base_url:
        overrides["base_url"] = base_url
    if model:
        overrides["model"] = model
    settings = load_settings(**overrides)
    cases = load_cases()
    if case:
        known = {c.name for c in cases}
        unknown = [c for c in case if c not in known]
        if unknown:
            fail(f"未知的评测用例：{'、'.join(unknown)}；可选：{'、'.join(sorted(known))}。")
        cases = tuple(c for c in cases if c.name in case)
    try:
        drafter = Drafter(settings)
    except RemoteModelForbiddenError as exc:
        fail(str(exc))
    scores = run_scorecard(drafter, cases)
    totals = summary(scores)
    if as_json:
        data = {"backend": settings.describe(), "parts": [s.to_data() for s in scores], "summary": totals}
        write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    titles = {c.name: c.title for c in cases}
    table = Table(title=f"起草评分（{settings.describe()}）")
    for column in ("用例", "部分", "方式", "要点覆盖", "无出处数字", "与表格矛盾", "沿用上年", "结构", "文风", "字数", "得分"):
        table.add_column(column)
    from ..drafting.results import BACKEND_LABELS
    from ..drafting.scorecard import part_title

    for s in scores:
        table.add_row(
            titles[s.case], part_title(s.part), BACKEND_LABELS.get(s.backend, s.backend), f"{s.covered}/{s.facts}",
            str(s.untraced), str(s.contradictions), str(s.stale), f"{s.structure_ok}/{s.structure_total}",
            "、".join(s.register) or "合格", f"{s.length}{'' if s.length_ok else '（超出范围）'}", f"{s.score:g}",
        )
    out.print(table)
    for s in scores:
        if s.fallback_reason:
            out.print(f"{titles[s.case]}·{part_title(s.part)}：模型稿未采用（{s.fallback_reason}）")
    out.print("平均得分：" + "，".join(f"{titles.get(k, '总体')} {v:g}" for k, v in totals.items()))
