"""Typed settings, read from ``PIODESK_``-prefixed environment variables.

Every setting is documented here and in the README. Outside demo mode, piodesk refuses to
start with the placeholder secret: a secret that ships in the source protects nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-demo-only"  # noqa: S105 - refused outside demo mode below

#: GO 409 §.10 requires this sentence word for word; the agency name is filled in.
DEFAULT_DISCLAIMER = (
    "The opinions expressed by webpage visitors do not reflect the opinions or views of the "
    "{agency}."
)


class Settings(BaseSettings):
    """piodesk's configuration. Each field is the environment variable PIODESK_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PIODESK_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/piodesk.sqlite3",
        description="SQLAlchemy URL: SQLite by default; postgresql+psycopg://... in production.",
    )
    data_dir: Path = Field(default=Path("var"), description="Local files: media, exports.")
    secret_key: str = Field(
        default=PLACEHOLDER_SECRET,
        description="Signs sessions and encrypts platform credentials. Must be set outside demo.",
    )
    demo: bool = Field(default=False, description="Demo mode: allows the placeholder secret.")
    cookie_secure: bool = Field(
        default=True, description="Send the session cookie only over HTTPS (off in the demo)."
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 14, description="Session lifetime.")
    lockout_attempts: int = Field(
        default=5, ge=1, le=100, description="Failed sign-ins before an account is locked."
    )
    lockout_minutes: int = Field(default=15, ge=1, description="How long a lock-out lasts.")

    ingest_seconds: int = Field(
        default=60, ge=0, description="Poll approved pages this often (0: only `piodesk ingest`)."
    )

    intake_seconds: float = Field(
        default=0.5,
        ge=0,
        description="Screen newly captured comments into the moderation queue this often "
        "(0: only after `piodesk ingest`).",
    )
    reconcile_seconds: int = Field(
        default=60,
        ge=0,
        description="Settle platform actions a crash left unrecorded this often, by reading "
        "the platform (0: only `piodesk reconcile`).",
    )
    platform_action_grace_seconds: int = Field(
        default=300,
        ge=0,
        le=86_400,
        description="A platform action still pending after this long is taken to have been "
        "interrupted, and the reconciler settles it.",
    )
    block_review_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="A block comes up for review this many days after it is placed (§.20).",
    )

    agency_name: str = Field(
        default="Colorado Springs Police Department",
        description="The agency's full name, used in the §.10 disclaimer and maintained-by check.",
    )
    agency_short_name: str = Field(default="CSPD", description="Abbreviation seen on profiles.")
    agency_website: str = Field(
        default="https://coloradosprings.gov/police-department",
        description="The department's official website (§.10 requires a link to it).",
    )
    agency_disclaimer: str = Field(
        default=DEFAULT_DISCLAIMER,
        description="Required §.10 disclaimer; {agency} is replaced by agency_name.",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if not self.demo and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError(
                "PIODESK_SECRET_KEY is the placeholder; set a long random secret "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))') "
                "or run the demo with PIODESK_DEMO=1"
            )
        if len(self.secret_key) < 16:
            raise ValueError("PIODESK_SECRET_KEY must be at least 16 characters")
        return self

    @property
    def disclaimer(self) -> str:
        """The §.10 disclaimer sentence with the agency's name filled in."""
        return self.agency_disclaimer.replace("{agency}", self.agency_name)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
