"""Check a production ZIP offline, with nothing but the file and the agency's public key.

In order: the ZIP is whole (a truncated or damaged file is refused before anything else); the
manifest is there and signed by *this* key (a manifest signed by another key is refused, and
the signer's key id named); every file the manifest lists is present with its SHA-256 and size
(each changed or missing file named), and no file is there that the manifest does not list
(each added file named); the checkpoint inside is signed by the same key and is the one the
manifest names; each raw payload in the native JSON matches its SHA-256; the RFC 3161 timestamp,
when there is one, is over the signature (and checks against a TSA certificate when given).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from piodesk.core import checkpoints, signing, timestamps
from piodesk.core.errors import InvalidInput
from piodesk.records.productions.build import KIND, MANIFEST, SIGNATURE

NATIVE = "native/records.jsonl"


@dataclass
class ProductionCheck:
    """What the check found: the manifest's summary and each problem in plain words."""

    refused: str = ""  # the ZIP could not be checked at all (truncated, unsigned, other key)
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    records: int = 0
    versions: int = 0
    production: int | None = None
    timestamp: str = ""

    @property
    def ok(self) -> bool:
        """True when the production is exactly what the agency signed."""
        return not self.refused and not self.problems


def _sha(
    zf: zipfile.ZipFile, name: str, on_line: Callable[[bytes], None] | None = None
) -> tuple[str, int]:
    """A member's SHA-256 and size, read once in large blocks; each line handed to ``on_line``
    when given (the native JSON's payloads are checked in the same pass)."""
    h = hashlib.sha256()
    size = 0
    carry = b""
    with zf.open(name) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
            if on_line is not None:
                parts = (carry + block).split(b"\n")
                carry = parts.pop()
                for part in parts:
                    on_line(part)
    if on_line is not None and carry:
        on_line(carry)
    return h.hexdigest(), size


class _Payloads:
    """Checks each raw payload of the native JSON, line by line, against its SHA-256."""

    def __init__(self, result: ProductionCheck) -> None:
        self.result = result
        self.n = 0
        self.unreadable = False

    def line(self, line: bytes) -> None:
        self.n += 1
        if self.unreadable:
            return
        try:
            record = json.loads(line)
            versions = record.get("versions", [])
            for v in versions:
                raw = v.get("raw_b64")
                if raw is None:
                    continue
                if hashlib.sha256(base64.b64decode(raw)).hexdigest() != v.get("raw_sha256"):
                    self.result.problems.append(
                        f"{NATIVE} line {self.n}: the raw payload of version {v.get('seq')} "
                        "does not match its SHA-256"
                    )
        except (ValueError, AttributeError, TypeError):
            self.unreadable = True

    def finish(self) -> None:
        problems = self.result.problems
        if self.unreadable and not any(p.startswith(f"changed: {NATIVE}") for p in problems):
            problems.append(f"changed: {NATIVE} (not readable JSON lines)")


def verify_production(
    path: Path, public: Ed25519PublicKey, tsa_roots: Sequence[x509.Certificate] = ()
) -> ProductionCheck:
    """Check the production at ``path`` against ``public``."""
    result = ProductionCheck()
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        result.refused = f"{path}: no such file"
        return result
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        result.refused = f"{path.name} is not a complete ZIP file (truncated or damaged: {exc})"
        return result
    with zf:
        names = {i.filename for i in zf.infolist() if not i.is_dir()}
        for needed in (MANIFEST, SIGNATURE):
            if needed not in names:
                result.refused = f"{needed} is missing: this is not a signed piodesk production"
                return result
        try:
            body = zf.read(MANIFEST)
            sig = json.loads(zf.read(SIGNATURE))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            result.refused = f"the manifest cannot be read (damaged: {exc})"
            return result
        if not isinstance(sig, dict) or not isinstance(sig.get("signature"), str):
            result.refused = f"{SIGNATURE} holds no signature"
            return result
        if not signing.signature_ok(public, body, sig["signature"]):
            theirs = sig.get("key_id") or "unknown"
            result.refused = (
                f"the manifest is not signed by this key (key id {signing.key_id(public)}); "
                f"it says it was signed by key id {str(theirs)[:20]}"
                if theirs != signing.key_id(public)
                else "manifest.json was changed after it was signed (the signature does not match)"
            )
            return result
        try:
            manifest: dict[str, Any] = json.loads(body)
        except ValueError:
            result.refused = "manifest.json is not JSON"
            return result
        if manifest.get("kind") != KIND:
            result.refused = "manifest.json is not a piodesk production manifest"
            return result
        result.production = manifest.get("production")
        result.records = int(manifest.get("records", 0))
        result.versions = int(manifest.get("versions", 0))
        listed = {f["path"]: f for f in manifest.get("files", [])}
        payloads = _Payloads(result)
        for name in sorted(listed):
            if name not in names:
                result.problems.append(f"missing: {name}")
                continue
            try:
                sha, size = _sha(zf, name, payloads.line if name == NATIVE else None)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                # A changed byte inside compressed data fails the ZIP's own CRC check.
                result.problems.append(f"changed: {name} (cannot be read whole: {exc})")
                continue
            if sha != listed[name]["sha256"] or size != listed[name]["size"]:
                result.problems.append(f"changed: {name}")
            result.files_checked += 1
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            result.problems.append(f"added: {name} (not in the signed manifest)")
        _check_checkpoint(zf, manifest, listed, names, public, result)
        if NATIVE in names and NATIVE not in listed:
            _check_payloads(zf, payloads)
        payloads.finish()
        _check_timestamp(sig, tsa_roots, result)
    return result


def _check_checkpoint(
    zf: zipfile.ZipFile,
    manifest: dict[str, Any],
    listed: dict[str, Any],
    names: set[str],
    public: Ed25519PublicKey,
    result: ProductionCheck,
) -> None:
    named = manifest.get("checkpoint")
    if named is None:
        return
    if "checkpoint.json" not in names or "checkpoint.json" not in listed:
        return  # already named as missing
    try:
        found = checkpoints.parse(zf.read("checkpoint.json").decode())
    except (InvalidInput, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        result.problems.append(f"checkpoint.json cannot be read: {exc}")
        return
    if len(found) != 1:
        result.problems.append("checkpoint.json should hold exactly one checkpoint")
        return
    cp = found[0]
    if not signing.signature_ok(public, cp.statement_bytes, cp.signature):
        result.problems.append("checkpoint.json is not signed by this key")
    elif cp.digest != named.get("digest") or cp.seq != named.get("seq"):
        result.problems.append("checkpoint.json is not the checkpoint the manifest names")


def _check_payloads(zf: zipfile.ZipFile, payloads: _Payloads) -> None:
    """The native JSON's payloads when the manifest does not list it (already named as added)."""
    try:
        _sha(zf, NATIVE, payloads.line)
    except (zipfile.BadZipFile, OSError, EOFError):
        payloads.unreadable = True


def _check_timestamp(
    sig: dict[str, Any], roots: Sequence[x509.Certificate], result: ProductionCheck
) -> None:
    token = sig.get("timestamp")
    if not token:
        return
    try:
        der = base64.b64decode(token)
    except ValueError:
        result.problems.append("the manifest's timestamp is not base64")
        return
    problem = timestamps.problem_with(der, str(sig["signature"]).encode(), roots=roots)
    if problem:
        result.problems.append(f"timestamp: {problem}")
    else:
        result.timestamp = timestamps.describe(token).gen_time
