"""The demo agency: one login per role and a registry that shows every state of a page.

Everything is created through the same service actions people use, so the demo's audit log is
a real one and ``piodesk audit verify`` passes on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency, Profile
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


def seed(session: Session, agency: Agency) -> None:
    """Create the demo accounts and pages (on an empty database)."""
    admin_account = people.bootstrap_admin(
        session, username="admin", display_name="Alex Admin", password=DEMO_PASSWORD
    )
    admin = people.actor_for(admin_account, "cli")
    accounts = {"admin": admin_account}
    for login in DEMO_LOGINS[1:]:
        accounts[login.username] = people.create_account(
            session,
            actor=admin,
            username=login.username,
            display_name=login.display_name,
            password=DEMO_PASSWORD,
            roles=[r.value for r in login.roles],
            unit="Public Affairs Section" if Role.PIO in login.roles else "Patrol",
            reason="demo account",
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
