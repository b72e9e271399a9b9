"""What the 审核 area shows (pure functions; no gradio): status, shares, findings with verdicts, comments,
the changes since the last approval, this year beside last year, and the history."""

from __future__ import annotations

import html

from ..checks import CheckResult, Finding
from ..checks.verdicts import anchor_of
from ..drafting.compare import carried_over, compare_narrative, year_over_year
from ..drafting.review import Review, target_label
from ..schema import Report
from ..schema.labels import CELLS, NARRATIVE_SECTION
from ..timefmt import local_time, zone_name
from .grids import cell_or_blank

ROLE_HINT = {
    "owner": "您是这份报告的起草人：可以修改、共享给同事、提交审核。",
    "editor": "同事把这份报告共享给您编辑：可以修改和提交审核。",
    "reviewer": "同事把这份报告共享给您审核：可以查看、提意见、裁定问题、退回修改或审核通过，不能修改内容。",
}


def _when(iso: str) -> str:
    return local_time(iso, "%Y-%m-%d %H:%M")


def status_markdown(review: Review) -> str:
    status = review.status()
    lines = [f"**审核状态**：{status.label}　　{ROLE_HINT[review.role]}"]
    if status.approval is not None:
        a = status.approval
        now = "（当前内容即审核通过的版本，导出文件的属性中会注明）" if status.current_approved else "（此后内容已有改动，需重新提交审核）"
        lines.append(f"最近一次审核通过：第 {a.number} 次，审核人 {a.approver}，{_when(a.at)}（{zone_name()}）{now}")
    return "\n\n".join(lines)


def shares_markdown(review: Review) -> str:
    shares = review.shares()
    if not shares:
        return "尚未与同事共享。"
    return "已共享给：" + "；".join(f"{s.name}（{s.role_label}）" for s in shares)


def finding_choices(result: CheckResult, fmt: str) -> list[tuple[str, str]]:
    """The findings to decide on, labelled in plain Chinese; the value is the finding's anchor (stable across
    re-checks while it points at the same place)."""
    choices = []
    for n, f in enumerate(sorted(result.findings, key=lambda x: x.severity != "error"), 1):
        mark = f"〔{f.verdict.label}〕" if f.verdict else ""
        kind = "错误" if f.severity == "error" else "警告"
        choices.append((f"{n}. {kind}{mark}：{f.plain_message(fmt)[:70]}", anchor_of(f)))
    return choices


def finding_by_anchor(result: CheckResult, anchor: str) -> Finding | None:
    return next((f for f in result.findings if anchor_of(f) == anchor), None)


def comment_targets(report: Report) -> list[tuple[str, str]]:
    """Where a comment can be attached: the whole report, a narrative part, or any cell of the tables."""
    targets = [("整份报告", "report")] + [(f"正文 · {title}", f"part:{p}") for p, title in NARRATIVE_SECTION.items()]
    targets += [(f"单元格 · {spec.full_label}", f"cell:{cid}") for cid, spec in CELLS[report.format].items()]
    return targets


def open_comment_choices(review: Review) -> list[tuple[str, int]]:
    return [(f"#{c.id} {target_label(c.target)}：{c.text[:40]}", c.id)
            for c in review.comments() if c.parent is None and not c.resolved]


def comments_html(review: Review) -> str:
    comments = review.comments()
    if not comments:
        return '<div class="xxgk-review"><p>还没有意见。</p></div>'
    answers: dict[int, list[str]] = {}
    for c in comments:
        if c.parent is not None:
            answers.setdefault(c.parent, []).append(
                f"<li>{html.escape(c.author)}（{_when(c.at)}）答复：{html.escape(c.text)}</li>")
    rows = []
    for c in comments:
        if c.parent is not None:
            continue
        state = (f"已解决（{html.escape(c.resolved_by or '')}，{_when(c.resolved_at or '')}）" if c.resolved else "待处理")
        replies = f"<ul>{''.join(answers.get(c.id, []))}</ul>" if c.id in answers else ""
        rows.append(f'<tr data-comment="{c.id}"><td>#{c.id}</td><td>{html.escape(target_label(c.target))}</td>'
                    f"<td>{html.escape(c.text)}{replies}</td><td>{html.escape(c.author)}<br>{_when(c.at)}</td>"
                    f"<td>{state}</td></tr>")
    return ('<div class="xxgk-review"><table><thead><tr><th>编号</th><th>位置</th><th>意见</th><th>提出人</th>'
            f"<th>状态</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def history_html(review: Review) -> str:
    entries = review.history()
    if not entries:
        return '<div class="xxgk-review"><p>还没有记录。</p></div>'
    rows = "".join(f"<tr><td>{_when(h.at)}</td><td>{html.escape(h.who)}</td><td>{html.escape(h.action)}</td>"
                   f"<td>{html.escape(h.detail)}</td></tr>" for h in reversed(entries))
    return (f'<div class="xxgk-review" id="xxgk-history"><table><thead><tr><th>时间（{zone_name()}）</th><th>人员</th>'
            f"<th>操作</th><th>内容</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _sentence_table(rows: list[tuple[str, str, str, str]], left: str, right: str) -> str:
    body = "".join(f'<tr><td class="{lc}">{html.escape(a)}</td><td class="{rc}">{html.escape(b)}</td></tr>'
                   for a, lc, b, rc in rows)
    return f"<table><thead><tr><th>{left}</th><th>{right}</th></tr></thead><tbody>{body}</tbody></table>"


def since_approval_html(review: Review) -> str:
    """The reviewer's view of what changed since the last approved state: cells (from → to) and the text."""
    found = review.since_approval()
    if found is None:
        return '<div class="xxgk-review"><p>这份报告还没有审核通过的版本；请审阅全部内容。</p></div>'
    cells, parts = found
    out = ['<div class="xxgk-review" id="xxgk-since">']
    if cells:
        rows = "".join(f"<tr><td>{html.escape(d.label)}</td><td>{cell_or_blank(d.before)}</td><td>{cell_or_blank(d.after)}</td></tr>"
                       for d in cells)
        out.append(f"<p><b>统计表改动 {len(cells)} 处</b></p><table><thead><tr><th>单元格</th><th>审核通过时</th>"
                   f"<th>现在</th></tr></thead><tbody>{rows}</tbody></table>")
    else:
        out.append("<p>统计表与审核通过时相同。</p>")
    changed = [p for p in parts if p.changed]
    for p in changed:
        rows4 = [(r.before, r.before_class, r.after, r.after_class) for r in p.rows]
        out.append(f"<p><b>{html.escape(p.title)}</b></p>" + _sentence_table(rows4, "审核通过时", "现在"))
    if not changed:
        out.append("<p>正文与审核通过时相同。</p>")
    out.append("</div>")
    return "".join(out)


def last_year_html(review: Review, report: Report) -> str:
    """Each table cell beside last year's (change, large jumps marked) and each part beside last year's text,
    with sentences carried over unchanged marked (those holding figures first of all)."""
    previous = review.previous()
    if previous is None:
        return ('<div class="xxgk-review"><p>没有上年度报告可供对照（根据上年度报告新建的报告会自动保留上年数据）。'
                "</p></div>")
    out = [f'<div class="xxgk-review" id="xxgk-lastyear"><p><b>与 {previous.year} 年度报告对照</b></p>']
    changed: list[str] = []
    unchanged: list[str] = []
    jumps = 0
    for d in year_over_year(report, previous):
        change = d.change
        shown = "" if change is None else (f"+{cell_or_blank(change)}" if change > 0 else cell_or_blank(change))
        cls = ' class="jump"' if d.jump else ""
        jumps += d.jump
        row = (f"<tr><td>{html.escape(d.label)}</td><td>{cell_or_blank(d.before)}</td><td>{cell_or_blank(d.after)}</td>"
               f"<td{cls}>{shown}{'（变化较大）' if d.jump else ''}</td></tr>")
        (unchanged if d.before == d.after else changed).append(row)
    head = (f"<thead><tr><th>单元格</th><th>{previous.year} 年</th><th>{report.year} 年</th>"
            "<th>变化</th></tr></thead>")
    out.append(f"<p>统计表：{len(changed) + len(unchanged)} 个单元格有数据，{len(changed)} 个与上年不同，"
               f"其中 {jumps} 处变化较大（标黄）。</p>")
    if changed:
        out.append(f"<table>{head}<tbody>{''.join(changed)}</tbody></table>")
    if unchanged:  # the long tail of unchanged cells (mostly zeros) stays out of the way until asked for
        out.append(f"<details><summary>其余 {len(unchanged)} 个单元格与上年相同（点击展开）</summary>"
                   f"<table>{head}<tbody>{''.join(unchanged)}</tbody></table></details>")
    carried = carried_over(report, previous)
    for part in compare_narrative(previous, report):
        same = dict(carried.get(part.part, []))
        lines = []
        for r in part.rows:
            mark = "carried" if r.kind == "same" and r.after.strip() in same else ""
            note = "（与上年相同，含数字，请核实是否为上年数据）" if mark and same.get(r.after.strip()) else (
                "（与上年相同）" if mark else "")
            lines.append(f'<tr><td>{html.escape(r.before)}</td><td class="{mark}">{html.escape(r.after)}{note}</td></tr>')
        if lines:
            out.append(f"<p><b>{html.escape(part.title)}</b>：沿用上年原句 {len(same)} 句</p>"
                       f"<table><thead><tr><th>{previous.year} 年</th><th>{report.year} 年</th></tr></thead>"
                       f"<tbody>{''.join(lines)}</tbody></table>")
    out.append("</div>")
    return "".join(out)

