"""Production benchmark: produce N records with their versions and verify the ZIP.

    .venv/bin/python bench/production.py                  # 100,000 records (SQLite)
    .venv/bin/python bench/production.py --records 2000   # a quick look

Builds a synthetic archive through the real capture path (posts and comments, a third of them
edited, a tenth hidden: about 1.4 versions a record), then times one request-mode production of
every record (all files: HTML, PDF, CSV, JSON, WARC, DAT, text, manifest) and the offline
verification of the ZIP. Prints seconds, records/s, ZIP size and verify time; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from synthetic import WORDS

from piodesk.archive.capture import capture
from piodesk.connectors.model import CapturedItem, ItemKind
from piodesk.core import signing
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.people import actions as people
from piodesk.records.productions.build import make_production
from piodesk.records.productions.verify import verify_production


def item(n: int, rng: random.Random, suffix: str = "", **fields: object) -> CapturedItem:
    post = n % 20 == 0
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 40))) + suffix
    payload = {"id": f"c{n}", "message": text, **fields}
    return CapturedItem(
        kind=ItemKind.POST if post else ItemKind.COMMENT,
        platform="facebook",
        platform_id=f"c{n}",
        raw=json.dumps(payload).encode(),
        page_platform_id="cspd",
        parent_platform_id=None if post else f"c{n - n % 20}",
        author_platform_id=f"u{n % 997}",
        author_name=f"Person {n % 997}",
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
        text=text,
        fields=fields,  # type: ignore[arg-type]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        settings = Settings(database_url=url, data_dir=root / "data", secret_key="b" * 40)
        key = signing.init_key(settings.signing_key_path)
        rng = random.Random(7)
        t0 = time.perf_counter()
        for start in range(0, args.records, 2000):
            ns = range(start, min(start + 2000, args.records))
            with transaction(sessions) as s:
                capture(s, [item(n, rng) for n in ns], source="bench")
            edits = [item(n, rng, " (edited)") for n in ns if n % 3 == 1]
            hides = [item(n, rng, "", hidden=True) for n in ns if n % 10 == 7]
            with transaction(sessions) as s:
                capture(s, edits + hides, source="bench")
        build = time.perf_counter() - t0
        with transaction(sessions) as s:
            account = people.seed_account(
                s,
                username="robin",
                display_name="Robin Records",
                password=secrets.token_urlsafe(24),
                roles=["records_custodian"],
                reason="bench",
            )
            actor = people.actor_for(account, "cli")
            ids = list(range(1, args.records + 1))
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        made = make_production(sessions, actor=actor, settings=settings, item_ids=ids)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        check = verify_production(made.path, key.public_key())
        verify_s = time.perf_counter() - t0
        verify_cpu = time.process_time() - cpu0
        size = made.path.stat().st_size
        print(
            f"archive built:  {args.records:,} records, {made.versions:,} versions in {build:.1f} s"
        )
        print(
            f"production:     {seconds:8.1f} s wall, {cpu:.1f} s CPU  "
            f"({made.records / seconds:,.0f} records/s)   load average {load:.1f}"
        )
        print(f"ZIP size:       {size / 1e6:8.1f} MB")
        print(
            f"verify:         {verify_s:8.1f} s wall, {verify_cpu:.1f} s CPU  "
            f"({'ok' if check.ok else check.problems[:3]}, "
            f"{check.files_checked:,} files)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
