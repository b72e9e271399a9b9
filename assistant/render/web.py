"""HTML (one self-contained page for a website CMS) and Markdown (for review) from the same templates."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..schema import Report
from .assemble import AssembledReport, assemble
from .gate import gate
from .layout import MISSING

if TYPE_CHECKING:
    from ..checks import Verdict

# Characters that would turn review text into Markdown structure (emphasis, links, code, tables).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def _md(text: str) -> Markup:
    """Escape text for Markdown: HTML made inert, Markdown syntax characters backslashed."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)))


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("assistant.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.globals["missing"] = MISSING
    return env


def html_from(doc: AssembledReport) -> str:
    """The assembled report as a standalone HTML page."""
    return _env().get_template("report.html.j2").render(doc=doc)


def markdown_from(doc: AssembledReport) -> str:
    """The assembled report as Markdown; tables are HTML blocks because Markdown cannot merge cells."""
    text = _env().get_template("report.md.j2").render(doc=doc)
    return re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")


def render_html(report: Report, force: bool = False, verdicts: Sequence[Verdict] | None = None) -> str:
    """The whole report as one self-contained HTML page (tables with rowspan/colspan, all text escaped).

    Raises ``ExportBlocked`` while the checks find errors, unless ``force`` (then marked 「校验未通过」);
    errors ruled 不属于问题 in ``verdicts`` do not count.
    """
    return html_from(assemble(report, gate(report, force, verdicts)))


def render_markdown(report: Report, force: bool = False, verdicts: Sequence[Verdict] | None = None) -> str:
    """The whole report as Markdown for review. Same gate as ``render_html``."""
    return markdown_from(assemble(report, gate(report, force, verdicts)))
