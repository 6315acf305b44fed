"""Archive benchmark: capture throughput and search latency at a million comments and more.

    .venv/bin/python bench/archive.py          # 1,000,000 comments, SQLite and PostgreSQL
    .venv/bin/python bench/archive.py --items 100000 --backend sqlite
    .venv/bin/python bench/archive.py --items 10000000 --backend postgresql \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/wt_mine

Builds a synthetic archive (comments with realistic lengths, a vocabulary with a long tail,
authors, pages, and edits, hides and removals as extra versions, see bench/synthetic.py) and
times full-text searches with and without filters. On SQLite every comment goes through the
real capture path on one core. On PostgreSQL all but the last ``--capture`` comments are bulk
loaded in the database (the same distribution, made by SQL, search indexes built once after)
so ten million fit in one sitting; the last ones go through the real capture path on top, and
that is the capture rate printed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from synthetic import AUTHORS, COMMON_SHARE, LENGTHS, PG_URL, RARE, WORDS, make_text, pg_schema

from piodesk.archive import pgsearch
from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.connectors.model import CapturedItem, ItemKind
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade


def item(
    i: int, rng: random.Random, base: datetime, text: str, fields: dict[str, object]
) -> CapturedItem:
    author = f"u{rng.randrange(AUTHORS)}"
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


BASE = datetime(2024, 1, 1, tzinfo=UTC)  # comment i is published at BASE + 3 i seconds
# One chunk of synthetic comments, made in the database: the same distribution as make_text
# (lengths, common share, rare tail, authors) and the same edits, hides and removals as build().
_BULK_CHUNK = """
CREATE TEMP TABLE bulk ON COMMIT DROP AS
SELECT g.i, floor(random() * :authors)::int AS u, random() AS roll,
       (SELECT string_agg(CASE WHEN random() < :common
                          THEN (CAST(:words AS text[]))[1 + floor(random() * :nwords)::int]
                          ELSE 'w' || lpad(floor(random() * :nrare)::int::text, 5, '0') END, ' ')
        FROM generate_series(1, (CAST(:lengths AS int[]))[1 + floor(random() * :nlengths)::int
                                                           + 0 * g.i])) || '.' AS body
FROM generate_series(:lo, :hi - 1) AS g(i);
INSERT INTO archive_items (id, platform, kind, platform_id, page_platform_id, parent_platform_id,
    author_platform_id, author_name, created_at, first_captured_at, head_version,
    head_fingerprint, state)
SELECT i + 1, 'facebook', 'comment', 'c' || i, 'page' || (i % 8), 'post' || (i / 40), 'u' || u,
       'Resident u' || u, :base + i * interval '3 seconds', :base + i * interval '3 seconds'
       + interval '1 minute', CASE WHEN roll < 0.06 THEN 2 ELSE 1 END,
       md5(i::text || 'head'), CASE WHEN roll < 0.03 THEN 'edited' WHEN roll < 0.05 THEN 'hidden'
       WHEN roll < 0.06 THEN 'removed' ELSE 'live' END
FROM bulk;
INSERT INTO archive_versions (seq, item_id, version, captured_at, source, state, fingerprint,
    text, author_platform_id, author_name, created_at, fields, media, raw, raw_media_type,
    raw_sha256, prev_hash, hash)
SELECT seq, i + 1, version, created + interval '1 minute' + (version - 1) * interval '1 day',
       'bench bulk load', state, md5(seq::text), body, 'u' || u, 'Resident u' || u, created,
       fields, '[]', raw, 'application/json', encode(sha256(raw), 'hex'),
       encode(sha256(convert_to('bulk ' || (seq - 1), 'UTF8')), 'hex'),
       encode(sha256(convert_to('bulk ' || seq, 'UTF8')), 'hex')
FROM (
    SELECT :seq0 + i - :lo + 1 AS seq, i, u, 1 AS version, 'live' AS state, body,
           :base + i * interval '3 seconds' AS created, '{}'::jsonb AS fields,
           convert_to(json_build_object('id', 'c' || i, 'message', body,
                                        'from', json_build_object('id', 'u' || u))::text,
                      'UTF8') AS raw
    FROM bulk
    UNION ALL
    SELECT :seq0 + :hi - :lo + row_number() OVER (ORDER BY i), i, u, 2,
           CASE WHEN roll < 0.03 THEN 'edited' WHEN roll < 0.05 THEN 'hidden' ELSE 'removed' END,
           CASE WHEN roll < 0.03 THEN body || ' (edited)' ELSE body END,
           :base + i * interval '3 seconds',
           CASE WHEN roll < 0.03 THEN '{}'::jsonb WHEN roll < 0.05 THEN '{"hidden": true}'
                ELSE '{"removed": true}' END,
           convert_to(json_build_object('id', 'c' || i, 'message', body)::text, 'UTF8')
    FROM bulk WHERE roll < 0.06
) v;
"""


def bulk_load(url: str, total: int, chunk: int = 250_000) -> tuple[float, int]:
    """Load ``total`` synthetic comments straight into the tables (PostgreSQL), with their
    search rows, the search indexes built once at the end: scaffolding for a big archive in
    minutes. These rows are not a hash chain (their hash columns are digests of their seq):
    the real capture path then extends the archive from their end, and is what is timed."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    start, seq = time.perf_counter(), 0
    with engine.begin() as conn:
        for name in pgsearch.INDEX_NAMES:  # built once, after the load
            conn.exec_driver_sql(f"DROP INDEX {name}")
    for lo in range(0, total, chunk):
        hi = min(lo + chunk, total)
        with transaction(sessions) as session:
            session.execute(text("SET LOCAL synchronous_commit = off"))
            session.execute(text("SELECT setseed(:s)"), {"s": lo / (total + 1)})  # repeatable
            params = {
                "authors": AUTHORS,
                "common": COMMON_SHARE,
                "words": list(WORDS),
                "nwords": len(WORDS),
                "nrare": len(RARE),
                "lengths": list(LENGTHS),
                "nlengths": len(LENGTHS),
                "lo": lo,
                "hi": hi,
                "seq0": seq,
                "base": BASE,
            }
            for statement in filter(str.strip, _BULK_CHUNK.split(";")):
                session.execute(text(statement), params)
            top = session.execute(text("SELECT max(seq) FROM archive_versions")).scalar_one()
            pgsearch.index_range(session, seq, top)
            seq = top
        with engine.begin() as conn:  # statistics as the tables grow, as autovacuum would
            conn.exec_driver_sql("ANALYZE archive_items")
            conn.exec_driver_sql("ANALYZE archive_versions")
        print(
            f"  {hi:>10,} comments bulk loaded ({seq:,} versions), "
            f"{time.perf_counter() - start:,.0f} s",
            flush=True,
        )
    with engine.begin() as conn:
        last = conn.execute(
            text("SELECT hash FROM archive_versions WHERE seq = :s"), {"s": seq}
        ).scalar_one()
        conn.execute(
            text("INSERT INTO archive_head (id, last_seq, last_hash) VALUES (1, :s, :h)"),
            {"s": seq, "h": last},
        )
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('archive_items', 'id'), "
            "(SELECT max(id) FROM archive_items))"
        )
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        for statement in pgsearch.INDEXES:
            conn.exec_driver_sql(statement)
        for table in ("archive_items", "archive_versions", "archive_search"):
            conn.exec_driver_sql(f"ANALYZE {table}")  # this schema's: not the whole database
    print(f"  search indexes built and ANALYZE in {time.perf_counter() - t0:,.0f} s")
    engine.dispose()
    return time.perf_counter() - start, seq


def _backend_pid(session: Any) -> int | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a local process (the PostgreSQL backend), from /proc."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the server is on another machine: not counted
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build(url: str, total: int, batch: int, first: int = 0) -> tuple[float, float, float, int]:
    """Capture comments ``first`` … ``total - 1`` through the real capture path; time it."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    scratch = tempfile.TemporaryDirectory(prefix="piodesk-bench-media-")  # removed at the end
    media = MediaStore(Path(scratch.name) / "media")
    rng = random.Random(409 + first)
    base = BASE
    versions = 0
    capture_cpu = 0.0  # CPU spent in capture and commit only, not in making the test data
    capture_wall = 0.0  # wall time in capture and commit (the database's work included)
    server_cpu = 0.0  # CPU of the PostgreSQL backend serving the capture (same machine)
    start, cpu_start = time.perf_counter(), time.process_time()
    for lo in range(first, total, batch):
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
        t0, w0 = time.process_time(), time.perf_counter()
        with transaction(sessions) as session:
            backend = _backend_pid(session)
            server0 = _cpu_seconds(backend)
            report = capture(session, items, source="bench", media=media)
        capture_cpu += time.process_time() - t0
        capture_wall += time.perf_counter() - w0
        server_cpu += _cpu_seconds(backend) - server0
        versions += report.new_items + report.new_versions
        done = min(lo + batch, total)
        if (done - first) % (batch * 20) == 0:
            rate = (done - first) / (time.perf_counter() - start)
            print(
                f"  {done:>10,} comments in the archive, captured at {rate:,.0f}/s "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    with engine.begin() as conn:  # fresh planner statistics, as autovacuum would gather them
        for table in ("archive_items", "archive_versions", "archive_search"):
            if conn.dialect.name == "postgresql" or table != "archive_search":
                conn.exec_driver_sql(f"ANALYZE {table}")
    scratch.cleanup()
    n = total - first
    print(
        f"  in capture and commit: {capture_wall:,.1f} s wall = {n / capture_wall:,.0f} comments/s "
        "(the rest of the wall time made the synthetic comments)"
    )
    if server_cpu:
        both = capture_cpu + server_cpu
        print(
            f"  CPU per comment: piodesk {capture_cpu / n * 1e6:,.0f} us + PostgreSQL backend "
            f"{server_cpu / n * 1e6:,.0f} us = {n / both:,.0f} comments per CPU-second of both "
            "(what one capture process sustains with a core each, whatever the machine's load)"
        )
    engine.dispose()
    return elapsed, cpu, capture_cpu, versions


def query_shapes(rng: random.Random) -> dict[str, Callable[[], SearchQuery]]:
    """The searches timed, each a maker of random queries of one shape."""
    return {
        "common word": lambda: SearchQuery(q=rng.choice(WORDS)),
        "two words": lambda: SearchQuery(q=f"{rng.choice(WORDS)} {rng.choice(WORDS)}"),
        "rare word": lambda: SearchQuery(q=rng.choice(RARE)),
        "word + state=removed": lambda: SearchQuery(q=rng.choice(WORDS), state="removed"),
        "word + author": lambda: SearchQuery(
            q=rng.choice(WORDS), author=f"u{rng.randrange(AUTHORS)}"
        ),
        "filters only (removed)": lambda: SearchQuery(state="removed"),
        "word + date range": lambda: SearchQuery(
            q=rng.choice(WORDS),
            date_from=datetime(2024, 1, 10, tzinfo=UTC),
            date_to=datetime(2024, 1, 20, tzinfo=UTC),
        ),
    }


def explain(url: str) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of every statement one search of each shape runs."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)

    @event.listens_for(engine, "before_cursor_execute")
    def _explain(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            print("\n".join(r[0] for r in cursor.fetchall()))
            print("--")

    with sessions() as session:
        for name, make in query_shapes(rng).items():
            query = make()
            print(f"==== {name}: {query}", flush=True)
            search(session, query)
    engine.dispose()


def time_searches(url: str, n: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)
    cases = query_shapes(rng)
    results: dict[str, list[float]] = {}
    with sessions() as session:
        backend = _backend_pid(session)
        for name, make in cases.items():
            search(session, make())  # warm the cache
            times, cpu = [], []
            for _ in range(n):
                q = make()
                c, server = time.process_time(), _cpu_seconds(backend)
                t = time.perf_counter()
                search(session, q)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c + _cpu_seconds(backend) - server) * 1000)
            results[name] = times
            results[f"{name} (CPU)"] = cpu
    engine.dispose()
    return results


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report_searches(url: str, searches: int) -> None:
    print(
        f"search ({searches} queries each, ms; wall clock, then the CPU of piodesk and of the "
        "PostgreSQL backend together, which a loaded machine does not inflate; the CPU clock "
        "ticks in 10 ms, so its percentiles are coarse and its mean is the figure):"
    )
    results = time_searches(url, searches)
    for name, times in results.items():
        if name.endswith("(CPU)"):
            continue
        cpu = results[f"{name} (CPU)"]
        print(
            f"  {name:<24} p50 {pct(times, 50):7.2f}  p95 {pct(times, 95):7.2f}  "
            f"max {max(times):7.2f}  mean {statistics.mean(times):7.2f}   "
            f"CPU mean {statistics.mean(cpu):6.2f}  p95 {pct(cpu, 95):6.2f}",
            flush=True,
        )


def measure(url: str, total: int, args: argparse.Namespace) -> None:
    """Build the archive at ``url`` (bulk load, then real capture on top), time the searches."""
    bulk = max(0, total - args.capture) if url.startswith("postgresql") and args.bulk else 0
    if bulk:
        print(f"== postgresql: bulk loading {bulk:,} synthetic comments")
        seconds, versions = bulk_load(url, bulk)
        print(f"bulk load: {bulk:,} comments ({versions:,} versions) in {seconds:,.0f} s")
    print(f"== capturing {total - bulk:,} comments in batches of {args.batch} (real capture path)")
    elapsed, cpu, capture_cpu, versions = build(url, total, args.batch, first=bulk)
    n = total - bulk
    print(
        f"capture: {n:,} comments ({versions:,} versions) in {elapsed:,.1f} s wall = "
        f"{n / elapsed:,.0f} comments/s ({versions / elapsed:,.0f} versions/s) into an archive "
        f"growing from {bulk:,} to {total:,}; process CPU {cpu:,.1f} s; in capture and commit "
        f"{capture_cpu:,.1f} s = {n / capture_cpu:,.0f} comments per CPU-second of capture"
    )
    print(f"  (machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    report_searches(url, args.searches)
    print(f"  (machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def run(backend: str, total: int, args: argparse.Namespace) -> None:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="piodesk-bench-") as tmp:
            path = Path(tmp) / "bench.sqlite3"
            print(f"== sqlite: {total:,} comments")
            measure(f"sqlite:///{path}", total, args)
            size = sum(f.stat().st_size for f in path.parent.iterdir())
            print(f"database size: {size / 1e6:,.0f} MB")
        return
    with pg_schema(args.pg_url, keep=args.keep) as url:
        print(f"== postgresql: {total:,} comments")
        measure(url, total, args)
        engine = make_engine(url)
        with engine.connect() as conn:
            size = conn.exec_driver_sql(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
            ).scalar()
        engine.dispose()
        print(f"database size: {float(size or 0) / 1e6:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--capture",
        type=int,
        default=100_000,
        help="PostgreSQL: comments captured through the real path on top of the bulk load",
    )
    parser.add_argument(
        "--no-bulk",
        dest="bulk",
        action="store_false",
        help="PostgreSQL: capture every comment through the real path (slow at millions)",
    )
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to use")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument(
        "--search-only", metavar="URL", help="time searches on an archive built by an earlier run"
    )
    parser.add_argument(
        "--explain", action="store_true", help="with --search-only: print each shape's plans"
    )
    args = parser.parse_args()
    if args.search_only:
        if args.explain:
            explain(args.search_only)
        report_searches(args.search_only, args.searches)
        return
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.items, args)


if __name__ == "__main__":
    main()
