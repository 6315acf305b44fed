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
    for page in (facebook, sandbox, recruiting):
        pages.approve_page(session, page.id, actor=chief, reason="demo: approved for use")
    people.set_roles(
        session,
        accounts["pio-designee"].id,
        actor=admin,
        roles=[Role.PIO.value, Role.EMPLOYEE.value],
        page_scope=[sandbox.id],
        reason="designee for the community sandbox page only",
    )
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
