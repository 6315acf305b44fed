"""Typed settings, read from ``PIODESK_``-prefixed environment variables.

Every setting is documented here and in the README. Outside demo mode, piodesk refuses to
start with the placeholder secret: a secret that ships in the source protects nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
        default=5,
        ge=1,
        le=100,
        description="Failed sign-ins for one username from one address before each further "
        "try must wait (1 s, doubling). Other addresses are never slowed down.",
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="The longest wait the doubling reaches."
    )
    role_approver: str = Field(
        default="chief",
        description="The role whose holders approve grants of chief, PIO, legal counsel or "
        "records custodian (a second person; never the proposer nor the account itself).",
    )
    password_link_hours: int = Field(
        default=72, ge=1, le=24 * 14, description="How long a one-time password link works."
    )
    token_max_days: int = Field(
        default=365, ge=1, le=3650, description="The longest an API token may live (days)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="The largest request body accepted from a signed-in person (bytes).",
    )
    max_public_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="The largest request body accepted on pages anyone may post to without "
        "signing in (the sandbox's public page, sign-in, the password-link page).",
    )

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
    viewpoint_concurrence: Literal["counsel_or_pio", "counsel", "pio"] = Field(
        default="counsel_or_pio",
        description="Who may concur with a hide or removal the viewpoint guard held (a "
        "category screening did not find, or a note about opinion, tone or disrespect): "
        "legal counsel or a second PIO, counsel only, or a second PIO only (§.20).",
    )

    signing_key_file: Path | None = Field(
        default=None,
        description="The agency's Ed25519 signing key for checkpoints (`piodesk keys init` "
        "creates it). Keep it off the database server's disk image and backups if you can: "
        "whoever holds both could sign a rewritten history. Default: <data_dir>/keys/"
        "agency-signing-key.pem.",
    )
    checkpoint_file: Path | None = Field(
        default=None,
        description="Every checkpoint is also appended to this JSON-lines file, outside the "
        "database. Default: <data_dir>/checkpoints.jsonl.",
    )
    checkpoint_seconds: int = Field(
        default=3600,
        ge=0,
        description="Sign a checkpoint of every chain this often when something changed "
        "(0: only `piodesk checkpoint create`). Publish them: an insider can rewrite "
        "anything after the last published checkpoint.",
    )
    tsa_url: str = Field(
        default="",
        description="An RFC 3161 time-stamping authority; when set, every checkpoint also "
        "carries its timestamp token (proof from a third party of when it existed).",
    )
    tsa_certificate_file: Path | None = Field(
        default=None,
        description="The TSA's certificate or the root it chains to (PEM): when set, every "
        "token is checked against it before it is kept.",
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
    # publishing outbox and notices (publishing-outbox)
    outbox_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Send due outbox deliveries this often (0: only `piodesk outbox send`).",
    )
    expire_seconds: int = Field(
        default=60,
        ge=0,
        description="Move posts not approved by their scheduled time to the Expired list this "
        "often (0: only when /approvals or /expired is opened, or `piodesk story expire`).",
    )
    rollup_seconds: int = Field(
        default=3600,
        ge=0,
        description="Roll up the transparency report's closed months this often (0: never; the "
        "report is right without it, computing un-rolled months from the records).",
    )

    # ---- records requests (§.40, issue 10) ----
    agency_time_zone: str = Field(
        default="America/Denver",
        description="The agency's IANA time zone: request clocks count its local days and "
        "cut-off hour; scheduled posts and notice times are read and shown in it.",
    )
    records_regimes_file: Path | None = Field(
        default=None,
        description="The agency's records-request regime file (YAML: each law's clock, fees and "
        "exemptions). Default: the one shipped with piodesk (CORA, CCJRA, an example state).",
    )

    # ---- operations: metrics, health, logs (issue 15) ----
    metrics_token: str = Field(
        default="",
        description="When set, GET /metrics needs `Authorization: Bearer <this token>`; when "
        "empty, /metrics answers only requests from loopback (127.0.0.1, ::1).",
    )
    log_format: Literal["console", "json"] = Field(
        default="console",
        description="How piodesk writes its logs: `json` (one JSON object a line, for a log "
        "collector) or `console` (readable key=value lines).",
    )
    checkpoint_max_age_seconds: int = Field(
        default=0,
        ge=0,
        description="/health reports unhealthy when a chain moved and the last checkpoint is "
        "older than this (0: twice checkpoint_seconds; not checked when checkpoint_seconds "
        "is 0).",
    )
    jobs_engine: Literal["auto", "inprocess", "procrastinate"] = Field(
        default="auto",
        description="What runs the jobs: `auto` is Procrastinate (any number of `piodesk "
        "worker` processes) on PostgreSQL and the in-process runner on SQLite; `inprocess` "
        "keeps them in the web server's process on PostgreSQL too.",
    )

    @model_validator(mode="after")
    def _known_time_zone(self) -> Settings:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.agency_time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"PIODESK_AGENCY_TIME_ZONE '{self.agency_time_zone}' is not an IANA time zone "
                "(e.g. America/Denver)"
            ) from None
        return self

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

    @model_validator(mode="after")
    def _known_approver(self) -> Settings:
        from piodesk.core.permissions import Role

        if self.role_approver not in {r.value for r in Role}:
            raise ValueError(f"PIODESK_ROLE_APPROVER '{self.role_approver}' is not a role")
        if self.role_approver == Role.ADMIN.value:
            raise ValueError("PIODESK_ROLE_APPROVER cannot be admin: that is the first person")
        return self

    @property
    def signing_key_path(self) -> Path:
        """Where the agency's signing key is."""
        return self.signing_key_file or self.data_dir / "keys" / "agency-signing-key.pem"

    @property
    def checkpoint_path(self) -> Path:
        """The append-only JSON-lines file of checkpoints."""
        return self.checkpoint_file or self.data_dir / "checkpoints.jsonl"

    @property
    def disclaimer(self) -> str:
        """The §.10 disclaimer sentence with the agency's name filled in."""
        return self.agency_disclaimer.replace("{agency}", self.agency_name)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
