"""Help screens in Chinese: typer and click print their layout words (Usage, Options, Commands, “Show this
message and exit.”, ``<path>``) in English; a clerk reading ``xxgk --help`` should not meet them.

typer reads its panel titles and markers from module attributes of ``typer.rich_utils`` when it renders, so
they are set once here; the usage line, the help option and the type column come from the command, so the
command classes below say them in Chinese. ``Typer`` makes every command and group with these classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from ._plain import ABORTED

if TYPE_CHECKING:  # typer 0.29 carries its own copy of click; its classes derive from that copy
    from typer._click.core import Command as _HelpBase
    from typer._click.core import Context, Parameter
    from typer._click.formatting import HelpFormatter
    from typer.core import TyperOption as Option
else:
    _HelpBase = object

# typer.rich_utils attribute → the Chinese it shows (read at render time, so setting them here is enough)
PANEL_WORDS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "DEPRECATED_STRING": "（已停用）",
    "ABORTED_TEXT": ABORTED,
    "RICH_HELP": "运行 [blue]“{command_path} {help_option}”[/] 查看用法。",
}
USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_TEXT = "显示本帮助并退出。"
# The type column: typer's label → ours ("" hides it: a switch takes no value)
TYPE_WORDS: dict[str, str] = {
    "<path>": "<路径>", "<text>": "<文本>", "<str>": "<文本>", "<int>": "<整数>", "<float>": "<数字>", "<bool>": "",
    "<int range>": "<整数>", "<float range>": "<数字>",  # the range itself follows: [1<=x<=65535]
}

for _name, _text in PANEL_WORDS.items():
    setattr(rich_utils, _name, _text)


def _chinese_types(param: Parameter) -> None:
    """Show ``param``'s type in Chinese in the help's type column (once per parameter)."""
    english = getattr(param, "display_type_rich", None)
    if english is None or getattr(english, "chinese", False):
        return

    def chinese(ctx: Context) -> str | None:
        label = english(ctx)
        return TYPE_WORDS.get(label, label) if label else label

    chinese.chinese = True  # type: ignore[attr-defined]
    # An attribute on our own command's parameter: typer builds the parameters, so a class cannot be swapped in.
    param.display_type_rich = chinese  # type: ignore[attr-defined]


class _ChineseHelp(_HelpBase):
    def get_help_option(self, ctx: Context) -> Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        for param in self.get_params(ctx):
            _chinese_types(param)
        super().format_help(ctx, formatter)


class ChineseCommand(_ChineseHelp, TyperCommand):
    """A typer command whose help screen is in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR


class ChineseGroup(_ChineseHelp, TyperGroup):
    """A typer command group whose help screen is in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = SUBCOMMAND_METAVAR


class Typer(typer.Typer):
    """``typer.Typer`` whose groups and commands show their help in Chinese."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", ChineseCommand)
        return super().command(*args, **kwargs)
