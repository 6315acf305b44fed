"""The agency's signing key (Ed25519), kept in a file outside the database.

Whoever holds the database file must not hold the key: a checkpoint signed with it is a
statement the database cannot take back. The private key is a PKCS#8 PEM file readable only by
its owner (0600); the public key (PEM, with a short key id) is what the agency hands out.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from piodesk.core.errors import Conflict, InvalidInput, NotFound


def init_key(path: Path) -> Ed25519PrivateKey:
    """Create a new signing key at ``path`` (mode 0600); refuse to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: an existing key is never replaced (checkpoints signed with it would orphan).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(
            f"a signing key already exists at {path}; it is never overwritten "
            "(checkpoints signed with it could no longer be checked)"
        ) from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    """The signing key in ``path``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no signing key at {path}: create one with `piodesk keys init`") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise InvalidInput(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as PEM text (SubjectPublicKeyInfo)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public(pem: str | bytes) -> Ed25519PublicKey:
    """A public key from PEM text."""
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except ValueError:
        raise InvalidInput("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("the public key is not an Ed25519 key")
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short name for a key pair: the first 16 hex digits of SHA-256 over the raw public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    """The signature over ``data``, base64."""
    return base64.b64encode(key.sign(data)).decode()


def signature_ok(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    """True when ``signature`` (base64) is ``public``'s signature over ``data``."""
    try:
        public.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
