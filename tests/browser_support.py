"""Serve piodesk on a free local port in a thread, and drive Debian's headless Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # the closed network refuses Google's update hosts
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's chromium, installed by `make chromium`; skip clearly when it is not there."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed: run `make chromium` (make test does)")
    return path


@dataclass
class DemoSite:
    """The demo agency served on a free port: its URL and its database."""

    url: str
    sessions: sessionmaker[Session]


@contextmanager
def demo_site(tmp_path: Path) -> Iterator[DemoSite]:
    """Seed the demo agency (sandbox page included) in a fresh SQLite file and serve it."""
    from piodesk.core.config import Settings
    from piodesk.core.db import make_engine, make_sessionmaker, transaction
    from piodesk.core.migrate import upgrade
    from piodesk.demo import seed, seed_sandbox
    from piodesk.pages.model import Agency
    from piodesk.web.app import create_app

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        data_dir=tmp_path / "data",
        secret_key="browser-test-secret-key-0123456789",
        cookie_secure=False,
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        seed(session, Agency.from_settings(settings))
    seed_sandbox(sessions)
    try:
        with serve(create_app(settings, engine)) as url:
            yield DemoSite(url, sessions)
    finally:
        engine.dispose()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright (skips when chromium is not installed)."""
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    # The form posts and the browser loads the next page; wait for that page, or a test's
    # next look at the header can land on the login page still on screen.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def open_nav(page: Page, name: str) -> None:
    """Follow a header link by its name; on a phone the header menu is folded, so open it."""
    page.wait_for_load_state()
    summary = page.locator("#menu > summary")
    # is_visible() does not wait: make sure the signed-in header is there before asking.
    summary.wait_for(state="attached")
    if summary.is_visible():
        summary.click()
    page.locator("header.top nav").get_by_role("link", name=name, exact=True).click()
