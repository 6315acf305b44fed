"""Videos for stories: read, checked, and a publishable copy without location or device data.

GO 409 §.12 names "photos and videos of training or operations" among what needs written
consent, and a phone video carries the same give-aways as a phone photo, in other places:

- Android and most cameras: a ``©xyz`` atom (ISO 6709 coordinates) in ``moov/udta``, with
  ``©mak``/``©mod`` (make, model) beside it;
- iPhones: QuickTime metadata ``moov/meta`` (``mdta`` keys such as
  ``com.apple.quicktime.location.ISO6709``, ``…make``, ``…model``, ``…software``), and often a
  timed-metadata track (``mebx``) that records the location as the camera moves;
- editors: XMP, in ``moov/udta/XMP_`` or a top-level ``uuid`` box;
- iTunes-style tags (``moov/udta/meta/ilst``) and creation dates in ``mvhd``/``tkhd``.

What is kept of an upload is what is kept of a photo: the bytes as sent, in the media store
(the record, §.40), and a copy for publishing made here.

How the copy is made: libavformat (FFmpeg's MP4/QuickTime demuxer and muxer, through PyAV)
reads the file and writes a new one with the same coded video and audio packets — nothing is
re-encoded, so every frame is bit for bit the original's — and with none of the original's
metadata: the muxer writes only the boxes a player needs, and ``bitexact`` keeps out its own
encoder tag and the creation times. Data, subtitle and timed-metadata tracks are left out.
Why not mutagen: its MP4 support edits the iTunes ``ilst`` only; it leaves ``©xyz`` in
``udta``, the QuickTime ``mdta`` keys, XMP and a location track in place. Why not rewriting
the boxes with a box-parser library: removing a box from ``moov`` in a file whose ``moov``
comes first shifts every sample's offset in ``mdat``, so each ``stco``/``co64`` table would
have to be rewritten; a remux does that the way every player expects.

One small read of our own: :func:`top_level_boxes` walks the 8- or 16-byte headers of the
file's top-level boxes (ISO/IEC 14496-12 §4.2: a 32-bit size, a type, a 64-bit size when the
size is 1, "to the end of the file" when it is 0). FFmpeg plays a truncated file as far as it
goes; the walk is what tells a whole file from a cut one (a box that runs past the end). It
reads headers only and never writes.

Pure media work: no web, no storage.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import av
import av.error

from piodesk.core.errors import InvalidInput

#: Mastodon's stock limit for a video upload (99 MB); Facebook's is far larger.
MAX_VIDEO_BYTES = 99 * 1000 * 1000
#: The longest video a story carries (minutes).
MAX_VIDEO_MINUTES = 15
#: Mastodon's largest frame (3840 × 2160 pixels).
MAX_VIDEO_PIXELS = 3840 * 2160
#: Containers piodesk publishes, by the brand in ``ftyp`` ("qt  " is QuickTime).
MP4, MOV = "video/mp4", "video/quicktime"
#: Video codecs every platform piodesk publishes to takes without converting first.
VIDEO_CODECS = {"h264": "H.264", "hevc": "HEVC (H.265)"}
#: The UUID of an XMP box at the top level of an MP4 (Adobe XMP spec part 3, 1.1.4).
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_TOP_LEVEL = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pnot", b"meta"}
_TOP_LEVEL_MORE = {b"pdin", b"moof", b"mfra", b"styp", b"sidx", b"prft", b"udta", b"junk"}

#: Container metadata keys, by what a reviewer is told was removed.
_KEY_LABELS = (
    (("location", "iso6709", "xyz", "gps"), "GPS location"),
    (("make", "manufacturer"), "camera make"),
    (("model",), "camera model"),
    (("software", "encoder", "android.version"), "software"),
    (("creation_time", "creationdate", "date"), "date and time"),
    (("xmp",), "XMP data"),
    (("serial",), "device serial number"),
)
#: Keys the demuxer reports that are not metadata of the recording (the file type).
_NOT_METADATA = {"major_brand", "minor_version", "compatible_brands"}


@dataclass(frozen=True, slots=True)
class Box:
    """One top-level box: its type, where it starts, and its whole size."""

    type: bytes
    offset: int
    size: int
    header: int  # 8, or 16 with a 64-bit size


@dataclass(frozen=True, slots=True)
class CleanVideo:
    """A video ready to publish, and what was taken out of it."""

    data: bytes
    mime_type: str
    width: int
    height: int
    seconds: float
    removed: tuple[str, ...]  # plain words: "GPS location", "camera model", ...


def looks_like_video(data: bytes) -> bool:
    """Whether ``data`` starts like an MP4 or QuickTime file (a box type at bytes 4–8)."""
    return len(data) >= 8 and data[4:8] in {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"}


def top_level_boxes(data: bytes, *, name: str = "video") -> list[Box]:
    """The file's top-level boxes; InvalidInput when they do not cover the file exactly."""
    boxes: list[Box] = []
    at, end = 0, len(data)
    while at < end:
        if end - at < 8:
            raise InvalidInput(f"{name}: the file ends inside a box header: it is cut short")
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            if end - at < 16:
                raise InvalidInput(f"{name}: the file ends inside a box header: it is cut short")
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
            header = 16
        elif size == 0:
            size = end - at  # "extends to the end of the file"
        if not (kind in _TOP_LEVEL or kind in _TOP_LEVEL_MORE) or size < header:
            raise InvalidInput(
                f"{name}: the file is not a whole MP4 or QuickTime video (damaged at byte {at:,})"
            )
        if at + size > end:
            raise InvalidInput(
                f"{name}: the file is cut short: its '{kind.decode('latin-1')}' part needs "
                f"{at + size - end:,} more bytes; send the whole video"
            )
        boxes.append(Box(kind, at, size, header))
        at += size
    return boxes


def _mime_of(data: bytes, boxes: list[Box], name: str) -> str:
    ftyp = next((b for b in boxes if b.type == b"ftyp"), None)
    if ftyp is None:
        return MOV  # old QuickTime files have no ftyp
    brand = data[ftyp.offset + ftyp.header : ftyp.offset + ftyp.header + 4]
    if brand == b"qt  ":
        return MOV
    if brand[:3] in {b"3gp", b"3g2"}:
        raise InvalidInput(f"{name}: 3GP video is not published; send it as MP4 or MOV")
    return MP4


def _removed(
    container: av.container.InputContainer, boxes: list[Box], data: bytes, dropped: list[str]
) -> list[str]:
    out: list[str] = []
    keys = [k for k in container.metadata if k not in _NOT_METADATA]
    for stream in container.streams:
        keys.extend(
            k for k in stream.metadata if k not in {"language", "handler_name", "vendor_id"}
        )
    for key in keys:
        low = key.lower()
        label = next((lab for words, lab in _KEY_LABELS if any(w in low for w in words)), None)
        if label is None:
            label = "other metadata"
        if label not in out:
            out.append(label)
    xmp = any(b.type == b"uuid" and data[b.offset + 8 : b.offset + 24] == XMP_UUID for b in boxes)
    if xmp and "XMP data" not in out:
        out.append("XMP data")
    out.extend(d for d in dropped if d not in out)
    return out


def clean_video(data: bytes, *, name: str = "video") -> CleanVideo:
    """The publishable copy of ``data``; InvalidInput (naming the reason) when it is not a
    whole video piodesk takes. Nothing is written anywhere."""
    if not data:
        raise InvalidInput(f"{name}: the file is empty")
    if len(data) > MAX_VIDEO_BYTES:
        raise InvalidInput(
            f"{name}: the video is {len(data):,} bytes; the limit is {MAX_VIDEO_BYTES:,}"
        )
    if not looks_like_video(data):
        raise InvalidInput(f"{name}: the file is not an MP4 or MOV video")
    boxes = top_level_boxes(data, name=name)
    kinds = {b.type for b in boxes}
    if b"moov" not in kinds:
        raise InvalidInput(f"{name}: the file has no index (moov box): it is not a whole video")
    if b"mdat" not in kinds:
        raise InvalidInput(f"{name}: the file has no pictures (mdat box): it is not a whole video")
    mime = _mime_of(data, boxes, name)
    try:
        return _remux(data, boxes, mime, name)
    except InvalidInput:
        raise
    except (av.error.FFmpegError, EOFError, OSError, ValueError, IndexError, StopIteration):
        raise InvalidInput(f"{name}: the file is not a readable MP4 or MOV video") from None


def _remux(data: bytes, boxes: list[Box], mime: str, name: str) -> CleanVideo:
    with av.open(io.BytesIO(data), "r", options={"export_xmp": "1"}) as src:
        videos = list(src.streams.video)
        if not videos:
            raise InvalidInput(f"{name}: the file has no video picture track")
        video = videos[0]
        codec = video.codec_context.name
        if codec not in VIDEO_CODECS:
            raise InvalidInput(
                f"{name}: the video is coded as {codec or 'an unknown codec'}; piodesk publishes "
                f"{' or '.join(VIDEO_CODECS.values())} video"
            )
        width, height = int(video.codec_context.width), int(video.codec_context.height)
        if width <= 0 or height <= 0:
            raise InvalidInput(f"{name}: the video's picture size cannot be read")
        if width * height > MAX_VIDEO_PIXELS:
            raise InvalidInput(
                f"{name}: the video is {width}×{height}; the largest frame is 3840×2160"
            )
        seconds = float(src.duration or 0) / av.time_base
        if seconds > MAX_VIDEO_MINUTES * 60:
            raise InvalidInput(
                f"{name}: the video runs {seconds / 60:.1f} minutes; the limit is "
                f"{MAX_VIDEO_MINUTES}"
            )
        keep = [video, *[s for s in src.streams if s.type == "audio"][:1]]
        dropped = []
        for s in src.streams:
            if s not in keep:
                dropped.append(
                    "location or other timed metadata track"
                    if s.type == "data"
                    else f"{s.type} track"
                )
        removed = _removed(src, boxes, data, dropped)
        out_buf = io.BytesIO()
        fmt = "mov" if mime == MOV else "mp4"
        packets = 0
        with av.open(out_buf, "w", format=fmt, container_options={"fflags": "+bitexact"}) as dst:
            targets = {}
            for s in keep:
                t = dst.add_stream_from_template(s)
                for key in list(t.metadata):
                    if key != "language":
                        del t.metadata[key]
                targets[s.index] = t
            for packet in src.demux(*keep):
                if packet.dts is None:  # the demuxer's flush packet
                    continue
                packet.stream = targets[packet.stream.index]
                dst.mux(packet)
                packets += 1
        if packets == 0:
            raise InvalidInput(f"{name}: the video has no pictures in it")
        # The first picture must decode: a file whose index is whole but whose samples are not.
        with av.open(io.BytesIO(out_buf.getvalue()), "r") as check:
            next(iter(check.decode(video=0)))
    return CleanVideo(out_buf.getvalue(), mime, width, height, round(seconds, 3), tuple(removed))


def metadata_of(data: bytes) -> dict[str, object]:
    """What metadata a video carries (for tests and the review page): container and stream
    metadata as the demuxer reads it (XMP included), and its tracks' kinds."""
    with av.open(io.BytesIO(data), "r", options={"export_xmp": "1"}) as c:
        return {
            "container": {k: v for k, v in c.metadata.items() if k not in _NOT_METADATA},
            "streams": [dict(s.metadata) for s in c.streams],
            "kinds": [s.type for s in c.streams],
        }
