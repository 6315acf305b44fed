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

Validation before yielding: an importer parses and maps the WHOLE export when it is opened,
so truncated JSON, a wrong format or broken text encoding raise ``ExportFormatError`` before
a single item is yielded; ``iter_items`` then yields from the validated entries. Exports are
small (megabytes), and the size limits keep them that way.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import tarfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from piodesk.connectors.jsonspans import JSONSpanError
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
    def _read(self, name: str) -> bytes: ...

    def read_bytes(self, name: str) -> bytes:
        """One file's bytes (size-guarded)."""
        return self._read(name)

    def read_text(self, name: str) -> str:
        """One file as text; it must be UTF-8 (a leading byte-order mark is dropped)."""
        data = self._read(name)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExportFormatError(
                f"broken text encoding in {name}: byte {exc.start} is not valid UTF-8"
            ) from None

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

    def _read(self, name: str) -> bytes:
        if name != self.origin.name:
            raise KeyError(name)
        return self.origin.read_bytes()


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

    def names(self) -> list[str]:
        return list(self._names)

    def _read(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        path = self.origin / name
        size = path.stat().st_size
        if size > self.limits.max_file_bytes:
            raise ExportFormatError(
                f"{name} is {size} bytes, over the {self.limits.max_file_bytes}-byte limit"
            )
        return path.read_bytes()


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

    def _read(self, name: str) -> bytes:
        info = self._infos[name]
        out = io.BytesIO()
        # Read no more than declared (+1 to notice a lie): the declared size was checked.
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(min(1 << 20, info.file_size + 1 - out.tell())):
                    out.write(chunk)
                    if out.tell() > info.file_size:
                        raise ExportFormatError(
                            f"ZIP bomb refused: {info.filename} inflates past its declared "
                            f"{info.file_size} bytes"
                        )
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ExportFormatError(f"{info.filename} in the ZIP is damaged: {exc}") from None
        except RuntimeError as exc:  # zipfile's "password required"
            raise ExportFormatError(f"{info.filename} in the ZIP cannot be read: {exc}") from None
        except NotImplementedError as exc:  # e.g. Deflate64 from Windows' own zipper
            raise ExportFormatError(
                f"{info.filename} uses a compression piodesk cannot read: {exc}"
            ) from None
        return out.getvalue()

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

    def _read(self, name: str) -> bytes:
        member = self._members[name]
        fh = self._tar.extractfile(member)
        if fh is None:
            raise KeyError(name)
        with fh:
            data = fh.read(member.size + 1)
        if len(data) != member.size:
            raise ExportFormatError(f"{member.name} in the archive is damaged (size mismatch)")
        return data

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
        try:
            self._entries: list[_Entry] = list(self._load())
        except JSONSpanError as exc:
            raise ExportFormatError(f"{self.label} in {source} is damaged: {exc}") from None
        positions = [e.position for e in self._entries]
        if len(set(positions)) != len(positions):  # pragma: no cover - a programming error
            raise AssertionError("importer produced duplicate positions")

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
        """Parse and map every entry (called once, before anything is yielded)."""

    @property
    def total(self) -> int:
        """How many entries the export holds (for a progress bar)."""
        return len(self._entries)

    def iter_items(self, start_after: str | None = None) -> Iterator[ImportRecord]:
        """Yield the items in a fixed order, after position ``start_after`` if given."""
        self.report = ImportReport(resumed_after=start_after)
        start = 0
        if start_after is not None:
            for i, entry in enumerate(self._entries):
                if entry.position == start_after:
                    start = i + 1
                    break
            else:
                raise ExportFormatError(
                    f"resume position {start_after!r} is not in this {self.label}"
                )
        for entry in self._entries[start:]:
            if entry.item is None:
                self.report.skipped.append(SkippedEntry(entry.position, entry.skip_reason or ""))
                continue
            self.report.taken += 1
            yield ImportRecord(entry.position, entry.item)

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
        names = self.source.names()
        for want in candidates:
            for name in names:
                if name == want or name.endswith("/" + want):
                    return self.source.read_bytes(name)
        return None

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


def needs_mojibake_repair(values: Iterable[Any], where: str) -> bool:
    """Decide for a whole file whether its text is Meta's mojibake (see ``repair_mojibake``).

    Meta's exports write each UTF-8 byte as a ``\\u00XX`` escape, so a mojibake file has no
    character above U+00FF and its non-ASCII strings decode as UTF-8 once re-encoded as
    Latin-1. A file with real characters above U+00FF is already correct (left alone). A file
    where some strings repair and others cannot is broken: ``ExportFormatError``.
    """
    fixable = 0
    first_bad: str | None = None
    for s in (s for v in values for s in _strings(v)):
        if s.isascii():
            continue
        try:
            s.encode("latin-1").decode("utf-8")
        except UnicodeEncodeError:
            return False  # real Unicode beyond Latin-1: this file is not mojibake
        except UnicodeDecodeError:
            first_bad = first_bad or s
            continue
        fixable += 1
    if fixable and first_bad is not None:
        raise ExportFormatError(
            f"broken text encoding in {where}: {first_bad[:40]!r} is neither UTF-8 nor "
            "Meta's escaped UTF-8"
        )
    return fixable > 0


def repair_mojibake(value: Any) -> Any:
    """``s.encode('latin-1').decode('utf-8')`` on every string of a JSON value."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("latin-1").decode("utf-8")
    if isinstance(value, Mapping):
        return {repair_mojibake(k): repair_mojibake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair_mojibake(v) for v in value]
    return value


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
