"""Plain text from the small HTML that platforms put in post bodies (Mastodon's ``content``).

The archive and the screener search and read plain text; the HTML is kept in ``fields``.
Paragraphs become blank-line breaks, ``<br>`` a line break, entities are decoded, and the
``invisible`` spans Mastodon uses to shorten link text are kept (they are part of the URL).
"""

from __future__ import annotations

from html.parser import HTMLParser


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text a reader sees in a post's HTML body."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts).strip()
