"""RFC 3161 timestamps of checkpoints from a time-stamping authority (TSA).

A signed checkpoint proves the agency said something; a TSA's token over it proves a third
party saw it by a time, so even the agency cannot later sign a back-dated history. The token
(the TSA's whole DER response, base64) rides along in the checkpoint line; a TSA that is down
does not stop checkpoints: they are made without a token, and the failure is logged.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import structlog
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from piodesk.core.errors import InvalidInput

log = structlog.get_logger(__name__)


class _Stamper:
    """Asks one TSA for tokens (a callable: bytes in, DER response or None out)."""

    def __init__(self, url: str, timeout: float, roots: Sequence[x509.Certificate]) -> None:
        self.url, self.timeout, self.roots = url, timeout, list(roots)

    def __call__(self, data: bytes) -> bytes | None:
        request = TimestampRequestBuilder(
            data=data, hash_algorithm=HashAlgorithm.SHA256, nonce=True, cert_req=True
        ).build()
        try:
            response = httpx.post(
                self.url,
                content=request.as_bytes(),
                headers={"Content-Type": "application/timestamp-query"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            problem = problem_with(response.content, data, nonce=request.nonce, roots=self.roots)
        except (httpx.HTTPError, ValueError) as exc:
            problem = str(exc) or exc.__class__.__name__
        if problem:
            log.warning("no timestamp for the checkpoint", tsa=self.url, problem=problem)
            return None
        return response.content


def stamper(url: str, roots: Sequence[x509.Certificate] = (), timeout: float = 10) -> _Stamper:
    """A stamper for the TSA at ``url`` (its tokens checked against ``roots`` when given)."""
    return _Stamper(url, timeout, roots)


def load_certificates(path: Path) -> list[x509.Certificate]:
    """The PEM certificates in ``path`` (a TSA's certificate or the root it chains to)."""
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"no PEM certificate in {path}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a token says: when, and who stamped."""

    gen_time: str
    tsa: str


def problem_with(
    der: bytes,
    data: bytes,
    *,
    nonce: int | None = None,
    roots: Sequence[x509.Certificate] = (),
) -> str:
    """Why a TSA response does not stamp ``data`` ('' when it does).

    Without ``roots`` only what the token says is checked (granted, over these bytes); with
    them, also the TSA's signature and certificate chain.
    """
    try:
        tsr = decode_timestamp_response(der)
    except ValueError:
        return "the time-stamping authority's answer is not an RFC 3161 response"
    if tsr.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        return f"the time-stamping authority refused ({tsr.status}: {tsr.status_string})"
    imprint = tsr.tst_info.message_imprint
    if imprint.message != hashlib.sha256(data).digest():
        return "the timestamp is over other data than this checkpoint"
    if nonce is not None and tsr.tst_info.nonce != nonce:
        return "the timestamp answers another request (nonce differs)"
    if roots:
        try:
            VerifierBuilder(roots=list(roots)).build().verify_message(tsr, data)
        except VerificationError as exc:
            return f"the timestamp's signature does not check against the TSA certificate ({exc})"
    return ""


def describe(token_b64: str) -> Stamp:
    """The time and authority a stored token names."""
    tsr = decode_timestamp_response(base64.b64decode(token_b64))
    info = tsr.tst_info
    try:
        name = str(info.name.value)
    except (ValueError, AttributeError):
        name = ""
    return Stamp(info.gen_time.isoformat(), name)
