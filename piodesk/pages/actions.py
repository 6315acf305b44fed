"""Things people do in the page registry: register, edit the profile, approve, reject, retire.

Every edit of a profile adds a profile version and re-runs the §.10 check; every change is an
audit event. Approval and retirement belong to the chief or designee (§.04).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.credentials import encrypt
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.pages.model import (
    ELEMENT_LABELS,
    MIN_JUSTIFICATION_WORDS,
    PAGE_LIFECYCLE,
    Agency,
    ComplianceReport,
    Element,
    PageState,
    Platform,
    Profile,
    check_profile,
    live_profile,
    profile_differences,
)
from piodesk.pages.tables import ComplianceCheck, Page, PageConnection, PageProfileVersion

if TYPE_CHECKING:
    from piodesk.connectors.base import Connector

MAX_ABOUT = 10_000
MAX_LINKS = 20

#: The audit action of each lifecycle move, by target state (a move back is a resubmission).
_MOVE_TAG: dict[PageState, tags.Tag] = {
    PageState.APPROVED: tags.Page.APPROVED,
    PageState.REJECTED: tags.Page.REJECTED,
    PageState.RETIRED: tags.Page.RETIRED,
    PageState.PENDING: tags.Page.RESUBMIT,
    PageState.RETURNED: tags.PageReview.SENT_BACK,
}


def parse_platform(value: str) -> Platform:
    """A platform by name, or a clear error listing the ones piodesk knows."""
    try:
        return Platform(value.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise InvalidInput(f"unknown platform '{value[:40]}'; platforms are: {known}") from None


def clean_profile(
    *,
    about: str = "",
    links: Sequence[str] = (),
    contact_phone: str = "",
    contact_email: str = "",
    contact_address: str = "",
    target_audience: str = "",
) -> Profile:
    """Validate a profile's fields (lengths, link count and form) before anything is written."""
    if len(links) > MAX_LINKS:
        raise InvalidInput(f"too many links ({len(links)}; the limit is {MAX_LINKS})")
    clean_links = []
    for link in links:
        link = clean_line("link", link, max_len=500)
        if not link:
            continue
        if not link.lower().startswith(("http://", "https://")):
            raise InvalidInput(f"link must start with http:// or https://: {link[:80]}")
        clean_links.append(link)
    return Profile(
        about=clean_text("about text", about, max_len=MAX_ABOUT),
        links=tuple(clean_links),
        contact_phone=clean_line("contact phone", contact_phone, max_len=60),
        contact_email=clean_line("contact email", contact_email, max_len=254),
        contact_address=clean_text("contact address", contact_address, max_len=300),
        target_audience=clean_text("target audience", target_audience, max_len=200),
    )


def get_page(session: Session, page_id: int, *, actor: Actor) -> Page:
    """One page of the registry."""
    require(actor, Perm.PAGE_VIEW)
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page with id {page_id}")
    return page


def list_pages(session: Session, *, actor: Actor, state: str | None = None) -> list[Page]:
    """The registry, optionally limited to one state."""
    require(actor, Perm.PAGE_VIEW)
    q = select(Page).order_by(Page.name)
    if state:
        try:
            q = q.where(Page.state == PageState(state).value)
        except ValueError:
            raise InvalidInput(f"unknown page state '{state[:40]}'") from None
    return list(session.execute(q).scalars())


def current_profile(session: Session, page: Page) -> Profile:
    """The page's profile as it stands now."""
    row = session.execute(
        select(PageProfileVersion).where(
            PageProfileVersion.page_id == page.id,
            PageProfileVersion.version == page.profile_version,
        )
    ).scalar_one_or_none()
    if row is None:
        return Profile()
    return Profile(
        about=row.about,
        links=tuple(row.links),
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
        contact_address=row.contact_address,
        target_audience=row.target_audience,
    )


def latest_check(session: Session, page: Page) -> ComplianceCheck | None:
    """The most recent §.10 check of the page."""
    return session.execute(
        select(ComplianceCheck)
        .where(ComplianceCheck.page_id == page.id)
        .order_by(ComplianceCheck.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _run_check(session: Session, page: Page, profile: Profile, agency: Agency) -> ComplianceReport:
    report = check_profile(profile, agency)
    session.add(
        ComplianceCheck(
            page_id=page.id,
            profile_version=page.profile_version,
            checked_at=clock.now(),
            compliant=report.compliant,
            report=report.as_dict(),
            agency_name=agency.name,
        )
    )
    page.compliant = report.compliant
    return report


def _add_profile_version(session: Session, page: Page, profile: Profile, actor: Actor) -> None:
    page.profile_version += 1
    session.add(
        PageProfileVersion(
            page_id=page.id,
            version=page.profile_version,
            created_at=clock.now(),
            created_by=actor.account_id,
            **{**asdict(profile), "links": list(profile.links)},
        )
    )


def register_page(
    session: Session,
    *,
    actor: Actor,
    agency: Agency,
    platform: str,
    handle: str,
    name: str,
    administering_unit: str,
    url: str = "",
    profile: Profile | None = None,
) -> Page:
    """Add a page to the registry; it waits for the chief's approval before it is used."""
    require(actor, Perm.PAGE_REGISTER)
    plat = parse_platform(platform)
    handle = clean_line("handle", handle, max_len=200, required=True)
    if session.execute(
        select(Page.id).where(Page.platform == plat.value, Page.handle == handle)
    ).first():
        raise Conflict(f"{plat.value} page '{handle}' is already in the registry")
    page = Page(
        platform=plat.value,
        handle=handle,
        name=clean_line("name", name, max_len=200, required=True),
        url=clean_line("url", url, max_len=500),
        administering_unit=clean_line(
            "administering unit", administering_unit, max_len=200, required=True
        ),
        state=PAGE_LIFECYCLE.initial.value,
        registered_by=actor.account_id,
        registered_at=clock.now(),
        profile_version=0,
    )
    session.add(page)
    session.flush()
    profile = profile or Profile()
    _add_profile_version(session, page, profile, actor)
    report = _run_check(session, page, profile, agency)
    audit.record(
        session,
        actor,
        tags.Page.REGISTER,
        "page",
        page.id,
        section="§.04",
        data={
            "platform": page.platform,
            "handle": page.handle,
            "name": page.name,
            "administering_unit": page.administering_unit,
            "compliant": report.compliant,
        },
    )
    return page


def update_profile(
    session: Session,
    page_id: int,
    *,
    actor: Actor,
    agency: Agency,
    profile: Profile,
    reason: str = "",
) -> ComplianceReport:
    """Record a new version of the page's profile and re-run the §.10 check on it."""
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page with id {page_id}")
    require(actor, Perm.PAGE_EDIT_PROFILE, page_id)
    if page.state == PageState.RETIRED:
        raise Conflict("a retired page's profile is kept as it was")
    before = asdict(current_profile(session, page))
    _add_profile_version(session, page, profile, actor)
    report = _run_check(session, page, profile, agency)
    after = asdict(profile)
    audit.record(
        session,
        actor,
        tags.Page.UPDATE_PROFILE,
        "page",
        page.id,
        reason=clean_text("reason", reason, max_len=500),
        section="§.10",
        data={
            "version": page.profile_version,
            "changed": {k: [before[k], after[k]] for k in after if before.get(k) != after[k]},
            "compliant": report.compliant,
            "missing": [e.value for e in report.missing],
        },
    )
    return report


def recheck(session: Session, page_id: int, *, actor: Actor, agency: Agency) -> ComplianceReport:
    """Re-run the §.10 check (e.g. after the agency's configuration changed)."""
    page = get_page(session, page_id, actor=actor)
    require(actor, Perm.PAGE_EDIT_PROFILE, page_id)
    report = _run_check(session, page, current_profile(session, page), agency)
    audit.record(
        session,
        actor,
        tags.Page.RECHECK,
        "page",
        page.id,
        section="§.10",
        data={"compliant": report.compliant, "missing": [e.value for e in report.missing]},
    )
    return report


#: How the action reaches a page's platform: the connector for a page (connectors/factory).
Connect = Callable[[Page], "Connector"]


@dataclass(frozen=True)
class LiveCheck:
    """A §.10 check of the profile the platform shows right now."""

    report: ComplianceReport
    differs: list[str]  # the fields in which the live profile differs from piodesk's record
    fingerprint: str  # SHA-256 of the platform's answer, as read
    profile: Profile  # what was checked: the live profile as the check read it


def check_live_profile(
    sessions: sessionmaker[Session],
    page_id: int,
    *,
    actor: Actor,
    agency: Agency,
    connect: Connect,
) -> LiveCheck:
    """Read the page's profile from its platform and run the §.10 check on what the public sees.

    Recorded as a recheck of the page (audited, §.10) whose report says it was read live, when,
    and where the live profile differs from the recorded one. The platform is read before the
    transaction opens and only after the permission check; a platform that cannot show a
    profile, or a failed read, is a clear error and nothing is written.
    """
    from piodesk.connectors.base import ConnectorError  # the connector layer: only when needed
    from piodesk.connectors.model import Capability

    with reading(sessions) as session:
        page = get_page(session, page_id, actor=actor)
        require(actor, Perm.PAGE_EDIT_PROFILE, page_id)
        if page.state == PageState.RETIRED:
            raise Conflict("a retired page is not checked any more")
        recorded = current_profile(session, page)
        session.expunge(page)
    connector = connect(page)
    if Capability.READ_PROFILE not in connector.capabilities:
        raise InvalidInput(
            f"piodesk cannot read the profile of a {page.platform} page; edit the recorded "
            "profile to match the page and check that instead"
        )
    try:
        shown = connector.read_profile()
    except ConnectorError as exc:
        raise Conflict(f"could not read the live profile of {page.name}: {exc}") from None
    live = live_profile(
        about=clean_text("live about text", shown.about, max_len=MAX_ABOUT * 2),
        links=[clean_line("live link", link, max_len=500) for link in shown.links[:MAX_LINKS]],
        contact={
            clean_line("field name", k, max_len=100): clean_text("field", v, max_len=500)
            for k, v in shown.contact.items()
        },
        target_audience=recorded.target_audience,
    )
    report = check_profile(live, agency)
    differs = profile_differences(recorded, live)
    fingerprint = hashlib.sha256(shown.raw).hexdigest()
    with transaction(sessions) as session:
        row = session.get(Page, page_id)
        if row is None:
            raise NotFound(f"no page with id {page_id}")
        read_at = clock.now()
        session.add(
            ComplianceCheck(
                page_id=row.id,
                profile_version=row.profile_version,
                checked_at=read_at,
                compliant=report.compliant,
                report={
                    **report.as_dict(),
                    "source": "live",
                    "platform": row.platform,
                    "differs": differs,
                    "fingerprint": fingerprint,
                },
                agency_name=agency.name,
            )
        )
        row.compliant = report.compliant
        audit.record(
            session,
            actor,
            tags.Page.RECHECK,
            "page",
            row.id,
            reason="checked the live profile on the platform",
            section="§.10",
            data={
                "source": "live",
                "compliant": report.compliant,
                "missing": [e.value for e in report.missing],
                "differs": differs,
                "fingerprint": fingerprint,
            },
        )
    return LiveCheck(report, differs, fingerprint, live)


def _transition(
    session: Session,
    page_id: int,
    target: PageState,
    *,
    actor: Actor,
    perm: Perm,
    reason: str,
    require_reason: bool,
) -> Page:
    require(actor, perm)
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page with id {page_id}")
    reason = clean_text("reason", reason, max_len=1000, required=require_reason)
    source = PageState(page.state)
    PAGE_LIFECYCLE.check(source, target)
    missing = missing_elements(session, page)
    if target == PageState.APPROVED and missing:
        _require_justification(reason, missing)
    page.state = target.value
    now = clock.now()
    extra: dict[str, Any] = {}
    if target in (PageState.APPROVED, PageState.RETURNED):
        extra = {"compliant": page.compliant, "missing": [e.value for e in missing]}
    if target == PageState.APPROVED:
        page.approved_by, page.approved_at = actor.account_id, now
    elif target == PageState.RETIRED:
        page.retired_by, page.retired_at = actor.account_id, now
    audit.record(
        session,
        actor,
        _MOVE_TAG[target],
        "page",
        page.id,
        reason=reason,
        section="§.04",
        data={"from": source.value, "to": target.value, **extra},
    )
    return page


def missing_elements(session: Session, page: Page) -> list[Element]:
    """The §.10 elements the page's latest check found missing (none when never checked)."""
    check = latest_check(session, page)
    if check is None:
        return []
    return [Element(e["element"]) for e in check.report["elements"] if not e["met"]]


class JustificationNeeded(InvalidInput):
    """Approving a page that fails §.10 elements needs the chief's written reasons."""


def _require_justification(reason: str, missing: list[Element]) -> None:
    if len(reason.split()) >= MIN_JUSTIFICATION_WORDS:
        return
    names = "; ".join(ELEMENT_LABELS[e].lower() for e in missing)
    said = f" (“{reason}” is not one)" if reason else ""
    raise JustificationNeeded(
        f"this page is missing {len(missing)} required §.10 element"
        f"{'' if len(missing) == 1 else 's'} ({names}); approving it anyway needs a written "
        f"justification of at least {MIN_JUSTIFICATION_WORDS} words{said}, or send it back "
        "for fixes"
    )


def approve_page(session: Session, page_id: int, *, actor: Actor, reason: str = "") -> Page:
    """The chief or designee approves the page for the department's use (§.04).

    A page whose latest §.10 check found elements missing is approved only with a written
    justification (``reason``), recorded with the missing elements in the audit event."""
    return _transition(
        session,
        page_id,
        PageState.APPROVED,
        actor=actor,
        perm=Perm.PAGE_APPROVE,
        reason=reason,
        require_reason=False,
    )


def reject_page(session: Session, page_id: int, *, actor: Actor, reason: str) -> Page:
    """The chief or designee declines the page; the reason is required."""
    return _transition(
        session,
        page_id,
        PageState.REJECTED,
        actor=actor,
        perm=Perm.PAGE_APPROVE,
        reason=reason,
        require_reason=True,
    )


def send_back_page(session: Session, page_id: int, *, actor: Actor, reason: str) -> Page:
    """The chief or designee sends a waiting page back to the PIO office for fixes, with a
    note saying what to fix (§.04, §.10); it is not used until resubmitted and approved."""
    return _transition(
        session,
        page_id,
        PageState.RETURNED,
        actor=actor,
        perm=Perm.PAGE_APPROVE,
        reason=reason,
        require_reason=True,
    )


def resubmit_page(session: Session, page_id: int, *, actor: Actor, reason: str) -> Page:
    """After changes, a declined page or one sent back for fixes goes back for approval."""
    return _transition(
        session,
        page_id,
        PageState.PENDING,
        actor=actor,
        perm=Perm.PAGE_REGISTER,
        reason=reason,
        require_reason=True,
    )


def retire_page(session: Session, page_id: int, *, actor: Actor, reason: str) -> Page:
    """The chief or designee stops the department's use of the page; records stay."""
    return _transition(
        session,
        page_id,
        PageState.RETIRED,
        actor=actor,
        perm=Perm.PAGE_RETIRE,
        reason=reason,
        require_reason=True,
    )


def is_usable(page: Page) -> bool:
    """§.04: nothing is published to, or pulled from, a page that is not approved."""
    return page.state == PageState.APPROVED


def connect_page(
    session: Session,
    page_id: int,
    *,
    actor: Actor,
    settings: dict[str, str],
    secrets: dict[str, str],
    key: str,
) -> PageConnection:
    """An administrator stores how piodesk reaches the page; the secrets are encrypted at rest."""
    require(actor, Perm.PAGE_CONNECT)
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page with id {page_id}")
    from piodesk.connectors.base import registered  # loads every connector: only when needed

    cls = registered(page.platform)
    if cls is None or not cls.connection_secrets:
        raise InvalidInput(f"piodesk has no connector that signs in to {page.platform} yet")
    want_settings, want_secrets = cls.connection_settings, cls.connection_secrets
    missing = [k for k in want_settings if not settings.get(k)] + [
        k for k in want_secrets if not secrets.get(k)
    ]
    if missing:
        raise InvalidInput(f"{page.platform} needs: {', '.join(missing)}")
    clean = {k: clean_text(k, settings[k], max_len=500) for k in want_settings}
    token = encrypt({k: secrets[k] for k in want_secrets}, key)
    row = session.execute(
        select(PageConnection).where(PageConnection.page_id == page_id)
    ).scalar_one_or_none()
    if row is None:
        row = PageConnection(page_id=page_id, settings=clean, credential=token)
        session.add(row)
    else:
        row.settings, row.credential = clean, token
    row.connected_by, row.connected_at = actor.account_id, clock.now()
    audit.record(
        session,
        actor,
        tags.Page.CONNECT,
        "page",
        page_id,
        # The audit keeps which credential fields were set, never their values.
        data={"settings": clean, "credential_fields": sorted(want_secrets)},
    )
    return row
