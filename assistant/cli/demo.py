"""`xxgk demo` — the main job on the sample report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..schema.labels import NARRATIVE_LABELS
from ._app import app, out
from .checking import print_findings


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="输出目录")] = Path("out/demo"),
    offline: Annotated[bool, typer.Option("--offline", help="强制使用离线起草（不调用模型）")] = False,
) -> None:
    """示例：用样例要点起草淄博市工业和信息化局 2022 年年报正文，校验后导出 Word、网页、Markdown 和 Excel。"""
    from ..demo import run_demo
    from ..drafting import BACKEND_LABELS

    out.print("[bold]政府信息公开工作年度报告起草助手 · 示例[/]")
    outcome = run_demo(out_dir, offline=offline)
    out.print(f"起草方式：{outcome.backend}")
    for part, result in outcome.drafts.items():
        usage = result.usage
        flag = f"，[yellow]{len(result.findings)} 处待核实[/]" if result.findings else ""
        out.print(
            f"  · {NARRATIVE_LABELS[part]}：{len(result.text)} 字，{BACKEND_LABELS.get(result.backend, result.backend)}"
            f"（调用 {usage.calls} 次，重试 {usage.retries} 次）{flag}"
        )
        if result.notice:
            out.print(f"    [yellow]{result.notice}[/]")
    print_findings(outcome.check, "校验结果")
    if outcome.forced:
        out.print("[red]校验发现错误，文件已加注“校验未通过”标记导出。[/]")
    out.print("[bold]已生成文件：[/]")
    for path in outcome.files:
        out.print(f"  {path}")


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="写出示例文件的目录")] = Path("xxgk-sample"),
) -> None:
    """写出随软件附带的示例报告（sample_report.yaml）和起草要点（sample_notes.md），供试用和练习。"""
    from ..fsio import atomic_write_text
    from ..samples import SAMPLE_FILES
    from ._app import fail

    if out_dir.exists() and not out_dir.is_dir():
        fail(f"输出位置 {out_dir} 已存在且不是目录，请换一个目录。")
    targets = [out_dir / source.name for source in SAMPLE_FILES]
    existing = [t for t in targets if t.exists()]
    if existing:
        fail(f"目录中已有同名文件（{'、'.join(t.name for t in existing)}），为免覆盖，请换一个目录或先移走这些文件。")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for source, target in zip(SAMPLE_FILES, targets, strict=True):
            atomic_write_text(target, source.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"无法写入 {out_dir}：{exc.strerror or exc}")
    out.print("已写出示例文件：")
    for target in targets:
        out.print(f"  {target}")
    out.print(f"试一试：xxgk check {targets[0]}")
