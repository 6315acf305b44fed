"""Plain words for what the pages show: audit actions, permissions, roles, target kinds.

Pure (imports only the vocabularies it translates). A page never shows an internal code such
as ``page:register`` or ``moderation.view``; it shows what a person would say. A value missing
here falls back to a readable form of the code (tests keep every member covered).
"""

from __future__ import annotations

from piodesk.core.permissions import ROLE_LABELS, Perm, Role

#: Every audit action (core/tags.py), as a sentence fragment: "<person> <label>".
TAG_LABELS: dict[str, str] = {
    "account:bootstrap": "created the first administrator",
    "account:bootstrap_approver": "created the first chief",
    "account:seed": "seeded an account (demo)",
    "account:create": "created an account",
    "account:set_roles": "changed an account's roles",
    "account:grant_propose": "proposed a role grant",
    "account:grant_approve": "approved a role grant",
    "account:grant_decline": "declined a role grant",
    "account:activate": "activated an account",
    "account:deactivate": "deactivated an account",
    "account:throttle": "slowed sign-in after failures",
    "account:unlock": "cleared sign-in waits",
    "account:sign_in": "signed in",
    "account:sign_out": "signed out",
    "account:credentials_void": "voided old passwords and sessions",
    "account:password_change": "changed a password",
    "account:password_link": "issued a password link",
    "account:password_reset": "reset a password",
    "account:password_set": "set a password",
    "account:token_issue": "issued an API token",
    "account:token_revoke": "revoked an API token",
    "page:register": "registered a page",
    "page:update_profile": "updated a page's profile",
    "page:recheck": "re-checked a page's §.10 elements",
    "page:connect": "connected a page to its platform",
    "page:approved": "approved a page",
    "page:rejected": "declined a page",
    "page:retired": "retired a page",
    "page:resubmit": "sent a page back for approval",
    "archive:ingest": "captured posts and comments",
    "archive:import_start": "started an import",
    "archive:import_finish": "finished an import",
    "archive:reindex": "rebuilt the search index",
    "moderation:screened": "screened a comment",
    "moderation:case_opened": "opened a case",
    "moderation:case_updated": "updated a case",
    "moderation:response_needed": "noted a question needing a response",
    "moderation:answer": "recorded an answer",
    "moderation:keep": "kept the comment",
    "moderation:hide": "hid the comment",
    "moderation:remove": "removed the comment",
    "moderation:restore": "restored the comment",
    "moderation:warn": "warned the person",
    "moderation:block": "blocked the person",
    "moderation:lift_block": "lifted a block",
    "moderation:review_block": "reviewed a block",
    "moderation:report": "reported a comment",
    "moderation:consult": "asked legal counsel",
    "moderation:advise": "gave legal advice (privileged)",
    "platform_action:intent": "asked the platform to act",
    "platform_action:no_answer": "got no answer from the platform",
    "platform_action:succeeded": "saw the platform act",
    "platform_action:failed": "saw the platform refuse",
    "platform_action:unconfirmed": "could not confirm the platform's action",
    "platform_action:superseded": "saw a platform action made unnecessary",
    "evidence:baseline": "sealed the evidence baseline",
    "moderation:held": "sent a hide or removal for a second look",
    "moderation:concur": "concurred with a held decision",
    "moderation:decline_held": "declined a held decision",
    "moderation:reopen": "reopened the case",
    "moderation:block_notice": "sent the block notice",
    "moderation:appeal": "appealed a block",
    "moderation:appeal_decide": "decided an appeal",
    "moderation:person_note": "added a note on the person",
    "moderation:claim": "claimed the case",
    "moderation:assign": "assigned the case",
    "moderation:release": "released the case",
    "moderation:saved_reply": "saved a reply",
}

#: Every permission, as the thing a person would say they may do.
PERM_LABELS: dict[str, str] = {
    Perm.PAGE_VIEW.value: "see the registry of pages",
    Perm.PAGE_REGISTER.value: "register pages",
    Perm.PAGE_EDIT_PROFILE.value: "edit page profiles",
    Perm.PAGE_APPROVE.value: "approve pages",
    Perm.PAGE_RETIRE.value: "retire pages",
    Perm.PAGE_CONNECT.value: "connect pages to their platforms",
    Perm.ACCOUNT_VIEW.value: "see people's accounts",
    Perm.ACCOUNT_MANAGE.value: "manage accounts",
    Perm.AUDIT_VIEW.value: "read the audit log",
    Perm.ARCHIVE_VIEW.value: "search the archive",
    Perm.ARCHIVE_IMPORT.value: "import platform exports",
    Perm.MODERATION_VIEW.value: "see the moderation queue",
    Perm.MODERATION_DECIDE.value: "decide on comments",
    Perm.MODERATION_CONSULT.value: "ask legal counsel",
    Perm.MODERATION_ADVISE.value: "give legal advice on cases",
    Perm.PERSON_WARN.value: "warn commenters",
    Perm.PERSON_BLOCK.value: "block commenters",
    Perm.REPORT_FILE.value: "report comments",
    Perm.RESPONSE_ANSWER.value: "answer comments that ask for a response",
    Perm.MODERATION_REPORTS.value: "read the moderation reports",
}

#: What audit targets are called.
TARGET_LABELS: dict[str, str] = {
    "case": "case",
    "person": "commenter",
    "page": "page",
    "account": "account",
    "grant": "role grant",
    "item": "archive record",
    "import": "import",
    "subscriber_list": "subscriber list",
    "platform_action": "platform action",
    "block": "block",
    "response_request": "question",
    "proposal": "held decision",
    "appeal": "appeal",
}


def tag_label(value: str) -> str:
    """An audit action in plain words."""
    found = TAG_LABELS.get(value)
    if found:
        return found
    return value.split(":", 1)[-1].replace("_", " ")


def perm_label(value: str) -> str:
    """A permission in plain words."""
    return PERM_LABELS.get(value) or value.split(".", 1)[-1].replace("_", " ")


def role_label(value: str) -> str:
    """A role's name (not its code)."""
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value.replace("_", " ")


def roles_label(values: object) -> str:
    """Several roles' names, for "Jordan Lee (Public Information Office)"."""
    items = (
        [v for v in values.split(",") if v] if isinstance(values, str) else list(values)  # type: ignore[call-overload]
    )
    return ", ".join(sorted(role_label(str(v)) for v in items))


def target_label(value: str) -> str:
    """An audit target kind in plain words ("Subscriber_list" → "subscriber list")."""
    return TARGET_LABELS.get(value) or value.replace("_", " ")
