"""What every export importer shares: opening an export safely, the importer contract, reports.

An agency bringing in its history hands piodesk whatever the platform gave it: a folder, the
.zip (or Mastodon's .tar.gz) as downloaded, or the one data file. ``open_source`` turns any of
these into an ``ExportSource`` that lists file names and reads one file at a time, under
limits, without ever extracting to disk:

* every member name is checked for path traversal (absolute paths, ``..``, drive letters);
* a ZIP's declared sizes, member count and per-member compression ratio are checked before
  anything is decompressed, and a member that inflates past its declared size is refused
  while reading (a ZIP bomb stops at the first check it fails);
* a tar's members are walked header by header and the running total of declared sizes is
  checked before the next member's data is touched;
* a data file must be valid UTF-8.

Validation before yielding, in bounded memory: data files are read as streams
(``jsonstream``), one item at a time, never whole. Opening an importer reads the WHOLE export
through once, mapping every entry and keeping only the count (and small per-file facts such as
whether a file needs its text repaired), so truncated JSON, a wrong format, broken text
encoding, nesting deeper than ``Limits.max_depth`` or an entry over ``Limits.max_item_bytes``
raise ``ExportFormatError`` before a single item is yielded; ``iter_items`` then reads the
export a second time and yields as it goes. Memory stays flat whatever the export's size.
"""

from __future__ import annotations

import fnmatch
import hashlib
import tarfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, ClassVar

from piodesk.connectors.jsonspans import JSONSpanError
from piodesk.connectors.jsonstream import (
    MAX_DEPTH,
    MAX_ITEM_BYTES,
    JSONLimitError,
    JSONStream,
    Piece,
    array_at,
    scalar_members,
)
from piodesk.connectors.model import CapturedItem, MediaRef, canonical_json


class ExportFormatError(Exception):
    """The file is not a usable export of the expected kind; the message says why."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Size guards for reading an export (defaults fit any real personal/page export)."""

    max_file_bytes: int = 512 * 1024 * 1024  # one data file, decompressed
    max_total_bytes: int = 8 * 1024 * 1024 * 1024  # all members, declared, decompressed
    max_members: int = 200_000
    max_ratio: float = 200.0  # decompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1024 * 1024  # small files compress absurdly well and harmlessly
    max_depth: int = MAX_DEPTH  # JSON nesting; real exports nest about ten levels
    max_item_bytes: int = MAX_ITEM_BYTES  # one entry (a tweet is a few kilobytes)


_BLOCK = 1 << 20


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            yield block


def _safe_name(name: str) -> str:
    """The member name as a relative POSIX path, or ExportFormatError for path traversal."""
    norm = name.replace("\\", "/")
    parts = PurePosixPath(norm).parts
    if (
        norm.startswith("/")
        or (len(norm) > 1 and norm[1] == ":")
        or ".." in parts
        or "\x00" in norm
    ):
        raise ExportFormatError(f"unsafe path in the archive (path traversal): {name!r}")
    return "/".join(p for p in parts if p not in ("", "."))


class ExportSource(ABC):
    """An opened export: file names relative to its root, and guarded reads."""

    def __init__(self, origin: Path, limits: Limits) -> None:
        self.origin = origin
        self.limits = limits

    @abstractmethod
    def names(self) -> list[str]:
        """Every regular file's relative name."""

    @abstractmethod
    def chunks(self, name: str) -> Iterator[bytes]:
        """One file's bytes as a stream of blocks (size-guarded as it goes)."""

    def _read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def read_bytes(self, name: str) -> bytes:
        """One file's bytes (size-guarded)."""
        return self._read(name)

    def head(self, name: str, size: int) -> bytes:
        """The first ``size`` bytes of a file (for telling formats apart)."""
        out = b""
        for block in self.chunks(name):
            out += block
            if len(out) >= size:
                break
        return out[:size]

    def json(self, name: str) -> JSONStream:
        """A data file as a JSON stream under this source's depth and entry-size limits."""
        return JSONStream(
            self.chunks(name),
            name.rsplit("/", 1)[-1],
            max_depth=self.limits.max_depth,
            max_item_bytes=self.limits.max_item_bytes,
        )

    def find(self, *patterns: str) -> list[str]:
        """Names whose file name matches one of the glob patterns, shallowest first."""
        hits = [
            n
            for n in self.names()
            if any(fnmatch.fnmatch(n.rsplit("/", 1)[-1], p) for p in patterns)
        ]
        return sorted(hits, key=lambda n: (n.count("/"), n))

    def close(self) -> None:  # noqa: B027 - folders and single files hold nothing open
        """Release the underlying file."""

    def __str__(self) -> str:
        return str(self.origin)


class _FileSource(ExportSource):
    def __init__(self, origin: Path, limits: Limits) -> None:
        super().__init__(origin, limits)
        size = origin.stat().st_size
        if size > limits.max_file_bytes:
            raise ExportFormatError(
                f"{origin.name} is {size} bytes, over the {limits.max_file_bytes}-byte limit"
            )

    def names(self) -> list[str]:
        return [self.origin.name]

    def chunks(self, name: str) -> Iterator[bytes]:
        if name != self.origin.name:
            raise KeyError(name)
        return _file_chunks(self.origin)


class _DirSource(ExportSource):
    def __init__(self, origin: Path, limits: Limits) -> None:
        super().__init__(origin, limits)
        root = origin.resolve()
        self._names: list[str] = []
        for p in sorted(origin.rglob("*")):
            if not p.is_file():
                continue
            # A symlink pointing outside the export is path traversal too.
            if not p.resolve().is_relative_to(root):
                raise ExportFormatError(f"unsafe path in the export (points outside it): {p}")
            self._names.append(p.relative_to(origin).as_posix())
            if len(self._names) > limits.max_members:
                raise ExportFormatError(f"the export has more than {limits.max_members} files")
        self._known = frozenset(self._names)

    def names(self) -> list[str]:
        return list(self._names)

    def chunks(self, name: str) -> Iterator[bytes]:
        if name not in self._known:
            raise KeyError(name)
        path = self.origin / name
        size = path.stat().st_size
        if size > self.limits.max_file_bytes:
            raise ExportFormatError(
                f"{name} is {size} bytes, over the {self.limits.max_file_bytes}-byte limit"
            )
        return _file_chunks(path)


class _ZipSource(ExportSource):
    def __init__(self, origin: Path, limits: Limits) -> None:
        super().__init__(origin, limits)
        try:
            self._zip = zipfile.ZipFile(origin)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExportFormatError(f"{origin.name} is not a readable ZIP file: {exc}") from None
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            raise ExportFormatError(
                f"the ZIP has {len(infos)} members, over the {limits.max_members} limit"
            )
        total = 0
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = _safe_name(info.filename)
            if info.is_dir():
                continue
            total += info.file_size
            if info.file_size > limits.max_file_bytes:
                raise ExportFormatError(
                    f"ZIP bomb refused: {info.filename} declares {info.file_size} bytes "
                    f"uncompressed, over the {limits.max_file_bytes}-byte limit"
                )
            if info.file_size > limits.ratio_floor:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise ExportFormatError(
                        f"ZIP bomb refused: {info.filename} compresses {ratio:.0f}:1, "
                        f"over the {limits.max_ratio:.0f}:1 limit"
                    )
            self._infos[name] = info
        if total > limits.max_total_bytes:
            raise ExportFormatError(
                f"ZIP bomb refused: members declare {total} bytes uncompressed in all, "
                f"over the {limits.max_total_bytes}-byte limit"
            )

    def names(self) -> list[str]:
        return list(self._infos)

    def chunks(self, name: str) -> Iterator[bytes]:
        return self._chunks(self._infos[name])

    def _chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        # Read no more than declared (+1 to notice a lie): the declared size was checked.
        done = 0
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(min(_BLOCK, info.file_size + 1 - done)):
                    done += len(chunk)
                    if done > info.file_size:
                        raise ExportFormatError(
                            f"ZIP bomb refused: {info.filename} inflates past its declared "
                            f"{info.file_size} bytes"
                        )
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ExportFormatError(f"{info.filename} in the ZIP is damaged: {exc}") from None
        except RuntimeError as exc:  # zipfile's "password required"
            raise ExportFormatError(f"{info.filename} in the ZIP cannot be read: {exc}") from None
        except NotImplementedError as exc:  # e.g. Deflate64 from Windows' own zipper
            raise ExportFormatError(
                f"{info.filename} uses a compression piodesk cannot read: {exc}"
            ) from None

    def close(self) -> None:
        self._zip.close()


class _TarSource(ExportSource):
    def __init__(self, origin: Path, limits: Limits) -> None:
        super().__init__(origin, limits)
        try:
            self._tar = tarfile.open(origin, "r:*")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError) as exc:
            raise ExportFormatError(f"{origin.name} is not a readable tar archive: {exc}") from None
        compressed = max(origin.stat().st_size, 1)
        self._members: dict[str, tarfile.TarInfo] = {}
        total = 0
        count = 0
        try:
            while (member := self._tar.next()) is not None:
                count += 1
                if count > limits.max_members:
                    raise ExportFormatError(
                        f"the archive has more than {limits.max_members} members"
                    )
                name = _safe_name(member.name)
                if not member.isfile():
                    # Links and devices are never data; a link could point anywhere.
                    continue
                if member.size > limits.max_file_bytes:
                    raise ExportFormatError(
                        f"archive bomb refused: {member.name} declares {member.size} bytes, "
                        f"over the {limits.max_file_bytes}-byte limit"
                    )
                total += member.size
                if total > limits.max_total_bytes or (
                    total > limits.ratio_floor and total / compressed > limits.max_ratio
                ):
                    raise ExportFormatError(
                        f"archive bomb refused: members declare {total} bytes from a "
                        f"{compressed}-byte file"
                    )
                self._members[name] = member
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ExportFormatError(f"{origin.name} is a damaged tar archive: {exc}") from None

    def names(self) -> list[str]:
        return list(self._members)

    def chunks(self, name: str) -> Iterator[bytes]:
        member = self._members[name]
        fh = self._tar.extractfile(member)
        if fh is None:
            raise KeyError(name)
        return self._chunks(member, fh)

    def _chunks(self, member: tarfile.TarInfo, fh: IO[bytes]) -> Iterator[bytes]:
        done = 0
        try:
            with fh:
                while chunk := fh.read(min(_BLOCK, member.size + 1 - done)):
                    done += len(chunk)
                    yield chunk
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ExportFormatError(f"{member.name} in the archive is damaged: {exc}") from None
        if done != member.size:
            raise ExportFormatError(f"{member.name} in the archive is damaged (size mismatch)")

    def close(self) -> None:
        self._tar.close()


def open_source(path: str | Path, limits: Limits | None = None) -> ExportSource:
    """Open a folder, a .zip, a .tar(.gz) or a single data file as an export."""
    limits = limits or Limits()
    origin = Path(path)
    if not origin.exists():
        raise ExportFormatError(f"{origin} does not exist")
    if origin.is_dir():
        return _DirSource(origin, limits)
    if zipfile.is_zipfile(origin):
        return _ZipSource(origin, limits)
    lower = origin.name.lower()
    # By name, or by content for a download saved without its extension.
    if lower.endswith((".tar", ".tar.gz", ".tgz")) or (
        not lower.endswith((".js", ".json")) and tarfile.is_tarfile(origin)
    ):
        return _TarSource(origin, limits)
    return _FileSource(origin, limits)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One item from an export and its stable position (pass it back to resume)."""

    position: str
    item: CapturedItem


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An export entry not imported, and why."""

    position: str
    reason: str


@dataclass
class ImportReport:
    """What one run of ``iter_items`` took and skipped."""

    taken: int = 0
    skipped: list[SkippedEntry] = field(default_factory=list)
    resumed_after: str | None = None

    def summary(self) -> str:
        """One line for the CLI and the import page."""
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        detail = "; ".join(f"{n} × {r}" for r, n in sorted(reasons.items()))
        return f"took {self.taken}, skipped {len(self.skipped)}" + (
            f" ({detail})" if detail else ""
        )


@dataclass(frozen=True, slots=True)
class _Entry:
    position: str
    item: CapturedItem | None
    skip_reason: str | None = None


class Importer(ABC):
    """Reads one platform's data export into captured items.

    ``open(path)`` validates the whole export (see the module docstring) and raises
    ``ExportFormatError`` if anything is wrong; ``iter_items`` then yields lazily.
    """

    platform: ClassVar[str]
    #: How the format is named in messages: "this is not {label}: …".
    label: ClassVar[str]

    def __init__(self, source: ExportSource, *, page_platform_id: str | None = None) -> None:
        self.source = source
        self.page_platform_id = page_platform_id
        self.report = ImportReport()
        self._media_index: dict[str, str] | None = None
        # The first read: everything is parsed and mapped, only the count is kept.
        self._total = sum(1 for _ in self._read_entries())

    def _read_entries(self) -> Iterator[_Entry]:
        """``_load`` with the JSON reader's errors said as the importer's."""
        try:
            yield from self._load()
        except JSONLimitError as exc:
            raise ExportFormatError(f"{self.source} refused: {exc}") from None
        except JSONSpanError as exc:
            raise ExportFormatError(f"{self.label} in {self.source} is damaged: {exc}") from None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        limits: Limits | None = None,
        page_platform_id: str | None = None,
    ) -> Importer:
        """Open and validate an export of this platform (folder, archive or single file)."""
        source = open_source(path, limits)
        try:
            why_not = cls.sniff(source)
            if why_not:
                raise ExportFormatError(f"this is not {cls.label}: {why_not}")
            return cls(source, page_platform_id=page_platform_id)
        except BaseException:
            source.close()
            raise

    @classmethod
    @abstractmethod
    def sniff(cls, source: ExportSource) -> str | None:
        """None if the source looks like this format; otherwise the reason it does not."""

    @abstractmethod
    def _load(self) -> Iterable[_Entry]:
        """Parse and map every entry, streaming, in a fixed order (called once per read)."""

    @property
    def total(self) -> int:
        """How many entries the export holds (for a progress bar)."""
        return self._total

    def iter_items(self, start_after: str | None = None) -> Iterator[ImportRecord]:
        """Yield the items in a fixed order, after position ``start_after`` if given."""
        self.report = ImportReport(resumed_after=start_after)
        skipping = start_after is not None
        for entry in self._read_entries():
            if skipping:
                skipping = entry.position != start_after
                continue
            if entry.item is None:
                self.report.skipped.append(SkippedEntry(entry.position, entry.skip_reason or ""))
                continue
            self.report.taken += 1
            yield ImportRecord(entry.position, entry.item)
        if skipping:
            raise ExportFormatError(f"resume position {start_after!r} is not in this {self.label}")

    def read_media(self, ref: MediaRef) -> bytes | None:
        """The bytes of an item's media file from the export, or None if it is not in it.

        ``ref.path`` is relative to the export's root; a download that unpacks into one
        top folder (``twitter-2022-11-14/data/…``) is found too. Size limits apply.
        """
        if not ref.path:
            return None
        wanted = _safe_name(ref.path)
        candidates = [wanted]
        # Mastodon's outbox may put the storage bucket in front of "media_attachments/…",
        # while the archive holds the file under "media_attachments/…".
        if "/media_attachments/" in "/" + wanted:
            candidates.append(wanted[wanted.index("media_attachments/") :])
        index = self._media_files()
        for want in candidates:
            if want in index:
                return self.source.read_bytes(index[want])
        return None

    def _media_files(self) -> dict[str, str]:
        """Each file by its name and by every tail of it after a "/" (the first file wins)."""
        if self._media_index is None:
            # Built once: an export may hold tens of thousands of media files.
            self._media_index = {}
            for name in self.source.names():
                parts = name.split("/")
                for i in range(len(parts)):
                    self._media_index.setdefault("/".join(parts[i:]), name)
        return self._media_index

    def close(self) -> None:
        """Release the export file."""
        self.source.close()

    def __enter__(self) -> Importer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- helpers shared by importers -------------------------------------------------------------


class _MojibakeError(ValueError):
    pass


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


class MojibakeCheck:
    """Decide for a whole file whether its text is Meta's mojibake (see ``repair_mojibake``).

    Meta's exports write each UTF-8 byte as a ``\\u00XX`` escape, so a mojibake file has no
    character above U+00FF and its non-ASCII strings decode as UTF-8 once re-encoded as
    Latin-1. A file with real characters above U+00FF is already correct (left alone). A file
    where some strings repair and others cannot is broken: ``ExportFormatError``. Values are
    fed one at a time (``add``) so a file is judged without holding it.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.fixable = 0
        self.first_bad: str | None = None
        self.real_unicode = False

    def add(self, value: Any) -> None:
        """Look at one entry's strings."""
        if self.real_unicode:
            return
        for s in _strings(value):
            if s.isascii():
                continue
            try:
                s.encode("latin-1").decode("utf-8")
            except UnicodeEncodeError:
                self.real_unicode = True  # real Unicode beyond Latin-1: not mojibake
                return
            except UnicodeDecodeError:
                self.first_bad = self.first_bad or s
                continue
            self.fixable += 1

    def verdict(self) -> bool:
        """True if the file needs repair; ExportFormatError if it is half broken."""
        if self.real_unicode:
            return False
        if self.fixable and self.first_bad is not None:
            raise ExportFormatError(
                f"broken text encoding in {self.where}: {self.first_bad[:40]!r} is neither "
                "UTF-8 nor Meta's escaped UTF-8"
            )
        return self.fixable > 0


def repair_mojibake(value: Any) -> Any:
    """``s.encode('latin-1').decode('utf-8')`` on every string of a JSON value."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("latin-1").decode("utf-8")
    if isinstance(value, Mapping):
        return {repair_mojibake(k): repair_mojibake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair_mojibake(v) for v in value]
    return value


def entry_list(source: ExportSource, name: str, label: str) -> Iterator[Piece]:
    """The entries of a Meta data file: a JSON list, or an object wrapping exactly one list.

    Some layouts wrap the list (``{"status_updates_v2": [...]}``); the object is walked once
    to find its lists before the one list is streamed.
    """
    stream = source.json(name)
    if stream.peek() != "{":
        yield from stream.array()
        stream.end()
        return
    _, lists = scalar_members(stream)
    if len(lists) != 1:
        raise ExportFormatError(f"this is not {label}: {name} has not exactly one list of entries")
    stream = source.json(name)
    yield from array_at(stream, *lists[0])
    stream.end()


def content_id(prefix: str, value: Any, seen: dict[str, int]) -> str:
    """A synthetic platform id for an export entry without one: prefix + hash of its content.

    A second identical entry in the same export gets ``~2`` (and so on) so both are kept.
    """
    base = f"{prefix}{hashlib.sha256(canonical_json(value)).hexdigest()[:32]}"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}~{seen[base]}"


def position(name: str, index: int) -> str:
    """The stable position of entry ``index`` of file ``name``."""
    return f"{name.rsplit('/', 1)[-1]}#{index:06d}"
