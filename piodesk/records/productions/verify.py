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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from piodesk.core import checkpoints, signing, timestamps
from piodesk.core.errors import InvalidInput
from piodesk.records.productions.build import KIND, MANIFEST, SIGNATURE


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


def _sha(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with zf.open(name) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


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
        for name in sorted(listed):
            if name not in names:
                result.problems.append(f"missing: {name}")
                continue
            try:
                sha, size = _sha(zf, name)
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
        _check_payloads(zf, listed, names, result)
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


def _check_payloads(
    zf: zipfile.ZipFile, listed: dict[str, Any], names: set[str], result: ProductionCheck
) -> None:
    name = "native/records.jsonl"
    if name not in names:
        return
    try:
        with zf.open(name) as f:
            for n, line in enumerate(f, 1):
                record = json.loads(line)
                for v in record.get("versions", []):
                    raw = v.get("raw_b64")
                    if raw is None:
                        continue
                    if hashlib.sha256(base64.b64decode(raw)).hexdigest() != v.get("raw_sha256"):
                        result.problems.append(
                            f"{name} line {n}: the raw payload of version {v.get('seq')} does "
                            "not match its SHA-256"
                        )
    except (ValueError, zipfile.BadZipFile, OSError, EOFError):
        if not any(p.startswith(f"changed: {name}") for p in result.problems):
            result.problems.append(f"changed: {name} (not readable JSON lines)")


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
