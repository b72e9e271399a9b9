"""`xxgk parse`, `xxgk next-year` and `xxgk audit`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import api
from ..schema import ReportInputError, dump_report, load_report_file
from ._app import app, err, fail, out, require_file, require_output, save_or_fail, write_text


@app.command()
def parse(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="已发布的年报（.pdf .txt .md .html .docx）或统计工作簿（.xlsx）")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写出报告文档（.json / .yaml）；省略则输出到屏幕")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出到屏幕时用 JSON（默认 YAML）")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="读取时限（秒）", min=1)] = 60.0,
) -> None:
    """把已发布的年度报告读回成报告文档；未能读取的内容在标准错误中说明。退出码 0 已生成文档，2 不是年度报告。"""
    from ..ingest.limits import FILE_MEMORY_BYTES, DeadlineExceeded, deadline, memory_budget

    require_file(input_path)
    require_output(output)
    try:
        with memory_budget(FILE_MEMORY_BYTES), deadline(timeout):
            outcome = api.parse_file(input_path)
    except api.ParseError as exc:
        fail(f"{input_path}：{exc}", 2)
    except DeadlineExceeded:
        fail(f"{input_path}：读取超过时限（{timeout:g} 秒），文件可能过大或结构异常。", 2)
    except MemoryError:
        fail(f"{input_path}：读取时超出内存上限（{FILE_MEMORY_BYTES // (1024 * 1024)} MB），文件可能过大或结构异常。", 2)
    for issue in outcome.issues:
        err.print(f"[yellow]提示：[/]{issue}", markup=True, highlight=False)
    err.print(f"已读取：{outcome.report.agency} {outcome.report.year} 年度报告（{outcome.version} 年格式）")
    if output is None:
        write_text(dump_report(outcome.report, "json" if as_json else "yaml"))
        return
    save_or_fail(outcome.report, output)
    err.print(f"已写出报告文档：{output}")


@app.command("next-year")
def next_year_cmd(
    report: Annotated[Path, typer.Argument(help="本年度的报告文档（.json / .yaml）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="下一年度报告文档的保存路径（.json / .yaml）")],
) -> None:
    """生成下一年度的报告文档：上年结转取自本年“结转下年度继续办理”，沿用机关信息，正文留空，并保留本年数据供跨年度核对。"""
    require_file(report)
    require_output(output)
    try:
        current = load_report_file(report)
    except ReportInputError as exc:
        fail(str(exc), 2)
    new = api.next_year(current)
    save_or_fail(new, output)
    out.print(f"已生成 {new.agency} {new.year} 年度报告文档：{output}（上年结转已按 {current.year} 年结转下年度填入）")


@app.command()
def audit(
    paths: Annotated[list[str], typer.Argument(help="报告文件、文件夹或通配符（可多个）")],
    out_csv: Annotated[Path | None, typer.Option("--out", help="问题清单 CSV（每个问题一行）")] = None,
    out_html: Annotated[Path | None, typer.Option("--html", help="给监督部门阅读的 HTML 汇总页")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="并行进程数（默认使用全部 CPU 核）")] = None,
    verdicts: Annotated[
        Path | None,
        typer.Option("--verdicts", help="裁定文件（xxgk verdict 写出）：已裁定的问题带上裁定，跨批次保留"),
    ] = None,
) -> None:
    """批量读取并检查多份已发布年报（并行），输出问题清单与汇总。无法读取的文件会注明原因，不会中断。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..fsio import WriteFailedError
    from ..ingest.audit import expand_paths

    require_output(out_csv)
    require_output(out_html)
    try:
        decided = api.read_verdicts(verdicts) if verdicts is not None else []
    except api.VerdictError as exc:
        fail(str(exc))
    files, _missing = expand_paths(paths)
    with Progress(
        TextColumn("核查年报"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("audit", total=len(files))
        try:
            summary = api.audit(paths, out_csv, out_html, workers, progress=lambda _res: bar.advance(task),
                                verdicts=decided)
        except WriteFailedError as exc:
            fail(str(exc))
    out.print(summary.to_text())
    if out_csv is not None:
        out.print(f"问题清单：{out_csv}")
    if out_html is not None:
        out.print(f"汇总页：{out_html}")
