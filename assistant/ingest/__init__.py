"""Reading published reports back into report documents; next year's document; auditing many reports.

Pipeline of ``parse_file``: ``sources`` reads each file type into running text plus table rows (HTML
rowspan/colspan and Word merges expanded, PDF ruled tables via pdfplumber, the PDF text layer line by
line, plain text split on tabs, pipes or spaces); ``narrative`` finds the six headings (and aliases),
the title, opening, contact and the narrative parts; ``tables`` matches every row and column by its
label (``labelmatch``: normalised, typos within a small edit distance mapped with an X6 warning) and
reads the cells; ``runs`` splits concatenated digits using the table's own arithmetic. Anything not
read exactly stays null, with its raw text in ``raw_cells`` and a ``ParseIssue`` saying why; every split
or column mapping inferred is stated in the document's ``parse_notes`` with what proved it.

Before that, ``chars`` folds Kangxi radicals and simplifies Traditional pages for matching, ``oneline``
cuts a report copied as one line back into lines, ``formats`` converts .doc/.wps (LibreOffice) and reads a
clerk's own Excel sheet; ``pdf`` reads PDFs through PDFium. Afterwards ``body`` infers the body type and
``unread`` tells what we could not read (未能读取) from what the source lacks (X6).
"""

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
