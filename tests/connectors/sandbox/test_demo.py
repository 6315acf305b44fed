"""`piodesk demo` gives the sandbox page posts and comments, read back by the connector."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from piodesk.cli import app
from piodesk.connectors.model import ItemKind
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import audit
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.demo import DEMO_COMMENTS, DEMO_POSTS


def test_the_demo_seeds_the_sandbox_page(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    result = CliRunner().invoke(
        app,
        ["demo", "--no-serve", "--database", str(database)],
        env={"PIODESK_DEMO": "1", "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "/sandbox/cspd-community" in result.output

    engine = make_engine(f"sqlite:///{database}")
    sessions = make_sessionmaker(engine)
    conn = SandboxConnector(sessions, "cspd-community")
    posts = conn.fetch_posts().items
    assert [p.text for p in posts] == list(DEMO_POSTS.values())
    comments = [c for p in posts for c in conn.fetch_comments(p.platform_id).items]
    assert sorted(c.text or "" for c in comments) == sorted(c.text for c in DEMO_COMMENTS)
    assert [c.kind for c in comments].count(ItemKind.REPLY) == 1
    texts = " ".join(c.text or "" for c in comments)
    for flaggable in ("719-555-0147", "bullshit", "50% off", "put a bullet in him"):
        assert flaggable in texts
    [subscribers] = conn.fetch_subscribers().items
    assert subscribers.fields["count"] == len({c.name for c in DEMO_COMMENTS})
    # The sandbox platform writes no audit events of its own; the demo's chain stays valid.
    with sessions() as session:
        assert audit.verify(session).ok
    engine.dispose()
