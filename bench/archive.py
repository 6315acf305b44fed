"""Archive benchmark: capture throughput and search latency at a million comments.

    .venv/bin/python bench/archive.py          # 1,000,000 comments, SQLite and PostgreSQL
    .venv/bin/python bench/archive.py --items 100000 --backend sqlite

Builds a synthetic archive (comments with realistic lengths, a vocabulary with a long tail,
authors, pages, and edits, hides and removals as extra versions) through the real capture
path on one core, then times full-text searches with and without filters. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.connectors.model import CapturedItem, ItemKind
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS = [
    "police",
    "road",
    "closure",
    "traffic",
    "accident",
    "officer",
    "thanks",
    "community",
    "event",
    "park",
    "downtown",
    "street",
    "safety",
    "neighborhood",
    "burglary",
    "theft",
    "car",
    "stolen",
    "missing",
    "dog",
    "child",
    "school",
    "weather",
    "snow",
    "ice",
    "fire",
    "department",
    "chief",
    "meeting",
    "crime",
    "report",
    "tip",
    "suspect",
    "arrest",
    "court",
    "judge",
    "speeding",
    "parking",
    "noise",
    "complaint",
    "drugs",
    "gang",
    "shooting",
    "detective",
    "investigation",
    "patrol",
    "sergeant",
    "volunteer",
    "recruiting",
    "academy",
    "training",
    "emergency",
    "alert",
    "evacuation",
    "shelter",
    "bridge",
    "highway",
    "interstate",
    "construction",
    "detour",
    "bus",
    "train",
    "airport",
    "festival",
    "parade",
]
RARE = [f"w{n:05d}" for n in range(20000)]  # a long tail of rare terms


def make_text(rng: random.Random) -> str:
    n = rng.choice((6, 10, 14, 20, 30, 45))
    words = [rng.choice(WORDS) if rng.random() < 0.8 else rng.choice(RARE) for _ in range(n)]
    return " ".join(words).capitalize() + rng.choice((".", "!", "?", "..."))


def item(
    i: int, rng: random.Random, base: datetime, text: str, fields: dict[str, object]
) -> CapturedItem:
    author = f"u{rng.randrange(50_000)}"
    payload = {"id": f"c{i}", "message": text, "from": {"id": author}, **fields}
    return CapturedItem(
        kind=ItemKind.COMMENT,
        platform="facebook",
        platform_id=f"c{i}",
        raw=json.dumps(payload).encode(),
        page_platform_id=f"page{i % 8}",
        parent_platform_id=f"post{i // 40}",
        author_platform_id=author,
        author_name=f"Resident {author}",
        created_at=base + timedelta(seconds=i * 3),
        text=text,
        fields=fields,
    )


def build(url: str, total: int, batch: int) -> tuple[float, float, float, int]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    media = MediaStore(Path(tempfile.mkdtemp()) / "media")
    rng = random.Random(409)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    versions = 0
    capture_cpu = 0.0  # CPU spent in capture and commit only, not in making the test data
    start, cpu_start = time.perf_counter(), time.process_time()
    for lo in range(0, total, batch):
        items = []
        for i in range(lo, min(lo + batch, total)):
            text = make_text(rng)
            items.append(item(i, rng, base, text, {}))
            roll = rng.random()
            if roll < 0.03:  # edited later: a second version
                items.append(item(i, rng, base, text + " (edited)", {}))
            elif roll < 0.05:
                items.append(item(i, rng, base, text, {"hidden": True}))
            elif roll < 0.06:
                items.append(item(i, rng, base, text, {"removed": True}))
        t0 = time.process_time()
        with transaction(sessions) as session:
            report = capture(session, items, source="bench", media=media)
        capture_cpu += time.process_time() - t0
        versions += report.new_items + report.new_versions
        done = min(lo + batch, total)
        if done % (batch * 100) == 0:
            rate = done / (time.perf_counter() - start)
            print(f"  {done:>9,} comments captured, {rate:,.0f}/s", flush=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    with engine.begin() as conn:  # fresh planner statistics, as autovacuum would gather them
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return elapsed, cpu, capture_cpu, versions


def time_searches(url: str, n: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)
    cases = {
        "common word": lambda: SearchQuery(q=rng.choice(WORDS)),
        "two words": lambda: SearchQuery(q=f"{rng.choice(WORDS)} {rng.choice(WORDS)}"),
        "rare word": lambda: SearchQuery(q=rng.choice(RARE)),
        "word + state=removed": lambda: SearchQuery(q=rng.choice(WORDS), state="removed"),
        "word + author": lambda: SearchQuery(
            q=rng.choice(WORDS), author=f"u{rng.randrange(50_000)}"
        ),
        "filters only (removed)": lambda: SearchQuery(state="removed"),
        "word + date range": lambda: SearchQuery(
            q=rng.choice(WORDS),
            date_from=datetime(2024, 1, 10, tzinfo=UTC),
            date_to=datetime(2024, 1, 20, tzinfo=UTC),
        ),
    }
    results: dict[str, list[float]] = {}
    with sessions() as session:
        for name, make in cases.items():
            search(session, make())  # warm the cache
            times = []
            for _ in range(n):
                q = make()
                t = time.perf_counter()
                search(session, q)
                times.append((time.perf_counter() - t) * 1000)
            results[name] = times
    engine.dispose()
    return results


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report_searches(url: str, searches: int) -> None:
    print(f"search ({searches} queries each, ms):")
    for name, times in time_searches(url, searches).items():
        print(
            f"  {name:<24} p50 {pct(times, 50):7.2f}  p95 {pct(times, 95):7.2f}  "
            f"max {max(times):7.2f}  mean {statistics.mean(times):7.2f}",
            flush=True,
        )


def run(backend: str, total: int, batch: int, searches: int) -> None:
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="piodesk-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    print(f"== {backend}: capturing {total:,} comments in batches of {batch}")
    elapsed, cpu, capture_cpu, versions = build(url, total, batch)
    print(
        f"capture: {total:,} comments ({versions:,} versions) in {elapsed:,.1f} s wall = "
        f"{total / elapsed:,.0f} comments/s ({versions / elapsed:,.0f} versions/s); "
        f"process CPU {cpu:,.1f} s; in capture and commit {capture_cpu:,.1f} s = "
        f"{total / capture_cpu:,.0f} comments per CPU-second of capture"
    )
    print(f"  (machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    report_searches(url, searches)
    if backend == "sqlite":
        size = sum(f.stat().st_size for f in path.parent.iterdir())
        print(f"database size: {size / 1e6:,.0f} MB")
    else:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--search-only", metavar="URL", help="time searches on an archive built by an earlier run"
    )
    args = parser.parse_args()
    if args.search_only:
        report_searches(args.search_only, args.searches)
        return
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.items, args.batch, args.searches)


if __name__ == "__main__":
    main()
