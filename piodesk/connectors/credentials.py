"""Platform credentials, encrypted at rest and never shown back.

The app passes its secret; ``encrypt`` turns a credential dict into a Fernet token (AES-128-CBC
plus HMAC-SHA256, so a tampered token is refused) and ``decrypt`` turns it back into a
``Credential``, whose repr and str list the keys but never the values. Connectors read values
with ``credential.secret("access_token")`` and never log them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CredentialError(Exception):
    """A stored credential could not be decrypted (wrong key or tampered)."""


def _fernet(key: str | bytes) -> Fernet:
    # Accept either a ready Fernet key or any app secret; an app secret is stretched with
    # SHA-256 into the 32 bytes Fernet wants, so the caller need not know Fernet's format.
    raw = key.encode("utf-8") if isinstance(key, str) else key
    try:
        return Fernet(raw)
    except ValueError:
        if len(raw) < 16:
            raise ValueError("the credential key must be at least 16 bytes") from None
        derived = hashlib.sha256(b"piodesk-connector-credentials\x00" + raw).digest()
        return Fernet(base64.urlsafe_b64encode(derived))


class Credential(Mapping[str, str]):
    """A platform credential (tokens, app secrets); its text form never shows the values."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        for k, v in values.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("credential keys and values must be strings")
        self._values = dict(values)

    def secret(self, name: str) -> str:
        """One value, for the connector to put in a request."""
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"the credential has no {name!r}") from None

    def __getitem__(self, name: str) -> str:
        return self.secret(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Credential(keys={sorted(self._values)!r}, values=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        # Pickling would write the secrets in the clear into job queues or caches.
        raise TypeError("a Credential cannot be pickled; store encrypt(...) instead")


def encrypt(credential: Mapping[str, str], key: str | bytes) -> bytes:
    """Encrypt a credential dict with the app's key; store the returned token."""
    values = dict(credential._values) if isinstance(credential, Credential) else dict(credential)
    Credential(values)  # type check
    return _fernet(key).encrypt(json.dumps(values, sort_keys=True).encode("utf-8"))


def decrypt(token: bytes, key: str | bytes, *, old_keys: Sequence[str | bytes] = ()) -> Credential:
    """Decrypt a stored token; a wrong key or a changed byte raises ``CredentialError``.

    ``old_keys`` are the app's previous secrets, tried after ``key`` while a rotation runs.
    """
    try:
        plain = MultiFernet([_fernet(k) for k in (key, *old_keys)]).decrypt(token)
    except InvalidToken:
        raise CredentialError("the stored credential cannot be decrypted with this key") from None
    return Credential(json.loads(plain))


def rotate(token: bytes, key: str | bytes, *, old_keys: Sequence[str | bytes]) -> bytes:
    """Re-encrypt a stored token under ``key`` (after the app secret changed)."""
    try:
        return MultiFernet([_fernet(k) for k in (key, *old_keys)]).rotate(token)
    except InvalidToken:
        raise CredentialError("the stored credential cannot be decrypted with these keys") from None
