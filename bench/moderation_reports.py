"""Moderation reports benchmark: the transparency and consistency reports at state-wide scale.

    .venv/bin/python bench/moderation_reports.py       # 1,000,000 comments, 300,000 cases
    .venv/bin/python bench/moderation_reports.py --comments 200000 --cases 60000 --backend sqlite

Writes a year of synthetic moderation history straight into the tables (bulk inserts; the
actions are tested elsewhere and would take hours at this size): twenty pages, comments
captured through the year, cases opened on some of them and decided (kept, hidden, removed,
some restored later) by several PIOs, warnings and blocks. A share of the comments are
copies of a few hundred "campaign" texts with small changes, decided unevenly, so the
consistency report has real work. Then times each report. Prints figures; asserts nothing.

Seen on the 2-core development machine (1,000,000 comments, 300,000 decided cases, a year):
transparency 4.6–6 s on SQLite and 4–4.5 s on PostgreSQL for every page (about a third of it
counting the captured comments, a scan of ``archive_items``), 1.2 s for one page, 0.2 s from the
roll-ups. Consistency (398,303 unequal pairs among the copies): from the records 12–15 s wall
(9 s CPU) on SQLite at a load average of 4–6, from the roll-ups (``refresh_rollups`` packs each
month's decided cases and texts) 2.2–3.2 s wall, 1.4–1.8 s CPU, at the same load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core import clock
from piodesk.core.db import make_engine, make_sessionmaker, reading, transaction
from piodesk.core.migrate import upgrade
from piodesk.core.permissions import Actor, Role
from piodesk.moderation.tables import Block, Case, CaseCategory, Decision, Warning_
from piodesk.oversight import reports, rollups
from piodesk.pages.tables import Page

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 15, tzinfo=UTC)  # the year is closed: every month can be rolled up
CATEGORIES = ("profanity", "pii", "threat", "solicitation", "illegal", "safety", "ip")
AUDITOR = Actor(None, "bench", "Bench", frozenset({Role.AUDITOR}))
BATCH = 10_000


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _words(rng: random.Random) -> list[str]:
    return [f"{rng.choice('bcdfghklmnprstvw')}{rng.choice('aeiou')}{i}" for i in range(20_000)]


def populate(sessions: sessionmaker[Session], comments: int, cases: int, seed: int = 409) -> None:
    """A year of comments, cases, decisions, warnings and blocks on twenty pages."""
    rng = random.Random(seed)
    vocab = _words(rng)
    campaigns = [" ".join(rng.choices(vocab, k=rng.randint(10, 30))) for _ in range(400)]
    with transaction(sessions) as s:
        s.execute(
            insert(_table(Page)),
            [
                {
                    "id": p,
                    "platform": "sandbox",
                    "handle": f"page-{p}",
                    "name": f"Page {p:02d}",
                    "administering_unit": "Bench",
                    "state": "approved",
                    "registered_at": YEAR,
                }
                for p in range(1, 21)
            ],
        )
    case_every = comments / cases
    next_case = 0.0
    case_id = decision_id = 0
    pending: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, row: dict[str, Any]) -> None:
        pending.setdefault(table, []).append(row)

    def flush(force: bool = False) -> None:
        if not force and len(pending.get("items", ())) < BATCH:
            return
        with transaction(sessions) as s:
            for name, model in (
                ("items", ArchiveItem),
                ("versions", ArchiveVersion),
                ("cases", Case),
                ("categories", CaseCategory),
                ("decisions", Decision),
            ):
                if pending.get(name):
                    s.execute(insert(_table(model)), pending[name])
        pending.clear()

    for i in range(1, comments + 1):
        page = rng.randint(1, 20)
        captured = YEAR + timedelta(seconds=rng.uniform(0, 364 * 86_400))
        if rng.random() < 0.1:  # a campaign copy, sometimes lightly edited
            words = rng.choice(campaigns).split()
            if rng.random() < 0.5:
                words[rng.randrange(len(words))] = rng.choice(vocab)
            text = " ".join(words)
        else:
            text = " ".join(rng.choices(vocab, k=rng.randint(4, 40)))
        add(
            "items",
            {
                "id": i,
                "platform": "sandbox",
                "kind": "comment",
                "platform_id": str(i),
                "page_id": page,
                "author_platform_id": f"v{rng.randint(1, comments // 5)}",
                "created_at": captured,
                "first_captured_at": captured,
                "head_version": 1,
                "head_fingerprint": "f",
                "state": "live",
            },
        )
        add(
            "versions",
            {
                "seq": i,
                "item_id": i,
                "version": 1,
                "captured_at": captured,
                "source": "ingest:sandbox",
                "state": "live",
                "fingerprint": "f",
                "text": text,
                "fields": {},
                "media": [],
                "raw": b"{}",
                "raw_media_type": "application/json",
                "raw_sha256": "0" * 64,
                "prev_hash": "0" * 64,
                "hash": "0" * 64,
            },
        )
        if i >= next_case and case_id < cases:
            next_case += case_every
            case_id += 1
            opened = captured + timedelta(seconds=rng.uniform(1, 60))
            decided = opened + timedelta(hours=rng.expovariate(1 / 20))
            action = rng.choices(("keep", "hide", "remove"), weights=(50, 15, 35))[0]
            cats = rng.sample(CATEGORIES, rng.choice((1, 1, 1, 2)))
            reason = "no_violation" if action == "keep" else cats[0]
            outcome = {"keep": "kept", "hide": "hidden", "remove": "removed"}[action]
            restored = action != "keep" and rng.random() < 0.05
            last = decided + timedelta(days=2) if restored else decided
            add(
                "cases",
                {
                    "id": case_id,
                    "page_id": page,
                    "item_id": i,
                    "platform": "sandbox",
                    "kind": "comment",
                    "source": "screening",
                    "captured_at": captured,
                    "opened_at": opened,
                    "state": "closed",
                    "outcome": "restored" if restored else outcome,
                    "decided_at": last,
                    "first_decided_at": decided,
                },
            )
            for c in cats:
                add("categories", {"case_id": case_id, "category": c})
            for act, why, when in [(action, reason, decided)] + (
                [("restore", "no_violation", last)] if restored else []
            ):
                decision_id += 1
                add(
                    "decisions",
                    {
                        "id": decision_id,
                        "case_id": case_id,
                        "action": act,
                        "reason": why,
                        "note": "bench",
                        "actor_name": f"pio{rng.randint(1, 6)}",
                        "decided_at": when,
                        "platform_effect": "bench",
                        "counsel_pending": False,
                    },
                )
        flush()
    flush(force=True)
    with transaction(sessions) as s:
        for model, at, n in ((Warning_, "warned_at", 5_000), (Block, "blocked_at", 1_000)):
            rows = []
            for k in range(n):
                when = YEAR + timedelta(seconds=rng.uniform(0, 364 * 86_400))
                row = {
                    "page_id": rng.randint(1, 20),
                    "platform": "sandbox",
                    "person_id": f"v{k}",
                    "category": rng.choice(CATEGORIES),
                    "actor_name": "pio1",
                    at: when,
                }
                if model is Warning_:
                    row.update(explanation="bench", delivery="bench", delivered=True)
                else:
                    row.update(reason="bench", review_due_at=when + timedelta(days=90))
                rows.append(row)
            s.execute(insert(_table(model)), rows)
    with sessions() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.connection().exec_driver_sql("ANALYZE")
            s.commit()


def timed(label: str, fn: Callable[[], Any], runs: int = 3) -> Any:
    """Run ``fn`` a few times and print the median wall time and this process's CPU time (the
    machine is shared: the CPU figure moves less with the others' load)."""
    seconds, cpu, result = [], [], None
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    print(
        f"  {label}: {statistics.median(seconds):.2f} s (median of {runs}; "
        f"{statistics.median(cpu):.2f} s of this process's CPU)"
    )
    return result


def run(url: str, comments: int, cases: int) -> None:
    """Build the data on one backend and time the reports."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    populate(sessions, comments, cases)
    print(
        f"  {comments:,} comments, {cases:,} cases written in {time.perf_counter() - start:.0f} s"
    )

    def transparency(page: int | None = None) -> Any:
        with reading(sessions) as s:
            return reports.transparency(
                s, actor=AUDITOR, month_from="2025-01", month_to="2025-12", page_id=page
            )

    def consistency() -> Any:
        with reading(sessions) as s:
            return reports.consistency(s, actor=AUDITOR, month_from="2025-01", month_to="2025-12")

    live = timed("consistency, a year, every page (from the records)", consistency, runs=1)
    print(f"    {live.compared:,} decided cases compared, {live.total_pairs:,} unequal pairs")
    report = timed("transparency, a year, every page (from the records)", transparency)
    print(f"    {len(report.rows)} rows")
    timed("transparency, a year, one page (from the records)", lambda: transparency(7))
    # The roll-up job, then the same report from the roll-ups (the year is closed: "now" is
    # after it). A month touched after its roll-up would be computed live instead.
    clock.set_clock(lambda: NOW)
    try:
        refreshed = timed(
            "refresh_rollups (the job, first run: every month)",
            lambda: rollups.refresh_rollups(sessions, None),
            runs=1,
        )
        print(f"    {len(refreshed.rolled)} months rolled up")
        timed("refresh_rollups (nothing changed)", lambda: rollups.refresh_rollups(sessions, None))
        rolled = timed("transparency, a year, every page (roll-ups)", transparency)
        assert rolled.rows == report.rows, "the roll-ups disagree with the records"
        timed("transparency, a year, one page (roll-ups)", lambda: transparency(7))
    finally:
        clock.set_clock(None)
    result = timed("consistency, a year, every page (roll-ups)", consistency)
    assert result == live, "the consistency roll-ups disagree with the records"
    print(f"    {result.compared:,} decided cases compared, {result.total_pairs:,} unequal pairs")
    print(f"  load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores, shared)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        print("SQLite")
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.comments, args.cases)
    if args.backend in ("postgresql", "both"):
        print("PostgreSQL")
        schema = f"bench_reports_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            run(f"{PG_URL}?options=-csearch_path%3D{schema}", args.comments, args.cases)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()


if __name__ == "__main__":
    main()
