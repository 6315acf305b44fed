"""The web fixtures serve these tests too."""

from tests.web.conftest import client, tokens

__all__ = ["client", "tokens"]
