"""Who may do what: the roles of DESIGN.md and the actions GO 409 gives each of them.

Checked in the service layer (every ``actions.py`` function calls :func:`require`), so the web
pages, the JSON API and the command line cannot disagree about a permission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from piodesk.core.errors import PermissionDenied


class Role(StrEnum):
    """The roles of the social media program (a person may hold several)."""

    CHIEF = "chief"  # chief of police or designee: approves and retires pages (§.04)
    PIO = "pio"  # Public Information Office: publishes, moderates (§.04, §.20, §.22, §.30)
    CADRE = "cadre"  # Social Media Cadre member: submits stories, never publishes (§.30)
    SUPERVISOR = "supervisor"  # recommends cadre members; first step of suggestions (§.15, §.30)
    INTERNAL_AFFAIRS = "internal_affairs"  # vets cadre candidates (§.30)
    EMPLOYEE = "employee"  # reports posts and comments; files suggestions (§.12, §.15, §.22)
    RECORDS = "records_custodian"  # archive, open-records requests, holds, retention (§.40)
    LEGAL = "legal_counsel"  # advises on removals and productions (§.20, §.40)
    AUDITOR = "auditor"  # reads everything, changes nothing
    ADMIN = "admin"  # accounts, platforms, configuration; cannot publish or moderate


ROLE_LABELS: dict[Role, str] = {
    Role.CHIEF: "Chief of police / designee",
    Role.PIO: "Public Information Office",
    Role.CADRE: "Social Media Cadre member",
    Role.SUPERVISOR: "Supervisor",
    Role.INTERNAL_AFFAIRS: "Internal Affairs",
    Role.EMPLOYEE: "Employee",
    Role.RECORDS: "Records custodian",
    Role.LEGAL: "Legal counsel",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}


class Perm(StrEnum):
    """Actions a person can take. Each is granted to roles in :data:`GRANTS`."""

    PAGE_VIEW = "page.view"
    PAGE_REGISTER = "page.register"
    PAGE_EDIT_PROFILE = "page.edit_profile"
    PAGE_APPROVE = "page.approve"
    PAGE_RETIRE = "page.retire"
    PAGE_CONNECT = "page.connect"  # store the platform credentials piodesk uses for a page
    ACCOUNT_VIEW = "account.view"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_VIEW = "audit.view"
    ARCHIVE_VIEW = "archive.view"  # search and read the public-records archive (§.40)
    ARCHIVE_IMPORT = "archive.import"  # bring a platform's data export into the archive
    MODERATION_VIEW = "moderation.view"  # the comment queue, its cases and all comments (§.20)
    MODERATION_DECIDE = "moderation.decide"  # keep, hide, remove or restore a comment (§.20)
    MODERATION_CONSULT = "moderation.consult"  # send a case to legal counsel (§.20)
    MODERATION_ADVISE = "moderation.advise"  # answer a consultation with legal advice (§.20)
    PERSON_WARN = "moderation.warn"  # warn a person, with an explanation (§.20)
    PERSON_BLOCK = "moderation.block"  # block a person, lift or review a block (§.20)
    REPORT_FILE = "report.file"  # report a post or comment to the PIO (§.22)
    RESPONSE_ANSWER = "response.answer"  # answer a comment that asks for a response (§.12)
    MODERATION_REPORTS = "moderation.reports"  # transparency and consistency reports
    # ---- records requests (§.40, issue 10): granted in the block at the end of this file ----
    RECORDS_REQUEST_VIEW = "records.request_view"  # read requests, their clock, review set
    RECORDS_REQUEST_MANAGE = "records.request_manage"  # log and work requests; calendar, letters
    # ---- records: holds, retention, disposition, redaction, productions (§.40) ----
    HOLD_MANAGE = "records.hold"  # place, notify and release legal holds
    RETENTION_SET = "records.retention"  # set the retention schedule
    DISPOSITION_PREPARE = "records.disposition_prepare"  # dry run of a disposition
    DISPOSITION_APPROVE = "records.disposition_approve"  # approve and carry out (a 2nd person)
    REDACTION_REVIEW = "records.redact"  # propose, confirm or reject redactions
    PRODUCTION_MAKE = "records.produce"  # make a production for a request (redacted)
    PRODUCTION_SUBPOENA = "records.produce_subpoena"  # everything, every version, no redaction
    # -- publishing outbox and notices (issue 11, branch publishing-outbox; granted at the end)
    PUBLISH = "publish.send"  # send an approved post, retry or resolve a page's delivery (§.04)
    NOTICE_ISSUE = "notice.issue"  # draft, approve and issue time-sensitive notices (§.15)
    # -- publishing review: cadre, submissions, review, approvals (issue 11, branch
    # publishing-review; granted at the end; §.04 §.12 §.30)
    CADRE_VIEW = "cadre.view"  # the cadre register and each member's history (§.30)
    CADRE_RECOMMEND = "cadre.recommend"  # a supervisor recommends a candidate (§.30)
    CADRE_VET = "cadre.vet"  # internal affairs vets a candidate (§.30)
    CADRE_MANAGE = "cadre.manage"  # the PIO office records training, suspends, ends (§.30)
    STORY_SUBMIT = "story.submit"  # an active cadre member sends a story to the PIO (§.30)
    STORY_VIEW = "story.view"  # read every submission and its versions (§.40)
    STORY_REVIEW = "story.review"  # edit, resolve findings, attest, pick pages, schedule (§.04)
    POST_APPROVE = "post.approve"  # approve (or send back) a reviewed post at a tier
    APPROVAL_CONFIGURE = "post.approval_configure"  # set the approval tiers (1-3, Any/All)
    # evidence-close (issue 9): the server's own jobs run by hand from the CLI (ingest,
    # moderation intake, reconcile, checkpoint create) act with a credential, never anonymously.
    JOBS_RUN = "jobs.run"
    # ---- program/ (issue 14): authorizations, investigative log, memos, page administrators
    INVESTIGATION_LOG = "investigation.log"  # log an investigative use of social media (§.15)
    INVESTIGATION_REVIEW = "investigation.review"  # a supervisor reviews a logged use (§.15)
    INVESTIGATION_VIEW = "investigation.view"  # read and search every logged use (§.15, §.40)
    MEMO_FILE = "memo.file"  # file a suggestion memo; act on the step routed to you (§.15)
    MEMO_VIEW = "memo.view"  # read every suggestion memo (§.15)
    AUTHORIZATION_VIEW = "authorization.view"  # the register of device authorizations (§.12)
    AUTHORIZATION_GRANT = "authorization.grant"  # grant, review, revoke authorizations (§.12)
    PAGE_ADMINISTRATORS = "page.administrators"  # assign a page's unit and people (§.04)


_READ_EVERYTHING = {
    Perm.PAGE_VIEW,
    Perm.ACCOUNT_VIEW,
    Perm.AUDIT_VIEW,
    Perm.ARCHIVE_VIEW,
    Perm.MODERATION_VIEW,
    Perm.MODERATION_REPORTS,
}

#: §.22: every employee may report a post or comment to the PIO (the auditor changes nothing).
_REPORTS = {Perm.REPORT_FILE}

#: §.20: the PIO office alone decides on comments, warns and blocks.
_MODERATE = {
    Perm.MODERATION_VIEW,
    Perm.MODERATION_DECIDE,
    Perm.MODERATION_CONSULT,
    Perm.PERSON_WARN,
    Perm.PERSON_BLOCK,
    Perm.RESPONSE_ANSWER,
    Perm.MODERATION_REPORTS,
}

#: The whole permission matrix in one place. Anything not listed is refused.
GRANTS: dict[Role, frozenset[Perm]] = {
    Role.CHIEF: frozenset(
        {
            Perm.PAGE_VIEW,
            Perm.PAGE_APPROVE,
            Perm.PAGE_RETIRE,
            Perm.AUDIT_VIEW,
            Perm.MODERATION_REPORTS,
            *_REPORTS,
        }
    ),
    Role.PIO: frozenset(
        {
            Perm.PAGE_VIEW,
            Perm.PAGE_REGISTER,
            Perm.PAGE_EDIT_PROFILE,
            Perm.ARCHIVE_VIEW,
            *_MODERATE,
            *_REPORTS,
        }
    ),
    # A cadre member submits stories and reports comments, but never sees the queue (§.30).
    Role.CADRE: frozenset(_REPORTS),
    Role.SUPERVISOR: frozenset(_REPORTS),
    Role.INTERNAL_AFFAIRS: frozenset(_REPORTS),
    Role.EMPLOYEE: frozenset(_REPORTS),
    Role.RECORDS: frozenset(
        {
            Perm.PAGE_VIEW,
            Perm.AUDIT_VIEW,
            Perm.ARCHIVE_VIEW,
            Perm.ARCHIVE_IMPORT,
            Perm.MODERATION_REPORTS,
            *_REPORTS,
        }
    ),
    # Counsel reads the archive for productions and subpoenas (§.40), and advises on the
    # moderation cases the PIO sends (§.20) — seeing those cases, not the whole queue.
    Role.LEGAL: frozenset(
        {
            Perm.PAGE_VIEW,
            Perm.ARCHIVE_VIEW,
            Perm.MODERATION_ADVISE,
            Perm.MODERATION_REPORTS,
            *_REPORTS,
        }
    ),
    Role.AUDITOR: frozenset(_READ_EVERYTHING),
    # Admins register platform accounts and keep profiles current (configuration), and manage
    # people; approving pages, publishing and moderating belong to the chief and the PIO.
    Role.ADMIN: frozenset(
        {
            Perm.PAGE_VIEW,
            Perm.PAGE_REGISTER,
            Perm.PAGE_EDIT_PROFILE,
            Perm.PAGE_CONNECT,
            Perm.ACCOUNT_VIEW,
            Perm.ACCOUNT_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.ARCHIVE_IMPORT,  # bringing in an agency's history is configuration work
            Perm.JOBS_RUN,  # evidence-close: running the server's jobs by hand is operations
            *_REPORTS,
        }
    ),
}

# ---- records: holds, retention, disposition, redaction, productions (§.40) ----
# The records custodian keeps the schedule, prepares and approves dispositions (never the same
# person for one run), redacts and produces; legal counsel places holds and makes subpoena
# productions (everything in scope, no redaction), and may redact.
GRANTS[Role.RECORDS] = GRANTS[Role.RECORDS] | {
    Perm.HOLD_MANAGE,
    Perm.RETENTION_SET,
    Perm.DISPOSITION_PREPARE,
    Perm.DISPOSITION_APPROVE,
    Perm.REDACTION_REVIEW,
    Perm.PRODUCTION_MAKE,
}
GRANTS[Role.LEGAL] = GRANTS[Role.LEGAL] | {
    Perm.HOLD_MANAGE,
    Perm.REDACTION_REVIEW,
    Perm.PRODUCTION_MAKE,
    Perm.PRODUCTION_SUBPOENA,
}

#: Permissions that a page scope limits: a PIO designee limited to some pages may use these
#: only on those pages.
PAGE_SCOPED: frozenset[Perm] = frozenset(
    {
        Perm.PAGE_EDIT_PROFILE,
        Perm.MODERATION_VIEW,
        Perm.MODERATION_DECIDE,
        Perm.MODERATION_CONSULT,
        Perm.PERSON_WARN,
        Perm.PERSON_BLOCK,
        Perm.RESPONSE_ANSWER,
    }
)


#: Permissions a page-scoped PIO designee never holds: a page not yet registered lies outside
#: any scope, so a designee registering one would widen their own reach.
UNSCOPED_ONLY: frozenset[Perm] = frozenset({Perm.PAGE_REGISTER})


class _AnyPage:
    """The page argument meaning "on some page" (menus, queues filtered to the scope)."""

    _instance: _AnyPage | None = None

    def __new__(cls) -> _AnyPage:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY_PAGE"


#: ``actor.can(perm)`` asks "on some page?"; ``actor.can(perm, None)`` asks "on a thing that
#: belongs to no page" (a case opened from a link piodesk never captured), which a designee
#: limited to some pages may not touch.
ANY_PAGE = _AnyPage()

PageRef = int | None | _AnyPage


@dataclass(frozen=True, slots=True)
class Actor:
    """The person acting, as every service sees them (web, API, CLI or job)."""

    account_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role]
    # None: all pages. Otherwise the page ids a PIO designee is limited to.
    page_scope: frozenset[int] | None = None
    via: str = field(default="web")  # web | api | cli | operator | job
    # An API token's scopes narrow what its account may do (None: not narrowed).
    perm_limit: frozenset[Perm] | None = None

    def can(self, perm: Perm, page_id: PageRef = ANY_PAGE) -> bool:
        """True when one of the actor's roles grants ``perm`` (on ``page_id``, if scoped)."""
        if self.perm_limit is not None and perm not in self.perm_limit:
            return False
        if perm in NEVER_FOR_CADRE and Role.CADRE in self.roles:
            return False  # §.30: whoever is in the cadre never publishes, whatever else they hold
        if not any(perm in GRANTS[r] for r in self.roles):
            return False
        if self.page_scope is None or (perm not in PAGE_SCOPED and perm not in UNSCOPED_ONLY):
            return True
        # Only a PIO's grant is page-scoped; an admin editing a profile is not limited.
        if any(perm in GRANTS[r] for r in self.roles if r != Role.PIO):
            return True
        if perm in UNSCOPED_ONLY:
            return False
        if isinstance(page_id, _AnyPage):
            return True
        return page_id is not None and page_id in self.page_scope


def require(actor: Actor, perm: Perm, page_id: PageRef = ANY_PAGE) -> None:
    """Refuse unless ``actor`` may do ``perm``; the message says which role may."""
    if actor.can(perm, page_id):
        return
    if perm in NEVER_FOR_CADRE and Role.CADRE in actor.roles:
        raise PermissionDenied(
            f"{actor.username} may not {perm.value}: members of the Social Media Cadre never "
            "publish, schedule or approve (GO 409 §.30)"
        )
    from piodesk.core.words import perm_label  # words.py reads this module's vocabularies

    if actor.perm_limit is not None and perm not in actor.perm_limit:
        raise PermissionDenied(
            "this API token's scopes do not cover what this needs "
            f"({perm_label(perm.value)}); "
            "create a token with the scope it needs"
        )
    holders = sorted(ROLE_LABELS[r] for r, perms in GRANTS.items() if perm in perms)
    where = ""
    if actor.page_scope is not None and perm in PAGE_SCOPED:
        where = " on something that belongs to no page" if page_id is None else ""
        where = f" on page {page_id}" if isinstance(page_id, int) else where
    elif actor.page_scope is not None and perm in UNSCOPED_ONLY:
        where = " while limited to some pages"
    raise PermissionDenied(
        f"{actor.display_name} may not {perm_label(perm.value)}{where}; "
        f"that belongs to: {', '.join(holders) or 'nobody'}"
    )


class TokenScope(StrEnum):
    """What an API token may be used for, whatever else its account may do."""

    READ = "read"  # every token reads what its account may read
    MODERATION = "moderation"  # decide, consult, advise, warn, block, answer, report (§.20, §.22)
    RECORDS = "records"  # bring exports into the archive (§.40)
    ADMIN = "admin"  # accounts, pages, connections and page approval
    PUBLISHING = "publishing"  # send posts and replies, issue notices (publishing-outbox)
    PROGRAM = "program"  # investigative log, suggestion memos, device authorizations (program/)


SCOPE_PERMS: dict[TokenScope, frozenset[Perm]] = {
    TokenScope.READ: frozenset(_READ_EVERYTHING),
    TokenScope.MODERATION: frozenset(
        {
            Perm.MODERATION_DECIDE,
            Perm.MODERATION_CONSULT,
            Perm.MODERATION_ADVISE,
            Perm.PERSON_WARN,
            Perm.PERSON_BLOCK,
            Perm.RESPONSE_ANSWER,
            Perm.REPORT_FILE,
        }
    ),
    TokenScope.RECORDS: frozenset({Perm.ARCHIVE_IMPORT}),
    TokenScope.ADMIN: frozenset(
        {
            Perm.ACCOUNT_MANAGE,
            Perm.PAGE_REGISTER,
            Perm.PAGE_EDIT_PROFILE,
            Perm.PAGE_CONNECT,
            Perm.PAGE_APPROVE,
            Perm.PAGE_RETIRE,
            Perm.JOBS_RUN,  # evidence-close
        }
    ),
}
# records (§.40): holds, retention, disposition, redaction and productions ride the records scope.
SCOPE_PERMS[TokenScope.RECORDS] = SCOPE_PERMS[TokenScope.RECORDS] | {
    Perm.HOLD_MANAGE,
    Perm.RETENTION_SET,
    Perm.DISPOSITION_PREPARE,
    Perm.DISPOSITION_APPROVE,
    Perm.REDACTION_REVIEW,
    Perm.PRODUCTION_MAKE,
    Perm.PRODUCTION_SUBPOENA,
}


def scope_perms(scopes: frozenset[TokenScope]) -> frozenset[Perm]:
    """The permissions a token with ``scopes`` may use (read is always included)."""
    return frozenset().union(*(SCOPE_PERMS[s] for s in scopes | {TokenScope.READ}))


#: The actor for work nobody signed in to do: migrations, demo seeding, scheduled jobs.
SYSTEM = Actor(
    account_id=None,
    username="system",
    display_name="piodesk system",
    roles=frozenset(),
    via="job",
)


# ---- records requests (§.40, issue 10) -------------------------------------------------------
# The records custodian logs and works open-records requests; legal counsel and the auditor read
# them. A records token may work them; every token reads what its account may read.
GRANTS[Role.RECORDS] |= {Perm.RECORDS_REQUEST_VIEW, Perm.RECORDS_REQUEST_MANAGE}
GRANTS[Role.LEGAL] |= {Perm.RECORDS_REQUEST_VIEW}
GRANTS[Role.AUDITOR] |= {Perm.RECORDS_REQUEST_VIEW}
SCOPE_PERMS[TokenScope.READ] |= {Perm.RECORDS_REQUEST_VIEW}
SCOPE_PERMS[TokenScope.RECORDS] |= {Perm.RECORDS_REQUEST_MANAGE}

# ---- publishing: the outbox, notices and replies (issue 11, branch publishing-outbox) ------
#: §.04/§.15: the PIO office alone releases information; a designee only on their pages.
_OUTBOX_PERMS = frozenset({Perm.PUBLISH, Perm.NOTICE_ISSUE})
GRANTS[Role.PIO] = GRANTS[Role.PIO] | _OUTBOX_PERMS
PAGE_SCOPED = PAGE_SCOPED | _OUTBOX_PERMS
SCOPE_PERMS[TokenScope.PUBLISHING] = _OUTBOX_PERMS

# ---- publishing review: cadre, submissions, review, approvals (branch publishing-review) ---

#: §.30: "Cadre personnel will not post anything to the department's social media sites, only
#: provide their stories to the PIO's office." An account in the cadre role is refused these
#: whatever other role it also holds (checked in Actor.can and named in require's message).
NEVER_FOR_CADRE: frozenset[Perm] = frozenset(
    {
        Perm.PUBLISH,
        Perm.NOTICE_ISSUE,
        Perm.STORY_REVIEW,
        Perm.POST_APPROVE,
        Perm.APPROVAL_CONFIGURE,
    }
)


def _grant(role: Role, *perms: Perm) -> None:
    GRANTS[role] = GRANTS[role] | frozenset(perms)


_grant(Role.SUPERVISOR, Perm.CADRE_VIEW, Perm.CADRE_RECOMMEND)
_grant(Role.INTERNAL_AFFAIRS, Perm.CADRE_VIEW, Perm.CADRE_VET)
_grant(
    Role.PIO,
    Perm.CADRE_VIEW,
    Perm.CADRE_MANAGE,
    Perm.STORY_VIEW,
    Perm.STORY_REVIEW,
    Perm.POST_APPROVE,
)
_grant(Role.CADRE, Perm.STORY_SUBMIT)  # their own stories only (publishing/submissions.py)
_grant(Role.CHIEF, Perm.CADRE_VIEW, Perm.STORY_VIEW, Perm.POST_APPROVE, Perm.APPROVAL_CONFIGURE)
_grant(Role.RECORDS, Perm.STORY_VIEW)  # submissions are public records (§.40)
_grant(Role.AUDITOR, Perm.CADRE_VIEW, Perm.STORY_VIEW)
_grant(Role.ADMIN, Perm.APPROVAL_CONFIGURE)
# A PIO designee limited to some pages reviews and approves posts to those pages only.
PAGE_SCOPED = PAGE_SCOPED | {Perm.STORY_REVIEW, Perm.POST_APPROVE}
SCOPE_PERMS[TokenScope.READ] = SCOPE_PERMS[TokenScope.READ] | {Perm.CADRE_VIEW, Perm.STORY_VIEW}
SCOPE_PERMS[TokenScope.PUBLISHING] = SCOPE_PERMS[TokenScope.PUBLISHING] | {
    Perm.CADRE_RECOMMEND,
    Perm.CADRE_VET,
    Perm.CADRE_MANAGE,
    Perm.STORY_SUBMIT,
    Perm.STORY_REVIEW,
    Perm.POST_APPROVE,
    Perm.APPROVAL_CONFIGURE,
}

# (Kept last: every block above must have given its permissions a scope.)
# ---- program/ (issue 14): access authorizations (§.12), the investigative-use log and
# suggestion memos (§.15), page administrators (§.04). Added to the matrix above in one block.
_PROGRAM_GRANTS: dict[Role, frozenset[Perm]] = {
    # The chief assigns the units and people that administer pages (§.04), grants device
    # authorizations (§.12) and is the last step of every suggestion memo (§.15).
    Role.CHIEF: frozenset(
        {Perm.MEMO_FILE, Perm.MEMO_VIEW, Perm.AUTHORIZATION_VIEW, Perm.AUTHORIZATION_GRANT}
        | {Perm.PAGE_ADMINISTRATORS}
    ),
    Role.PIO: frozenset({Perm.MEMO_FILE}),
    Role.CADRE: frozenset({Perm.MEMO_FILE}),
    # A supervisor reviews investigative uses and grants authorizations to their people.
    Role.SUPERVISOR: frozenset(
        {
            Perm.MEMO_FILE,
            Perm.INVESTIGATION_LOG,
            Perm.INVESTIGATION_REVIEW,
            Perm.INVESTIGATION_VIEW,
            Perm.AUTHORIZATION_VIEW,
            Perm.AUTHORIZATION_GRANT,
        }
    ),
    Role.INTERNAL_AFFAIRS: frozenset({Perm.MEMO_FILE, Perm.INVESTIGATION_LOG}),
    # Detectives and officers are employees: they log the uses they make (§.15).
    Role.EMPLOYEE: frozenset({Perm.MEMO_FILE, Perm.INVESTIGATION_LOG}),
    # The log's entries are records (§.40): the custodian searches them.
    Role.RECORDS: frozenset({Perm.MEMO_FILE, Perm.INVESTIGATION_VIEW, Perm.AUTHORIZATION_VIEW}),
    Role.LEGAL: frozenset({Perm.MEMO_FILE}),
    Role.AUDITOR: frozenset({Perm.INVESTIGATION_VIEW, Perm.MEMO_VIEW, Perm.AUTHORIZATION_VIEW}),
    Role.ADMIN: frozenset({Perm.MEMO_FILE, Perm.AUTHORIZATION_VIEW}),
}
for _role, _perms in _PROGRAM_GRANTS.items():
    GRANTS[_role] = GRANTS[_role] | _perms
_READ_EVERYTHING |= {Perm.INVESTIGATION_VIEW, Perm.MEMO_VIEW, Perm.AUTHORIZATION_VIEW}
SCOPE_PERMS[TokenScope.READ] = SCOPE_PERMS[TokenScope.READ] | {
    Perm.INVESTIGATION_VIEW,
    Perm.MEMO_VIEW,
    Perm.AUTHORIZATION_VIEW,
}
SCOPE_PERMS[TokenScope.PROGRAM] = frozenset(
    {
        Perm.INVESTIGATION_LOG,
        Perm.INVESTIGATION_REVIEW,
        Perm.MEMO_FILE,
        Perm.AUTHORIZATION_GRANT,
    }
)
SCOPE_PERMS[TokenScope.ADMIN] = SCOPE_PERMS[TokenScope.ADMIN] | {Perm.PAGE_ADMINISTRATORS}

# (Moved here from after SCOPE_PERMS so that the block above is counted.)
assert set().union(*SCOPE_PERMS.values()) == set(Perm), "every permission belongs to a scope"
