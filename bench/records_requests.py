"""Records-request benchmark: the custodian's dashboard and request list with many requests.

    .venv/bin/python bench/records_requests.py               # 5,000 requests, SQLite
    .venv/bin/python bench/records_requests.py --requests 20000

Logs requests through the real service (intake, a move to review, some paused for payment,
some extended, some closed), then times the dashboard (every open request's clock derived from
its events) and one request's page data. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from piodesk.core import clock
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.people import actions as people
from piodesk.records.requests import actions, regimes
from piodesk.records.requests.queries import Desk

TZ = ZoneInfo("America/Denver")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(409)
    desk = Desk(regimes.load(), TZ, "Bench PD")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        start = datetime(2026, 9, 1, 9, tzinfo=TZ)
        clock.set_clock(lambda: start + timedelta(days=200))
        with transaction(sessions) as s:
            account = people.seed_account(
                s,
                username="robin",
                display_name="Robin Ellis",
                password="bench clerk violet harbor 409",  # noqa: S106 - a throwaway bench database
                roles=["records_custodian"],
                reason="bench",
            )
            robin = people.actor_for(account)
        t0 = time.perf_counter()
        batch = 200
        for first in range(0, args.requests, batch):
            with transaction(sessions) as s:
                for i in range(first, min(first + batch, args.requests)):
                    received = start + timedelta(hours=rng.randrange(0, 24 * 150))
                    r = actions.log_request(
                        s,
                        desk,
                        actions.Intake(
                            requester_name=f"Requester {i}",
                            channel="email",
                            received_at=received.isoformat(),
                            text="All comments, please.",
                        ),
                        actor=robin,
                    )
                    later = received + timedelta(hours=2)
                    actions.move(s, desk, r.id, "in_review", actor=robin, at=later)
                    roll = rng.random()
                    if roll < 0.2:
                        actions.move(
                            s,
                            desk,
                            r.id,
                            "waiting_payment",
                            actor=robin,
                            at=later + timedelta(hours=1),
                            reason="fee",
                        )
                    elif roll < 0.3:
                        actions.extend(
                            s,
                            desk,
                            r.id,
                            days=7,
                            finding="broad",
                            actor=robin,
                            at=later + timedelta(hours=1),
                        )
                    elif roll < 0.7:
                        actions.move(
                            s,
                            desk,
                            r.id,
                            "fulfilled",
                            actor=robin,
                            at=later + timedelta(days=1),
                            reason="done",
                        )
        logged = time.perf_counter() - t0
        print(
            f"logged {args.requests:,} requests in {logged:.1f} s "
            f"({args.requests / logged:,.0f} requests/s, with their moves and audit events)"
        )
        timings = []
        for _ in range(3):
            with sessions() as s:
                t = time.perf_counter()
                board = actions.dashboard(s, desk, actor=robin)
                timings.append(time.perf_counter() - t)
        counts = {k: len(v) for k, v in board.items()}
        print(f"dashboard: median {statistics.median(timings) * 1000:.0f} ms over 3 runs; {counts}")
        with sessions() as s:
            t = time.perf_counter()
            actions.open_request(s, desk, args.requests // 2, actor=robin)
            print(f"one request's page data: {(time.perf_counter() - t) * 1000:.1f} ms")
        clock.set_clock(None)
        engine.dispose()


if __name__ == "__main__":
    main()
