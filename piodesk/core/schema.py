"""Imports every capability's tables so the metadata is complete (for Alembic and tests)."""

from piodesk.archive import tables as archive_tables
from piodesk.connectors import tables as connector_tables
from piodesk.connectors.sandbox import tables as sandbox_tables
from piodesk.core import audit, checkpoints
from piodesk.core.db import Base
from piodesk.moderation import tables as moderation_tables
from piodesk.oversight import rollup_tables
from piodesk.pages import tables as pages_tables
from piodesk.people import tables as people_tables
from piodesk.program import tables as program_tables
from piodesk.publishing import notice_tables, outbox_tables
from piodesk.publishing import tables as publishing_review_tables
from piodesk.records import job_tables as records_job_tables
from piodesk.records import tables as records_tables
from piodesk.records.requests import tables as records_request_tables

__all__ = [
    "Base",
    "archive_tables",
    "audit",
    "checkpoints",
    "connector_tables",
    "moderation_tables",
    "notice_tables",
    "outbox_tables",
    "pages_tables",
    "people_tables",
    "program_tables",
    "publishing_review_tables",
    "records_job_tables",
    "records_request_tables",
    "records_tables",
    "rollup_tables",
    "sandbox_tables",
]
