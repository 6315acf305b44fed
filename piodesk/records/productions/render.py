"""The human-readable renderings of a production: one HTML file and one PDF.

Each record starts on a new PDF page; every page carries its Bates number in the footer, so the
DAT's BEGBATES/ENDBATES name pages a reader can find. The PDF is made with fpdf2 (pure Python,
maintained): with the DejaVu fonts installed it prints any text they cover; without them it
falls back to Helvetica, which prints Latin-1 only (other characters show as "?", and the
native JSON keeps the exact text).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpdf import FPDF

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
    def __init__(self) -> None:
        super().__init__(format="Letter")
        self.bates_of: Callable[[int], str] = lambda page: ""
        self.set_auto_page_break(True, margin=16)
        fonts = _font()
        self.family = "Helvetica"
        self._caches: dict[tuple[str, float], dict[str, float]] = {}
        self.unicode = fonts is not None
        if fonts is not None:
            self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, self.bates_of(self.page_no()), align="R")

    def text_of(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def _width(self, word: str, cache: dict[str, float]) -> float:
        w = cache.get(word)
        if w is None:
            w = cache[word] = self.get_string_width(word)
        return w

    def wrap(self, line: str, limit: float, cache: dict[str, float]) -> list[str]:
        """``line`` broken into pieces no wider than ``limit`` (words kept whole if they fit).

        fpdf2's multi_cell measures every candidate line afresh (seconds per thousand records);
        measuring each distinct word once keeps a production of 100,000 records in reach.
        """
        space = self._width(" ", cache)
        out: list[str] = []
        current: list[str] = []
        width = 0.0
        for word in line.split(" "):
            w = self._width(word, cache)
            if w > limit:  # a word longer than the line: break it by characters
                if current:
                    out.append(" ".join(current))
                    current, width = [], 0.0
                piece = ""
                for ch in word:
                    if self.get_string_width(piece + ch) > limit and piece:
                        out.append(piece)
                        piece = ""
                    piece += ch
                current, width = [piece], self._width(piece, cache)
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
        self.set_font(self.family, style, size)
        cache = self._caches.setdefault((style, size), {})
        height = size * 0.45
        limit = self.epw
        for raw in self.text_of(text).split("\n"):
            for line in self.wrap(raw, limit, cache):
                if self.y + height > self.page_break_trigger:
                    self.add_page()
                    self.set_font(self.family, style, size)
                if line:
                    self.text(self.l_margin, self.y + height * 0.8, line)
                self.set_y(self.y + height)


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
