"""Where a comment's CPU goes in the moderation pipeline on PostgreSQL (issue 15, item 4).

    .venv/bin/python bench/pipeline_profile.py --comments 4000

In one process, on a fresh schema, real comments (the shared data sets) go through each step
of the pipeline in turn, and each step's CPU is measured on both sides: this process
(``time.process_time``) and the PostgreSQL backend serving it (``/proc/<pid>/stat``, so the
server must run on this machine). The steps: capture in polls of 50; screening the ranges
(what the workers do in parallel); staging the findings; and the one writer's transactions,
with 50 versions each (one range per write, as before) and with 1,000 (many ranges per write).
Prints CPU milliseconds per comment and what 1,000 comments/s would need of the cores.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from moderation import (
    PG_URL,
    ROOT,
    SOURCE,
    approved_page,
    comment,
    database,
    load_texts,
    post,
)

from piodesk.archive.capture import capture
from piodesk.core import audit
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.jobs.pipeline import screen_range, write_screened
from piodesk.screening import labeled_data as data
from piodesk.screening.engine import default_screener

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of one PostgreSQL backend so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=4_000)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pg-url", default=PG_URL)
    args = ap.parse_args(argv)
    if not data.available(args.data):
        print(f"skipped: the shared data sets are not under {args.data}")
        return 0
    texts = load_texts(args.data, args.comments, 0.2)
    screener = default_screener()
    screener.screen_many(texts[:200])
    url, schema = database("postgresql", args.pg_url)
    engine = make_engine(url, pool_size=1, max_overflow=0)
    sessions = make_sessionmaker(engine)
    try:
        page_id = approved_page(sessions)
        with engine.connect() as conn:  # the pool's one connection: every step's backend
            pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        rows: list[tuple[str, float, float, int]] = []

        def step(name: str, n: int, fn: Any, *args: Any, **kwargs: Any) -> Any:
            c0, b0 = time.process_time(), backend_cpu(pid)
            out = fn(*args, **kwargs)
            rows.append((name, time.process_time() - c0, backend_cpu(pid) - b0, n))
            return out

        def captures(lo: int, hi: int) -> list[tuple[int, int]]:
            ranges = []
            with transaction(sessions) as s:
                capture(s, [post(lo)], source=SOURCE, page_id=page_id)
            for start in range(lo, hi, 50):
                polled = [
                    comment(n, texts[n], f"post{lo}", 1) for n in range(start, min(hi, start + 50))
                ]
                with transaction(sessions) as s:
                    before = s.execute(text("SELECT last_seq FROM archive_head")).scalar_one()
                    capture(s, polled, source=SOURCE, page_id=page_id)
                    after = s.execute(text("SELECT last_seq FROM archive_head")).scalar_one()
                ranges.append((int(before), int(after)))
            return ranges

        def screen_all(ranges: list[tuple[int, int]]) -> float:
            return sum(
                screen_range(sessions, screener, after=a, upto=u).seconds_screening
                for a, u in ranges
            )

        half = len(texts) // 2
        for lo, hi, per_write in ((0, half, 50), (half, len(texts), 1_000)):
            n = hi - lo
            ranges = step(f"capture, polls of 50 ({n:,} comments)", n, captures, lo, hi)
            screening = step("screen + stage, ranges of 50", n, screen_all, ranges)
            rows.append(("  of which screening alone", screening, 0.0, n))
            name = f"write, {per_write:,} versions a transaction"
            step(name, n, write_screened, sessions, screener, batch=per_write)
        with sessions() as s:
            ok = audit.verify(s).ok
        print(f"{'step':<44} {'client ms':>10} {'server ms':>10}   (CPU per comment)")
        for name, client, server, n in rows:
            print(f"{name:<44} {client / n * 1000:>10.3f} {server / n * 1000:>10.3f}")
        print(
            f"audit chain {'verifies' if ok else 'DOES NOT VERIFY'}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
    finally:
        engine.dispose()
        admin = make_engine(args.pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
