"""Password hashing (argon2id) and the token digests the database stores instead of secrets."""

from __future__ import annotations

import contextlib
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: Replaced by cheaper parameters in the tests (production parameters cost ~50 ms a hash).
hasher = PasswordHasher()

#: The prefix of a password hash that no password matches: an account waiting for its owner
#: to set a password through a one-time link. argon2 refuses it as an invalid hash.
NO_PASSWORD = "!unset:"  # noqa: S105 - a marker, not a password


def sha256(token: str) -> str:
    """Hex SHA-256 of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """The argon2id hash stored for ``password``."""
    return hasher.hash(password)


def unusable_password() -> str:
    """A stored value no password verifies against (distinct per account)."""
    return NO_PASSWORD + secrets.token_hex(16)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored``; the same work is done when it cannot."""
    if stored.startswith(NO_PASSWORD):
        verify_dummy(password)
        return False
    try:
        return hasher.verify(stored, password[:256])
    except (VerificationError, InvalidHashError):
        return False


_dummy: dict[int, str] = {}


def verify_dummy(password: str) -> None:
    """Spend what a real check costs, so the response time reveals nothing about the account."""
    key = id(hasher)
    if key not in _dummy:  # hashed once per hasher, so tests' cheap hasher gets a cheap dummy
        _dummy[key] = hasher.hash("piodesk-dummy-password")
    with contextlib.suppress(VerificationError, InvalidHashError):
        hasher.verify(_dummy[key], password[:256])


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's."""
    return not stored.startswith(NO_PASSWORD) and hasher.check_needs_rehash(stored)
