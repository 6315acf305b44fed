"""The §.10 check on real-looking profiles: complete, missing each element, disclaimer reworded."""

from __future__ import annotations

import pytest

from piodesk.core.config import DEFAULT_DISCLAIMER
from piodesk.pages.model import Agency, Element, Profile, check_profile

AGENCY = Agency(
    name="Colorado Springs Police Department",
    short_name="CSPD",
    website="https://coloradosprings.gov/police-department",
    disclaimer=DEFAULT_DISCLAIMER.replace("{agency}", "Colorado Springs Police Department"),
)

# One sentence per element, as departments actually word them, so each can be dropped in turn.
SENTENCES: dict[Element, str] = {
    Element.MAINTAINED_BY: "This is the official Facebook page of the Colorado Springs Police "
    "Department, maintained by the CSPD Public Affairs Section.",
    Element.PURPOSE: "We use this page to share public safety news, crime prevention tips and "
    "community events.",
    Element.MONITORING: "Comments posted to this page are monitored by department staff.",
    Element.RIGHT_TO_REMOVE: "The department reserves the right to remove obscenities, "
    "off-topic comments, and personal attacks.",
    Element.PUBLIC_DISCLOSURE: "Any content posted or submitted for posting is subject to "
    "public disclosure under the Colorado Open Records Act (CORA).",
    Element.DISCLAIMER: AGENCY.disclaimer,
}


def complete_profile(drop: Element | None = None, **changes: object) -> Profile:
    about = " ".join(s for e, s in SENTENCES.items() if e != drop)
    fields: dict[str, object] = {
        "about": about + " To report an emergency, call 911.",
        "links": ("https://coloradosprings.gov/police-department",),
        "contact_phone": "(719) 444-7000",
        "contact_email": "cspdpio@coloradosprings.gov",
        "target_audience": "Colorado Springs residents",
    }
    if drop == Element.CONTACT:
        fields["contact_phone"] = fields["contact_email"] = ""
    if drop == Element.WEBSITE_LINK:
        fields["links"] = ("https://www.facebook.com/ColoradoSpringsPolice",)
    if drop == Element.AUDIENCE:
        fields["target_audience"] = ""
    fields.update(changes)
    return Profile(**fields)  # type: ignore[arg-type]


def test_complete_profile_meets_every_element() -> None:
    report = check_profile(complete_profile(), AGENCY)
    assert report.compliant, report.as_dict()
    assert [r.element for r in report.results] == list(Element)
    assert all(r.evidence for r in report.results)


@pytest.mark.parametrize("element", list(Element))
def test_each_missing_element_is_reported_alone(element: Element) -> None:
    report = check_profile(complete_profile(drop=element), AGENCY)
    assert report.missing == [element], report.as_dict()


@pytest.mark.parametrize(
    "reworded",
    [
        # Each changes words, not just case or spacing: word for word means word for word.
        "The opinions expressed by page visitors do not reflect the opinions or views of the "
        "Colorado Springs Police Department.",
        "The opinions expressed by webpage visitors do not necessarily reflect the opinions or "
        "views of the Colorado Springs Police Department.",
        "The opinions expressed by webpage visitors do not reflect the opinions or views of CSPD.",
        "Opinions expressed by webpage visitors don't reflect the views of the Colorado Springs "
        "Police Department.",
    ],
)
def test_reworded_disclaimer_is_missing_and_says_so(reworded: str) -> None:
    about = complete_profile().about.replace(AGENCY.disclaimer, reworded)
    report = check_profile(complete_profile(about=about), AGENCY)
    assert report.missing == [Element.DISCLAIMER]
    evidence = report.results[-1].evidence
    assert evidence.startswith("reworded"), evidence
    assert AGENCY.disclaimer in evidence


def test_disclaimer_forgives_case_spacing_and_curly_quotes() -> None:
    loose = AGENCY.disclaimer.upper().replace(" ", "  \n ", 3)
    about = complete_profile().about.replace(AGENCY.disclaimer, loose)
    assert check_profile(complete_profile(about=about), AGENCY).compliant


def test_agency_name_comes_from_configuration() -> None:
    other = Agency(
        name="Springfield Police Department",
        short_name="SPD",
        website="https://springfield.example/police",
        disclaimer=DEFAULT_DISCLAIMER.replace("{agency}", "Springfield Police Department"),
    )
    report = check_profile(complete_profile(), other)
    # The CSPD page names CSPD and links to CSPD's site: wrong agency on every count.
    assert set(report.missing) == {Element.MAINTAINED_BY, Element.WEBSITE_LINK, Element.DISCLAIMER}


def test_right_to_remove_must_name_all_three_kinds() -> None:
    about = complete_profile().about.replace(
        "obscenities, off-topic comments, and personal attacks", "comments we find offensive"
    )
    result = check_profile(complete_profile(about=about), AGENCY).results[6]
    assert result.element == Element.RIGHT_TO_REMOVE and not result.met
    assert "obscenities" in result.evidence and "personal attacks" in result.evidence


def test_contact_buried_at_the_end_is_not_prominent() -> None:
    about = complete_profile().about + " " + ("More about us. " * 40) + "Call 719-444-7000."
    report = check_profile(
        complete_profile(about=about, contact_phone="", contact_email=""), AGENCY
    )
    contact = report.results[1]
    assert not contact.met and "not prominently" in contact.evidence


def test_lookalike_website_is_not_the_official_site() -> None:
    report = check_profile(
        complete_profile(links=("https://coloradosprings.gov.evil.example/police-department",)),
        AGENCY,
    )
    assert Element.WEBSITE_LINK in report.missing


def test_empty_profile_misses_everything() -> None:
    assert check_profile(Profile(), AGENCY).missing == list(Element)
