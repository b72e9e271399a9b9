"""The audit summary as one self-contained HTML page (no scripts, no external assets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jinja2 import Environment, select_autoescape

if TYPE_CHECKING:
    from .audit import AuditSummary

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>政府信息公开工作年度报告核查汇总</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;line-height:1.6}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #999;padding:4px 8px;vertical-align:top}
th{background:#eef2f7;text-align:left}.errors{color:#b00020;font-weight:bold}.warnings{color:#8a5a00}
.unreadable{color:#555;font-style:italic}.ok{color:#1b5e20}.num{text-align:right}details{margin:.3em 0}
</style></head><body>
<h1>政府信息公开工作年度报告核查汇总</h1>
<p>共核查 {{ files|length }} 个文件：读取报告 {{ s.reports }} 份，其中有错误的 {{ s.reports_with_errors }} 份；
无法读取的文件 {{ s.unreadable|length }} 个{% if s.skipped %}；跳过非报告文件 {{ s.skipped|length }} 个（见文末）{% endif %}。用时 {{ "%.1f"|format(s.elapsed_seconds) }} 秒。</p>
<h2>按规则统计</h2>
<table><tr><th>规则</th><th>错误（处）</th><th>警告（处）</th></tr>
{% for rule in rules %}<tr><td>{{ rule }}</td><td class="num">{{ s.errors_by_rule[rule] }}</td>
<td class="num">{{ s.warnings_by_rule[rule] }}</td></tr>{% else %}<tr><td colspan="3">未发现问题</td></tr>{% endfor %}
</table>
{% if s.unreadable %}<h2>无法读取的文件</h2>
<table><tr><th>文件</th><th>原因</th></tr>
{% for f in s.unreadable %}<tr><td>{{ f.path }}</td><td>{{ f.reason }}</td></tr>{% endfor %}</table>{% endif %}
<h2>逐份报告</h2>
<table><tr><th>文件</th><th>机关</th><th>年度</th><th>结论</th><th>错误</th><th>警告</th><th>问题</th><th>未能读取</th></tr>
{% for f in files %}<tr><td>{{ f.path }}</td><td>{{ f.agency }}</td><td>{{ f.year or "" }}</td>
<td class="{{ f.status }}">{{ labels[f.status] }}</td><td class="num">{{ f.errors }}</td><td class="num">{{ f.warnings }}</td>
<td>{% if f.status in ("unreadable", "skipped") %}{{ f.reason }}{% else %}
{% for x in f.findings %}<div class="{{ 'errors' if x.severity == 'error' else 'warnings' }}">{{ x.rule }}：{{ x.message }}</div>{% endfor %}
{% if f.parse_issues %}<details><summary>导入时的说明（{{ f.parse_issues|length }} 条）</summary>
{% for i in f.parse_issues %}<div>{{ i.rule }}：{{ i.message }}{% if i.raw is not none %}（原文：“{{ i.raw }}”）{% endif %}</div>{% endfor %}
</details>{% endif %}{% endif %}</td>
<td>{% for u in f.unread %}<div class="unreadable">{{ u.reason }}{% if u.voided %}（因此未计入 {{ u.voided|length }} 条检查结果）{% endif %}</div>{% endfor %}</td></tr>{% endfor %}
</table></body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_summary(summary: AuditSummary) -> str:
    """The page; files with errors first, then warnings, unreadable, and clean ones."""
    from .audit import STATUS_LABELS

    order = {"errors": 0, "unreadable": 1, "warnings": 2, "ok": 3, "skipped": 4}
    files = sorted(summary.files, key=lambda f: (order[f.status], f.path))
    rules = sorted(set(summary.errors_by_rule) | set(summary.warnings_by_rule))
    return _ENV.from_string(_TEMPLATE).render(s=summary, files=files, rules=rules, labels=STATUS_LABELS)
