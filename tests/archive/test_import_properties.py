"""Property tests over the export importers (issue 15, item 8): malformed input of any shape
gets a clear refusal and writes nothing.

Small exports in each platform's format (X archive, Mastodon, Facebook, Instagram) are cut
from the shared samples; hypothesis then damages one data file — cuts it short, splices bytes
into it, or replaces it with other JSON or with binary — and imports it through
``import_export`` (small batches, so a write before the refusal would show). Whatever it
makes, either the import is refused with :class:`InvalidInput` and a readable sentence and the
archive is as it was, or the damage left a valid export and the archive verifies. A file cut
short inside its JSON is always refused. `make fuzz` runs many more examples.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.archive.verify import verify_archive
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from tests.archive.test_import import row_counts
from tests.connectors.conftest import shared

EXAMPLES = int(os.environ.get("PIODESK_FUZZ_EXAMPLES", "6"))
KEEP = 4  # entries kept from each sample: small exports, so many examples run quickly


def _x(src: Path, dest: Path) -> Path:
    text = (src / "data/tweets.js").read_text("utf-8")
    head, body = text.split("=", 1)
    (dest / "data").mkdir(parents=True)
    shutil.copy(src / "data/account.js", dest / "data/account.js")
    entries = json.loads(body)[:KEEP]
    (dest / "data/tweets.js").write_text(f"{head}= {json.dumps(entries, indent=2)}", "utf-8")
    return dest / "data/tweets.js"


def _mastodon(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(src / "actor.json", dest / "actor.json")
    outbox = json.loads((src / "outbox.json").read_text("utf-8"))
    outbox["orderedItems"] = outbox["orderedItems"][:KEEP]
    outbox["totalItems"] = len(outbox["orderedItems"])
    (dest / "outbox.json").write_text(json.dumps(outbox), "utf-8")
    return dest / "outbox.json"


def _list_file(name: str) -> Callable[[Path, Path], Path]:
    def cut(src: Path, dest: Path) -> Path:
        dest.mkdir(parents=True)
        for f in src.glob("*.json"):
            entries = json.loads(f.read_text("utf-8"))[:KEEP]
            (dest / f.name).write_text(json.dumps(entries, indent=2), "utf-8")
        return dest / name

    return cut


EXPORTS: dict[str, Callable[[Path, Path], Path]] = {
    "twitter_archive": _x,
    "mastodon": _mastodon,
    "facebook": _list_file("your_posts_1.json"),
    "instagram": _list_file("posts_1.json"),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, Callable[[bytes], bytes]]:
    """A way of breaking a file: its name (for the report) and the function that does it."""
    kind = draw(st.sampled_from(["truncate", "splice", "json", "binary"]))
    if kind == "truncate":
        frac = draw(st.floats(0.0, 0.999))
        return kind, lambda b: b[: int(len(b.rstrip()) * frac)]
    if kind == "splice":
        where, junk = draw(st.floats(0.0, 1.0)), draw(st.binary(min_size=1, max_size=40))
        cut = draw(st.integers(0, 40))
        return kind, lambda b: b[: int(len(b) * where)] + junk + b[int(len(b) * where) + cut :]
    if kind == "json":
        value = draw(json_values)
        return kind, lambda _b: json.dumps(value).encode()
    data = draw(st.binary(max_size=200))
    return kind, lambda _b: data


@pytest.mark.parametrize("export", list(EXPORTS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 10,  # `make test` runs the same examples each time
)
@given(broken=damage())
def test_a_damaged_export_is_refused_whole_or_imported_whole(
    export: str,
    broken: tuple[str, Callable[[bytes], bytes]],
    sessions: sessionmaker[Session],
    staff,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    kind, spoil = broken
    tmp = tmp_path_factory.mktemp("damaged")
    try:
        target = EXPORTS[export](shared(f"exports/{export}"), tmp / export)
        original = target.read_bytes()
        target.write_bytes(spoil(original))
        media = MediaStore(tmp / "media")
        before = row_counts(sessions)
        try:
            run = import_export(
                sessions, tmp / export, actor=staff[Role.RECORDS], media=media, batch_size=2
            )
        except InvalidInput as refused:
            # A sentence a custodian can act on, not a traceback or a repr of bytes.
            assert refused.message and len(refused.message) < 2_000
            assert "Traceback" not in refused.message
            assert row_counts(sessions) == before  # nothing written, not even the run
            return
        assert kind != "truncate" or len(target.read_bytes()) >= len(original.rstrip()), (
            "a file cut short inside its JSON was imported"
        )
        assert run.status == "finished"
        with sessions() as s:
            assert verify_archive(s, media).ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
