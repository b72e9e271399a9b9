"""`xxgk check` without typer or rich: the command a script runs most often starts light.

The console script runs a plain ``xxgk check FILE [--previous P] [--json] [--verdicts V]`` here directly
(``fast_check``); anything else on that line (``--help``, an unknown option, a typo) goes to typer, whose
``check`` command (``cli/check.py``) calls the same ``run_check``. ``tests/test_cli_startup.py`` holds the
two parsers to the same options.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from ..checks import CheckResult
from ..timefmt import local_time
from ._plain import install_notices, require_file, say_error, write_text

_WHEN = "%Y-%m-%d %H:%M"
_SEVERITY = {"error": "错误", "warning": "警告"}
_STATUS = {"fail": "", "not_assessable": "（无法核验）", "uncertain": "（存疑）"}
_SHOWN_CELLS = 6

# The options of `xxgk check` (name → takes a value); cli/check.py declares the same ones for typer.
CHECK_OPTIONS: dict[str, bool] = {"--previous": True, "--json": False, "--verdicts": True}


def print_findings(result: CheckResult, title: str) -> None:
    """The findings as a numbered list, errors first, then the notes and the one-line summary."""
    lines = [title] if result.findings else []
    for number, f in enumerate(sorted(result.findings, key=lambda f: f.severity != "error"), 1):
        lines.append(f"{number}. 【{_SEVERITY[f.severity]}{_STATUS[f.status]}】{f.rule}  {f.message}")
        if f.verdict is not None:
            reason = f"：{f.verdict.reason}" if f.verdict.reason else ""
            lines.append(f"   裁定：{f.verdict.label}{reason}（{f.verdict.by}，{local_time(f.verdict.at, _WHEN)}）")
        if f.cells:
            more = f" 等 {len(f.cells)} 个" if len(f.cells) > _SHOWN_CELLS else ""
            lines.append(f"   涉及单元格：{'、'.join(f.cells[:_SHOWN_CELLS])}{more}")
    lines.extend(f"说明：{note}" for note in result.notes)
    lines.append(result.summary())
    write_text("\n".join(lines) + "\n")


def run_check(report: Path, previous: Path | None, as_json: bool, verdicts: Path | None) -> int:
    """Check one report file; the exit code: 0 no error, 1 errors, 2 the input is not usable."""
    from .. import api
    from ..schema import ReportInputError

    require_file(report)
    if previous is not None:
        require_file(previous)
    try:
        if verdicts is None:
            result = api.check_file(report, previous)
        else:
            doc = api.load_report_file(report)
            prev = api.load_report_file(previous) if previous is not None else None
            result = api.review_report(doc, api.read_verdicts(verdicts), prev).result
    except api.VerdictError as exc:
        say_error(str(exc))
    except ReportInputError as exc:
        if as_json:
            import json

            write_text(json.dumps(api.input_error_data(exc), ensure_ascii=False, indent=2) + "\n")
            return 2
        say_error(str(exc))
    if as_json:
        write_text(result.to_json() + "\n")
    else:
        print_findings(result, f"检查结果：{report}")
    return 0 if result.ok else 1


class _NotPlain(Exception):
    """The command line is not a plain check: typer takes it (and explains any mistake)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotPlain(message)


def plain_check_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of ``xxgk check …`` when they are plain (``argv`` without ``check``), else ``None``."""
    parser = _Parser(add_help=False, allow_abbrev=False, exit_on_error=False)
    parser.add_argument("report", type=Path)
    for option, takes_value in CHECK_OPTIONS.items():
        dest = "as_json" if option == "--json" else option[2:]
        if takes_value:
            parser.add_argument(option, dest=dest, type=Path, default=None)
        else:
            parser.add_argument(option, dest=dest, action="store_true")
    try:
        arguments, rest = parser.parse_known_args(argv)
    except (_NotPlain, argparse.ArgumentError):
        return None
    return None if rest else arguments


def fast_check(argv: list[str]) -> int | None:
    """Run ``xxgk check`` when its arguments are plain; ``None`` hands the command line to typer."""
    arguments = plain_check_arguments(argv)
    if arguments is None:
        return None
    install_notices()
    return run_check(arguments.report, arguments.previous, arguments.as_json, arguments.verdicts)
