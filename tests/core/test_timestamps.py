"""RFC 3161 timestamps of checkpoints, from a time-stamping authority served on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import checkpoints, signing
from piodesk.core.config import Settings
from tests.core.test_checkpoints import cli
from tests.core.tsa import LoopbackTSA


@pytest.fixture
def tsa(httpserver: HTTPServer) -> LoopbackTSA:
    authority = LoopbackTSA()
    httpserver.expect_request("/tsa", method="POST").respond_with_handler(authority.handler)
    return authority


@pytest.fixture
def stamped(
    settings: Settings, httpserver: HTTPServer, tsa: LoopbackTSA, tmp_path: Path
) -> Settings:
    """Settings with the loopback TSA and its certificate configured, and a signing key."""
    cert = tmp_path / "tsa.pem"
    cert.write_bytes(tsa.certificate_pem)
    signing.init_key(settings.signing_key_path)
    return settings.model_copy(
        update={"tsa_url": httpserver.url_for("/tsa"), "tsa_certificate_file": cert}
    )


def test_checkpoint_carries_a_timestamp_that_checks_offline(
    stamped: Settings, sessions: sessionmaker[Session], staff, tsa: LoopbackTSA, tmp_path: Path
) -> None:
    made = checkpoints.checkpoint_now(sessions, stamped)
    assert made is not None and made.timestamp
    assert len(tsa.requests) == 1
    line = json.loads(stamped.checkpoint_path.read_text())
    assert line["timestamp"] == made.timestamp
    public = tmp_path / "public.pem"
    public.write_text(signing.public_pem(signing.load_key(stamped.signing_key_path)))
    cert = str(stamped.tsa_certificate_file)
    code, output = cli(
        stamped,
        "checkpoint", "check", str(stamped.checkpoint_path),
        "--public-key", str(public), "--tsa-cert", cert,
    )  # fmt: skip
    assert code == 0, output
    assert "checkpoint 1 timestamped at" in output and "Test TSA" in output


def test_a_token_moved_to_another_checkpoint_is_refused(
    stamped: Settings, sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    checkpoints.checkpoint_now(sessions, stamped)
    checkpoints.checkpoint_now(sessions, stamped)
    one, two = (json.loads(x) for x in stamped.checkpoint_path.read_text().splitlines())
    two["timestamp"] = one["timestamp"]  # an older token claimed for a newer checkpoint
    moved = tmp_path / "moved.jsonl"
    moved.write_text(json.dumps(one) + "\n" + json.dumps(two) + "\n")
    public = signing.load_key(stamped.signing_key_path).public_key()
    problems = checkpoints.check(checkpoints.parse(moved.read_text()), public)
    assert problems == ["checkpoint 2 (" + two["statement"]["made_at"] + "): the timestamp is "
                        "over other data than this checkpoint"]  # fmt: skip


def test_a_token_from_another_authority_is_refused_against_the_tsa_certificate(
    stamped: Settings, sessions: sessionmaker[Session], staff
) -> None:
    checkpoints.checkpoint_now(sessions, stamped)
    found = checkpoints.parse(stamped.checkpoint_path.read_text())
    public = signing.load_key(stamped.signing_key_path).public_key()
    problems = checkpoints.check(found, public, [LoopbackTSA().certificate])
    assert len(problems) == 1 and "does not check against the TSA certificate" in problems[0]
    assert checkpoints.check(found, public) == []  # without a certificate: the imprint holds


def test_a_wrong_answer_or_a_tsa_that_is_down_leaves_the_checkpoint_unstamped(
    stamped: Settings,
    sessions: sessionmaker[Session],
    staff,
    tsa: LoopbackTSA,
    httpserver: HTTPServer,
) -> None:
    tsa.stamp_other_data = True
    made = checkpoints.checkpoint_now(sessions, stamped)
    assert made is not None and made.timestamp is None
    httpserver.clear()
    httpserver.expect_request("/tsa", method="POST").respond_with_data("down", status=503)
    made = checkpoints.checkpoint_now(sessions, stamped)
    assert made is not None and made.seq == 2 and made.timestamp is None
