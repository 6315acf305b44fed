"""Settings refuse insecure defaults outside the demo."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from piodesk.core.config import PLACEHOLDER_SECRET, Settings


def test_placeholder_secret_refused_outside_demo() -> None:
    with pytest.raises(ValidationError, match="PIODESK_SECRET_KEY is the placeholder"):
        Settings(secret_key=PLACEHOLDER_SECRET, demo=False)


def test_placeholder_secret_allowed_in_demo() -> None:
    assert Settings(secret_key=PLACEHOLDER_SECRET, demo=True).demo


def test_short_secret_refused() -> None:
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(secret_key="short", demo=False)


def test_disclaimer_fills_in_agency_name() -> None:
    s = Settings(demo=True, agency_name="Springfield Police Department")
    assert s.disclaimer.endswith("views of the Springfield Police Department.")


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIODESK_AGENCY_NAME", "Shelbyville PD")
    monkeypatch.setenv("PIODESK_DEMO", "1")
    assert Settings().agency_name == "Shelbyville PD"


@pytest.mark.parametrize(
    ("value", "message"), [("sheriff", "is not a role"), ("admin", "cannot be admin")]
)
def test_role_approver_is_a_role_other_than_admin(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(demo=True, role_approver=value)


def test_every_setting_is_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in (
        "ROLE_APPROVER",
        "PASSWORD_LINK_HOURS",
        "TOKEN_MAX_DAYS",
        "MAX_BODY_BYTES",
        "MAX_PUBLIC_BODY_BYTES",
        "LOCKOUT_ATTEMPTS",
    ):
        assert name.lower() in Settings.model_fields and f"PIODESK_{name}" in readme
