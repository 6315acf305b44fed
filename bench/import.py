"""Import benchmark: a generated 200,000-tweet X archive through ``piodesk import``'s path.

    .venv/bin/python bench/import.py                       # 200,000 tweets, SQLite
    .venv/bin/python bench/import.py --tweets 50000 --backend postgresql

Generates a realistic X "Download your data" ZIP in a temporary folder (``data/tweets.js`` in
the shape of the real sample export: replies, media with files in ``data/tweets_media/``,
hashtags, mentions, URLs, edit info, X's two-space indentation), imports it into a fresh
database in a child process, and prints items/s and the child's peak RSS. The child does
nothing but the import, so its ``ru_maxrss`` is the import's peak. Temporary files and the
PostgreSQL schema are removed afterwards. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SAMPLE = Path(__file__).resolve().parents[1] / "../shared/data/exports/twitter_archive/data"
WORDS = [
    *("road", "closure", "traffic", "officer", "community", "event", "park", "downtown"),
    *("street", "safety", "neighborhood", "school", "weather", "snow", "fire", "thanks"),
    *("reminder", "tonight", "tomorrow", "detour", "crash", "lane", "bridge", "parade"),
    *("festival", "volunteers", "recruits", "academy", "graduation", "K9", "patrol", "city"),
]
JPEG = bytes.fromhex("ffd8ffe000104a4649460001") + bytes(200) + b"\xff\xd9"  # a tiny "photo"


def _templates() -> list[dict[str, object]]:
    text = (SAMPLE / "tweets.js").read_text("utf-8")
    tweets = json.loads(text[text.index("=") + 1 :].strip().rstrip(";"))
    return [t["tweet"] for t in tweets]


def _tweet(i: int, rng: random.Random, templates: list[dict], base: datetime) -> dict:
    tweet = copy.deepcopy(templates[i % len(templates)])
    tweet_id = str(1_600_000_000_000_000_000 + i)
    tweet["id"] = tweet["id_str"] = tweet_id
    when = base + timedelta(minutes=7 * i)
    tweet["created_at"] = when.strftime("%a %b %d %H:%M:%S +0000 %Y")
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 40)))
    tags = [rng.choice(WORDS) for _ in range(rng.randrange(0, 3))]
    tweet["full_text"] = f"{words.capitalize()} &amp; more " + " ".join(f"#{t}" for t in tags)
    entities = tweet.setdefault("entities", {})
    entities["hashtags"] = [{"text": t, "indices": ["0", "1"]} for t in tags]
    if rng.random() < 0.3:  # a reply to an earlier tweet of the account, as threads are
        parent = str(1_600_000_000_000_000_000 + rng.randrange(max(i, 1)))
        tweet["in_reply_to_status_id"] = tweet["in_reply_to_status_id_str"] = parent
        tweet["in_reply_to_screen_name"] = "andreruffert"
        tweet["in_reply_to_user_id"] = tweet["in_reply_to_user_id_str"] = "112769581"
    for media in (tweet.get("extended_entities") or {}).get("media", []):
        media["id"] = media["id_str"] = str(2_600_000_000_000_000_000 + i)
    tweet["edit_info"] = {
        "initial": {
            "editTweetIds": [tweet_id],
            "editableUntil": (when + timedelta(hours=1)).isoformat(),
            "editsRemaining": "5",
            "isEditEligible": True,
        }
    }
    return {"tweet": tweet}


def generate(path: Path, count: int, media_every: int = 100) -> int:
    """Write an X archive ZIP of ``count`` tweets; returns its size in bytes."""
    rng = random.Random(409)
    templates = _templates()
    base = datetime(2015, 1, 1, tzinfo=UTC)
    files: list[tuple[str, bytes]] = []  # a small photo for every 100th tweet with media
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        account = (SAMPLE / "account.js").read_bytes()
        zf.writestr("twitter-2024-06-01/data/account.js", account)
        with zf.open("twitter-2024-06-01/data/tweets.js", "w", force_zip64=True) as out:
            out.write(b"window.YTD.tweets.part0 = [ ")
            for i in range(count):
                entry = _tweet(i, rng, templates, base)
                body = json.dumps(entry, indent=2, separators=(",", " : "), ensure_ascii=False)
                out.write((", " if i else "").encode() + body.encode("utf-8"))
                media = (entry["tweet"].get("extended_entities") or {}).get("media", [])
                if media and i % media_every == 0:
                    name = str(media[0]["media_url_https"]).rsplit("/", 1)[-1]
                    files.append((f"{entry['tweet']['id_str']}-{name}", JPEG + i.to_bytes(4)))
            out.write(b" ]")
        for name, data in files:
            zf.writestr(f"twitter-2024-06-01/data/tweets_media/{name}", data)
    return path.stat().st_size


CHILD = """
import json, sys, time
from pathlib import Path
from piodesk.archive.importing import import_export, open_export
from piodesk.archive.media import MediaStore
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.people import actions as people

url, export, media = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = make_engine(url)
upgrade(engine)
sessions = make_sessionmaker(engine)
with transaction(sessions) as s:
    actor = people.actor_for(people.bootstrap_admin(
        s, username="bench", display_name="Bench Admin", password="correct horse battery staple 409"
    ))
start, cpu = time.perf_counter(), time.process_time()
opened = open_export(sessions, export, actor=actor)  # the first read: the whole export checked
check_cpu = time.process_time() - cpu
run = import_export(sessions, export, actor=actor, media=MediaStore(media), opened=opened)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"taken": run.taken, "unchanged": run.unchanged, "seconds": seconds, "cpu": cpu,
                  "check_cpu": check_cpu}))
"""


def _pg_schema() -> tuple[str, str]:
    from piodesk.core.db import make_engine

    schema = f"bench_import_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    return schema, f"{PG_URL}?options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    from piodesk.core.db import make_engine

    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


def main() -> None:
    """Generate, import in a child process, print items/s and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="piodesk-bench-import-"))
    schema = None
    try:
        export = tmp / "twitter-2024-06-01.zip"
        t0 = time.perf_counter()
        size = generate(export, args.tweets)
        with zipfile.ZipFile(export) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
        print(
            f"generated {args.tweets:,} tweets: {size / 1e6:.0f} MB zip, "
            f"{inflated / 1e6:.0f} MB uncompressed, in {time.perf_counter() - t0:.0f} s"
        )
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        else:
            schema, url = _pg_schema()
        load_before = os.getloadavg()[0]
        child = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", CHILD, url, str(export), str(tmp / "media")],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ},
        )
        if child.returncode != 0:
            print(child.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"the import failed (exit {child.returncode})")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024
        rate = result["taken"] / result["seconds"]
        cpu_rate = result["taken"] / result["cpu"]
        print(
            f"{args.backend}: imported {result['taken']:,} items in {result['seconds']:.1f} s "
            f"= {rate:,.0f} items/s ({cpu_rate:,.0f} items per CPU second of the importer; "
            f"the machine's load average was {load_before:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores); "
            f"peak RSS of the importing process {peak_mb:,.0f} MB"
        )
        print(
            f"  CPU: {result['cpu']:.1f} s in all, {result['check_cpu']:.1f} s of it reading the "
            "export through once to check it before anything is written"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if schema is not None:
            _drop_schema(schema)


if __name__ == "__main__":
    main()
