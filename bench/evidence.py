"""Evidence benchmark: what sealing costs, and how long the new checks take at scale.

    .venv/bin/python bench/evidence.py                      # 100,000 comments and rows, both
    .venv/bin/python bench/evidence.py --items 20000 --rows 20000 --backend sqlite

Builds a synthetic archive through the real capture path (bench/archive.py's generator), then
writes evidence rows (screenings) the way intake does (bulk INSERT, named with
``evidence.note``, sealed by one ``audit.record_many`` a batch), and times:
``piodesk archive verify`` (chain, heads, identity), ``--deep`` (the full-text index against
every version), ``reindex``, and the evidence check of ``piodesk audit verify``. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import archive as archive_bench

from piodesk.archive.fulltext import check_index, reindex
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveVersion
from piodesk.archive.verify import verify_archive
from piodesk.core import audit, evidence
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.permissions import SYSTEM, Actor, Role
from piodesk.moderation.tables import Screening

SCREENINGS = cast(Table, Screening.__table__)


def write_rows(sessions: Any, total: int, batch: int) -> tuple[float, float]:
    """Screening rows in bulk batches, each sealed by one audit event; (seconds, of which
    sealing)."""
    with sessions() as s:
        versions = s.execute(
            select(ArchiveVersion.seq, ArchiveVersion.item_id).order_by(ArchiveVersion.seq)
        ).all()
    start, sealing = time.perf_counter(), 0.0
    for lo in range(0, total, batch):
        chunk = [versions[i % len(versions)] for i in range(lo, min(lo + batch, total))]
        with transaction(sessions) as s:
            first = s.execute(select(SCREENINGS.c.id).order_by(SCREENINGS.c.id.desc())).scalar()
            s.execute(
                insert(SCREENINGS),
                [
                    {
                        "item_id": item_id,
                        "version_seq": seq,
                        "text_sha256": "0" * 64,
                        "screened_at": audit.clock.now(),
                        "ruleset_version": "bench",
                        "model_version": "bench",
                        "findings": [],
                        "needs_response": False,
                    }
                    for seq, item_id in chunk
                ],
            )
            ids = s.execute(select(SCREENINGS.c.id).where(SCREENINGS.c.id > (first or 0))).scalars()
            t = time.perf_counter()
            evidence.note(s, SCREENINGS, ids)
            audit.record_many(
                s,
                SYSTEM,
                [audit.Entry("moderation:screened", "archive_versions", f"{lo}", reason="bench")],
            )
            sealing += time.perf_counter() - t
    return time.perf_counter() - start, sealing


def timed(label: str, fn: Any, count: int, unit: str = "versions") -> Any:
    t = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t
    print(f"  {label:<34} {elapsed:8.2f} s  ({count / elapsed:,.0f} {unit}/s)", flush=True)
    return result


def run(backend: str, items: int, rows: int, batch: int) -> None:
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="piodesk-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(archive_bench.PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = f"{archive_bench.PG_URL}?options=-csearch_path%3D{schema}"
    try:
        print(f"== {backend}: {items:,} comments, {rows:,} evidence rows")
        elapsed, _, _, versions = archive_bench.build(url, items, 1000)
        print(f"  capture (format 2 hashes)          {elapsed:8.2f} s  ({versions:,} versions)")
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        took, sealing = write_rows(sessions, rows, batch)
        print(
            f"  write {rows:,} evidence rows           {took:8.2f} s, of which sealing "
            f"{sealing:.2f} s ({sealing / took:.0%})"
        )
        media = MediaStore(path.parent / "media" if backend == "sqlite" else Path("/nonexistent"))
        with sessions() as s:
            a = timed("archive verify (chain+identity)", lambda: verify_archive(s, media), versions)
        with sessions() as s:
            d = timed("archive verify --deep (index only)", lambda: check_index(s), versions)
        with sessions() as s:
            e = timed("evidence check (audit verify)", lambda: evidence.verify(s), rows, "rows")
        with transaction(sessions) as s:
            timed("archive reindex", lambda: reindex(s, actor=_admin(), reason="bench"), versions)
        print(f"  ok: archive {a.ok}, index {not d.problems}, evidence {e.ok}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of this process: {peak:,.0f} MB")
        engine.dispose()
    finally:
        if backend == "sqlite":
            shutil.rmtree(path.parent, ignore_errors=True)
        if backend == "postgresql":
            admin = make_engine(archive_bench.PG_URL)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()


def _admin() -> Actor:
    return Actor(
        account_id=None,
        username="bench",
        display_name="Benchmark",
        roles=frozenset({Role.ADMIN}),
        via="cli",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.items, args.rows, args.batch)


if __name__ == "__main__":
    main()
