"""Mistakes on the command line (an unknown option, a missing argument …) said in Chinese.

typer prints its own English panel for them; the console script runs typer in non-standalone mode and
says them here instead, naming what was wrong and how to see the usage. The English message of a case
not listed here is kept after a Chinese lead-in rather than hidden.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_OPTION = r"'?(--?[\w-]+)'?"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^No such option: {_OPTION}\s*(?:\(?Possible options: ([^)]*)\)?|Did you mean {_OPTION}\?)?\s*$"),
     "no_option"),
    (re.compile(r"^No such command '([^']*)'\.?\s*$"), "没有命令“{0}”。"),
    (re.compile(r"^Missing argument '([^']*)'\.?\s*$"), "缺少参数 {0}。"),
    (re.compile(r"^Missing option '([^']*)'\.?\s*$"), "缺少选项 {0}。"),
    (re.compile(rf"^Option {_OPTION} requires an argument\.?\s*$"), "选项 {0} 后面需要填写一个值。"),
    (re.compile(r"^Option '([^']*)' requires (\d+) arguments\.?\s*$"), "选项 {0} 后面需要 {1} 个值。"),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)\s*$"), "多余的参数：{0}。"),
    (re.compile(r"^Missing command\.?\s*$"), "缺少命令。"),
)
_VALUE = re.compile(r"^Invalid value for '?([^':]*)'?: (.*)$", re.S)
_VALUE_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^'([^']*)' is not a valid integer( range)?\.?$"), "“{0}”不是整数"),
    (re.compile(r"^'([^']*)' is not a valid float( range)?\.?$"), "“{0}”不是数字"),
    (re.compile(r"^'([^']*)' is not one of (.*)\.$"), "“{0}”不是可选值之一（{1}）"),
    (re.compile(r"^'([^']*)' is not a valid boolean\.?$"), "“{0}”不是“是/否”"),
    (re.compile(r"^(?:File|Path|Directory) '([^']*)' does not exist\.?$"), "找不到 {0}"),
    (re.compile(r"^(?:File|Path) '([^']*)' is a directory\.?$"), "{0} 是一个文件夹，这里需要一个文件"),
)


def _translated(message: str) -> str:
    message = message.strip()
    for pattern, template in _PATTERNS:
        match = pattern.match(message)
        if match is None:
            continue
        if template == "no_option":
            option, possible, meant = match.groups()
            hint = f"是否想输入 {meant}？" if meant else (f"可用的选项：{possible}。" if possible else "")
            return f"没有选项 {option}。{hint}"
        return template.format(*match.groups())
    value = _VALUE.match(message)
    if value is not None:
        where, why = value.group(1), value.group(2).strip()
        for pattern, template in _VALUE_REASONS:
            reason = pattern.match(why)
            if reason is not None:
                return f"{where} 的值无效：{template.format(*reason.groups())}。"
        return f"{where} 的值无效（{why}）。"
    return f"命令行有误（{message}）。"


def usage_error_message(exc: Any) -> str:
    """The Chinese lines for a typer/click usage error ``exc`` (ends with how to see the usage)."""
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "xxgk"
    return f"错误：{_translated(exc.format_message())}\n运行“{command} --help”查看用法。\n"


def say_usage_error(exc: Any) -> int:
    """Say ``exc`` (typer's click exception) on stderr in Chinese; its exit code. A bare group command
    (``xxgk``, ``xxgk users``) shows its help and exits 2, as typer does."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed (rich) or in the message
        if exc.format_message().strip():
            exc.show()
        return 2
    code = int(getattr(exc, "exit_code", 1))
    message = usage_error_message(exc) if code == 2 else f"错误：{exc.format_message()}\n"
    sys.stderr.write(message)
    return code
