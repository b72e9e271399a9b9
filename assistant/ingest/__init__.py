"""Reading published reports back into report documents; next year's document; auditing many reports."""

from .audit import AuditSummary, FileResult, audit
from .errors import ParseError, ParseIssue
from .nextyear import next_year, previous_reference
from .parser import ParseOutcome, detect_version, parse_bytes, parse_file, parse_text

__all__ = [
    "AuditSummary",
    "FileResult",
    "ParseError",
    "ParseIssue",
    "ParseOutcome",
    "audit",
    "detect_version",
    "next_year",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "previous_reference",
]
