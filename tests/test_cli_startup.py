"""The command line starts light: the console script loads only the module of the command it runs."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from assistant.samples import SAMPLE_NOTES, SAMPLE_REPORT

RUN = """
import sys
sys.argv = ["xxgk", *sys.argv[1:]]
{prelude}
from assistant.cli import main
try:
    main()
finally:
    heavy = ("langchain_core", "langchain_openai", "openai", "docx", "openpyxl", "gradio", "numpy", "pdfplumber", "sqlite3",
             "typer", "rich", "assistant.schema.models_2019", "json", "pydantic.type_adapter",
             "assistant.checks.verdicts")
    print(repr(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)  # repr: json is on the list
"""


def run_cli(*args: str, prelude: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN.format(prelude=prelude), *args],
        capture_output=True, text=True, timeout=120, cwd=cwd, check=False,
    )


def loaded_heavy(done: subprocess.CompletedProcess[str]) -> list[str]:
    return list(ast.literal_eval(done.stderr.strip().splitlines()[-1]))


def test_command_modules_match_the_registered_commands() -> None:
    from assistant.cli import COMMAND_MODULES, app

    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert set(commands) == set(COMMAND_MODULES)
    for name, command in commands.items():
        # a command group (xxgk users …) is defined where its subcommands are
        callbacks = [c.callback for c in getattr(command, "commands", {}).values()] or [command.callback]
        for callback in callbacks:
            defined_in = inspect.getmodule(callback).__name__  # type: ignore[union-attr]
            assert defined_in == f"assistant.cli.{COMMAND_MODULES[name]}", name


def test_check_loads_no_drafting_documents_or_app(tmp_path: Path) -> None:
    done = run_cli("check", str(SAMPLE_REPORT), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "检查通过" in done.stdout
    assert loaded_heavy(done) == []


def test_a_2019_report_loads_the_trial_format_classes_when_it_needs_them(tmp_path: Path) -> None:
    trial = Path(__file__).parent / "fixtures" / "township_2020.expected.yaml"
    done = run_cli("check", "--json", str(trial), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert "findings" in json.loads(done.stdout)
    assert loaded_heavy(done) == ["assistant.schema.models_2019", "json"]  # json: for --json
    # a 2019-only cell is validated by the lazily loaded class and named in the error
    bad = tmp_path / "bad.yaml"
    bad.write_text(trial.read_text(encoding="utf-8").replace("format: '2019'", "format: '2019'\nzzz: 1", 1)
                   .replace("other_total_2019:\n    natural_person: 1", "other_total_2019:\n    natural_person: 多", 1), encoding="utf-8")
    refused = run_cli("check", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and "（六）其他处理" in refused.stderr and "zzz" in refused.stderr, refused.stderr


@pytest.mark.parametrize(("given", "seen"), [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_the_command_line_skips_pydantic_plugin_discovery_unless_told(
    tmp_path: Path, given: str | None, seen: str
) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    code = RUN.format(prelude="import atexit, os; atexit.register(lambda: print(repr(os.environ.get("
                      "'PYDANTIC_DISABLE_PLUGINS')), file=sys.stderr))")
    done = subprocess.run([sys.executable, "-c", code, "check", str(SAMPLE_REPORT)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == repr(seen)


def test_plain_check_parses_the_options_typer_declares() -> None:
    from assistant.cli import app
    from assistant.cli.checking import CHECK_OPTIONS, plain_check_arguments

    group = get_command(app)
    declared = {opt for p in group.commands["check"].params for opt in p.opts if opt.startswith("--")}  # type: ignore[attr-defined]
    assert declared == set(CHECK_OPTIONS)
    parsed = plain_check_arguments(["r.yaml", "--previous=p.yaml", "--json", "--verdicts", "v.json"])
    assert parsed is not None
    assert (str(parsed.report), str(parsed.previous), parsed.as_json, str(parsed.verdicts)) == ("r.yaml", "p.yaml", True, "v.json")
    # anything else is typer's: help, a typo, an abbreviation, a second file, a missing file name
    for argv in (["--help"], ["r.yaml", "--jsn"], ["r.yaml", "--prev", "p"], ["a", "b"], [], ["r.yaml", "--previous"]):
        assert plain_check_arguments(argv) is None, argv


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_plain_check_says_what_the_typer_command_says(tmp_path: Path, extra: list[str]) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    broken = tmp_path / "broken.yaml"
    broken.write_text(SAMPLE_REPORT.read_text(encoding="utf-8").replace("format: '2021'", "format: '2021'\nbogus: 1"),
                      encoding="utf-8")
    for report in (SAMPLE_REPORT, broken, tmp_path / "missing.yaml"):
        fast = run_cli("check", str(report), *extra, cwd=tmp_path)
        slow = CliRunner().invoke(app, ["check", str(report), *extra])
        assert fast.returncode == slow.exit_code, (report, fast.stderr)
        assert fast.stdout == slow.stdout
        assert "typer" not in fast.stderr.splitlines()[-1]  # the fast path ran, not typer


def test_check_help_and_mistakes_still_go_to_typer(tmp_path: Path) -> None:
    helped = run_cli("check", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "--previous" in helped.stdout
    typo = run_cli("check", str(SAMPLE_REPORT), "--jsn", cwd=tmp_path)
    assert typo.returncode == 2 and "没有选项 --jsn。可用的选项：--json。" in typo.stderr


@pytest.mark.parametrize(("argv", "said"), [
    (["no-such-command"], "没有命令“no-such-command”。"),
    (["export"], "缺少参数 report。"),
    (["export", str(SAMPLE_REPORT), "--output"], "选项 --output 后面需要填写一个值。"),
    (["check", str(SAMPLE_REPORT), "a", "b"], "多余的参数：a b。"),  # not plain: typer's, said in Chinese
    (["export", str(SAMPLE_REPORT), "--out", "x"], "没有选项 --out。可用的选项：--output。"),
])
def test_command_line_mistakes_are_said_in_chinese(tmp_path: Path, argv: list[str], said: str) -> None:
    done = run_cli(*argv, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()[:-1]  # the last line is the test's own module list
    assert said in lines[0] and "--help”查看用法" in lines[-1], lines
    assert not any(word in done.stderr for word in ("Usage", "Error", "Try ", "Traceback")), done.stderr


def test_draft_offline_loads_no_model_client(tmp_path: Path, _user_dir: Path) -> None:
    done = run_cli("draft", str(SAMPLE_NOTES), "--report", str(SAMPLE_REPORT), "--section", "problems", "--offline",
                   cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert "一是" in done.stdout
    assert not {"gradio", "openai", "langchain_openai"} & set(loaded_heavy(done))
    # main() skips the last garbage collections (gc.freeze): what the command stored is there, whole
    from assistant.api import CLI_REPORT
    from assistant.drafting import VersionStore

    stored = VersionStore(_user_dir).latest(CLI_REPORT, "problems")
    assert stored is not None and stored.text.strip() and stored.text.strip() in done.stdout


def test_serve_without_the_app_extra_says_how_to_install_it(tmp_path: Path) -> None:
    # As if gradio were not installed: a None entry in sys.modules makes find_spec report it missing.
    done = run_cli("serve", prelude="sys.modules['gradio'] = None", cwd=tmp_path)
    assert done.returncode == 2
    assert 'pip install "xxgk-assistant[app]"' in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_and_help_list_every_command(tmp_path: Path) -> None:
    done = run_cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    for name in ("check", "draft", "export", "parse", "audit", "demo", "sample", "serve"):
        assert name in done.stdout
    assert run_cli("no-such-command", cwd=tmp_path).returncode == 2


def test_sample_writes_the_packaged_files_and_never_overwrites(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    target = tmp_path / "mine"
    result = CliRunner().invoke(app, ["sample", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "sample_report.yaml").read_text(encoding="utf-8") == SAMPLE_REPORT.read_text(encoding="utf-8")
    assert (target / "sample_notes.md").read_text(encoding="utf-8") == SAMPLE_NOTES.read_text(encoding="utf-8")
    (target / "sample_notes.md").write_text("我的要点", encoding="utf-8")
    again = CliRunner().invoke(app, ["sample", "-o", str(target)])
    assert again.exit_code == 2 and "为免覆盖" in again.output
    assert (target / "sample_notes.md").read_text(encoding="utf-8") == "我的要点"


@pytest.mark.parametrize("name", ["system.md", "overview.md", "examples/overview.md", "offline/phrases.yaml"])
def test_prompts_are_package_data(name: str) -> None:
    from assistant.drafting.prompts import PROMPTS_DIR

    package = Path(__import__("assistant").__file__).parent
    assert package / "prompts" == PROMPTS_DIR
    assert (PROMPTS_DIR / name).is_file()
    assert SAMPLE_REPORT.parent == package / "samples"


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """Review fix: the fast check path ran outside the console script's guard (`xxgk check … | head`)."""
    xxgk = Path(sys.executable).parent / "xxgk"
    command = [str(xxgk)] if xxgk.exists() else [sys.executable, "-c", "from assistant.cli import main; main()"]
    process = subprocess.Popen([*command, "check", str(SAMPLE_REPORT)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader left before anything was written
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_a_bare_command_group_shows_its_help_and_exits_2(tmp_path: Path) -> None:
    done = run_cli(cwd=tmp_path)
    assert done.returncode == 2 and "check" in done.stdout
    assert done.stderr.strip().splitlines()[:-1] == []  # nothing but the test's own module list
