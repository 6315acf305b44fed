"""With a time-stamping authority configured, the manifest's signature carries an RFC 3161
token that verifies offline (against the TSA's certificate when given)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import signing, timestamps
from piodesk.core.config import Settings
from piodesk.core.permissions import Role
from piodesk.records.productions.build import make_production
from piodesk.records.productions.verify import verify_production
from tests.conftest import People
from tests.core.tsa import LoopbackTSA


def test_timestamped_manifest_verifies(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
    httpserver: HTTPServer,
    tmp_path: Path,
) -> None:
    tsa = LoopbackTSA()
    httpserver.expect_request("/tsa", method="POST").respond_with_handler(tsa.handler)
    cert = tmp_path / "tsa.pem"
    cert.write_bytes(tsa.certificate_pem)
    stamped = settings.model_copy(
        update={"tsa_url": httpserver.url_for("/tsa"), "tsa_certificate_file": cert}
    )
    made = make_production(
        sessions, actor=staff[Role.RECORDS], settings=stamped, item_ids=list(records.values())
    )
    with zipfile.ZipFile(made.path) as zf:
        assert json.loads(zf.read("manifest.sig"))["timestamp"]
    public = signing.load_public(public_key.read_bytes())
    result = verify_production(made.path, public, timestamps.load_certificates(cert))
    assert result.ok and result.timestamp, result.problems
    # Against another TSA's certificate the token's signature does not check.
    other = LoopbackTSA()
    other_cert = tmp_path / "other.pem"
    other_cert.write_bytes(other.certificate_pem)
    result = verify_production(made.path, public, timestamps.load_certificates(other_cert))
    assert not result.ok and any(p.startswith("timestamp:") for p in result.problems)
