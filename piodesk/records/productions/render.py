"""The human-readable renderings of a production: one HTML file and one PDF.

Each record starts on a new PDF page; every page carries its Bates number in the footer, so the
DAT's BEGBATES/ENDBATES name pages a reader can find. The PDF is made with fpdf2 (pure Python,
maintained), each line written straight into the page: text that fits Windows-1252 in the PDF
core fonts (Helvetica), other lines in the DejaVu fonts when they are installed (any text they
cover); without them such characters show as "?" (the native JSON keeps the exact text).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.util import escape_parens

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font() -> Path | None:
    for d in FONT_DIRS:
        if (d / "DejaVuSans.ttf").exists():
            return d
    return None


def _lines(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The record as (style, text) lines: h = heading, b = bold, t = text, s = small."""
    out: list[tuple[str, str]] = []
    who = record["author_name"] or record["author_platform_id"] or "unknown author"
    out.append(("h", f"{record['kind'].title()} on {record['platform']} by {who}"))
    out.append(("s", f"Record {record['item_id']} · platform id {record['platform_id']}"))
    out.append(("s", f"Created {record['created_at'] or 'unknown'} · state now {record['state']}"))
    thread = record["thread"]
    if thread["parent"]:
        out.append(("s", f"In reply to {thread['parent']}"))
    if thread["replies"]:
        out.append(("s", "Replies in this production: " + ", ".join(thread["replies"])))
    for v in record["versions"]:
        out.append(("b", f"Version {v['version']} — captured {v['captured_at']} — {v['state']}"))
        if v["destroyed"]:
            out.append(("t", "[content destroyed by disposition; its digest is kept]"))
        else:
            out.append(("t", v["text"] or "(no text)"))
        if v["edited_at"]:
            out.append(("s", f"edited on the platform at {v['edited_at']}"))
        for m in v["media"]:
            out.append(("s", f"media: {m.get('filename') or m.get('url') or m.get('sha256')}"))
        out.append(("s", f"source {v['source']} · version hash {v['hash']}"))
    if record["moderation"]:
        out.append(("b", "Moderation history"))
        for entry in record["moderation"]:
            out.append(("t", entry["summary"]))
    if record["privileged"]:
        out.append(("s", f"{len(record['privileged'])} privileged item(s): see privilege_log.csv"))
    return out


class _Pdf(FPDF):
    """Letter pages of plain text lines, drawn straight into the page's content stream.

    fpdf2's ``text()`` and ``cell()`` copy the graphics state and re-encode every call (most of
    a production's time); here each line is one ``BT … ET`` with its font named, measured with
    the font's own widths. Text that fits Windows-1252 uses the PDF core fonts (Helvetica, no
    embedding); only a line outside it uses the Unicode TTF (subset-embedded), when installed.
    """

    def __init__(self) -> None:
        super().__init__(format="Letter")
        self.bates_of: Callable[[int], str] = lambda page: ""
        self.set_auto_page_break(True, margin=16)
        self.core_fonts_encoding = "cp1252"
        self.set_compression(False)  # the ZIP deflates the whole file once instead
        self._core: dict[str, Any] = {}
        self._uni: dict[str, Any] = {}
        for style in ("", "B"):
            self.set_font("Helvetica", style, 10)
            self._core[style] = self.current_font
        self._font_dir = _font()
        self.unicode = self._font_dir is not None
        # No font for fpdf2 to restore on each new page: every line names its own.
        self.font_family = ""
        self.current_font = None
        self._on_page: set[tuple[int, int]] = set()
        self._caches: dict[tuple[int, float], dict[str, float]] = {}

    def footer(self) -> None:
        label = self.bates_of(self.page_no())
        font, encoded = self._encoded(label, "")
        width = self._measure(font, encoded, 8, None)
        baseline = self.h - 12 + 3 + 0.3 * 8 / self.k  # where fpdf2's cell put it
        self.draw(font, 8, self.w - self.r_margin - self.c_margin - width, baseline, encoded)

    def _encoded(self, text: str, style: str) -> tuple[Any, str]:
        """The font for ``text`` and the text as that font's string (core: cp1252 bytes)."""
        try:
            return self._core[style], text.encode("cp1252").decode("latin-1")
        except UnicodeEncodeError:
            if self._font_dir is not None:
                if not self._uni:  # embedded (as a subset) only when some line needs it
                    self.add_font("DejaVu", "", str(self._font_dir / "DejaVuSans.ttf"))
                    self.add_font("DejaVu", "B", str(self._font_dir / "DejaVuSans-Bold.ttf"))
                    self._uni = {"": self.fonts["dejavu"], "B": self.fonts["dejavuB"]}
                return self._uni[style], text
            return self._core[style], text.encode("cp1252", "replace").decode("latin-1")

    def _measure(self, font: Any, text: str, size: float, cache: dict[str, float] | None) -> float:
        w = None if cache is None else cache.get(text)
        if w is None:
            if font.type == "core":
                cw = font.cw
                w = sum(map(cw.__getitem__, text)) * size * 0.001 / self.k
            else:
                w = font.get_text_width(text, size, None)[1] / self.k
            if cache is not None:
                cache[text] = w
        return w

    def draw(self, font: Any, size: float, x: float, y: float, text: str) -> None:
        """One line at (x, y) mm, y on the baseline."""
        if (self.page, font.i) not in self._on_page:
            self._on_page.add((self.page, font.i))
            self._resource_catalog.add(PDFResourceType.FONT, font.i, self.page)
        shown = f"({escape_parens(text)}) Tj" if font.type == "core" else font.encode_text(text)
        self._out(
            f"BT /F{font.i} {size:.2f} Tf {x * self.k:.2f} {(self.h - y) * self.k:.2f} Td "
            f"{shown} ET"
        )

    def wrap(self, line: str, limit: float, font: Any, size: float) -> list[str]:
        """``line`` broken into pieces no wider than ``limit`` (words kept whole if they fit);
        each distinct word is measured once."""
        cache = self._caches.setdefault((font.i, size), {})
        if self._measure(font, line, size, None) <= limit:
            return [line]
        space = self._measure(font, " ", size, cache)
        out: list[str] = []
        current: list[str] = []
        width = 0.0
        for word in line.split(" "):
            w = self._measure(font, word, size, cache)
            if w > limit:  # a word longer than the line: break it by characters
                if current:
                    out.append(" ".join(current))
                    current, width = [], 0.0
                piece = ""
                for ch in word:
                    if piece and self._measure(font, piece + ch, size, None) > limit:
                        out.append(piece)
                        piece = ""
                    piece += ch
                current, width = [piece], self._measure(font, piece, size, cache)
                continue
            extra = w + (space if current else 0.0)
            if current and width + extra > limit:
                out.append(" ".join(current))
                current, width = [word], w
            else:
                current.append(word)
                width += extra
        out.append(" ".join(current))
        return out

    def paragraph(self, text: str, style: str, size: float) -> None:
        """Write ``text`` (line breaks kept) from the left margin, breaking pages as needed."""
        height = size * 0.45
        limit = self.epw
        for raw in text.split("\n"):
            font, encoded = self._encoded(raw, style)
            for line in self.wrap(encoded, limit, font, size):
                if self.y + height > self.page_break_trigger:
                    self.add_page()
                if line:
                    self.draw(font, size, self.l_margin, self.y + height * 0.8, line)
                self.y += height


class PdfRendering:
    """Renders records one after another; each gets its first and last Bates page."""

    def __init__(self, title: str) -> None:
        self.pdf = _Pdf()
        self.title = title
        self._start_page = 0
        self._start_bates = 0
        self._fmt: Callable[[int], str] = str
        self.pdf.bates_of = lambda page: self._fmt(self._start_bates + page - self._start_page)

    def add(self, record: dict[str, Any], first_bates: int, fmt: Callable[[int], str]) -> int:
        """Render one record from Bates number ``first_bates``; the pages it took."""
        pdf = self.pdf
        pdf.add_page()  # the previous page's footer is drawn before the numbering moves on
        self._start_page, self._start_bates, self._fmt = pdf.page_no(), first_bates, fmt
        for style, line in _lines(record):
            size = {"h": 12, "b": 10, "t": 10, "s": 8}[style]
            pdf.paragraph(line, "B" if style in "hb" else "", size)
            if style == "t":
                pdf.set_y(pdf.y + 1)
        return pdf.page_no() - self._start_page + 1

    def output(self) -> bytes:
        """The PDF's bytes."""
        self.pdf.set_title(self.title)
        self.pdf.set_creator("piodesk")
        return bytes(self.pdf.output())


HTML_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
section{{border-top:2px solid #333;padding:.5rem 0 1rem}}
.bates{{float:right;font:13px monospace}} .meta{{color:#555;font-size:13px}}
.version{{border-left:3px solid #999;margin:.5rem 0;padding:.25rem .75rem}}
.text{{white-space:pre-wrap}} .destroyed{{color:#a00}} code{{word-break:break-all}}
</style></head><body>
<h1>{title}</h1>
<p>{intro}</p>
"""


def html_record(record: dict[str, Any]) -> str:
    """One record as an HTML section (anchored by its first Bates number)."""
    e = html.escape
    begin, end = record["bates_begin"], record["bates_end"]
    parts = [f'<section id="{e(begin)}"><span class="bates">{e(begin)}–{e(end)}</span>']
    lines = _lines(record)
    parts.append(f"<h2>{e(lines[0][1])}</h2>")
    thread = record["thread"]
    parts.append(
        f'<p class="meta">Record {record["item_id"]} · platform id <code>'
        f"{e(record['platform_id'])}</code> · created {e(str(record['created_at']))} · "
        f"state now {e(record['state'])}</p>"
    )
    if thread["parent"]:
        parts.append(f'<p class="meta">In reply to <code>{e(thread["parent"])}</code></p>')
    if thread["replies"]:
        links = ", ".join(f'<a href="#{e(b)}">{e(b)}</a>' for b in thread["replies"])
        parts.append(f'<p class="meta">Replies in this production: {links}</p>')
    for v in record["versions"]:
        parts.append(
            f'<div class="version"><h3>Version {v["version"]} — captured '
            f"{e(v['captured_at'])} — {e(v['state'])}</h3>"
        )
        if v["destroyed"]:
            parts.append(
                '<p class="destroyed">Content destroyed by disposition; its digest is kept.</p>'
            )
        else:
            parts.append(f'<p class="text">{e(v["text"] or "(no text)")}</p>')
        for m in v["media"]:
            name = m.get("filename") or m.get("url") or m.get("sha256") or ""
            if m.get("path_in_production"):
                href = e(m["path_in_production"])
                parts.append(f'<p class="meta">media: <a href="{href}">{e(name)}</a></p>')
            else:
                parts.append(f'<p class="meta">media: {e(name)}</p>')
        parts.append(
            f'<p class="meta">source {e(v["source"])} · hash <code>{e(v["hash"])}</code></p></div>'
        )
    if record["moderation"]:
        parts.append("<h3>Moderation history</h3><ul>")
        parts.extend(f"<li>{e(m['summary'])}</li>" for m in record["moderation"])
        parts.append("</ul>")
    if record["privileged"]:
        parts.append(
            f'<p class="meta">{len(record["privileged"])} privileged item(s) withheld: see '
            "privilege_log.csv</p>"
        )
    parts.append("</section>\n")
    return "".join(parts)
