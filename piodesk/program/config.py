"""The program's settings, read from ``PIODESK_*`` environment variables like the rest."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProgramSettings(BaseSettings):
    """SMTP for notifications, the memo chain of command, and device rules (§.12, §.15)."""

    model_config = SettingsConfigDict(env_prefix="PIODESK_", extra="ignore")

    smtp_host: str = Field(default="", description="SMTP server for notifications; empty: none.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = Field(default=False, description="Upgrade with STARTTLS.")
    smtp_username: str = Field(default="")
    smtp_password: str = Field(default="")
    smtp_from: str = Field(default="piodesk@localhost", description="The sender address.")
    smtp_timeout: float = Field(default=10.0, gt=0, le=120)
    mail_retry_seconds: int = Field(
        default=60, ge=1, description="First wait before retrying a failed e-mail (doubles)."
    )
    mail_max_attempts: int = Field(default=12, ge=1, le=100)
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="piodesk's address, for links in e-mails."
    )
    memo_levels: str = Field(
        default="",
        description="Intermediate steps of a suggestion memo between the supervisor and the "
        "chief, in order: 'Division commander=jsmith; Deputy chief=mlee'.",
    )
    device_networks: str = Field(
        default="",
        description="Department networks (CIDR, comma separated): a sign-in from them counts "
        "as a department computer, from elsewhere as a personally owned device (§.12).",
    )
    device_refuse: bool = Field(
        default=False,
        description="Refuse (not only record) a sign-in to publishing or moderation from a "
        "device class the person holds no authorization for (§.12).",
    )
    authorization_reminder_days: int = Field(default=14, ge=1, le=365)
    program_jobs_seconds: int = Field(
        default=60, ge=0, description="How often reminders and the mail outbox run; 0: never."
    )
