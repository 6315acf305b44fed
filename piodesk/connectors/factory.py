"""The one way piodesk gets a page's connector: its stored connection, then the registry.

``build(page, sessions, key)`` reads the page's ``PageConnection`` (settings and the encrypted
credential), decrypts the credential with the app's key and hands both to the connector class
registered (``@register``) for the page's platform. Ingest, moderation, the pages and the CLI all
call it, so adding a platform is one registered class and nothing else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import Connection, Connector, create, registered
from piodesk.connectors.credentials import decrypt
from piodesk.core.errors import Conflict
from piodesk.pages.tables import Page, PageConnection


def build(page: Page, sessions: sessionmaker[Session], key: str = "") -> Connector:
    """The connector that reaches this page's platform (credentials decrypted with ``key``)."""
    cls = registered(page.platform)
    if cls is None:
        raise Conflict(f"piodesk has no connector for {page.platform} yet")
    if not cls.connection_secrets:  # the built-in sandbox: nothing to sign in with
        return create(page.platform, Connection(page.handle, sessions=sessions))
    with sessions() as session:
        row = session.execute(
            select(PageConnection).where(PageConnection.page_id == page.id)
        ).scalar_one_or_none()
    if row is None or not key:
        raise Conflict(
            f"no platform credentials are stored for {page.name} ({page.platform}); "
            "connect the page before it can be polled"
        )
    connection = Connection(
        page.handle, dict(row.settings), decrypt(row.credential, key), sessions=sessions
    )
    return create(page.platform, connection)
