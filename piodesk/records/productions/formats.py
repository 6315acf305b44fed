"""The production's load files and logs, written from plain values (no SQL, no web).

Concordance DAT: fields separated by ASCII 20 (0x14), each value quoted with þ (0xFE), a newline
inside a value written as ® (0xAE), an embedded þ doubled; UTF-8, CRLF line ends. Opticon OPT:
one line per page image, ``ImageKey,Volume,Path,DocBreak,FolderBreak,BoxBreak,PageCount``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAT_SEPARATOR = "\x14"
DAT_QUOTE = "\u00fe"
DAT_NEWLINE = "\u00ae"

#: The DAT's columns, in order (DOJ/FTC field-set names where one exists).
DAT_FIELDS = (
    "BEGBATES",
    "ENDBATES",
    "PAGECOUNT",
    "CUSTODIAN",
    "DOCDATE",
    "AUTHOR",
    "PLATFORM",
    "KIND",
    "PLATFORMID",
    "PARENTID",
    "STATE",
    "VERSIONS",
    "REDACTED",
    "HASH",
    "NATIVELINK",
    "TEXTLINK",
)


def dat_value(value: object) -> str:
    """One DAT value: quoted with þ, þ doubled, newlines as ®."""
    text = "" if value is None else str(value)
    text = text.replace(DAT_QUOTE, DAT_QUOTE * 2)
    text = text.replace("\r\n", DAT_NEWLINE).replace("\n", DAT_NEWLINE).replace("\r", DAT_NEWLINE)
    return f"{DAT_QUOTE}{text}{DAT_QUOTE}"


def dat_line(values: Sequence[object]) -> str:
    """One DAT row (CRLF-terminated)."""
    return DAT_SEPARATOR.join(dat_value(v) for v in values) + "\r\n"


def dat_parse(text: str) -> list[list[str]]:
    """Read a DAT back (for tests and checks): rows of unquoted values, ® back to newlines."""
    rows = []
    for line in text.split("\r\n"):
        if not line:
            continue
        values = []
        for raw in line.split(DAT_SEPARATOR):
            if not (raw.startswith(DAT_QUOTE) and raw.endswith(DAT_QUOTE) and len(raw) >= 2):
                raise ValueError(f"a DAT value is not quoted with þ: {raw[:40]!r}")
            inner = raw[1:-1].replace(DAT_QUOTE * 2, DAT_QUOTE)
            values.append(inner.replace(DAT_NEWLINE, "\n"))
        rows.append(values)
    return rows


@dataclass(frozen=True, slots=True)
class PageImage:
    """One page image of a document: its Bates number and path inside the production."""

    bates: str
    path: str
    first: bool  # the document's first page image (DocBreak)
    doc_pages: int  # page images in the document (given on the first line only)


def opt_lines(images: Iterable[PageImage], volume: str) -> str:
    """The Opticon load file for ``images`` (backslash paths, CRLF)."""
    out = []
    for im in images:
        path = im.path.replace("/", "\\")
        count = str(im.doc_pages) if im.first else ""
        out.append(f"{im.bates},{volume},{path},{'Y' if im.first else ''},,,{count}\r\n")
    return "".join(out)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV (RFC 4180, CRLF) of ``rows`` under ``header``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


class Bates:
    """Bates numbers of one production: PREFIX-PPPP-NNNNNN, numbered from 1 without gaps."""

    def __init__(self, prefix: str, production_id: int) -> None:
        self.prefix = "".join(c for c in prefix.upper() if c.isalnum()) or "REC"
        self.production_id = production_id
        self.next = 1

    def format(self, n: int) -> str:
        """The Bates number ``n``."""
        return f"{self.prefix}-{self.production_id:04d}-{n:06d}"

    def take(self, count: int) -> tuple[str, str]:
        """Reserve ``count`` (≥ 1) numbers; their first and last."""
        first = self.next
        self.next += max(1, count)
        return self.format(first), self.format(self.next - 1)


#: The exemptions a redaction may cite, per regime (configuration, not code: an agency adds
#: its own; the requests module's regimes carry the same codes).
EXEMPTIONS: dict[str, dict[str, str]] = {
    "cora": {
        "cora-ssn": "Social security number (C.R.S. 24-72-204(3)(a)(I) and 24-72-204(3)(a)(XVI))",
        "cora-contact": "Personal contact details of users of a public facility or subscribers "
        "(C.R.S. 24-72-204(3)(a)(IX); SB23-286 phone numbers and home addresses)",
        "cora-personnel": "Personnel files (C.R.S. 24-72-204(3)(a)(II))",
        "cora-medical": "Medical and mental-health information (C.R.S. 24-72-204(3)(a)(I))",
        "cora-financial": "Financial account and card numbers (C.R.S. 24-72-204(3)(a)(IX))",
    },
    "ccjra": {
        "ccjra-investigation": "Records of an active criminal investigation, release contrary "
        "to the public interest (C.R.S. 24-72-305(5))",
        "ccjra-victim": "Identity of a victim or witness (C.R.S. 24-72-304(4))",
        "ccjra-intelligence": "Criminal intelligence information (C.R.S. 24-72-305(3))",
    },
}


def exemption_label(code: str) -> str:
    """The exemption's description, or '' when no regime lists the code."""
    for codes in EXEMPTIONS.values():
        if code in codes:
            return codes[code]
    return ""


@dataclass(frozen=True, slots=True)
class AppliedRedaction:
    """A confirmed redaction of a span of one version's text."""

    redaction_id: int
    version_seq: int
    start: int
    end: int
    exemption: str


def redact(text: str, spans: Sequence[AppliedRedaction]) -> str:
    """``text`` with each span replaced by a marker naming its exemption (overlaps merged)."""
    out, pos = [], 0
    for r in sorted(spans, key=lambda r: (r.start, r.end)):
        start, end = max(r.start, pos), min(r.end, len(text))
        if start >= end:
            continue
        out.append(text[pos:start])
        out.append(f"[REDACTED: {r.exemption}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)
