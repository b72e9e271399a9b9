"""`xxgk check` and `xxgk schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import api
from ..schema import ReportInputError
from ._app import app, fail, out, require_file, write_text
from .checking import run_check


@app.command()
def check(
    report: Annotated[Path, typer.Argument(help="报告文档（.json / .yaml）")],
    previous: Annotated[Path | None, typer.Option("--previous", help="上一年度的报告文档，用于跨年度核对")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出检查结果（数据约定 §2）")] = False,
    verdicts: Annotated[
        Path | None, typer.Option("--verdicts", help="裁定文件（xxgk verdict 写出）：已裁定的问题带上裁定，“不属于问题”不计为错误")
    ] = None,
) -> None:
    """校验报告：表格勾稽关系、跨年度衔接、正文与表格是否一致。退出码 0 无错误，1 有错误，2 输入无效。"""
    raise typer.Exit(run_check(report, previous, as_json, verdicts))


@app.command()
def schema() -> None:
    """输出报告文档的 JSON Schema。"""
    write_text(json.dumps(api.report_json_schema(), ensure_ascii=False, indent=2) + "\n")


_DECISIONS = {"confirmed": "confirmed", "确认需修改": "confirmed", "dismissed": "dismissed", "不属于问题": "dismissed",
              "fixed": "fixed", "已修改": "fixed"}


@app.command()
def verdict(
    report: Annotated[Path, typer.Argument(help="报告文档（.json / .yaml）")],
    rule: Annotated[str, typer.Option("--rule", help="问题的规则编号，如 R3.1、X2")],
    decision: Annotated[str, typer.Option("--decision", help="确认需修改 / 不属于问题 / 已修改（或 confirmed / dismissed / fixed）")],
    by: Annotated[str, typer.Option("--by", help="裁定人")],
    file: Annotated[Path, typer.Option("--file", help="裁定文件（不存在则新建；已有裁定保留）")],
    cell: Annotated[list[str] | None, typer.Option("--cell", help="问题涉及的单元格编号（可多次给出，用于区分同一规则的多个问题）")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="理由；“不属于问题”必须填写")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="上一年度的报告文档（跨年度问题）")] = None,
) -> None:
    """对一个问题作出裁定并写入裁定文件；再次检查时（--verdicts）裁定随问题保留，所涉数值改变后自动失效。"""
    require_file(report)
    if decision not in _DECISIONS:
        fail(f"--decision 的值“{decision}”无效；可选：确认需修改、不属于问题、已修改。")
    try:
        doc = api.load_report_file(report)
        prev = api.load_report_file(previous) if previous is not None else None
        existing = api.read_verdicts(file)
        result = api.check_report(doc, prev)
        wanted = set(cell or [])
        matches = [f for f in result.findings if f.rule == rule and (not wanted or wanted <= set(f.cells))]
        if not matches:
            fail(f"报告中没有规则 {rule}{'、单元格 ' + '、'.join(sorted(wanted)) if wanted else ''} 的问题，未写入裁定。")
        if len(matches) > 1:
            listing = "；".join(f"--cell {f.cells[0]}" if f.cells else (f.quote or f.message)[:30] for f in matches[:5])
            fail(f"规则 {rule} 有 {len(matches)} 个问题，请用 --cell 指明是哪一个：{listing}。")
        new = api.decide_finding(doc, matches[0], _DECISIONS[decision], by, reason)
        api.write_verdicts(file, [*existing, new])
    except api.VerdictError as exc:
        fail(str(exc))
    except ReportInputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入裁定文件 {file}：{exc.strerror or exc}")
    out.print(f"已记录裁定：{rule} {new.label()}（{new.by}），写入 {file}")
