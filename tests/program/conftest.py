"""The program's tests reuse the web fixtures (a client of the whole app, tokens per role)."""

from tests.web.conftest import client, tokens

__all__ = ["client", "tokens"]
