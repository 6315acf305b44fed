"""Errors that services raise and every interface (web, API, CLI) turns into a readable message."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a request piodesk refuses, with a message a person can act on."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The input is malformed or out of bounds; nothing was changed."""

    status_code = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or the actor may not know it exists)."""

    status_code = 404


class PermissionDenied(DomainError):
    """The actor's roles do not allow this action (GO 409 assigns it to someone else)."""

    status_code = 403


class Conflict(DomainError):
    """The action does not fit the current state (e.g. approving a retired page)."""

    status_code = 409


class AuthenticationFailed(DomainError):
    """Sign-in failed; the message never says whether the name or the password was wrong."""

    status_code = 401
