"""A time-stamping authority for tests, served on loopback: real RFC 3161 DER, signed.

It answers a TimeStampReq with a TimeStampResp whose token is a CMS SignedData over a TSTInfo
for the request's imprint and nonce, signed by a self-signed TSA certificate (made with
`cryptography`; the ASN.1 built with asn1crypto, since rfc3161-client only parses).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from werkzeug import Request, Response


def _certificate(key: ec.EllipticCurvePrivateKey, cn: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )


@dataclass
class LoopbackTSA:
    """Signs timestamp tokens; ``stamp_other_data`` makes it answer over the wrong imprint."""

    cn: str = "Test TSA"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    stamp_other_data: bool = False
    requests: list[bytes] = field(default_factory=list)
    _serial: count = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self.certificate = _certificate(self.key, self.cn)

    @property
    def certificate_pem(self) -> bytes:
        """The TSA's certificate (it is its own root)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def respond(self, query: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq."""
        req = tsp.TimeStampReq.load(query)
        imprint = req["message_imprint"]
        if self.stamp_other_data:
            imprint = tsp.MessageImprint(
                {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\0" * 32}
            )
        tst = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.2.3.4.1",
                "message_imprint": imprint,
                "serial_number": next(self._serial),
                "gen_time": datetime.now(UTC).replace(microsecond=0),
                "nonce": req["nonce"].native,
                "tsa": ax509.GeneralName(
                    name="directory_name", value=ax509.Name.build({"common_name": self.cn})
                ),
            }
        )
        tst_der = tst.dump()
        cert_der = self.certificate.public_bytes(serialization.Encoding.DER)
        acert = ax509.Certificate.load(cert_der)
        attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}
                ),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [{"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}],
                    }
                ),
            ]
        )
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": acert.issuer, "serial_number": acert.serial_number},
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": attrs,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())),
            }
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(tst_der),
                },
                "certificates": [acert],
                "signer_infos": [signer],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": token}
        ).dump()

    def handler(self, request: Request) -> Response:
        """A pytest-httpserver handler: one TSA exchange over HTTP (RFC 3161 §3.4)."""
        self.requests.append(request.get_data())
        if request.headers.get("Content-Type") != "application/timestamp-query":
            return Response("wrong content type", status=415)
        return Response(
            self.respond(request.get_data()), content_type="application/timestamp-reply"
        )
