"""Make a production: gather the records in scope and write one signed, self-checking ZIP.

What the ZIP holds (every file listed with its SHA-256 and size in ``manifest.json``, which is
signed with the agency's key in ``manifest.sig``; see ``verify`` and README.txt inside):

- ``records.html`` and ``records.pdf``: every record with all its versions, its thread and its
  moderation history (Bates number on every PDF page);
- ``records.csv``: one row per version; ``native/records.jsonl``: one JSON record per line with
  every version, its fields and its raw payload (base64) exactly as captured;
- ``media/``: the media files; ``captures.warc.gz``: the raw captures as WARC 1.1 records;
- ``text/BATES.txt``, ``loadfile.dat`` (Concordance) and ``images.opt`` (Opticon, when there
  are page images) with Bates numbers;
- ``custody.json``: the chain-of-custody record; ``certificate.txt``: the records custodian's
  certificate in the manner of FRE 902(14), listing every file's hash;
- ``redaction_log.csv`` and ``privilege_log.csv``; ``checkpoint.json``: the latest signed
  checkpoint the manifest is tied to.

Request mode applies the confirmed redactions to the renderings and exports (never to the
archive) and withholds the raw payload, fields and WARC record of a redacted version (they hold
the redacted text). Subpoena mode produces everything in scope, every version, no redaction.
Counsel's advice on moderation cases is privileged: it goes on the privilege log, not in the ZIP.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import json
import shutil
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveVersion
from piodesk.core import audit, chain, checkpoints, clock, signing, tags, timestamps
from piodesk.core.config import Settings
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.tables import Advice, Block, Case, Consultation, Decision, Warning_
from piodesk.records import redaction
from piodesk.records.productions import formats, render
from piodesk.records.productions.formats import AppliedRedaction, Bates, PageImage
from piodesk.records.tables import ArchiveTombstone, Production

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
KIND = "piodesk production manifest"
FORMAT = 1
MODES = ("request", "subpoena")
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
MAX_RECORDS = 1_000_000
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/tiff": "tif"}

#: Told how many records are done out of how many.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Made:
    """A production made: its number, where the ZIP is, and its hash."""

    id: int
    path: Path
    zip_sha256: str
    records: int
    versions: int
    bates_first: str
    bates_last: str


def _iso(value: datetime | None) -> str | None:
    return None if value is None else clock.as_utc(value).isoformat(timespec="microseconds")


def production_dir(settings: Settings) -> Path:
    """Where the ZIPs are kept."""
    return settings.data_dir / "productions"


def review_set_ids(session: Session, request_id: int) -> list[int]:
    """A request's review set, from the requests module (when it is installed)."""
    for name in ("piodesk.records.requests.queries", "piodesk.records.requests"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        fn = getattr(module, "review_set_item_ids", None)
        if fn is not None:
            return list(fn(session, request_id))
    raise InvalidInput(f"request {request_id}: open-records requests are not installed here")


def _scope(
    session: Session,
    item_ids: Iterable[int],
    request_id: int | None,
    hold_id: int | None = None,
    query: SearchQuery | None = None,
) -> list[int]:
    """The records in scope: the ids given, else a request's review set, a hold's records or
    what a search finds (every page of it)."""
    ids = sorted({int(i) for i in item_ids})
    if not ids and hold_id is not None:
        from piodesk.records import holds

        ids = holds.items_of(session, hold_id)
    if not ids and query is not None:
        matched: set[int] = set()
        offset = 0
        while len(matched) <= MAX_RECORDS:
            hits = search(session, replace(query, limit=500, offset=offset))
            matched.update(h.item.id for h in hits)
            if len(hits) < 500:
                break
            offset += 500
        ids = sorted(matched)
    if not ids and request_id is not None:
        ids = sorted(set(review_set_ids(session, request_id)))
    if not ids:
        raise InvalidInput("a production needs at least one record in scope")
    if len(ids) > MAX_RECORDS:
        raise InvalidInput(f"a production holds at most {MAX_RECORDS:,} records")
    found: set[int] = set()
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        found.update(
            session.execute(select(ArchiveItem.id).where(ArchiveItem.id.in_(part))).scalars()
        )
    missing = [i for i in ids if i not in found]
    if missing:
        shown = ", ".join(str(i) for i in missing[:10])
        raise NotFound(f"no archive record {shown}" + (" …" if len(missing) > 10 else ""))
    return ids


class _Hashing:
    """A file being written, with its SHA-256 and size kept as it grows."""

    def __init__(self, path: Path, mode: str = "wb") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.f: IO[bytes] = path.open("wb")

    def write(self, data: bytes | str) -> None:
        self.f.write(data.encode() if isinstance(data, str) else data)

    def close(self) -> None:
        self.f.close()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _moderation(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Each record's moderation history, and its privileged entries (counsel's advice)."""
    history: dict[int, list[dict[str, Any]]] = {}
    privileged: dict[int, list[dict[str, Any]]] = {}
    cases = session.execute(select(Case).where(Case.item_id.in_(ids))).scalars().all()
    if not cases:
        return history, privileged
    by_case = {c.id: c for c in cases}
    case_ids = list(by_case)

    def add(case_id: int, at: datetime | None, summary: str) -> None:
        item = by_case[case_id].item_id
        if item is not None:
            history.setdefault(item, []).append({"at": _iso(at), "summary": summary})

    for c in cases:
        add(c.id, c.opened_at, f"{_iso(c.opened_at)}: case {c.id} opened ({c.source})")
    for d in session.execute(select(Decision).where(Decision.case_id.in_(case_ids))).scalars():
        add(
            d.case_id,
            d.decided_at,
            f"{_iso(d.decided_at)}: {d.actor_name} decided {d.action} ({d.reason}): {d.note}"
            + (f"; platform: {d.platform_effect}" if d.platform_effect else ""),
        )
    for w in session.execute(select(Warning_).where(Warning_.case_id.in_(case_ids))).scalars():
        if w.case_id is not None:
            add(
                w.case_id,
                w.warned_at,
                f"{_iso(w.warned_at)}: {w.actor_name} warned the "
                f"author ({w.category}): {w.explanation}",
            )
    for b in session.execute(select(Block).where(Block.case_id.in_(case_ids))).scalars():
        if b.case_id is not None:
            add(
                b.case_id,
                b.blocked_at,
                f"{_iso(b.blocked_at)}: {b.actor_name} blocked the "
                f"author ({b.category}): {b.reason}",
            )
    consults = (
        session.execute(select(Consultation).where(Consultation.case_id.in_(case_ids)))
        .scalars()
        .all()
    )
    advice: dict[int, list[Advice]] = {}
    if consults:
        for a in session.execute(
            select(Advice).where(Advice.consultation_id.in_([c.id for c in consults]))
        ).scalars():
            advice.setdefault(a.consultation_id, []).append(a)
    for q in consults:
        item = by_case[q.case_id].item_id
        if item is None:
            continue
        privileged.setdefault(item, []).append(
            {
                "date": _iso(q.asked_at),
                "from": q.asked_by_name,
                "to": "legal counsel",
                "type": "request for legal advice",
                "case_id": q.case_id,
                "entry": f"consultation {q.id}",
            }
        )
        for a in advice.get(q.id, []):
            privileged[item].append(
                {
                    "date": _iso(a.advised_at),
                    "from": a.advised_by_name,
                    "to": q.asked_by_name,
                    "type": "legal advice",
                    "case_id": q.case_id,
                    "entry": f"advice {a.id}",
                }
            )
        add(
            q.case_id,
            q.asked_at,
            f"{_iso(q.asked_at)}: legal counsel consulted (privileged; on the privilege log)",
        )
    for entries in history.values():
        entries.sort(key=lambda e: e["at"] or "")
    return history, privileged


@dataclass
class _Out:
    """The production's files: the large ones streamed to a temporary folder, the small ones
    (a text file per record, logs, certificate) kept in memory; each hashed once."""

    root: Path
    small: dict[str, bytes] = field(default_factory=dict)
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        p = self.root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def put(self, name: str, data: bytes | str) -> None:
        body = data.encode() if isinstance(data, str) else data
        self.small[name] = body
        self.hashes[name] = (hashlib.sha256(body).hexdigest(), len(body))

    def digest(self, name: str) -> tuple[str, int]:
        if name not in self.hashes:
            path = self.root / name
            self.hashes[name] = (_sha256_file(path), path.stat().st_size)
        return self.hashes[name]


def _warc_writer(f: IO[bytes]) -> Any:
    from warcio.warcwriter import WARCWriter

    return WARCWriter(f, gzip=True, warc_version="WARC/1.1")


def make_production(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    settings: Settings,
    item_ids: Iterable[int] = (),
    request_id: int | None = None,
    mode: str = "request",
    title: str = "",
    progress: Progress | None = None,
    batch: int = 500,
    hold_id: int | None = None,
    query: SearchQuery | None = None,
) -> Made:
    """Make one production of ``item_ids`` (or request ``request_id``'s review set, a hold's
    records, or what ``query`` finds)."""
    if mode not in MODES:
        raise InvalidInput(f"unknown production mode {mode[:20]!r} (request or subpoena)")
    require(actor, Perm.ARCHIVE_VIEW)
    require(actor, Perm.PRODUCTION_SUBPOENA if mode == "subpoena" else Perm.PRODUCTION_MAKE)
    key = signing.load_key(settings.signing_key_path)
    media = MediaStore(settings.data_dir / "media")
    target_dir = production_dir(settings)
    target_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="production-", dir=target_dir))
    final: Path | None = None
    try:
        # Read and write the files without holding a write transaction (on SQLite that would
        # stop ingestion for the whole production); then record it in a short one.
        with reading(sessions) as session:
            ids = _scope(session, item_ids, request_id, hold_id, query)
            number = (session.execute(select(func.max(Production.id))).scalar() or 0) + 1
            made_at = clock.now()
            out = _Out(work)
            files, summary = _write_files(
                session,
                out,
                ids=ids,
                number=number,
                mode=mode,
                request_id=request_id,
                title=title or f"Production {number}",
                actor=actor,
                settings=settings,
                media=media,
                made_at=made_at,
                progress=progress,
                batch=batch,
            )
            manifest = _manifest(out, files, summary, number, made_at, key, settings)
            final = target_dir / f"production-{number:04d}.zip"
            tmp_zip = work / "out.zip"
            _zip(out, [*files, MANIFEST, SIGNATURE], tmp_zip)
            zip_sha = _sha256_file(tmp_zip)
        with transaction(sessions) as session:
            if session.get(Production, number) is not None:
                raise Conflict(
                    f"another production took number {number} meanwhile; make this one again"
                )
            row = Production(
                id=number,
                mode=mode,
                request_id=request_id,
                item_ids=ids,
                bates_first=summary["bates_first"],
                bates_last=summary["bates_last"],
                records=summary["records"],
                versions=summary["versions"],
                file_name=final.name,
                zip_sha256=zip_sha,
                manifest_sha256=hashlib.sha256(manifest).hexdigest(),
                made_by=actor.account_id,
                made_by_name=actor.display_name,
                made_at=made_at,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                tags.Records.PRODUCTION_MAKE,
                "production",
                number,
                reason=f"{mode} production of {len(ids)} records"
                + (f" for request {request_id}" if request_id is not None else ""),
                section="§.40",
                data={
                    "mode": mode,
                    "request_id": request_id,
                    "records": summary["records"],
                    "versions": summary["versions"],
                    "zip_sha256": zip_sha,
                    "manifest_sha256": row.manifest_sha256,
                    "bates": [summary["bates_first"], summary["bates_last"]],
                },
            )
            if final.exists():
                raise InvalidInput(f"{final} already exists; it is never overwritten")
            tmp_zip.replace(final)
        return Made(
            number,
            final,
            zip_sha,
            summary["records"],
            summary["versions"],
            summary["bates_first"],
            summary["bates_last"],
        )
    except BaseException:
        if final is not None and final.exists() and not (work / "out.zip").exists():
            # The transaction failed after the ZIP was moved into place: nothing half-written.
            final.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_files(
    session: Session,
    out: _Out,
    *,
    ids: list[int],
    number: int,
    mode: str,
    request_id: int | None,
    title: str,
    actor: Actor,
    settings: Settings,
    media: MediaStore,
    made_at: datetime,
    progress: Progress | None,
    batch: int,
) -> tuple[list[str], dict[str, Any]]:
    bates = Bates(settings.agency_short_name, number)
    pdf = render.PdfRendering(title)
    html_f = out.path("records.html").open("w", encoding="utf-8")
    html_f.write(
        render.HTML_HEAD.format(
            title=title,
            intro=f"{settings.agency_name} — {mode} production {number}, made {_iso(made_at)}. "
            "Every version of every record; the native JSON and WARC hold the exact captures.",
        )
    )
    csv_f = out.path("records.csv").open("w", encoding="utf-8", newline="")
    csv_header = (
        "bates_begin",
        "bates_end",
        "record_id",
        "platform",
        "kind",
        "platform_id",
        "parent_id",
        "author",
        "author_id",
        "created_at",
        "version",
        "captured_at",
        "state",
        "text",
        "redacted",
        "destroyed",
        "version_hash",
        "raw_sha256",
    )
    csv_rows = csv.writer(csv_f, lineterminator="\r\n")
    csv_rows.writerow(csv_header)
    jsonl = out.path("native/records.jsonl").open("wb")
    dat = out.path("loadfile.dat").open("w", encoding="utf-8", newline="")
    dat.write("\ufeff" + formats.dat_line(formats.DAT_FIELDS))
    warc_f = out.path("captures.warc.gz").open("wb")
    warc = _warc_writer(warc_f)
    warc.write_record(
        warc.create_warcinfo_record(
            f"production-{number:04d}.warc.gz",
            {
                "software": "piodesk",
                "format": "WARC File Format 1.1",
                "description": f"{settings.agency_name} {mode} production {number}",
            },
        )
    )
    images: list[PageImage] = []
    redaction_rows: list[list[object]] = []
    privilege_rows: list[list[object]] = []
    custody_records: list[dict[str, Any]] = []
    media_written: set[str] = set()
    per_record: list[str] = []
    versions_total = 0
    subpoena = mode == "subpoena"

    # Threads: which records of the production reply to which.
    keys: dict[tuple[str, str], int] = {}
    parents: dict[int, tuple[str, str | None]] = {}
    for part in _batches(ids, 1000):
        for r in session.execute(
            select(
                ArchiveItem.id,
                ArchiveItem.platform,
                ArchiveItem.platform_id,
                ArchiveItem.parent_platform_id,
            ).where(ArchiveItem.id.in_(part))
        ):
            keys[(r.platform, r.platform_id)] = r.id
            parents[r.id] = (r.platform, r.parent_platform_id)
    replies: dict[int, list[int]] = {}
    for item_id, (platform, parent) in parents.items():
        if parent is not None and (platform, parent) in keys:
            replies.setdefault(keys[(platform, parent)], []).append(item_id)

    done = 0
    for part in _batches(ids, batch):
        # Plain rows, not ORM objects (their bookkeeping is not needed to read).
        items = {
            i.id: i
            for i in session.execute(
                select(*ArchiveItem.__table__.c).where(ArchiveItem.id.in_(part))
            )
        }
        versions: dict[int, list[Any]] = {}
        for v in session.execute(
            select(*ArchiveVersion.__table__.c)
            .where(ArchiveVersion.item_id.in_(part))
            .order_by(ArchiveVersion.item_id, ArchiveVersion.version)
        ):
            versions.setdefault(v.item_id, []).append(v)
        destroyed = set(
            session.execute(
                select(ArchiveTombstone.seq).where(ArchiveTombstone.item_id.in_(part))
            ).scalars()
        )
        history, privileged = _moderation(session, part)
        redactions: dict[int, list[AppliedRedaction]] = (
            {} if subpoena else redaction.confirmed(session, part, request_id)
        )
        for item_id in part:
            item = items[item_id]
            record = _record(
                item,
                versions.get(item_id, []),
                destroyed,
                redactions,
                history,
                privileged,
                parents,
                keys,
                replies,
                subpoena,
            )
            versions_total += len(record["versions"])
            # Bates: the PDF pages first, then one number per page image (media image).
            first_n = bates.next
            pages = pdf.add(record, first_n, bates.format)
            # Each distinct image of the record (across its versions) is one page image.
            seen_images: dict[str, dict[str, Any]] = {}
            for v in record["versions"]:
                for m in v["media"]:
                    if m.get("sha256") and m.get("mime_type") in IMAGE_TYPES and not v["destroyed"]:
                        seen_images.setdefault(m["sha256"], m)
            record_images = list(seen_images.values())
            first, last = bates.take(pages + len(record_images))
            record["bates_begin"], record["bates_end"] = first, last
            record["page_count"] = pages + len(record_images)
            for k, m in enumerate(record_images):
                n = first_n + pages + k
                name = f"images/{bates.format(n)}.{IMAGE_TYPES[m['mime_type']]}"
                _copy_media(media, m["sha256"], out.path(name))
                images.append(PageImage(bates.format(n), name, k == 0, len(record_images)))
            for v in record["versions"]:
                for m in v["media"]:
                    sha = m.get("sha256")
                    if (
                        sha
                        and sha not in media_written
                        and not v["destroyed"]
                        and _copy_media(media, sha, out.path(f"media/{sha}"))
                    ):
                        media_written.add(sha)
                    if sha in media_written:
                        m["path_in_production"] = f"media/{sha}"
            html_f.write(render.html_record(record))
            line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
            jsonl.write(line)
            text_name = f"text/{first}.txt"
            out.put(text_name, _plain(record))
            dat.write(formats.dat_line(_dat_values(record, settings, line, text_name)))
            for v in record["versions"]:
                csv_rows.writerow(["" if x is None else x for x in _csv_row(record, v)])
                for r in v["redactions"]:
                    redaction_rows.append(
                        [
                            r["redaction_id"],
                            first,
                            item_id,
                            v["version"],
                            v["seq"],
                            r["start"],
                            r["end"],
                            r["exemption"],
                            formats.exemption_label(r["exemption"]),
                            "raw payload, fields and WARC record withheld",
                        ]
                    )
                if v["raw_b64"] is not None:
                    _warc_record(warc_f, record, v)
            for p in record["privileged"]:
                privilege_rows.append(
                    [
                        first,
                        item_id,
                        p["date"],
                        p["from"],
                        p["to"],
                        p["type"],
                        f"case {p['case_id']}, {p['entry']}",
                        "attorney-client privilege; attorney work product",
                    ]
                )
            custody_records.append(
                {
                    "record": item_id,
                    "bates": [first, last],
                    "versions": [[v["seq"], v["hash"]] for v in record["versions"]],
                }
            )
            per_record.append(text_name)
        session.expunge_all()
        done += len(part)
        if progress is not None:
            progress(done, len(ids))

    html_f.write("</body></html>\n")
    for f in (html_f, csv_f, jsonl, dat, warc_f):
        f.close()
    out.path("records.pdf").write_bytes(pdf.output())
    names = [
        "records.html",
        "records.pdf",
        "records.csv",
        "native/records.jsonl",
        "captures.warc.gz",
        "loadfile.dat",
    ]
    if images:
        out.put("images.opt", formats.opt_lines(images, f"VOL{number:04d}"))
        names.append("images.opt")
    out.put(
        "redaction_log.csv",
        formats.csv_text(
            (
                "redaction_id",
                "bates",
                "record_id",
                "version",
                "version_seq",
                "start",
                "end",
                "exemption",
                "exemption_text",
                "also",
            ),
            redaction_rows,
        ),
    )
    out.put(
        "privilege_log.csv",
        formats.csv_text(
            ("bates", "record_id", "date", "author", "recipient", "type", "entry", "privilege"),
            privilege_rows,
        ),
    )
    names += ["redaction_log.csv", "privilege_log.csv"]
    latest = checkpoints.latest(session)
    if latest is not None:
        out.put("checkpoint.json", latest.line() + "\n")
        names.append("checkpoint.json")
    head = chain.stored_head(session, ArchiveHead) or chain.START
    summary: dict[str, Any] = {
        "records": len(ids),
        "versions": versions_total,
        "bates_first": bates.format(1),
        "bates_last": bates.format(bates.next - 1),
        "mode": mode,
        "request_id": request_id,
        "redactions": len(redaction_rows),
        "privileged": len(privilege_rows),
        "archive_head": {"count": head.count, "head": head.hash},
        "checkpoint": None
        if latest is None
        else {
            "seq": latest.seq,
            "made_at": latest.made_at,
            "digest": latest.digest,
            "chains": latest.statement["chains"],
        },
    }
    custody = {
        "production": number,
        "title": title,
        "agency": settings.agency_name,
        "mode": mode,
        "request_id": request_id,
        "events": [
            {
                "at": _iso(made_at),
                "what": "collected from the piodesk archive and written",
                "by": actor.display_name,
                "username": actor.username,
                "via": actor.via,
            },
        ],
        "source": {
            "system": "piodesk",
            "archive_chain": summary["archive_head"],
            "checkpoint": summary["checkpoint"],
        },
        "records": custody_records,
    }
    out.put("custody.json", json.dumps(custody, ensure_ascii=False, indent=1))
    names.append("custody.json")
    out.put("README.txt", _readme(number))
    names.append("README.txt")
    names += sorted(set(per_record))
    names += sorted(f"media/{s}" for s in media_written)
    names += sorted(im.path for im in images)
    hashes = [(n, out.digest(n)[0]) for n in names]
    out.put(
        "certificate.txt",
        _certificate(settings, actor, number, made_at, summary, hashes),
    )
    names.append("certificate.txt")
    return names, summary


def _copy_media(media: MediaStore, sha: str, dest: Path) -> bool:
    src = media.path_for(sha)
    if not src.exists():
        return False
    if not dest.exists():
        shutil.copyfile(src, dest)
    return True


def _record(
    item: Any,
    versions: list[Any],
    destroyed: set[int],
    redactions: dict[int, list[AppliedRedaction]],
    history: dict[int, list[dict[str, Any]]],
    privileged: dict[int, list[dict[str, Any]]],
    parents: dict[int, tuple[str, str | None]],
    keys: dict[tuple[str, str], int],
    replies: dict[int, list[int]],
    subpoena: bool,
) -> dict[str, Any]:
    out_versions = []
    for v in versions:
        spans = redactions.get(v.seq, [])
        gone = v.seq in destroyed
        text = v.text if not spans else formats.redact(v.text or "", spans)
        withheld = bool(spans) or gone
        out_versions.append(
            {
                "seq": v.seq,
                "version": v.version,
                "captured_at": _iso(v.captured_at),
                "source": v.source,
                "state": v.state,
                "text": None if gone else text,
                "author_name": v.author_name,
                "author_platform_id": v.author_platform_id,
                "created_at": _iso(v.created_at),
                "edited_at": _iso(v.edited_at),
                "fields": None if withheld else v.fields,
                "media": [dict(m) for m in (v.media or [])],
                "raw_media_type": v.raw_media_type,
                "raw_sha256": v.raw_sha256,
                "raw_b64": None if withheld else base64.b64encode(v.raw).decode(),
                "prev_hash": v.prev_hash,
                "hash": v.hash,
                "destroyed": gone,
                "redactions": [
                    {
                        "redaction_id": r.redaction_id,
                        "start": r.start,
                        "end": r.end,
                        "exemption": r.exemption,
                    }
                    for r in spans
                ],
            }
        )
    platform, parent = parents[item.id]
    parent_ref = None
    if parent is not None:
        pid = keys.get((platform, parent))
        parent_ref = f"record {pid}" if pid is not None else f"{platform} {parent} (not produced)"
    return {
        "item_id": item.id,
        "platform": item.platform,
        "kind": item.kind,
        "platform_id": item.platform_id,
        "page_id": item.page_id,
        "page_platform_id": item.page_platform_id,
        "parent_platform_id": item.parent_platform_id,
        "author_platform_id": item.author_platform_id,
        "author_name": item.author_name,
        "created_at": _iso(item.created_at),
        "first_captured_at": _iso(item.first_captured_at),
        "state": item.state,
        "thread": {
            "parent": parent_ref,
            "replies": [f"record {r}" for r in sorted(replies.get(item.id, []))],
        },
        "versions": out_versions,
        "moderation": history.get(item.id, []),
        "privileged": privileged.get(item.id, []),
        "subpoena": subpoena,
    }


def _plain(record: dict[str, Any]) -> str:
    lines = [f"{record['bates_begin']} - {record['bates_end']}"]
    for v in record["versions"]:
        body = "[destroyed by disposition]" if v["destroyed"] else (v["text"] or "")
        lines.append(f"--- version {v['version']} ({v['captured_at']}, {v['state']})\n{body}")
    return "\n".join(lines) + "\n"


def _dat_values(
    record: dict[str, Any], settings: Settings, line: bytes, text_name: str
) -> list[object]:
    return [
        record["bates_begin"],
        record["bates_end"],
        record["page_count"],
        f"{settings.agency_name}; {record['platform']} page {record['page_platform_id'] or ''}",
        record["created_at"] or record["first_captured_at"],
        record["author_name"] or record["author_platform_id"] or "",
        record["platform"],
        record["kind"],
        record["platform_id"],
        record["parent_platform_id"] or "",
        record["state"],
        len(record["versions"]),
        "Y" if any(v["redactions"] for v in record["versions"]) else "N",
        hashlib.sha256(line).hexdigest(),
        "native\\records.jsonl",
        text_name.replace("/", "\\"),
    ]


def _csv_row(record: dict[str, Any], v: dict[str, Any]) -> list[object]:
    return [
        record["bates_begin"],
        record["bates_end"],
        record["item_id"],
        record["platform"],
        record["kind"],
        record["platform_id"],
        record["parent_platform_id"],
        v["author_name"],
        v["author_platform_id"],
        record["created_at"],
        v["version"],
        v["captured_at"],
        v["state"],
        v["text"],
        "Y" if v["redactions"] else "N",
        "Y" if v["destroyed"] else "N",
        v["hash"],
        v["raw_sha256"],
    ]


def _warc_record(f: IO[bytes], record: dict[str, Any], v: dict[str, Any]) -> None:
    """One WARC 1.1 ``resource`` record (its own gzip member), as warcio writes them.

    Written by hand: warcio's record builder costs more than the rest of a version's export;
    the warcinfo record at the start is still warcio's, and warcio reads these back.
    """
    uri = (
        f"urn:piodesk:archive:{record['platform']}:{record['kind']}:"
        f"{record['platform_id']}:v{v['version']}"
    )
    raw = base64.b64decode(v["raw_b64"])
    digest = "sha1:" + base64.b32encode(hashlib.sha1(raw, usedforsecurity=False).digest()).decode()
    head = "\r\n".join(
        (
            "WARC/1.1",
            "WARC-Date: " + v["captured_at"].replace("+00:00", "Z"),
            "WARC-Piodesk-Bates: " + record["bates_begin"],
            "WARC-Piodesk-Version-Hash: " + v["hash"],
            "WARC-Piodesk-Raw-SHA256: " + v["raw_sha256"],
            "WARC-Type: resource",
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>",
            "WARC-Target-URI: " + _header_value(uri),
            "WARC-Payload-Digest: " + digest,
            "WARC-Block-Digest: " + digest,
            "Content-Type: " + _header_value(v["raw_media_type"] or "application/octet-stream"),
            f"Content-Length: {len(raw)}",
        )
    )
    gz = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS + 16, 4)
    f.write(gz.compress(head.encode() + b"\r\n\r\n" + raw + b"\r\n\r\n") + gz.flush())


def _header_value(value: str) -> str:
    """A WARC header value on one line."""
    return value.replace("\r", " ").replace("\n", " ")


def _certificate(
    settings: Settings,
    actor: Actor,
    number: int,
    made_at: datetime,
    summary: dict[str, Any],
    hashes: list[tuple[str, str]],
) -> str:
    cp = summary["checkpoint"]
    tied = (
        f"the agency's signed checkpoint no. {cp['seq']} of {cp['made_at']} (SHA-256 "
        f"{cp['digest']})"
        if cp
        else "no signed checkpoint (none had been made)"
    )
    lines = [
        "CERTIFICATE OF AUTHENTICITY OF DATA COPIED FROM AN ELECTRONIC SYSTEM",
        "(in the manner of Federal Rules of Evidence 902(11), 902(13) and 902(14))",
        "",
        f"I, {actor.display_name}, am a records custodian of {settings.agency_name} or another",
        "person qualified by the agency, and I am familiar with how piodesk, the system in which",
        "the agency's official social media records are kept, captures and keeps them.",
        "",
        f"1. Production {number}, made {_iso(made_at)}, holds {summary['records']} records with "
        f"{summary['versions']} versions, Bates {summary['bates_first']} to "
        f"{summary['bates_last']}, in {summary['mode']} mode"
        + (f" for request {summary['request_id']}" if summary["request_id"] is not None else "")
        + ".",
        "2. piodesk makes each version at or near the time of capture from the platform's own",
        "   answer or data export, keeps it unchanged (the database refuses changes) and chains",
        "   it by SHA-256 to the one before; the chain's head is signed into checkpoints with the",
        "   agency's key, kept outside the database.",
        f"3. The archive's version chain had {summary['archive_head']['count']} versions ending in",
        f"   {summary['archive_head']['head']} when this production was made; it is tied to",
        f"   {tied}.",
        f"4. {summary['redactions']} redactions were applied (redaction_log.csv) and "
        f"{summary['privileged']} privileged entries withheld (privilege_log.csv).",
        "5. Each file of the production below was copied from the system by a process that",
        "   produces an accurate result, and is identified by its SHA-256 digest:",
        "",
    ]
    lines += [f"   {sha}  {name}" for name, sha in hashes]
    lines += [
        "",
        "The manifest (manifest.json) lists these digests and is signed with the agency's key",
        "(manifest.sig); `piodesk production verify FILE.zip --key PUBLIC.pem` checks them.",
        "",
        f"Signed: {actor.display_name} ({actor.username}), {_iso(made_at)}",
    ]
    return "\n".join(lines) + "\n"


def _readme(number: int) -> str:
    return (
        f"Production {number}\n\n"
        "Verify it offline with the agency's public key:\n\n"
        "    piodesk production verify THIS.zip --key agency-public.pem\n\n"
        "manifest.json lists every other file with its SHA-256 and size; manifest.sig is the\n"
        "agency's Ed25519 signature over manifest.json's exact bytes (and, where configured, an\n"
        "RFC 3161 timestamp over that signature). Without piodesk: check the signature with any\n"
        "Ed25519 tool, then `sha256sum` each file against the manifest.\n\n"
        "records.html / records.pdf   human-readable, every version, thread and moderation\n"
        "records.csv                  one row per version\n"
        "native/records.jsonl         every version, fields and raw payload (base64)\n"
        "captures.warc.gz             raw captures as WARC 1.1 resource records\n"
        "loadfile.dat / images.opt    Concordance and Opticon load files (Bates numbers)\n"
        "text/                        extracted text per document (DAT TEXTLINK)\n"
        "media/, images/              media files (by SHA-256) and page images (by Bates)\n"
        "custody.json                 chain of custody\n"
        "certificate.txt              records custodian's certificate (FRE 902(14))\n"
        "redaction_log.csv            each redaction with its exemption\n"
        "privilege_log.csv            privileged material withheld\n"
        "checkpoint.json              the agency's latest signed checkpoint\n"
    )


def _manifest(
    out: _Out,
    names: list[str],
    summary: dict[str, Any],
    number: int,
    made_at: datetime,
    key: Any,
    settings: Settings,
) -> bytes:
    files = []
    for name in names:
        sha, size = out.digest(name)
        files.append({"path": name, "sha256": sha, "size": size})
    manifest = {
        "kind": KIND,
        "format": FORMAT,
        "production": number,
        "agency": settings.agency_name,
        "made_at": _iso(made_at),
        "key_id": signing.key_id(key),
        **summary,
        "files": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    out.put(MANIFEST, body)
    signature = signing.sign(key, body)
    token = None
    if settings.tsa_url:
        roots = (
            timestamps.load_certificates(settings.tsa_certificate_file)
            if settings.tsa_certificate_file
            else []
        )
        der = timestamps.stamper(settings.tsa_url, roots)(signature.encode())
        token = None if der is None else base64.b64encode(der).decode()
    sig = {
        "algorithm": "Ed25519",
        "key_id": signing.key_id(key),
        "public_key": signing.public_pem(key),
        "signature": signature,
        "manifest_sha256": hashlib.sha256(body).hexdigest(),
        "timestamp": token,
    }
    out.put(SIGNATURE, json.dumps(sig, indent=1) + "\n")
    return body


def _zip(out: _Out, names: list[str], dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in names:
            if name in out.small:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, out.small[name], compresslevel=1)
                continue
            path = out.root / name
            compress = (
                zipfile.ZIP_STORED
                if name.startswith(("media/", "images/")) or name.endswith(".gz")
                else zipfile.ZIP_DEFLATED
            )
            zf.write(path, name, compress_type=compress)
