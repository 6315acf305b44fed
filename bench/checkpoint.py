"""Checkpoint benchmark: the cost of signing and checking checkpoints as the audit log grows.

    .venv/bin/python bench/checkpoint.py                  # 200,000 audit events on SQLite
    .venv/bin/python bench/checkpoint.py --events 50000

Appends audit events in batches (record_many, the path jobs use), then times: the first
checkpoint (a full walk of the chain), a scheduled checkpoint after 1,000 more events (only the
new events are walked), `audit verify` and the `--against` comparison (each a full walk), and
checking the exported checkpoint file offline. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from piodesk.core import audit, chain, checkpoints, signing
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.core.permissions import SYSTEM


def _append(sessions, n: int) -> None:
    for start in range(0, n, 1000):
        entries = [
            audit.Entry("bench:event", "thing", start + i, reason="benchmark", data={"i": i})
            for i in range(min(1000, n - start))
        ]
        with transaction(sessions) as session:
            audit.record_many(session, SYSTEM, entries)


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    print(f"  {label:<48} {time.perf_counter() - t0:8.3f} s")
    return result


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(
            database_url=f"sqlite:///{root / 'bench.sqlite3'}",
            data_dir=root / "data",
            secret_key="b" * 32,
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        print(f"checkpoints over {args.events:,} audit events (SQLite)")
        _timed(
            f"append {args.events:,} events (record_many)", lambda: _append(sessions, args.events)
        )
        key = signing.init_key(settings.signing_key_path)
        _timed(
            "first checkpoint (full walk)", lambda: checkpoints.checkpoint_now(sessions, settings)
        )
        _append(sessions, 1000)
        _timed(
            "next checkpoint after 1,000 events (incremental)",
            lambda: checkpoints.checkpoint_now(sessions, settings, only_if_changed=True),
        )
        _timed(
            "scheduled run with nothing new",
            lambda: checkpoints.checkpoint_now(sessions, settings, only_if_changed=True),
        )
        with sessions() as session:
            _timed("audit verify (full walk)", lambda: audit.verify(session))
            found = list(checkpoints.all_checkpoints(session))
            _timed(
                "verify --against (full walk, compare)",
                lambda: checkpoints.against(session, chain.chain("audit"), found),
            )
        _timed(
            "check the checkpoint file offline",
            lambda: checkpoints.check(
                checkpoints.parse(settings.checkpoint_path.read_text()), key.public_key()
            ),
        )
        engine.dispose()


if __name__ == "__main__":
    main()
