"""What the archive benchmarks share: the synthetic vocabulary, comment text, and a PostgreSQL
schema of their own (made for the run, dropped after).

Used by bench/archive.py, bench/production.py and bench/evidence.py (run from the repository
root: ``.venv/bin/python bench/archive.py``; the bench directory is then on ``sys.path``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from piodesk.core.db import make_engine

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Common words of a police department's comments (each is in about a fifth of them).
WORDS = (
    *("police", "road", "closure", "traffic", "accident", "officer", "thanks", "community"),
    *("event", "park", "downtown", "street", "safety", "neighborhood", "burglary", "theft"),
    *("car", "stolen", "missing", "dog", "child", "school", "weather", "snow", "ice", "fire"),
    *("department", "chief", "meeting", "crime", "report", "tip", "suspect", "arrest", "court"),
    *("judge", "speeding", "parking", "noise", "complaint", "drugs", "gang", "shooting"),
    *("detective", "investigation", "patrol", "sergeant", "volunteer", "recruiting", "academy"),
    *("training", "emergency", "alert", "evacuation", "shelter", "bridge", "highway"),
    *("interstate", "construction", "detour", "bus", "train", "airport", "festival", "parade"),
)
#: A long tail of rare terms (each in about one comment in five thousand).
RARE = tuple(f"w{n:05d}" for n in range(20000))
#: Comment lengths in words, drawn uniformly.
LENGTHS = (6, 10, 14, 20, 30, 45)
#: The share of a comment's words drawn from WORDS (the rest from RARE).
COMMON_SHARE = 0.8
#: Authors: "u0" … "u49999", named "Resident u<n>".
AUTHORS = 50_000


def make_text(rng: random.Random) -> str:
    """One comment: common words with a long tail of rare ones, realistic lengths."""
    n = rng.choice(LENGTHS)
    words = [
        rng.choice(WORDS) if rng.random() < COMMON_SHARE else rng.choice(RARE) for _ in range(n)
    ]
    return " ".join(words).capitalize() + rng.choice((".", "!", "?", "..."))


@contextmanager
def pg_schema(base_url: str = PG_URL, *, keep: bool = False) -> Iterator[str]:
    """A URL on a new, empty schema of ``base_url``'s database, dropped afterwards (unless
    ``keep``: then its URL is printed, for EXPLAIN or ``--search-only``)."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        if keep:
            print(f"kept schema {schema}: {base_url}{sep}options=-csearch_path%3D{schema}")
        else:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
