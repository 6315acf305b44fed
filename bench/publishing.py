"""Publishing benchmark: an approved notice to 20 sandbox pages, and an update to all 20.

    .venv/bin/python bench/publishing.py                       # SQLite, 20 pages, 15 rounds
    .venv/bin/python bench/publishing.py --backend postgresql --rounds 10

Each round: one PIO drafts a road-closure notice for every page, a second PIO approves it, and
the fast path (``send_due`` for that publication, as the web app runs it right after the
approval's commit) sends it; the time from the start of the approval to the last page's
``sent`` record is one sample. Then an update is drafted, approved and sent, threaded under
the original on every page: the time from its approval to the last page is the second figure.
Every send goes through the intent-first primitive, the platform (the built-in sandbox, in
the same database), the record and the archive capture. Prints p50/p95; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import clock
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.demo import open_sandbox_page
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from piodesk.people import actions as people
from piodesk.publishing import notices, outbox
from piodesk.publishing.outbox_model import Overall
from piodesk.publishing.outbox_sender import send_due

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway benchmark database


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    first: list[float] = []
    update: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        schema = f"piodesk_bench_publishing_{uuid.uuid4().hex[:8]}"
        if args.backend == "postgresql":  # a schema of its own, dropped at the end
            with make_engine(PG_URL).begin() as c:
                c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        settings = Settings(demo=True)
        agency = Agency.from_settings(settings)
        notice_agency = notices.Agency.from_settings(settings)
        with transaction(sessions) as s:
            admin = people.actor_for(
                people.bootstrap_admin(s, username="root", display_name="Root", password=PASSWORD)
            )
            made = {
                name: people.actor_for(
                    people.seed_account(
                        s,
                        username=name,
                        display_name=name.title(),
                        password=PASSWORD,
                        roles=[role],
                        reason="benchmark",
                    )
                )
                for name, role in (("pio", "pio"), ("pio2", "pio"), ("chief", "chief"))
            }
            ids = []
            for i in range(args.pages):
                page = pages.register_page(
                    s,
                    actor=made["pio"],
                    agency=agency,
                    platform="sandbox",
                    handle=f"bench-{i}",
                    name=f"CSPD District {i}",
                    administering_unit="Public Affairs",
                )
                open_sandbox_page(s, page)
                pages.approve_page(
                    s,
                    page.id,
                    actor=made["chief"],
                    reason="a benchmark page, its profile unmeasured",
                )
                ids.append(page.id)
        del admin

        def connect(page: Page) -> SandboxConnector:
            return SandboxConnector(sessions, page.handle)

        zone = notice_agency.tz
        for r in range(args.rounds):
            start = (clock.now()).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            until = (clock.now() + timedelta(hours=4)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            with transaction(sessions) as s:
                nid = notices.draft_notice(
                    s,
                    actor=made["pio"],
                    agency=notice_agency,
                    template="road_closure",
                    values={"location": f"Academy Blvd at exit {r}", "start": start},
                    page_ids=ids,
                    expires=until,
                ).id
            t0 = time.perf_counter()
            with transaction(sessions) as s:
                pub = notices.approve_notice(s, nid, actor=made["pio2"], agency=notice_agency)
            send_due(sessions, connect, only={pub})
            first.append(time.perf_counter() - t0)
            with sessions() as s:
                assert outbox.status(s, pub).overall is Overall.PUBLISHED
            with transaction(sessions) as s:
                upd = notices.draft_followup(
                    s,
                    nid,
                    actor=made["pio"],
                    agency=notice_agency,
                    kind="update",
                    note="One lane open.",
                ).id
            t1 = time.perf_counter()
            with transaction(sessions) as s:
                upub = notices.approve_notice(s, upd, actor=made["pio2"], agency=notice_agency)
            send_due(sessions, connect, only={upub})
            update.append(time.perf_counter() - t1)
            with sessions() as s:
                assert outbox.status(s, upub).overall is Overall.PUBLISHED
        engine.dispose()
        if args.backend == "postgresql":
            with make_engine(PG_URL).begin() as c:
                c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"backend {args.backend}, {args.pages} sandbox pages, {args.rounds} rounds")
    print(
        f"approval -> last page published: p50 {_pct(first, 0.5):.3f} s, "
        f"p95 {_pct(first, 0.95):.3f} s (mean {statistics.mean(first):.3f} s)"
    )
    print(
        f"update (threaded) -> all pages:  p50 {_pct(update, 0.5):.3f} s, "
        f"p95 {_pct(update, 0.95):.3f} s (mean {statistics.mean(update):.3f} s)"
    )
    per = statistics.mean(first) / args.pages
    print(f"per page: {1000 * per:.1f} ms (intent, platform call, record, archive capture)")


if __name__ == "__main__":
    main()
