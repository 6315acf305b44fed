"""Letters to a requester: piodesk's default templates and the sandboxed Jinja2 that renders the
agency's own (stored, versioned, editable by the records custodian).

The agency's templates are text a person typed, so they render in Jinja2's sandbox (no access
to attributes beginning with an underscore, no calls beyond the plain values of the context)
with undefined names refused: a template that names something the letter does not have is
refused when it is saved, not when a requester is waiting for the letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from piodesk.core.errors import InvalidInput
from piodesk.records.requests.model import LetterKind

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@dataclass(frozen=True)
class Template:
    """A letter template: subject and body, both Jinja2 text."""

    kind: LetterKind
    subject: str
    body: str
    version: int  # 0: piodesk's default


DEFAULTS_FILE = Path(__file__).with_name("default_letters.yaml")


@lru_cache(maxsize=1)
def _defaults() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return data


def default_template(kind: LetterKind) -> Template:
    """piodesk's own template for ``kind``."""
    entry = _defaults()[kind.value]
    return Template(kind, entry["subject"], entry["body"], 0)


def render(template: Template, context: dict[str, Any]) -> tuple[str, str]:
    """The letter's subject (one line) and body; InvalidInput naming what went wrong."""
    try:
        subject = _ENV.from_string(template.subject).render(context)
        body = _ENV.from_string(template.body).render(context)
    except TemplateError as exc:
        kind = template.kind.value
        raise InvalidInput(f"the {kind} template cannot be rendered: {exc}") from None
    subject = " ".join(subject.split())
    body = "\n".join(line.rstrip() for line in body.strip().splitlines()) + "\n"
    return subject, body


def sample_context() -> dict[str, Any]:
    """A context with every name a letter has, to check a template when it is saved."""
    return {
        "request": {
            "number": "R-1",
            "requester": "A. Requester",
            "received": date(2026, 9, 14).isoformat(),
            "channel": "E-mail",
            "text": "All comments removed from the department's pages in August.",
            "scope": "",
        },
        "agency": "Agency",
        "custodian": "Custodian",
        "regime": {"name": "Law", "citation": "Citation", "extension_citation": ""},
        "clock": {"due": "2026-09-17", "days_left": 2, "counts_from": "2026-09-14"},
        "fees": {
            "minutes": 90,
            "free_minutes": 60,
            "hourly_rate": "41.37",
            "copy_pages": 0,
            "copy_page": "0.25",
            "total": "20.69",
            "paid": "0.00",
            "balance": "20.69",
            "citation": "Citation",
        },
        "grounds": [{"key": "k", "label": "Ground", "citation": "Citation"}],
        "finding": "Finding",
        "extension_days": 7,
        "responsive": 3,
        "extra": "",
        "today": date(2026, 9, 15).isoformat(),
    }
