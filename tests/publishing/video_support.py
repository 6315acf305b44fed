"""Real small videos for the tests, made with PyAV (FFmpeg's libraries), carrying the location
and device metadata phones write, each in its own place:

- ``iphone_mp4``: QuickTime ``mdta`` keys in ``moov/meta`` (``com.apple.quicktime.location.
  ISO6709``, ``…make``, ``…model``, ``…software``), as an iPhone writes them, and a 3GPP
  ``loci`` location box;
- ``android_mp4``: a ``©xyz`` atom (ISO 6709 text) with ``©mak``/``©mod`` in ``moov/udta``, as
  Android's MediaMuxer writes it, and an XMP packet in a top-level ``uuid`` box, as editors do;
- ``quicktime_mov``: a QuickTime movie with ``©xyz``, make and model in ``udta``.

FFmpeg's MP4 muxer writes no ``©xyz`` of its own in an MP4, so ``android_mp4`` appends a
``udta`` to the (last) ``moov`` box and a ``uuid`` box after it; the sample offsets point into
``mdat``, which comes first, so they stay right. Nothing here is used by piodesk itself.
"""

from __future__ import annotations

import io
import struct

import av
import numpy as np

from piodesk.publishing.video import XMP_UUID

#: Where the phone was: Colorado Springs police HQ, as ISO 6709.
ISO6709 = "+38.8339-104.8214+1839.000/"
LAT_TEXT = b"38.8339"
DEVICE = "iPhone 15 Pro"


def encode(
    fmt: str = "mp4",
    *,
    codec: str = "libx264",
    metadata: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
    frames: int = 12,
    handler: str | None = None,
) -> bytes:
    """A real video of ``frames`` 64×48 pictures at 10 a second, with a short silent audio
    track, and the given container metadata."""
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt, options=options or {}) as out:
        for k, v in (metadata or {}).items():
            out.metadata[k] = v
        video = out.add_stream(codec, rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        if handler:
            video.metadata["handler_name"] = handler
        audio = out.add_stream("aac", rate=8000)
        for i in range(frames):
            img = np.full((48, 64, 3), (i * 20) % 255, dtype=np.uint8)
            img[:, : 4 + i] = 255  # a moving bar: every picture differs
            for p in video.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in video.encode():
            out.mux(p)
        for i in range(8):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 8000, i * 1024
            for p in audio.encode(frame):
                out.mux(p)
        for p in audio.encode():
            out.mux(p)
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _qt_string(kind: bytes, text: str) -> bytes:
    # A QuickTime user-data text: a 16-bit length, a 16-bit language code, then the text.
    raw = text.encode("utf-8")
    return _box(kind, struct.pack(">HH", len(raw), 0x15C7) + raw)


def iphone_mp4() -> bytes:
    return encode(
        metadata={
            "com.apple.quicktime.location.ISO6709": ISO6709,
            "com.apple.quicktime.make": "Apple",
            "com.apple.quicktime.model": DEVICE,
            "com.apple.quicktime.software": "17.1",
            "location": ISO6709,
        },
        options={"movflags": "use_metadata_tags"},
        handler="Core Media Video",
    )


def xmp_box() -> bytes:
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        'exif:GPSLatitude="38,50.034N" exif:GPSLongitude="104,49.284W" '
        f'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Model="{DEVICE}"/></rdf:RDF>'
        "</x:xmpmeta>"
    )
    return _box(b"uuid", XMP_UUID + xmp.encode("utf-8"))


def android_mp4() -> bytes:
    data = encode()
    at = 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"moov":
            break
        at += size
    assert at + size == len(data), "moov is the last box of what FFmpeg writes"
    udta = _box(
        b"udta",
        _qt_string(b"\xa9xyz", ISO6709)
        + _qt_string(b"\xa9mak", "Google")
        + _qt_string(b"\xa9mod", "Pixel 8"),
    )
    moov = struct.pack(">I4s", size + len(udta), b"moov") + data[at + 8 :] + udta
    return data[:at] + moov + xmp_box()


def quicktime_mov() -> bytes:
    return encode("mov", metadata={"location": ISO6709, "make": "Apple", "model": DEVICE})


def packets(data: bytes) -> list[tuple[str, bytes]]:
    """The coded packets of a video (stream kind, bytes): what a re-encode would change."""
    with av.open(io.BytesIO(data)) as c:
        return [(p.stream.type, bytes(p)) for p in c.demux() if p.dts is not None]
