"""`xxgk export` and `xxgk stats-template`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..fsio import WriteFailedError, reason_of
from ..schema import ReportInputError, load_report_file
from ._app import app, err, fail, out, require_file, require_output

EXPORT_FORMATS = (".docx", ".html", ".md", ".xlsx")  # = render.EXPORT_FORMATS; python-docx/openpyxl load on use


@app.command()
def export(
    report: Annotated[Path, typer.Argument(help="报告文档（.json / .yaml）")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出文件：.docx / .html / .md / .xlsx（按扩展名选择格式）")
    ],
    force: Annotated[bool, typer.Option("--force", help="校验有错误时仍然导出，文稿标注「校验未通过」")] = False,
    verdicts: Annotated[
        Path | None, typer.Option("--verdicts", help="裁定文件：裁定为“不属于问题”的错误不再阻止导出")
    ] = None,
) -> None:
    """按国家统一格式导出年报（Word、网页、Markdown）或统计工作簿（.xlsx）。校验有错误时拒绝导出，退出码 2。"""
    from ..render import ExportBlocked, export_report
    from ..render.gate import gate

    require_file(report)
    if output.suffix.lower() not in EXPORT_FORMATS:
        fail(f"不支持导出为“{output.suffix or '无扩展名'}”文件：请使用 {' / '.join(EXPORT_FORMATS)} 之一")
    require_output(output)
    try:
        document = load_report_file(report)
    except ReportInputError as exc:
        fail(str(exc))
    from ..checks import VerdictError, read_verdicts

    try:
        decided = read_verdicts(verdicts) if verdicts is not None else None
        path = export_report(document, output, force=force, verdicts=decided)
    except (ExportBlocked, VerdictError) as exc:
        fail(str(exc))
    except OSError as exc:  # WriteFailedError: the Chinese reason, the old file untouched
        fail(str(exc) if isinstance(exc, WriteFailedError) else f"无法写入 {output}：{reason_of(exc)}")
    if force and gate(document, force=True, verdicts=decided) is not None:  # the same gate the file was marked by
        err.print("[yellow]注意：校验未通过，已强制导出；文稿已标注「校验未通过」，修正前不得发布。[/]")
    out.print(f"已导出：{path}")


@app.command("stats-template")
def stats_template(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 .xlsx 文件")],
    version: Annotated[str, typer.Option("--format", help="表格格式：2021（国办公开办函〔2021〕30号）或 2019（试行格式）")] = "2021",
) -> None:
    """生成按国家统一格式排版的空白统计工作簿（标签锁定、总计为公式），填好后用 xxgk parse 导入。"""
    from ..render.workbook import write_template

    if output.suffix.lower() != ".xlsx":
        fail(f"统计工作簿须为 .xlsx 文件，实际为“{output.suffix or '无扩展名'}”")
    require_output(output)
    if version not in ("2021", "2019"):
        fail(f"--format 应为 2021 或 2019，实际为“{version}”")
    try:
        path = write_template(output, "2021" if version == "2021" else "2019")
    except OSError as exc:
        fail(str(exc) if isinstance(exc, WriteFailedError) else f"无法写入 {output}：{reason_of(exc)}")
    out.print(f"已生成统计工作簿模板：{path}")
