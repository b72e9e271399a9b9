"""Reading published reports back into report documents; next year's document; auditing many reports."""

from .errors import ParseError, ParseIssue
from .parser import ParseOutcome, detect_version, parse_bytes, parse_file, parse_text

__all__ = [
    "ParseError",
    "ParseIssue",
    "ParseOutcome",
    "detect_version",
    "parse_bytes",
    "parse_file",
    "parse_text",
]
