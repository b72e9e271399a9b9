"""The main job on the sample: draft the narrative from the notes, check, export every format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .checks import CheckResult, check_report
from .drafting import DraftResult, load_settings
from .drafting.service import draft_text
from .render import ExportBlocked, export_report
from .samples import SAMPLE_REPORT, sample_notes_text
from .schema import Narrative, Report, load_report_file, save_report

DEMO_FORMATS = (".docx", ".html", ".md", ".xlsx")


@dataclass
class DemoOutcome:
    """What ``run_demo`` produced: the drafted report, its check result, the files and each part's draft."""

    report: Report
    check: CheckResult
    files: list[Path] = field(default_factory=list)
    drafts: dict[str, DraftResult] = field(default_factory=dict)
    backend: str = ""
    forced: bool = False


def run_demo(out_dir: str | Path = "out/demo", offline: bool = False) -> DemoOutcome:
    """Draft the sample report's narrative from the sample notes, check it and export it.

    The statistics come from the sample report; its published narrative is replaced by the draft, so
    what is exported is exactly what the assistant wrote. Uses the configured model unless ``offline``
    or none is configured (then the deterministic drafter).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables_only = load_report_file(SAMPLE_REPORT).model_copy(update={"narrative": Narrative()})
    from .drafting import Drafter  # loads LangChain; only the demo itself needs it

    settings = load_settings(offline=True) if offline else load_settings()
    drafter = Drafter(settings)
    drafts = draft_text(sample_notes_text(), tables_only, drafter=drafter)
    narrative = Narrative(**{part: result.text for part, result in drafts.items()})
    report = tables_only.model_copy(update={"narrative": narrative})
    result = check_report(report)
    outcome = DemoOutcome(report, result, drafts=drafts, backend=drafter.describe())
    outcome.files.append(save_report(report, out / "report.yaml"))
    for suffix in DEMO_FORMATS:
        target = out / f"{report.agency}{report.year}年政府信息公开工作年度报告{suffix}"
        try:
            outcome.files.append(export_report(report, target))
        except ExportBlocked:
            outcome.forced = True
            outcome.files.append(export_report(report, target, force=True))
    return outcome
