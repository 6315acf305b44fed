"""Web hardening: Origin/CSRF on cookie API writes, body limits, HSTS, 64-bit ids, file parts."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from piodesk.connectors.sandbox import platform
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from piodesk.web.app import create_app
from tests.browser_support import serve
from tests.conftest import PASSWORD
from tests.moderation.conftest import make_site
from tests.web.conftest import bearer, sign_in

PAGE = {"platform": "facebook", "handle": "h", "name": "n", "administering_unit": "Patrol"}


def _pages(sessions) -> int:
    with sessions() as s:
        return s.execute(select(func.count(Page.id))).scalar_one()


def test_cookie_api_write_needs_origin_or_csrf(client: TestClient, staff, sessions) -> None:
    csrf = sign_in(client, "pio", PASSWORD)
    before = _pages(sessions)
    r = client.post("/api/v1/pages", json=PAGE)
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["error"]
    r = client.post("/api/v1/pages", json=PAGE, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/v1/pages", json=PAGE, headers={"Origin": "null"})
    assert r.status_code == 403
    assert _pages(sessions) == before
    r = client.post("/api/v1/pages", json=PAGE, headers={"Origin": "http://testserver"})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/pages", json=PAGE | {"handle": "h2"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    # Reads need neither; bearer tokens carry no ambient authority, so no check applies.
    assert client.get("/api/v1/pages").status_code == 200


def test_bearer_writes_need_no_origin(client: TestClient, tokens) -> None:
    r = client.post("/api/v1/pages", json=PAGE, headers=bearer(tokens[Role.PIO]))
    assert r.status_code == 201


def test_hsts_only_when_cookies_are_secure(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/login").headers
    client.app.state.ctx.settings.cookie_secure = True  # type: ignore[attr-defined]
    assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("big", [2**63, 2**64, 10**30, -(2**63) - 1])
def test_ids_beyond_64_bits_are_404(client: TestClient, tokens, big: int) -> None:
    for path in (f"/api/v1/pages/{big}", f"/api/v1/items/{big}"):
        r = client.get(path, headers=bearer(tokens[Role.AUDITOR]))
        assert r.status_code == 404, (path, r.status_code, r.text)
    sign_in(client, "auditor", PASSWORD)
    assert client.get(f"/pages/{big}").status_code == 404


def test_query_numbers_beyond_64_bits_are_422(client: TestClient, staff) -> None:
    sign_in(client, "auditor", PASSWORD)
    r = client.get(f"/audit?before={2**64}")
    assert r.status_code == 422 and "out of range" in r.text


def test_largest_64_bit_id_is_an_ordinary_404(client: TestClient, tokens) -> None:
    r = client.get(f"/api/v1/pages/{2**63 - 1}", headers=bearer(tokens[Role.AUDITOR]))
    assert r.status_code == 404


@pytest.fixture
def public_page(sessions, staff, agency, tmp_path: Path):
    return make_site(sessions, staff, agency, tmp_path, "community")


def _comment_form(client: TestClient, handle: str) -> dict[str, str]:
    import re

    page = client.get(f"/sandbox/{handle}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return {"csrf_token": token[1], "visitor_name": "Visitor"}


def _comments(sessions) -> int:
    with sessions() as s:
        return s.execute(select(func.count(platform.SandboxComment.id))).scalar_one()


def test_a_file_named_body_is_refused_not_stored(client: TestClient, public_page, sessions) -> None:
    form = _comment_form(client, public_page.handle)
    before = _comments(sessions)
    r = client.post(
        f"/sandbox/{public_page.handle}/posts/{public_page.post_id}/comments",
        data=form,
        files={"body": ("note.txt", b"hello from a file", "text/plain")},
    )
    assert r.status_code == 400 and "text fields only" in r.text
    assert _comments(sessions) == before


def test_public_form_over_its_limit_is_413(client: TestClient, public_page, sessions) -> None:
    form = _comment_form(client, public_page.handle)
    before = _comments(sessions)
    r = client.post(
        f"/sandbox/{public_page.handle}/posts/{public_page.post_id}/comments",
        data=form | {"body": "x" * (70 * 1024)},
    )
    assert r.status_code == 413 and "larger than this endpoint accepts" in r.text
    # Streamed without a Content-Length (chunked): counted as it arrives, the same answer.
    chunks = (b"body=" + b"x" * 8192 for _ in range(20))
    r = client.post(
        f"/sandbox/{public_page.handle}/posts/{public_page.post_id}/comments",
        content=chunks,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413
    assert _comments(sessions) == before


def _raw_upload(base: str, path: str, *, chunked: bool, total: int) -> tuple[bytes, int]:
    """Send up to ``total`` bytes of multipart body over a socket; stop when the server answers.

    Returns the answer's first bytes and how many body bytes went out before it came.
    """
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=20)
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {url.netloc}",
        "Content-Type: multipart/form-data; boundary=XyZ",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}",
        "",
        "",
    ]
    sock.sendall("\r\n".join(head).encode())
    sent = 0
    chunk = b'--XyZ\r\nContent-Disposition: form-data; name="body"; filename="a"\r\n\r\n'
    chunk += b"x" * (256 * 1024 - len(chunk))
    sock.setblocking(False)
    answer = b""
    try:
        while sent < total:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(4096)
            if answer:
                break
            data = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") if chunked else chunk
            try:
                sock.sendall(data)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.01)
                continue
            sent += len(chunk)
        sock.setblocking(True)
        sock.settimeout(20)
        while b"\r\n" not in answer:
            got = sock.recv(4096)
            if not got:
                break
            answer += got
    finally:
        sock.close()
    return answer, sent


@pytest.mark.parametrize("chunked", [False, True])
def test_anonymous_300_mb_upload_is_refused_early(
    settings, engine, public_page, chunked: bool
) -> None:
    total = 300 * 1024 * 1024
    spool = Path(tempfile.gettempdir())
    before = {p.name for p in spool.iterdir()}
    started = time.perf_counter()
    with serve(create_app(settings, engine)) as base:
        answer, sent = _raw_upload(
            base,
            f"/sandbox/{public_page.handle}/posts/{public_page.post_id}/comments",
            chunked=chunked,
            total=total,
        )
    taken = time.perf_counter() - started
    print(
        f"\n300 MB upload ({'chunked' if chunked else 'Content-Length'}): answered after "
        f"{sent / 1024:.0f} KiB sent, {taken:.2f} s"
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 10 * 1024 * 1024  # refused long before the body was in
    grown = [
        p
        for p in spool.iterdir()
        if p.name not in before and p.is_file() and p.stat().st_size > 1024 * 1024
    ]
    assert grown == []
