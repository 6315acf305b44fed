"""The demo agency: one login per role and a registry that shows every state of a page.

Everything is created through the same service actions people use, so the demo's audit log is
a real one and ``piodesk audit verify`` passes on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.sandbox import platform as sandbox_platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.tables import SandboxPage
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.permissions import Actor, Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency, Profile
from piodesk.pages.tables import Page
from piodesk.people import actions as people

DEMO_PASSWORD = "GO409-demo-pass!"  # noqa: S105 - printed at start; demo databases only


@dataclass(frozen=True)
class DemoLogin:
    """A demo account and what it is for."""

    username: str
    display_name: str
    roles: tuple[Role, ...]
    note: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "Alex Admin", (Role.ADMIN,), "accounts and configuration"),
    DemoLogin("chief", "Chief Dana Vasquez", (Role.CHIEF,), "approves and retires pages"),
    DemoLogin("pio", "Sgt. Jordan Lee (PIO)", (Role.PIO,), "publishes and moderates"),
    DemoLogin(
        "pio-designee", "Ofc. Sam Ortiz", (Role.PIO, Role.EMPLOYEE), "PIO designee, one page only"
    ),
    DemoLogin("cadre", "Ofc. Riley Chen", (Role.CADRE, Role.EMPLOYEE), "submits stories"),
    DemoLogin("supervisor", "Lt. Morgan Price", (Role.SUPERVISOR, Role.EMPLOYEE), "recommends"),
    DemoLogin("ia", "Sgt. Casey Brooks", (Role.INTERNAL_AFFAIRS,), "vets cadre candidates"),
    DemoLogin("employee", "Pat Nguyen", (Role.EMPLOYEE,), "reports comments"),
    DemoLogin("records", "Robin Ellis", (Role.RECORDS,), "archive and open-records requests"),
    DemoLogin("counsel", "Avery Stone, City Attorney", (Role.LEGAL,), "advises on removals"),
    DemoLogin("auditor", "Jamie Fox", (Role.AUDITOR,), "reads everything"),
)


def compliant_about(agency: Agency, audience_sentence: str) -> str:
    """An about text with every §.10 element, as a well-kept department page has."""
    return (
        f"The official page of the {agency.name}, maintained by the {agency.name} Public Affairs "
        f"Section. {audience_sentence} For emergencies call 911. Visit {agency.website} for "
        "online reporting and more. Comments are monitored. We reserve the right to remove "
        "obscenities, off-topic comments, and personal attacks. Anything posted or submitted "
        "for posting is subject to public disclosure under the Colorado Open Records Act. "
        f"{agency.disclaimer}"
    )


def open_sandbox_page(session: Session, page: Page) -> SandboxPage:
    """Open the registry's sandbox page on the sandbox platform, with the registry's profile.

    What the department does on a real platform before registering the page in piodesk: the
    platform holds its own copy of the name and profile from then on.
    """
    profile = pages.current_profile(session, page)
    return sandbox_platform.open_page(
        session,
        page.handle,
        name=page.name,
        maintained_by=page.administering_unit,
        about=profile.about,
        links=profile.links,
        contact_phone=profile.contact_phone,
        contact_email=profile.contact_email,
        contact_address=profile.contact_address,
    )


def seed(session: Session, agency: Agency) -> None:
    """Create the demo accounts and pages (on an empty database)."""
    admin_account = people.bootstrap_admin(
        session, username="admin", display_name="Alex Admin", password=DEMO_PASSWORD
    )
    admin = people.actor_for(admin_account, "cli")
    accounts = {"admin": admin_account}
    for login in DEMO_LOGINS[1:]:
        # Seeded, not created by the admin: on a real installation these roles would wait for
        # a second person (the chief), and the demo has to start with one login per role.
        accounts[login.username] = people.seed_account(
            session,
            username=login.username,
            display_name=login.display_name,
            password=DEMO_PASSWORD,
            roles=[r.value for r in login.roles],
            unit="Public Affairs Section" if Role.PIO in login.roles else "Patrol",
            reason="demo account (seeded)",
        )
    chief = people.actor_for(accounts["chief"], "cli")

    def profile(audience: str, sentence: str, **overrides: str) -> Profile:
        fields: dict[str, object] = {
            "about": compliant_about(agency, sentence),
            "links": (agency.website,),
            "contact_phone": "(719) 444-7000",
            "contact_email": "pio@example.gov",
            "target_audience": audience,
        }
        fields.update(overrides)
        return Profile(**fields)  # type: ignore[arg-type]

    facebook = pages.register_page(
        session,
        actor=admin,
        agency=agency,
        platform="facebook",
        handle="ColoradoSpringsPolice",
        name="CSPD on Facebook",
        url="https://www.facebook.com/ColoradoSpringsPolice",
        administering_unit="Public Affairs Section",
        profile=profile(
            "Residents of Colorado Springs",
            "This page shares public safety news, crime prevention tips and community events "
            "with Colorado Springs residents.",
        ),
    )
    sandbox = pages.register_page(
        session,
        actor=admin,
        agency=agency,
        platform="sandbox",
        handle="cspd-community",
        name="CSPD Community (sandbox)",
        administering_unit="Public Affairs Section",
        profile=profile(
            "Residents and neighborhood groups",
            "This page is used to share neighborhood updates with the community.",
        ),
    )
    open_sandbox_page(session, sandbox)
    recruiting = pages.register_page(
        session,
        actor=admin,
        agency=agency,
        platform="x",
        handle="CSPDRecruiting",
        name="CSPD Recruiting on X",
        url="https://x.com/CSPDRecruiting",
        administering_unit="Training Academy",
        profile=Profile(
            about=(
                "Join the team! This account shares hiring events and academy news with "
                "future recruits. Views expressed by visitors are their own and not those of "
                "the department."
            ),
            links=("https://example.com/careers",),
            target_audience="Potential police recruits",
        ),
    )
    pages.register_page(
        session,
        actor=admin,
        agency=agency,
        platform="nextdoor",
        handle="cspd-sand-creek",
        name="CSPD Sand Creek Division on Nextdoor",
        administering_unit="Sand Creek Division",
        profile=profile(
            "Neighbors in the Sand Creek Division",
            "This page is here to inform neighbors about crime trends in the Sand Creek area.",
        ),
    )
    for page in (facebook, sandbox):
        pages.approve_page(session, page.id, actor=chief, reason="demo: approved for use")
    # The recruiting page fails §.10 elements: approving it takes the chief's written reasons.
    pages.approve_page(
        session,
        recruiting.id,
        actor=chief,
        reason="Approved for the spring hiring drive; the PIO office adds the missing notices "
        "and the department's contact details to the profile within two weeks.",
    )
    people.set_roles(
        session,
        accounts["pio-designee"].id,
        actor=admin,
        roles=[Role.PIO.value, Role.EMPLOYEE.value],
        page_scope=[sandbox.id],
        reason="designee for the community sandbox page only",
    )
    seed_publishing_review(session)
    seed_program(session)  # program/: authorizations, an investigative use, a memo


#: The sandbox page's posts: a time-sensitive notice, an event and a tip (GO 409 §.15 uses).
DEMO_POSTS: dict[str, str] = {
    "road": (
        "ROAD CLOSURE: Northbound Nevada Avenue is closed between Uintah Street and Fontanero "
        "Street for a crash investigation, expected until about 3 p.m. Please use Cascade "
        "Avenue as a detour and give crews room to work."
    ),
    "event": (
        "Coffee with a Cop is this Saturday from 9 to 11 a.m. at the Southeast Family YMCA. "
        "Bring your questions about your neighborhood: officers from the Sand Creek Division "
        "will be there, and the coffee is on us."
    ),
    "tip": (
        "Crime prevention tip: catalytic converter thefts are up across the city. Park in a "
        "garage or a well-lit area, ask your mechanic about a converter shield, and have your "
        "VIN etched on the converter so a stolen one can be traced."
    ),
}


@dataclass(frozen=True)
class DemoComment:
    """A visitor's comment on one of :data:`DEMO_POSTS` (``reply_to``: index of a comment)."""

    post: str
    name: str
    text: str
    reply_to: int | None = None

    @property
    def visitor_id(self) -> str:
        """The visitor's platform id, as if their browser held a cookie of their own."""
        return sandbox_platform.visitor_id_for(f"demo-visitor-cookie-{self.name}")


#: Some the screening engine should flag (a phone number, profanity, a sales pitch, a threat);
#: several are harsh but lawful criticism, which §.20 protects and screening must let through.
DEMO_COMMENTS: tuple[DemoComment, ...] = (
    DemoComment(
        "road",
        "Maria Torres",
        "How long will it stay closed? I have to get to Memorial Hospital for a 2 p.m. "
        "appointment.",
    ),
    DemoComment(
        "road",
        "Dale Whitfield",
        "My neighbor saw the whole crash. Call her at 719-555-0147, her name is Linda Marsh "
        "and she lives at 1120 N Nevada.",
    ),
    DemoComment(
        "road",
        "Kwame Osei",
        "Three hours to clear one crash? This department could not manage traffic if its "
        "life depended on it.",
    ),
    DemoComment(
        "road", "Jenny Park", "They are investigating a serious crash. Have some patience.", 2
    ),
    DemoComment(
        "event",
        "SecureHome Deals",
        "Tired of break-ins? Get 50% off SecureHome cameras this week only! DM me or visit "
        "securehome-deals.example for the promo code.",
    ),
    DemoComment(
        "event",
        "Rosa Alvarez",
        "Coffee with a Cop is a PR stunt. Show up when we actually call 911 and maybe we "
        "would trust you.",
    ),
    DemoComment("event", "Tom Nguyen", "We'll be there with the kids. Thanks for doing these!"),
    DemoComment(
        "event",
        "Bill Carter",
        "The chief should resign over how the protest last month was handled. Free coffee "
        "will not fix that and neither will this page.",
    ),
    DemoComment(
        "tip",
        "Greg Hollis",
        "This is bullshit. My converter got stolen twice and you fucking people did nothing.",
    ),
    DemoComment(
        "tip",
        "Sam R.",
        "If I catch the guy who took mine I am going to put a bullet in him. Consider this a "
        "warning.",
    ),
    DemoComment(
        "tip",
        "Laura Becker",
        "You post tips instead of arresting anyone. Useless. My tax dollars at work.",
    ),
    DemoComment(
        "tip", "Ann Fischer", "Etching the VIN worked for us, the shop on Academy did it for free."
    ),
)


def seed_sandbox(sessions: sessionmaker[Session], handle: str = "cspd-community") -> None:
    """Give the sandbox page its posts and visitors' comments (after :func:`seed` committed).

    Posts go through the sandbox connector's ``publish`` and comments through the same
    platform function the public page's comment form calls.
    """
    conn = SandboxConnector(sessions, handle)
    posts = {key: conn.publish(text) for key, text in DEMO_POSTS.items()}
    made: list[int] = []
    for demo in DEMO_COMMENTS:
        with transaction(sessions) as session:
            page = sandbox_platform.find_page(session, handle)
            assert page is not None, "seed() registers the sandbox page first"
            comment = sandbox_platform.add_comment(
                session,
                page,
                int(posts[demo.post]),
                visitor_id=demo.visitor_id,
                visitor_name=demo.name,
                body=demo.text,
                parent_comment_id=made[demo.reply_to] if demo.reply_to is not None else None,
            )
            made.append(comment.id)


def seed_moderation(sessions: sessionmaker[Session]) -> None:
    """Give the demo's queue some history (after ingest and intake): an employee's report of a
    comment screening let through, and a case the PIO sent to legal counsel."""
    from sqlalchemy import select

    from piodesk.archive.tables import ArchiveItem
    from piodesk.moderation import actions as moderation
    from piodesk.moderation.tables import Case
    from piodesk.people.tables import Account

    def actor(session: Session, username: str) -> Actor:
        account = session.execute(select(Account).where(Account.username == username)).scalar_one()
        return people.actor_for(account, via="web")

    def item_by(session: Session, author: str) -> ArchiveItem | None:
        return session.execute(
            select(ArchiveItem).where(
                ArchiveItem.kind == "comment", ArchiveItem.author_name == author
            )
        ).scalar_one_or_none()

    with transaction(sessions) as session:
        useless = item_by(session, "Laura Becker")
        if useless is not None:
            moderation.file_report(
                session,
                item_id=useless.id,
                reason="Insulting to the officers who work these thefts. Can we take it down?",
                actor=actor(session, "employee"),
            )
        threat = item_by(session, "Sam R.")
        case = (
            session.execute(select(Case).where(Case.item_id == threat.id)).scalar_one_or_none()
            if threat is not None
            else None
        )
        if case is not None:
            moderation.consult(
                session,
                case.id,
                question="Is 'put a bullet in him' a true threat we can remove, and may we "
                "block this person without a warning first?",
                actor=actor(session, "pio"),
            )


def seed_records_requests(sessions: sessionmaker[Session], settings: Settings) -> None:
    """Two open-records requests for the records custodian's desk (§.40): one in review with a
    search and a review set, one waiting for the requester's payment (its clock paused)."""
    from datetime import timedelta

    from sqlalchemy import select

    from piodesk.archive.search import SearchQuery
    from piodesk.core import clock
    from piodesk.people.tables import Account
    from piodesk.records.requests import actions as records
    from piodesk.records.requests.queries import Desk

    desk = Desk.from_settings(settings)
    with transaction(sessions) as session:
        account = session.execute(select(Account).where(Account.username == "records")).scalar_one()
        robin = people.actor_for(account, via="web")
        local = clock.now().astimezone(desk.tz)
        first = records.log_request(
            session,
            desk,
            records.Intake(
                requester_name="Pat Reporter",
                requester_contact="pat.reporter@example.org",
                requester_organization="Pikes Peak Courier",
                channel="email",
                received_at=(local - timedelta(days=2)).strftime("%Y-%m-%dT10:15"),
                text="Under CORA: every comment hidden or removed from the department's "
                "community page this year, with the reason for each.",
                scope="Sandbox community page; comments; hidden or removed; this year",
                regime="cora",
                assignee="records",
            ),
            actor=robin,
        )
        records.send_letter(session, desk, first.id, "acknowledgement", actor=robin)
        records.move(session, desk, first.id, "in_review", actor=robin)
        hits = records.save_search(session, first.id, SearchQuery(kind="comment"), actor=robin)
        if hits:
            records.add_to_review(
                session,
                first.id,
                [h.item.id for h in hits[:3]],
                actor=robin,
                reason="comments on the community page",
            )
        second = records.log_request(
            session,
            desk,
            records.Intake(
                requester_name="Jordan Resident",
                requester_contact="1 Main St, Colorado Springs",
                channel="mail",
                received_at=(local - timedelta(days=1)).strftime("%Y-%m-%dT08:40"),
                text="The department's subscriber list for its Facebook page.",
                regime="cora",
            ),
            actor=robin,
        )
        records.move(session, desk, second.id, "in_review", actor=robin)
        records.add_fee(
            session, second.id, "time", minutes=150, note="export and review", actor=robin
        )
        records.send_letter(session, desk, second.id, "fee_estimate", actor=robin)
        records.move(
            session, desk, second.id, "waiting_payment", actor=robin, reason="fee estimate sent"
        )


# ---- publishing review: the cadre and a story waiting for the PIO (GO 409 §.30) ---------------


def seed_publishing_review(session: Session) -> None:
    """Make the demo's cadre login an active member (recommended, vetted, trained) and leave
    one of its stories in the PIO office's review queue, with a §.12 finding to resolve."""
    from datetime import timedelta

    from sqlalchemy import select

    from piodesk.core import clock
    from piodesk.people.tables import Account
    from piodesk.publishing import cadre, submissions
    from piodesk.publishing.workflow import CadreStep

    def who(username: str) -> Actor:
        account = session.execute(select(Account).where(Account.username == username)).scalar_one()
        return people.actor_for(account, via="cli")

    member = cadre.recommend(
        session,
        actor=who("supervisor"),
        account_id=who("cadre").account_id or 0,
        division="Sand Creek Division",
        reason="Organises the division's Coffee with a Cop mornings; writes well.",
    )
    cadre.take_step(session, member.id, CadreStep.VET, actor=who("ia"))
    cadre.take_step(
        session,
        member.id,
        CadreStep.TRAIN,
        actor=who("pio"),
        training=cadre.Training(
            "Social Media Cadre training", (clock.now() - timedelta(days=14)).date(), "PIO office"
        ),
    )
    submissions.submit(
        session,
        actor=who("cadre"),
        title="Stolen bikes returned to their owners",
        text=(
            "Sand Creek officers returned six stolen bicycles to their owners this week. The "
            "suspect is clearly guilty and everyone knows it. Register your bike's serial "
            "number with us so we can find you if it is ever recovered."
        ),
        sources=["Sand Creek property room log", "Ofc. Riley Chen"],
        event_date=(clock.now() - timedelta(days=2)).date(),
    )


def seed_program(session: Session) -> None:
    """The program (GO 409 §.12, §.15): device authorizations for the PIO office, one
    investigative use awaiting the supervisor's review, and a memo waiting at the supervisor."""
    from datetime import timedelta

    from sqlalchemy import select

    from piodesk.core import clock
    from piodesk.people.tables import Account
    from piodesk.program import authorizations, investigations, memos

    def actor(username: str) -> Actor:
        account = session.execute(select(Account).where(Account.username == username)).scalar_one()
        return people.actor_for(account, "cli")

    chief, supervisor, employee = actor("chief"), actor("supervisor"), actor("employee")
    today = clock.now().date()
    authorizations.grant(
        session,
        actor=chief,
        account_id=actor("pio").account_id or 0,
        device_class="personal_device",
        devices="Department-enrolled iPhone (personal), MDM tag P-114",
        uses=["publishing", "moderation", "monitoring"],
        starts_on=today,
        expires_on=today + timedelta(days=365),
        reason="demo: on-call PIO answers the pages after hours",
    )
    authorizations.grant(
        session,
        actor=supervisor,
        account_id=actor("pio-designee").account_id or 0,
        device_class="department_computer",
        devices="Patrol workstation PW-22",
        uses=["moderation"],
        starts_on=today,
        expires_on=today + timedelta(days=10),
        reason="demo: designee covers the community page this week",
    )
    investigations.log_use(
        session,
        actor=employee,
        purpose="crime_media",
        case_number="26-004512",
        viewed=["https://example.social/@witness_clip", "CSPD Community comments (sandbox)"],
        evidence_kept="One video, downloaded and hashed into the case file",
    )
    memos.file_memo(
        session,
        actor=employee,
        title="Post the weekly crime map",
        body="Share the weekly crime map on the community page, as §.15 suggests "
        "(sharing crime maps and data).",
        supervisor_id=supervisor.account_id,
    )
