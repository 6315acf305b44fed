"""Photos for stories: read, checked, and a publishable copy without location or device data.

GO 409 §.12 forbids sharing personal information and confidential material; a phone photo's
EXIF carries where it was taken (GPS) and on what device (make, model, serial), and so can
give away an officer's home or an operation's location. What is kept of an upload:

- the original bytes, as sent, in the content-addressed media store: the record (§.40);
- a copy for publishing whose pixels are the original's (turned upright by its EXIF
  orientation) and whose only metadata is the colour profile: no EXIF, no GPS, no XMP, no
  comments, no thumbnails.

Pure image work with Pillow: no web, no storage.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from piodesk.core.errors import InvalidInput

#: Image formats a story may carry, and the MIME type each goes out with.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel frame; beyond it Pillow's bomb guard is the answer

#: EXIF tags named in what a reviewer is told was removed.
_NAMED = {
    ExifTags.Base.Make: "camera make",
    ExifTags.Base.Model: "camera model",
    ExifTags.Base.Software: "software",
    ExifTags.Base.DateTime: "date and time",
    ExifTags.Base.Artist: "artist",
    ExifTags.Base.HostComputer: "host computer",
    ExifTags.Base.BodySerialNumber: "device serial number",
    ExifTags.Base.LensModel: "lens model",
}


@dataclass(frozen=True, slots=True)
class CleanImage:
    """A photo ready to publish, and what was taken out of it."""

    data: bytes
    mime_type: str
    width: int
    height: int
    removed: tuple[str, ...]  # plain words: "GPS location", "camera model", ...


def _removed(img: Image.Image) -> list[str]:
    out: list[str] = []
    exif = img.getexif()
    if exif.get_ifd(ExifTags.IFD.GPSInfo) or ExifTags.Base.GPSInfo in exif:
        out.append("GPS location")
    for tag, label in _NAMED.items():
        if tag in exif or tag in exif.get_ifd(ExifTags.IFD.Exif):
            out.append(label)
    if exif and not out:
        out.append("EXIF data")
    elif exif:
        out.append("other EXIF data")
    for key, label in (
        ("xmp", "XMP data"),
        ("XML:com.adobe.xmp", "XMP data"),
        ("comment", "comment"),
        ("photoshop", "Photoshop data"),
    ):
        if img.info.get(key) and label not in out:
            out.append(label)
    return out


def clean_photo(data: bytes, *, name: str = "photo") -> CleanImage:
    """The publishable copy of ``data``; InvalidInput when it is not a photo piodesk takes."""
    if not data:
        raise InvalidInput(f"{name}: the file is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            f"{name}: the photo is {len(data):,} bytes; the limit is {MAX_PHOTO_BYTES:,}"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if fmt not in FORMATS:
                raise InvalidInput(
                    f"{name}: {fmt or 'this file'} is not a photo format piodesk publishes "
                    f"(JPEG, PNG or WebP)"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidInput(f"{name}: the photo is larger than {MAX_PIXELS:,} pixels")
            probe.load()
            removed = _removed(probe)
            icc = probe.info.get("icc_profile")
            upright = ImageOps.exif_transpose(probe) or probe
            if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            # A new image from the pixels alone: nothing of the original's metadata comes along.
            fresh = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(
            f"{name}: the file is not a readable photo (JPEG, PNG or WebP)"
        ) from None
    out = io.BytesIO()
    params: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if fresh.mode in ("RGBA", "LA"):
            fresh = fresh.convert("RGB")
        fresh.save(out, format="JPEG", quality=92, optimize=True, **params)
    elif fmt == "PNG":
        fresh.save(out, format="PNG", optimize=True, **params)
    else:
        fresh.save(out, format="WEBP", quality=90, **params)
    return CleanImage(out.getvalue(), FORMATS[fmt], fresh.width, fresh.height, tuple(removed))


def metadata_of(data: bytes) -> dict[str, object]:
    """What metadata an image carries (for tests and the review page): EXIF tags and GPS."""
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        return {
            "exif_tags": sorted(int(k) for k in exif),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
            "xmp": bool(img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")),
        }
