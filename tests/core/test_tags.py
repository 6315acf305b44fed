"""Audit actions are one typed vocabulary (core/tags.py), and every caller in piodesk uses it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import piodesk
from piodesk.core import audit, tags
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.permissions import SYSTEM

MEMBERS = [m for source in tags.SOURCES for m in source]

#: Every action string piodesk had written before the vocabulary was typed. Stored events hash
#: their action, so each must stay a member with exactly this value (new members may be added).
WRITTEN_BEFORE = {
    "account:activate", "account:bootstrap", "account:bootstrap_approver", "account:create",
    "account:credentials_void", "account:deactivate", "account:grant_approve",
    "account:grant_decline", "account:grant_propose", "account:password_change",
    "account:password_link", "account:password_reset", "account:password_set", "account:seed",
    "account:set_roles", "account:sign_in", "account:sign_out", "account:throttle",
    "account:token_issue", "account:token_revoke", "account:unlock",
    "archive:import_finish", "archive:import_start", "archive:ingest", "archive:reindex",
    "evidence:baseline",
    "moderation:advise", "moderation:answer", "moderation:block", "moderation:case_opened",
    "moderation:case_updated", "moderation:consult", "moderation:hide", "moderation:keep",
    "moderation:lift_block", "moderation:remove", "moderation:report", "moderation:response_needed",
    "moderation:restore", "moderation:review_block", "moderation:screened", "moderation:warn",
    "page:approved", "page:connect", "page:recheck", "page:register", "page:rejected",
    "page:resubmit", "page:retired", "page:update_profile",
    "platform_action:failed", "platform_action:intent", "platform_action:no_answer",
    "platform_action:succeeded", "platform_action:superseded", "platform_action:unconfirmed",
}  # fmt: skip


def test_every_value_is_source_colon_action_and_unique() -> None:
    for source in tags.SOURCES:
        prefixes = {m.value.split(":")[0] for m in source}
        assert len(prefixes) == 1, f"{source.__name__} mixes sources: {prefixes}"
    for m in MEMBERS:
        assert re.fullmatch(r"[a-z_]+:[a-z_]+", m.value), m
        assert len(m.value) <= 80, m  # the column's width
    values = [m.value for m in MEMBERS]
    assert len(values) == len(set(values))
    assert set(tags.Tag.__subclasses__()) == set(tags.SOURCES)


def test_no_stored_action_was_renamed() -> None:
    assert WRITTEN_BEFORE - {m.value for m in MEMBERS} == set()


def _action_args() -> list[tuple[str, int, ast.expr]]:
    """The action argument of every audit.record(...) and audit.Entry(...) call in piodesk."""
    found = []
    root = Path(piodesk.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            named = {k.arg: k.value for k in node.keywords}
            if node.func.attr == "record":
                arg = node.args[2] if len(node.args) > 2 else named.get("action")
            elif node.func.attr == "Entry":
                arg = node.args[0] if node.args else named.get("action")
            else:
                continue
            assert arg is not None, f"{path}:{node.lineno}: no action"
            found.append((f"{path.relative_to(root)}:{node.lineno}", node.lineno, arg))
    return found


def test_no_caller_passes_a_string_for_the_action() -> None:
    calls = _action_args()
    assert len(calls) > 40  # the scan finds the callers (it cannot pass by finding none)
    for where, _, arg in calls:
        literals = [
            n for n in ast.walk(arg) if isinstance(n, ast.JoinedStr | ast.Constant | ast.BinOp)
        ]
        assert not literals, f"{where}: the action is a string, not a core.tags member"


def test_a_plain_string_is_refused_and_nothing_is_written(
    sessions: sessionmaker[Session],
) -> None:
    def count() -> int:
        with sessions() as s:
            return s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    before = count()
    with pytest.raises(TypeError, match=r"core\.tags member"), transaction(sessions) as s:
        audit.record(s, SYSTEM, "page:approved", "page", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"core\.tags member"), transaction(sessions) as s:
        entries = [audit.Entry(tags.Page.RECHECK, "page", 1), audit.Entry("x:y", "page", 2)]  # type: ignore[arg-type]
        audit.record_many(s, SYSTEM, entries)
    assert count() == before
    with transaction(sessions) as s:
        event = audit.record(s, SYSTEM, tags.Page.RECHECK, "page", 1)
        assert type(event.action) is str and event.action == "page:recheck"
    with sessions() as s:
        assert audit.verify(s).ok
