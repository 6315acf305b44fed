"""Helpers for the review branch's tests: an active cadre member, stories, photos with GPS."""

from __future__ import annotations

import io
from datetime import date

from PIL import ExifTags, Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.core.db import transaction
from piodesk.core.permissions import Actor, Role
from piodesk.publishing import cadre
from piodesk.publishing.submissions import PhotoUpload
from piodesk.publishing.tables import CadreMember
from piodesk.publishing.workflow import CadreStep

#: A story with two §.12 findings: a statement of guilt and a comment on the prosecution.
STORY = (
    "Officers from Sand Creek division arrested a man on Platte Avenue after a string of "
    "burglaries. The suspect is clearly guilty. He will be convicted. Thanks to the "
    "neighbours who called it in."
)
CLEAN_STORY = (
    "Officers from Sand Creek division arrested a man on Platte Avenue after a string of "
    "burglaries. Thanks to the neighbours who called it in."
)


def gps_jpeg(width: int = 64, height: int = 48) -> bytes:
    """A real JPEG whose EXIF carries a GPS position and the camera's make and model."""
    img = Image.new("RGB", (width, height), (30, 90, 160))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15 Pro"
    exif[ExifTags.Base.Software] = "17.1"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 50.0, 1.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (104.0, 49.0, 12.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo(**overrides: object) -> PhotoUpload:
    """A photo of a community event, with its record complete unless overridden."""
    fields: dict[str, object] = {
        "data": gps_jpeg(),
        "filename": "coffee-with-a-cop.jpg",
        "source": "Ofc. Riley Chen, on duty",
        "rights": "department",
        "licence": "",
        "depicts": frozenset({"identifiable_people"}),
        "consent_reference": "Signed release forms, PIO file 2026-114",
        "alt_text": "Two officers talk with residents over coffee at a park table.",
    }
    fields.update(overrides)
    return PhotoUpload(**fields)  # type: ignore[arg-type]


def make_active(
    sessions: sessionmaker[Session], staff, who: Actor | None = None, division: str = "Sand Creek"
) -> int:
    """Recommend, vet and train ``who`` (the cadre account by default); the membership id."""
    who = who or staff[Role.CADRE]
    with transaction(sessions) as s:
        m = cadre.recommend(
            s,
            actor=staff[Role.SUPERVISOR],
            account_id=who.account_id,
            division=division,
            reason="Runs the division's community events; good writer.",
        )
        cadre.take_step(s, m.id, CadreStep.VET, actor=staff[Role.INTERNAL_AFFAIRS])
        cadre.take_step(
            s,
            m.id,
            CadreStep.TRAIN,
            actor=staff[Role.PIO],
            training=cadre.clean_training("Social media cadre course", date(2026, 11, 2)),
        )
        return m.id


def count(sessions: sessionmaker[Session], table: object) -> int:
    """Rows in a table."""
    with sessions() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def store_for(tmp_path) -> MediaStore:
    """A media store under the test's temporary directory."""
    return MediaStore(tmp_path / "media")


__all__ = ["CadreMember", "count", "gps_jpeg", "make_active", "photo", "store_for"]
