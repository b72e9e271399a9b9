"""`xxgk check` and `xxgk schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import api
from ..checks import CheckResult
from ..schema import ReportInputError
from ._app import app, err, out, require_file, write_text

_SEVERITY = {"error": "[red]错误[/]", "warning": "[yellow]警告[/]"}
_STATUS = {"fail": "", "not_assessable": "（无法核验）", "uncertain": "（存疑）"}


def print_findings(result: CheckResult, title: str) -> None:
    """A readable table of findings, most severe first."""
    if result.findings:
        table = Table(title=title, show_lines=True, title_justify="left")
        table.add_column("规则", no_wrap=True)
        table.add_column("级别", no_wrap=True)
        table.add_column("说明", overflow="fold", min_width=30)
        table.add_column("涉及单元格", overflow="fold", max_width=44)
        for f in sorted(result.findings, key=lambda f: f.severity != "error"):
            cells = "\n".join(f.cells[:6]) + (f"\n…等 {len(f.cells)} 个" if len(f.cells) > 6 else "")
            table.add_row(f.rule, _SEVERITY[f.severity] + _STATUS[f.status], f.message, cells)
        out.print(table)
    for note in result.notes:
        out.print(f"[dim]说明：{note}[/]")
    style = "green" if result.ok else "red"
    out.print(f"[bold {style}]{result.summary()}[/]")


@app.command()
def check(
    report: Annotated[Path, typer.Argument(help="报告文档（.json / .yaml）")],
    previous: Annotated[Path | None, typer.Option("--previous", help="上一年度的报告文档，用于跨年度核对")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出检查结果（数据约定 §2）")] = False,
) -> None:
    """校验报告：表格勾稽关系、跨年度衔接、正文与表格是否一致。退出码 0 无错误，1 有错误，2 输入无效。"""
    require_file(report)
    if previous is not None:
        require_file(previous)
    try:
        result = api.check_file(report, previous)
    except ReportInputError as exc:
        if as_json:
            write_text(json.dumps(api.input_error_data(exc), ensure_ascii=False, indent=2) + "\n")
        else:
            err.print(f"[bold red]错误：[/]{exc}")
        raise typer.Exit(2) from None
    if as_json:
        write_text(result.to_json() + "\n")
    else:
        print_findings(result, f"检查结果：{report}")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def schema() -> None:
    """输出报告文档的 JSON Schema。"""
    write_text(json.dumps(api.report_json_schema(), ensure_ascii=False, indent=2) + "\n")
