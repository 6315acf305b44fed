"""People rules: usernames, passwords, lock-out. Pure: no web, no storage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from piodesk.core.errors import InvalidInput

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256  # argon2 would hash more, but a megabyte "password" is an attack, not a secret


def check_username(username: str) -> str:
    """A sign-in name: 2-40 lower-case letters, digits, dot, dash or underscore."""
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            "username must be 2-40 characters: lower-case letters, digits, '.', '-' or '_'"
        )
    return name


def check_password(password: str, username: str = "") -> str:
    """A password long enough to resist guessing; it may not contain the username."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password must be at most {MAX_PASSWORD} characters")
    if username and username.lower() in password.lower():
        raise InvalidInput("password must not contain the username")
    return password


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After ``attempts`` failed sign-ins in a row, refuse sign-in for ``minutes``."""

    attempts: int
    minutes: int

    def after_failure(self, failures: int, now: datetime) -> datetime | None:
        """When the account is locked until, given the failures so far (None: not locked)."""
        return now + timedelta(minutes=self.minutes) if failures >= self.attempts else None
