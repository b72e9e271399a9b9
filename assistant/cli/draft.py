"""`xxgk draft` — narrative parts from bullet notes (+ the report's tables), streamed or written to a document."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..drafting import (
    PARTS,
    DraftResult,
    NotesError,
    RemoteModelForbiddenError,
    VersionStore,
    load_settings,
    parse_notes,
    placeholder_report,
)
from ..drafting.results import exit_status
from ..schema import Report, ReportInputError, load_report, load_report_file, report_to_data, save_report
from ..schema.labels import NARRATIVE_SECTION
from ._app import app, err, fail, require_file, write_text

if TYPE_CHECKING:
    from ..drafting import Drafter

WORKSPACE = "default"
_SHOWN: dict[str, str] = {}  # text streamed so far per part, kept if the user interrupts


def _parts(section: str) -> list[str]:
    if section == "all":
        return list(PARTS)
    if section not in PARTS:
        accepted = "、".join(f"{p}（{NARRATIVE_SECTION[p]}）" for p in PARTS)
        fail(f"--section 的值“{section}”无效；可选：{accepted}，或 all（全部）。")
    return [section]


def _report(path: Path | None, store: VersionStore) -> Report:
    if path is not None:
        require_file(path)
        try:
            return load_report_file(path)
        except ReportInputError as exc:
            fail(str(exc))
    saved = store.load_report(WORKSPACE)
    if saved is not None:
        err.print("[dim]未指定 --report，使用上次起草时保存的报告文档。[/]")
        return saved
    report = placeholder_report()
    err.print(f"[yellow]未指定 --report：按 {report.year} 年度、无统计表格起草，表格数字需另行核实。[/]")
    return report


def _print_findings(result: DraftResult) -> None:
    for f in result.findings:
        err.print(f"[yellow]待核实（{f.rule}）：[/]{f.message}")


def _stream(drafter: Drafter, part: str, notes_obj: object, report: Report, instruction: str | None,
            previous: str | None) -> DraftResult:
    write_text(f"\n【{NARRATIVE_SECTION[part]}】\n")
    shown = ""
    for event in drafter.stream_part(part, notes_obj, report, instruction, previous):  # type: ignore[arg-type]
        if event.type == "delta":
            shown += event.text
            _SHOWN[part] = shown
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
            return result
    raise RuntimeError("起草未完成")


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
    require_file(notes)
    parts = _parts(section)
    if output is not None and output.suffix.lower() not in (".json", ".yaml", ".yml"):
        fail(f"-o 的文件名“{output.name}”应以 .json、.yaml 或 .yml 结尾。")
    try:
        notes_text = notes.read_text(encoding="utf-8")
        notes_obj = parse_notes(notes_text)
    except UnicodeDecodeError:
        fail(f"起草要点 {notes} 不是 UTF-8 文本。")
    except NotesError as exc:
        fail(f"起草要点 {notes}：{exc}")
    settings = load_settings(offline=True) if offline else load_settings()
    store = VersionStore(settings.data_dir / "drafts.sqlite3")
    doc = _report(report, store)
    from ..drafting import Drafter  # loads LangChain: only for this command

    try:
        drafter = Drafter(settings)
    except RemoteModelForbiddenError as exc:
        fail(str(exc))
    err.print(f"起草方式：{drafter.describe()}")
    store.save_notes(WORKSPACE, "all", notes_text)
    if report is not None:
        store.save_report(WORKSPACE, doc)

    def previous(part: str) -> str | None:
        if not instruction:
            return None
        base = store.accepted(WORKSPACE, part) or store.latest(WORKSPACE, part)
        return base.text if base else None

    results: dict[str, DraftResult] = {}
    if output is None:
        # The first part streams live while the others are drafted concurrently in the background.
        pool = ThreadPoolExecutor(max_workers=len(parts) - 1) if drafter.backend == "llm" and len(parts) > 1 else None
        pending = {
            p: pool.submit(drafter.draft_part, p, notes_obj, doc, instruction, previous(p)) for p in parts[1:]
        } if pool else {}
        try:
            for part in parts:
                if part in pending:
                    write_text(f"\n【{NARRATIVE_SECTION[part]}】\n")
                    results[part] = pending[part].result()
                    write_text(results[part].text + "\n")
                else:
                    results[part] = _stream(drafter, part, notes_obj, doc, instruction, previous(part))
        except KeyboardInterrupt:
            # Whatever was shown is kept, marked as interrupted, so no draft is lost.
            store.add_version(WORKSPACE, part, _SHOWN.get(part, ""), instruction=instruction,
                              backend=drafter.backend, findings=[], status="interrupted")
            err.print("[yellow]起草已中断，已显示的内容已保存为“中断”版本。[/]")
            raise typer.Exit(130) from None
        finally:
            if pool:
                pool.shutdown(wait=False, cancel_futures=True)
    elif instruction:
        for part in parts:
            results[part] = drafter.draft_part(part, notes_obj, doc, instruction, previous(part))
    else:
        results = drafter.draft_all(notes_obj, doc, parts)

    for result in results.values():
        store.add_version(WORKSPACE, result.part, result.text, instruction=instruction, backend=result.backend,
                          findings=result.findings)
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
        data = report_to_data(doc)
        data["narrative"] = {**(data.get("narrative") or {}), **{p: r.text for p, r in results.items()}}
        save_report(load_report(data), output)
        err.print(f"已写出 {output}")
    code, message = exit_status(results)
    if message:
        err.print(f"[yellow]{message}[/]")
    raise typer.Exit(code)
