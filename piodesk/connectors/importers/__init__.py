"""Importers for the platforms' own data exports (an agency's history, GO 409 §.40).

``detect_and_open(path)`` looks at the content (file names and the first bytes of the data
file, never the extension alone) and returns the matching importer, already validated.
"""

from __future__ import annotations

from pathlib import Path

from piodesk.connectors.importers.base import (
    ExportFormatError,
    Importer,
    ImportRecord,
    ImportReport,
    Limits,
    SkippedEntry,
    open_source,
)
from piodesk.connectors.importers.facebook_dyi import FacebookDYIImporter
from piodesk.connectors.importers.instagram import InstagramImporter
from piodesk.connectors.importers.mastodon_archive import MastodonArchiveImporter
from piodesk.connectors.importers.x_archive import XArchiveImporter

#: Tried in this order; each importer's ``sniff`` looks for its own file names and content.
IMPORTERS: tuple[type[Importer], ...] = (
    XArchiveImporter,
    MastodonArchiveImporter,
    FacebookDYIImporter,
    InstagramImporter,
)


def detect_and_open(
    path: str | Path,
    *,
    limits: Limits | None = None,
    page_platform_id: str | None = None,
) -> Importer:
    """Open an export of any supported platform, chosen by its content."""
    source = open_source(path, limits)
    try:
        reasons = []
        for cls in IMPORTERS:
            why_not = cls.sniff(source)
            if why_not is None:
                return cls(source, page_platform_id=page_platform_id)
            reasons.append(f"not {cls.label} ({why_not})")
        raise ExportFormatError(
            f"{Path(path).name} is not a platform export piodesk can read: " + "; ".join(reasons)
        )
    except BaseException:
        source.close()
        raise


__all__ = [
    "IMPORTERS",
    "ExportFormatError",
    "FacebookDYIImporter",
    "ImportRecord",
    "ImportReport",
    "Importer",
    "InstagramImporter",
    "Limits",
    "MastodonArchiveImporter",
    "SkippedEntry",
    "XArchiveImporter",
    "detect_and_open",
]
