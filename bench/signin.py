"""Sign-in timing: does a failed sign-in take as long for an unknown username as for a real one?

    .venv/bin/python bench/signin.py            # 30 tries each, production argon2 parameters

Times failed sign-ins (wrong password for a real account, any password for an unknown one,
and a throttled pair) on a fresh SQLite database through ``people.authenticate``, each from its
own address so the backoff does not short-cut them. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.errors import AuthenticationFailed
from piodesk.core.migrate import upgrade
from piodesk.people import actions as people
from piodesk.people.model import LockoutPolicy


def _time(
    sessions: sessionmaker[Session], username: str, source: str, policy: LockoutPolicy
) -> float:
    started = time.perf_counter()
    try:
        with transaction(sessions) as s:
            people.authenticate(
                s, username, "not the password at all", policy=policy, source=source
            )
    except AuthenticationFailed:
        pass
    return (time.perf_counter() - started) * 1000


PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway benchmark database


def main() -> None:
    """Print median and spread of failed sign-in times per case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as s:
            people.bootstrap_admin(s, username="root", display_name="Root", password=PASSWORD)
        policy = LockoutPolicy(attempts=5, minutes=15)
        cases = {
            "real username, wrong password": lambda i: _time(sessions, "root", f"a{i}", policy),
            "unknown username": lambda i: _time(sessions, "nobody", f"b{i}", policy),
        }
        for _ in range(6):  # one pair past its free attempts: every further try is throttled
            _time(sessions, "root", "slow", policy)
        cases["throttled pair"] = lambda i: _time(sessions, "root", "slow", policy)
        for name, run in cases.items():
            runs = [run(i) for i in range(args.tries)]
            runs.sort()
            p10, p90 = runs[len(runs) // 10], runs[len(runs) * 9 // 10]
            print(
                f"{name:32s} median {statistics.median(runs):6.1f} ms  "
                f"p10 {p10:6.1f}  p90 {p90:6.1f}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
