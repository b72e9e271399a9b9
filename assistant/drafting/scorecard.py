"""The drafting scorecard: built-in cases drafted by the configured backend and scored per part.

Cases (``prompts/eval/*.yaml``, written for this project): notes and tables of a department, a township
and a county government, with and without last year's report. Each part is scored on note facts
covered, untraced numbers (G1), contradictions with the tables (X2/R4.3), stale numbers (X9), required
structure, register (no Markdown, English, first person, colloquialisms) and length. A part whose model
draft was refused or failed (offline fallback) scores 0, with the reason. An office runs it
against its own endpoint to choose a model; CI runs it offline with the scores pinned as a floor.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..schema import Report, load_report, report_to_data, set_cells
from .guard import guard_text
from .notes import PARTS, Notes, parse_notes, part_label
from .offline import formal, strip_subject
from .prompts import prompts_dir
from .replies import foreign_words
from .results import DraftResult

# Length bounds per part (characters): shorter is a stub, longer a runaway or padding.
LENGTH_BOUNDS: dict[str, tuple[int, int]] = {
    "overview": (300, 6000), "problems": (10, 1500), "improvements": (20, 2000), "other_matters": (20, 2500),
}
_FIRST_PERSON = re.compile(r"我们|咱们|本人|我认为|我觉得")
_COLLOQUIAL = re.compile(r"挺好|特别好|非常非常|搞定|啥|咋|吧。|啦|哈哈|嗯")
_MARKDOWN = re.compile(r"\*\*|^#+\s|^```|^\s*[-*]\s", re.M)
_TOPICS = ("（一）", "（二）", "（三）", "（四）", "（五）")


@dataclass(frozen=True)
class Case:
    """One scorecard case: its notes, this year's report and (optionally) last year's."""

    name: str
    title: str
    notes_text: str
    report: Report
    previous: Report | None = None

    @property
    def notes(self) -> Notes:
        return parse_notes(self.notes_text)


@dataclass
class PartScore:
    """The scores of one drafted part; ``score`` (0–100) weighs them."""

    case: str
    part: str
    backend: str
    facts: int = 0
    covered: int = 0
    untraced: int = 0
    contradictions: int = 0
    stale: int = 0
    structure_ok: int = 0
    structure_total: int = 0
    register: list[str] = field(default_factory=list)
    length: int = 0
    length_ok: bool = True
    score: float = 0.0
    fallback_reason: str | None = None  # the model's draft was refused or failed: the part scores 0

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


def _base_report() -> dict[str, Any]:
    """Complete tables to start from (the packaged sample's; each case sets the cells it is about)."""
    from importlib.resources import files

    from ..schema import load_report_file

    return report_to_data(load_report_file(Path(str(files("assistant") / "samples" / "sample_report.yaml"))))


def _build(spec: dict[str, Any], base: dict[str, Any]) -> Report:
    data = {**base, **spec.get("report", {})}
    data["narrative"] = dict(spec.get("narrative") or {})
    return set_cells(load_report(data), dict(spec.get("cells") or {}))


def cases_dir() -> Path:
    return prompts_dir() / "eval"


@lru_cache(maxsize=1)
def load_cases() -> tuple[Case, ...]:
    """The built-in cases, in file-name order."""
    base = _base_report()
    found = []
    for path in sorted(cases_dir().glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        report = _build(spec, base)
        previous = None
        if spec.get("previous"):
            prev = spec["previous"]
            prev_base = {**base, "agency": report.agency, "body_type": report.body_type}
            previous = _build(prev, prev_base)
        found.append(Case(spec["name"], spec["title"], spec["notes"], report, previous))
    return tuple(found)


def _bigrams(text: str) -> set[str]:
    han = "".join(re.findall(r"[\u4e00-\u9fff0-9]", text))
    return {han[i : i + 2] for i in range(len(han) - 1)}


def note_facts(part: str, notes: Notes, report: Report) -> list[str]:
    """The facts a part should carry: the clauses of its notes (4+ characters)."""
    facts = []
    for bullet in notes.bullets.get(part, []):
        text = strip_subject(formal(bullet), report)
        facts += [c for c in re.split(r"[，；：。]", text) if len(re.sub(r"\W", "", c)) >= 4]
    return facts


def covered(fact: str, text: str) -> bool:
    """A fact is covered when its numbers appear and 60 % of its character pairs do."""
    numbers = re.findall(r"\d+", fact)
    if any(n not in text for n in numbers):
        return False
    pairs = _bigrams(fact)
    return not pairs or len(pairs & _bigrams(text)) >= 0.6 * len(pairs)


def _structure(part: str, text: str, notes: Notes, report: Report) -> tuple[int, int]:
    checks: list[bool] = []
    if part == "overview":
        checks += [t in text for t in _TOPICS]
        if report.body_type == "government":
            checks.append(bool(re.search("考核|评议|责任追究", text)))
    elif part in ("problems", "improvements"):
        if len(notes.bullets.get(part, [])) >= 2:
            checks.append("一是" in text and "二是" in text)
    else:
        checks.append("信息处理费" in text)
    return sum(checks), len(checks)


def register_problems(text: str) -> list[str]:
    """What in ``text`` is off the register of a formal report (Chinese names of the problems)."""
    found = []
    if _MARKDOWN.search(text):
        found.append("Markdown 标记")
    if foreign_words(text):
        found.append("英文")
    if _FIRST_PERSON.search(text):
        found.append("第一人称")
    if _COLLOQUIAL.search(text):
        found.append("口语")
    return found


def score_part(case: Case, result: DraftResult) -> PartScore:
    """Score one drafted part of ``case``."""
    part, text, notes = result.part, result.text, case.notes
    facts = note_facts(part, notes, case.report)
    findings = guard_text(part, text, notes, case.report, case.previous)
    ok, total = _structure(part, text, notes, case.report)
    low, high = LENGTH_BOUNDS[part]
    s = PartScore(
        case.name, part, result.backend, len(facts), sum(covered(f, text) for f in facts),
        sum(f.rule == "G1" for f in findings), sum(f.rule in ("X2", "R4.3") for f in findings),
        sum(f.rule == "X9" for f in findings), ok, total, register_problems(text), len(text),
        low <= len(text) <= high,
    )
    s.score = round(
        40 * (s.covered / s.facts if s.facts else 1.0)
        + 20 * (s.structure_ok / s.structure_total if s.structure_total else 1.0)
        + 10 * (s.untraced == 0) + 10 * (s.contradictions == 0) + 10 * (s.stale == 0)
        + 5 * (not s.register) + 5 * s.length_ok,
        1,
    )
    if result.backend == "offline-fallback":  # the text is the offline drafter's, not the model's
        s.score, s.fallback_reason = 0.0, result.fallback_reason
    return s


def run_scorecard(drafter: Any, cases: tuple[Case, ...] | None = None) -> list[PartScore]:
    """Draft every part of every case with ``drafter`` (a ``Drafter``) and score it."""
    scores = []
    for case in cases or load_cases():
        drafter.previous = case.previous
        results = drafter.draft_all(case.notes, case.report, list(PARTS))
        scores += [score_part(case, results[p]) for p in PARTS]
    return scores


def summary(scores: list[PartScore]) -> dict[str, float]:
    """Mean score per case and overall."""
    by_case: dict[str, list[float]] = {}
    for s in scores:
        by_case.setdefault(s.case, []).append(s.score)
    out = {case: round(sum(v) / len(v), 1) for case, v in by_case.items()}
    out["overall"] = round(sum(s.score for s in scores) / len(scores), 1) if scores else 0.0
    return out


def part_title(part: str) -> str:
    return part_label(part)
