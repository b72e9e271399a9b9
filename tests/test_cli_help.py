"""Help screens in Chinese (``assistant/cli/_help.py``): none of typer's English layout words reach a clerk."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from assistant.cli import app

# what typer and click print in English on a help screen
ENGLISH = re.compile(r"Usage|Options|Commands|Arguments|Show this message|\[required\]|\[default|OPTIONS|COMMAND|"
                     r"ARGS|<(?:path|text|str|int|float|bool)>|<\w+ range>")


def _every_command_line() -> list[list[str]]:
    group = get_command(app)
    lines: list[list[str]] = [[]]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        lines.append([name])
        lines.extend([name, sub] for sub in getattr(command, "commands", {}))
    return lines


@pytest.mark.parametrize("words", _every_command_line(), ids=lambda w: " ".join(w) or "xxgk")
def test_every_help_screen_is_in_chinese(words: list[str]) -> None:
    done = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "100"})
    assert done.exit_code == 0, done.output
    assert "用法：xxgk" in done.output and "显示本帮助并退出。" in done.output
    assert ENGLISH.findall(done.output) == [], done.output


def test_a_path_option_and_a_switch_show_their_kind_in_chinese() -> None:
    output = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "100"}).output
    assert re.search(r"--previous\s+<路径>", output) and re.search(r"--json\s+以 JSON", output)
    assert "[必填]" in output and "参数" in output and "选项" in output
    serve = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"--port\s+<整数> \[1<=x<=65535\]", serve) and "[默认：7860]" in serve
