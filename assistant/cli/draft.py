"""`xxgk draft` — narrative parts from bullet notes (+ the report's tables): a shell over ``api.open_session``."""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..drafting import PARTS, DraftResult, NotesError, RemoteModelForbiddenError
from ..drafting.results import exit_status
from ..schema import Report, ReportInputError, load_report, load_report_file, report_to_data
from ..schema.labels import NARRATIVE_SECTION
from ._app import app, err, fail, open_store, require_file, require_output, save_or_fail, write_text

if TYPE_CHECKING:
    from ..drafting import VersionStore
    from ..drafting.session import DraftingSession


def _parts(section: str) -> list[str]:
    if section == "all":
        return list(PARTS)
    if section not in PARTS:
        accepted = "、".join(f"{p}（{NARRATIVE_SECTION[p]}）" for p in PARTS)
        fail(f"--section 的值“{section}”无效；可选：{accepted}，或 all（全部）。")
    return [section]


def _report(path: Path | None, store: VersionStore, report_id: str) -> Report | None:
    """The document given with --report, else None (the stored one, or a placeholder, is used)."""
    if path is not None:
        require_file(path)
        try:
            return load_report_file(path)
        except ReportInputError as exc:
            fail(str(exc))
    if store.load_report(report_id) is not None:
        err.print("[dim]未指定 --report，使用上次起草时保存的报告文档。[/]")
    else:
        from ..drafting import placeholder_report

        err.print(f"[yellow]未指定 --report：按 {placeholder_report().year} 年度、无统计表格起草，表格数字需另行核实。[/]")
    return None


def _print_findings(result: DraftResult) -> None:
    for f in result.findings:
        err.print(f"[yellow]待核实（{f.rule}）：[/]{f.message}")


def _stream(session: DraftingSession, part: str, instruction: str | None) -> DraftResult | None:
    """Stream one part to stdout; the session stores it (or keeps an interrupted version on Ctrl+C)."""
    write_text(f"\n【{NARRATIVE_SECTION[part]}】\n")
    shown = ""
    with contextlib.closing(session.stream(part, instruction)) as events:
        for event in events:
            if event.type == "delta":
                shown += event.text
                write_text(event.text)
            elif event.type == "status":
                err.print(f"[yellow]{event.text}[/]")
            elif event.result is not None:
                result = event.result
                if result.text.strip() != shown.strip():
                    if shown:
                        write_text("\n（以上为模型流式输出，以下为最终稿）\n")
                    write_text(result.text)
                write_text("\n")
                return result if session.last_version is not None else None
    return None


def _draft_one(session: DraftingSession, part: str, instruction: str | None) -> DraftResult | None:
    from ..drafting.session import OfflineRewriteError

    try:
        return (session.redraft(part, instruction) if instruction else session.draft(part))[0]
    except OfflineRewriteError as exc:
        err.print(f"[yellow]{NARRATIVE_SECTION[part]}：{exc}[/]")
        return None


@app.command()
def draft(
    notes: Annotated[Path, typer.Argument(help="起草要点（Markdown 或 YAML，见数据约定 §3）")],
    report: Annotated[Path | None, typer.Option("--report", help="报告文档（.json / .yaml），提供统计表格")] = None,
    section: Annotated[
        str, typer.Option("--section", help="overview / problems / improvements / other_matters / all")
    ] = "all",
    instruction: Annotated[str | None, typer.Option("--instruction", help="修改要求，如“更简洁”")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="强制离线起草（不调用模型）")] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="写出填好正文的报告文档（.json / .yaml）")
    ] = None,
) -> None:
    """由起草要点生成年报正文（总体情况、存在问题、改进情况、其他需要报告的事项）。

    退出码 0 已起草，1 有待核实的数字，2 输入无效，3 模型失败、有部分改用了离线起草。
    """
    from ..api import CLI_REPORT, open_session

    require_file(notes)
    parts = _parts(section)
    if output is not None and output.suffix.lower() not in (".json", ".yaml", ".yml"):
        fail(f"-o 的文件名“{output.name}”应以 .json、.yaml 或 .yml 结尾。")
    require_output(output)
    try:
        notes_text = notes.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"起草要点 {notes} 不是 UTF-8 文本。")
    store = open_store(None)  # the user data dir's store; damaged or read-only: a Chinese message
    doc = _report(report, store, CLI_REPORT)
    try:
        session = open_session(doc, store=store, offline=offline, notes=notes_text)
        drafter = session.drafter
    except NotesError as exc:
        fail(f"起草要点 {notes}：{exc}")
    except RemoteModelForbiddenError as exc:
        fail(str(exc))
    err.print(f"起草方式：{drafter.describe()}")

    results: dict[str, DraftResult] = {}
    if output is None:
        # The first part streams live while the others are drafted concurrently in the background.
        pool = ThreadPoolExecutor(max_workers=len(parts) - 1) if drafter.backend == "llm" and len(parts) > 1 else None
        pending: dict[str, Future[DraftResult | None]] = {
            p: pool.submit(_draft_one, session.fork(), p, instruction) for p in parts[1:]
        } if pool else {}
        try:
            for part in parts:
                if part in pending:
                    write_text(f"\n【{NARRATIVE_SECTION[part]}】\n")
                    got = pending[part].result()
                    write_text((got.text if got else "") + "\n")
                else:
                    got = _stream(session, part, instruction)
                if got is not None:
                    results[part] = got
        except KeyboardInterrupt:
            # The stream was closed: whatever was shown is kept as an interrupted version.
            err.print("[yellow]起草已中断，已显示的内容已保存为“中断”版本。[/]")
            raise typer.Exit(130) from None
        finally:
            if pool:
                pool.shutdown(wait=False, cancel_futures=True)
    elif instruction:
        for part in parts:
            if (got := _draft_one(session, part, instruction)) is not None:
                results[part] = got
    else:
        results = {p: r for p, (r, _v) in session.draft_all(parts).items()}

    for result in results.values():
        if result.notice and (result.backend != "offline" or result is next(iter(results.values()))):
            err.print(f"[dim]{NARRATIVE_SECTION[result.part]}：{result.notice}[/]")
        u = result.usage
        if u.calls:
            err.print(
                f"[dim]{NARRATIVE_SECTION[result.part]}用量：调用 {u.calls} 次，输入 {u.prompt_tokens} tokens，"
                f"输出 {u.completion_tokens} tokens，重试 {u.retries} 次，核对重写 {u.reasks} 次。[/]"
            )
        _print_findings(result)
    if output is not None:
        data = report_to_data(session.report())
        data["narrative"] = {**(data.get("narrative") or {}), **{p: r.text for p, r in results.items()}}
        save_or_fail(load_report(data), output)
        err.print(f"已写出 {output}")
    code, message = exit_status(results)
    if message:
        err.print(f"[yellow]{message}[/]")
    raise typer.Exit(code)
