"""People rules: usernames, password strength, sign-in backoff, sensitive roles. Pure: no web,
no storage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from zxcvbn import zxcvbn

from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256  # argon2 would hash more, but a megabyte "password" is an attack, not a secret
#: zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_PASSWORD_SCORE = 3

#: Roles that approve, publish, moderate, advise or hold the records: granting one takes a
#: second person (the approver), so an administrator alone can never reach them.
SENSITIVE_ROLES: frozenset[Role] = frozenset({Role.CHIEF, Role.PIO, Role.LEGAL, Role.RECORDS})


def check_username(username: str) -> str:
    """A sign-in name: 2-40 lower-case letters, digits, dot, dash or underscore."""
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            "username must be 2-40 characters: lower-case letters, digits, '.', '-' or '_'"
        )
    return name


def check_password(password: str, username: str = "", *, hints: tuple[str, ...] = ()) -> str:
    """A password that resists guessing: long enough, not the username, and rated at least
    :data:`MIN_PASSWORD_SCORE` by zxcvbn (which knows common passwords, words and patterns)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password must be at most {MAX_PASSWORD} characters")
    if username and username.lower() in password.lower():
        raise InvalidInput("password must not contain the username")
    # zxcvbn's cost grows with length; 100 characters is far past where every password scores 4.
    rating = zxcvbn(password[:100], user_inputs=[x for x in (username, *hints) if x])
    if rating["score"] < MIN_PASSWORD_SCORE:
        feedback = rating["feedback"]
        advice = " ".join(
            x for x in (feedback.get("warning"), *feedback.get("suggestions", ())) if x
        )
        raise InvalidInput(
            "password is too easy to guess"
            + (f": {advice}" if advice else "; add more uncommon words")
        )
    return password


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """Sign-in backoff for one (username, source address) pair: the first ``attempts`` failures
    are free; each later one doubles the wait (1 s, 2 s, 4 s, ...), never beyond ``minutes``.

    Nothing locks the account itself: failures from one address never slow sign-ins from
    another, so nobody can lock a colleague out by guessing at their username.
    """

    attempts: int
    minutes: int

    def wait_after(self, failures: int) -> timedelta | None:
        """How long the pair must wait after ``failures`` failures in a row (None: no wait)."""
        if failures < self.attempts:
            return None
        exponent = min(failures - self.attempts, 30)  # 2**30 s is past any cap; no overflow
        return min(timedelta(seconds=2**exponent), timedelta(minutes=self.minutes))

    def next_allowed(self, failures: int, now: datetime) -> datetime | None:
        """When the pair may try again (None: now)."""
        wait = self.wait_after(failures)
        return now + wait if wait is not None else None


_EMAIL = re.compile(
    r"^[^@\s<>,;\"()\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def check_email(value: str) -> str:
    """An e-mail address notifications can go to (name@example.org), or a clear refusal."""
    text = (value or "").strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidInput(f"email: '{text[:80]}' is not an e-mail address (name@example.org)")
    return text
