"""Load test: PIOs, records custodians and visitors on the web app at once, jobs running.

    .venv/bin/python bench/load.py                       # 20 users for 60 s (the issue's aim)
    .venv/bin/python bench/load.py --users 40 --seconds 120 --seed-comments 2000
    .venv/bin/python bench/load.py --profile var/load.svg   # py-spy flame graph of the server

One command does it all: builds a fresh demo agency on SQLite in a temporary directory (the
`piodesk demo` seeds, plus ``--seed-comments`` visitors' comments ingested and screened, so the
archive and the queue are not empty), starts the server on a free loopback port with its
in-process jobs (ingest every 10 s, intake, checkpoints, outbox …), drives it with locust
(library API, headless; the users are in ``bench/load/locustfile.py``), prints p50/p95/p99 per
page, stops the server and removes every file it made. Bounded: ``--users`` at most 200,
``--seconds`` at most 600, loopback only. The machine is shared: the load average is printed
beside the figures. Prints figures; asserts nothing (exit 1 only if requests failed).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The aim of issue 15, item 7.
AIM_P95_MS = 200.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the server (a child process: locust's gevent must not patch the server's threads) ------


def serve(directory: Path, port: int, seed_comments: int) -> None:
    """Build the demo agency in ``directory``, add visitors' comments, and serve it."""
    import uvicorn

    from piodesk.archive.ingest import ingest_all
    from piodesk.archive.media import MediaStore
    from piodesk.cli import demo, load_settings
    from piodesk.connectors.sandbox import platform
    from piodesk.core.config import PLACEHOLDER_SECRET
    from piodesk.core.db import make_engine, make_sessionmaker, transaction
    from piodesk.moderation.intake import intake_all
    from piodesk.screening.engine import default_screener
    from piodesk.web.app import create_app

    database = directory / "demo.sqlite3"
    demo(host="127.0.0.1", port=port, database=database, serve_app=False)
    settings = load_settings(
        demo=True,
        database_url=f"sqlite:///{database}",
        data_dir=directory / "demo-data",
        cookie_secure=False,
        secret_key=PLACEHOLDER_SECRET,
        ingest_seconds=10,  # as `piodesk demo`: a visitor's comment reaches the archive in 10 s
    )
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(15)
    words = (
        *("closure", "crash", "coffee", "department", "tickets", "chief", "nevada", "detour"),
        *("patience", "officers", "neighborhood", "parade", "fireworks", "converter"),
        *("academy", "hospital", "traffic"),
    )
    with transaction(sessions) as s:
        page = platform.find_page(s, "cspd-community")
        assert page is not None
        posts = [p.id for p in s.query(platform.SandboxPost).filter_by(page_id=page.id)]
        for i in range(seed_comments):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(6, 24)))
            if i % 10 == 0:
                body += f" call 719-555-{i % 10_000:04d} for tickets"
            platform.add_comment(
                s,
                page,
                rng.choice(posts),
                visitor_id=f"seed-{i % 97}",
                visitor_name=f"Seed Visitor {i % 97}",
                body=body,
            )
    ingest_all(sessions, media=MediaStore(settings.data_dir / "media"))
    intake_all(sessions, default_screener())
    uvicorn.run(
        create_app(settings, engine, jobs=True), host="127.0.0.1", port=port, log_level="warning"
    )


# ---- the run ---------------------------------------------------------------------------------


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer {url} within {timeout:.0f} s")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def run(args: argparse.Namespace) -> int:
    """Start the server, drive it with locust, print the table; 1 if any request failed."""
    import gevent
    from locust.env import Environment

    sys.path.insert(0, str(HERE / "load"))
    import locustfile

    with tempfile.TemporaryDirectory(prefix="piodesk-load-") as tmp:
        directory = Path(tmp)
        port = _free_port()
        log = directory / "server.log"
        started = time.monotonic()
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603 - this interpreter, this file
                [
                    sys.executable,
                    __file__,
                    "--serve-child",
                    str(directory),
                    "--port",
                    str(port),
                    "--seed-comments",
                    str(args.seed_comments),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                # Only this run's settings: none of the caller's PIODESK_* (a database URL…).
                env={k: v for k, v in os.environ.items() if not k.startswith("PIODESK_")},
            )
        profiler: subprocess.Popen[bytes] | None = None
        try:
            host = f"http://127.0.0.1:{port}"
            _wait_for(f"{host}/healthz", server, log, timeout=300)
            print(
                f"server up in {time.monotonic() - started:.0f} s "
                f"(demo + {args.seed_comments} seeded comments); load average {_load()}"
            )
            if args.profile:
                py_spy = Path(sys.executable).with_name("py-spy")
                profiler = subprocess.Popen(  # noqa: S603 - the venv's py-spy, on our own child
                    [
                        str(py_spy),
                        "record",
                        "--pid",
                        str(server.pid),
                        "--output",
                        str(Path(args.profile).resolve()),
                        "--duration",
                        str(args.seconds),
                        "--rate",
                        "50",
                        "--idle",
                        "--nonblocking",
                        # collapsed stacks for a .txt name (grep-able), else a flame graph
                        "--format",
                        "raw" if args.profile.endswith(".txt") else "flamegraph",
                    ],
                    stdout=subprocess.DEVNULL,
                )
            env = Environment(user_classes=list(locustfile.USERS), host=host)
            runner = env.create_local_runner()
            runner.start(args.users, spawn_rate=args.spawn_rate)
            gevent.spawn_later(args.seconds, runner.quit)
            runner.greenlet.join()
            after = _load()
            if profiler is not None:
                profiler.wait(timeout=60)
                print(f"py-spy flame graph: {args.profile}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if profiler is not None and profiler.poll() is None:
                profiler.terminate()
        _print_table(env, args, after)
        if args.keep_log:
            shutil.copy(log, args.keep_log)
        return 1 if env.stats.total.num_failures else 0


def _print_table(env: object, args: argparse.Namespace, load_after: str) -> None:
    stats = env.stats  # type: ignore[attr-defined]
    rows = sorted(stats.entries.values(), key=lambda e: e.name)
    print(
        f"\n{args.users} users for {args.seconds} s on 127.0.0.1 (SQLite, in-process jobs); "
        f"load average at the end {load_after} (2 cores, shared by others)"
    )
    print(f"{'page':48s} {'reqs':>6s} {'fail':>5s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s}")
    for e in [*rows, stats.total]:
        name = "all requests" if e is stats.total else e.name
        p95 = e.get_response_time_percentile(0.95)
        mark = "" if e.num_requests == 0 or p95 <= AIM_P95_MS else "  > aim"
        print(
            f"{name:48s} {e.num_requests:6d} {e.num_failures:5d} "
            f"{e.get_response_time_percentile(0.5):7.0f} {p95:7.0f} "
            f"{e.get_response_time_percentile(0.99):7.0f}{mark}"
        )
    print(f"throughput {stats.total.total_rps:.1f} requests/s; aim: p95 under {AIM_P95_MS:.0f} ms")
    for error in list(stats.errors.values())[:10]:
        print(f"failed {error.occurrences}x {error.method} {error.name}: {error.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20, choices=range(1, 201), metavar="1..200")
    parser.add_argument("--seconds", type=int, default=60, choices=range(5, 601), metavar="5..600")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started per second")
    parser.add_argument("--seed-comments", type=int, default=1000, help="comments before the run")
    parser.add_argument(
        "--profile",
        default="",
        help="py-spy profile of the server: an SVG flame graph, or collapsed stacks (.txt)",
    )
    parser.add_argument("--keep-log", default="", help="copy the server's log here")
    parser.add_argument("--serve-child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_child:
        serve(Path(args.serve_child), args.port, args.seed_comments)
        return
    sys.exit(run(args))


if __name__ == "__main__":
    main()
