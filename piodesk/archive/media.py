"""Media files stored once, by SHA-256, under the data directory (content-addressed).

A file's name is its hash, so storing the same picture twice costs nothing and a changed
byte is found by recomputing the hash (``piodesk archive verify``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

MAX_MEDIA_BYTES = 512 * 1024 * 1024  # a long video; anything larger is refused, not truncated


class MediaTooLarge(ValueError):
    """A media file over the limit."""


class MediaStore:
    """Content-addressed files under ``root``: ``ab/cd/abcd…`` by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its SHA-256."""
        if len(data) > MAX_MEDIA_BYTES:
            raise MediaTooLarge(f"media file of {len(data)} bytes is over the limit")
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary name and rename: a crash never leaves a partial file under a hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def check(self, sha256: str) -> str | None:
        """None when the file is there and matches its hash; otherwise what is wrong."""
        path = self.path_for(sha256)
        if not path.is_file():
            return f"media file {sha256[:16]}… is missing"
        h = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != sha256:
            return f"media file {sha256[:16]}… does not match its hash (changed on disk)"
        return None
