"""Official pages: platforms, the approval lifecycle (§.04) and the §.10 required-element check.

Pure: no web, no storage. ``check_profile`` reads a page's profile the way a PIO would and
reports each element GO 409 §.10 requires as met or missing, with the text it relied on.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from piodesk.core.statemachine import StateMachine


class Platform(StrEnum):
    """Platforms a department page can live on."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    YOUTUBE = "youtube"
    NEXTDOOR = "nextdoor"
    TIKTOK = "tiktok"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    SANDBOX = "sandbox"  # piodesk's built-in platform for the demo and offline use


PLATFORM_LABELS: dict[Platform, str] = {
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.X: "X (Twitter)",
    Platform.YOUTUBE: "YouTube",
    Platform.NEXTDOOR: "Nextdoor",
    Platform.TIKTOK: "TikTok",
    Platform.MASTODON: "Mastodon",
    Platform.BLUESKY: "Bluesky",
    Platform.SANDBOX: "Sandbox (built-in)",
}


class PageState(StrEnum):
    """Where a page stands under §.04: only an approved page is used."""

    PENDING = "pending"  # registered, awaiting the chief's (or designee's) approval
    APPROVED = "approved"
    REJECTED = "rejected"
    RETIRED = "retired"  # no longer used; its records stay in the archive
    RETURNED = "returned"  # sent back to the PIO office for fixes, with the chief's note


#: The states as people name them (pages show these, never the codes).
STATE_LABELS: dict[PageState, str] = {
    PageState.PENDING: "Awaiting approval",
    PageState.APPROVED: "Approved",
    PageState.REJECTED: "Declined",
    PageState.RETIRED: "Retired",
    PageState.RETURNED: "Sent back for fixes",
}


PAGE_LIFECYCLE = StateMachine(
    "page",
    PageState.PENDING,
    {
        PageState.PENDING: {PageState.APPROVED, PageState.REJECTED, PageState.RETURNED},
        PageState.APPROVED: {PageState.RETIRED},
        PageState.REJECTED: {PageState.PENDING},  # may be resubmitted after changes
        PageState.RETIRED: set(),
        PageState.RETURNED: {PageState.PENDING},  # fixed, then resubmitted
    },
)

#: The fewest words a written justification for approving an incomplete page may have: "ok"
#: or "approved" records no reasoning a later reader could weigh.
MIN_JUSTIFICATION_WORDS = 6


@dataclass(frozen=True, slots=True)
class Profile:
    """What the public sees about a page: the about text, links and contact details."""

    about: str = ""
    links: tuple[str, ...] = ()
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    target_audience: str = ""


class AgencySettings(Protocol):
    """The part of piodesk's settings that describes the agency."""

    agency_name: str
    agency_short_name: str
    agency_website: str

    @property
    def disclaimer(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Agency:
    """The agency's own facts, from configuration: they fill in the §.10 requirements."""

    name: str
    short_name: str
    website: str
    disclaimer: str

    @classmethod
    def from_settings(cls, settings: AgencySettings) -> Agency:
        """The agency as the configuration describes it."""
        return cls(
            settings.agency_name,
            settings.agency_short_name,
            settings.agency_website,
            settings.disclaimer,
        )


class Element(StrEnum):
    """The elements GO 409 §.10 requires on every department page."""

    MAINTAINED_BY = "maintained_by"
    CONTACT = "contact"
    PURPOSE = "purpose"
    WEBSITE_LINK = "website_link"
    AUDIENCE = "audience"
    MONITORING = "monitoring"
    RIGHT_TO_REMOVE = "right_to_remove"
    PUBLIC_DISCLOSURE = "public_disclosure"
    DISCLAIMER = "disclaimer"


ELEMENT_LABELS: dict[Element, str] = {
    Element.MAINTAINED_BY: "States that the department maintains the page",
    Element.CONTACT: "Department contact information prominently displayed",
    Element.PURPOSE: "Introductory statement of purpose and scope",
    Element.WEBSITE_LINK: "Link to the department's official website",
    Element.AUDIENCE: "Designed with a target audience in mind",
    Element.MONITORING: "Says posted comments will be monitored",
    Element.RIGHT_TO_REMOVE: "Reserves the right to remove obscenities, off-topic comments "
    "and personal attacks",
    Element.PUBLIC_DISCLOSURE: "Says content posted or submitted is subject to public disclosure",
    Element.DISCLAIMER: "Visitor-opinion disclaimer, word for word",
}


@dataclass(frozen=True, slots=True)
class ElementResult:
    """One §.10 element: met or missing, and the text that shows it (or what is lacking)."""

    element: Element
    met: bool
    evidence: str

    @property
    def label(self) -> str:
        """The element as a PIO would name it."""
        return ELEMENT_LABELS[self.element]


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """The §.10 check of one profile."""

    results: tuple[ElementResult, ...] = field(default_factory=tuple)

    @property
    def compliant(self) -> bool:
        """True when every element is met."""
        return all(r.met for r in self.results)

    @property
    def missing(self) -> list[Element]:
        """The elements not met."""
        return [r.element for r in self.results if not r.met]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (stored with each check and served by the API)."""
        return {
            "compliant": self.compliant,
            "elements": [
                {"element": r.element.value, "label": r.label, "met": r.met, "evidence": r.evidence}
                for r in self.results
            ],
        }


# Typographic quotes and apostrophes become plain ones; runs of space become one space.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")

# "This page is maintained by ..." says who, not what for: a bare "this page is" is no purpose.
_PURPOSE = re.compile(
    r"\b(?:purpose|this (?:page|account|channel|site) (?:serves|provides|shares|posts|exists|"
    r"is (?:used|here|for|dedicated|where|meant|intended|designed|a place|the place))|"
    r"we (?:use|post|share|provide) (?:this|here|updates|news|information)|"
    r"(?:here|created|used) to (?:share|inform|provide|connect|engage)|"
    r"our (?:goal|mission) (?:here|on this))",
    re.I,
)
# §.10 "designed with the target audience in mind (e.g., youth, potential police recruits)":
# an audience is a group of people. A word for one counts only as the thing named, not as a
# modifier of something else: "youth" in "youth and their parents" is an audience, in "the
# youth academy" it is not; "the public" is, "public safety" is not.
_AUDIENCE_NOUNS = frozenset(
    """
    residents citizens community public people neighbors neighbours neighborhoods
    youth kids children teens teenagers students families parents guardians seniors elders
    adults recruits applicants candidates jobseekers seekers veterans volunteers
    businesses owners merchants employers workers commuters drivers motorists cyclists
    pedestrians riders visitors tourists victims survivors journalists reporters media
    groups organizations members speakers homeowners renters tenants
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
# Words after an audience noun that continue the same noun phrase ("residents of ...",
# "teens who ...", "families living in ..."), so the noun is still the audience.
_AUDIENCE_FOLLOWERS = frozenset(
    """
    and or of in who that which across throughout around near from with at on
    living working aged ages between interested considering seeking looking thinking
    wanting hoping downtown nearby everywhere alike too also as plus
    """.split()  # noqa: SIM905
)
# The first word of a compound audience, shown with it ("job seekers", "business owners").
_COMPOUND_FIRST = frozenset(
    "job business community police neighborhood neighbourhood young older home media".split()  # noqa: SIM905
)
_AUDIENCE_CUES = re.compile(
    r"\b(?:for|with|to|serv(?:e|es|ing)|reach(?:es|ing)?|connect(?:s|ing)? with|"
    r"designed for|aimed at|intended for|audience)\b",
    re.I,
)
_WORD_OR_MARK = re.compile(r"[a-z]+|[^\sa-z]")
_MONITORING = re.compile(
    r"\b(?:comments?|posts?)\b[^.]{0,60}\b(?:(?:are|will be|is) (?:monitored|moderated|reviewed))|"
    r"\b(?:we|the department|staff) (?:monitor|moderate|review)s? (?:all |the )?"
    r"(?:comments|posts|this page)",
    re.I,
)
_REMOVE = re.compile(
    r"\b(?:reserves? the right to (?:remove|delete|hide)|"
    r"(?:may|will) be (?:removed|deleted|hidden))",
    re.I,
)
_REMOVE_KINDS: dict[str, re.Pattern[str]] = {
    "obscenities": re.compile(r"\b(?:obscen\w*|profan\w*|vulgar\w*)", re.I),
    "off-topic comments": re.compile(r"\boff[- ]topic\b|\bunrelated\b", re.I),
    "personal attacks": re.compile(
        r"\bpersonal attacks?\b|\battacks? on (?:any |an )?individual", re.I
    ),
}
_DISCLOSURE = re.compile(
    r"\b(?:subject to (?:public )?disclosure|public records?\b|open records|"
    r"(?:colorado )?open records act|\bCORA\b|freedom of information|public information act)",
    re.I,
)


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text.translate(_QUOTES)).strip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(_clean(text)) if s.strip()]


def _first(pattern: re.Pattern[str], sentences: list[str]) -> str | None:
    return next((s for s in sentences if pattern.search(s)), None)


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else "https://" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _quote(s: str, limit: int = 160) -> str:
    return f"“{s if len(s) <= limit else s[: limit - 1] + '…'}”"


def _check_maintained_by(sentences: list[str], agency: Agency) -> ElementResult:
    names = [re.escape(agency.name)] + ([re.escape(agency.short_name)] if agency.short_name else [])
    pattern = re.compile(
        r"\b(?:maintained|managed|operated|run|administered)\s+by\b[^.]{0,80}\b(?:"
        + "|".join(names)
        + r")\b|\b(?:official|verified)\s+(?:\w+\s+){0,3}(?:page|account|channel|site|profile)"
        r"\s+(?:of|for)\s+(?:the\s+)?(?:" + "|".join(names) + r")\b",
        re.I,
    )
    found = _first(pattern, sentences)
    if found:
        return ElementResult(Element.MAINTAINED_BY, True, _quote(found))
    return ElementResult(
        Element.MAINTAINED_BY,
        False,
        f"no sentence says the page is maintained by (or is the official page of) "
        f"the {agency.name}",
    )


def _check_contact(profile: Profile, about: str) -> ElementResult:
    shown = [
        v for v in (profile.contact_phone, profile.contact_email, profile.contact_address) if v
    ]
    if shown:
        return ElementResult(Element.CONTACT, True, "contact field: " + "; ".join(shown))
    # "Prominently": in the opening of the about text, not buried at the end.
    opening = about[:300]
    m = _PHONE.search(opening) or _EMAIL.search(opening)
    if m:
        return ElementResult(Element.CONTACT, True, f"in the opening of the about text: {m[0]}")
    later = _PHONE.search(about) or _EMAIL.search(about)
    if later:
        return ElementResult(
            Element.CONTACT,
            False,
            f"contact {later[0]} appears only late in the about text, not prominently; "
            "add it to the page's contact fields",
        )
    return ElementResult(
        Element.CONTACT, False, "no phone number or email address for the department"
    )


def _check_website(profile: Profile, about: str, agency: Agency) -> ElementResult:
    want = _host(agency.website)
    want_path = urlsplit(agency.website).path.rstrip("/")
    candidates = list(profile.links) + _URL.findall(about)
    for url in candidates:
        host = _host(url)
        if host == want or host.endswith("." + want):
            path = urlsplit(url if "://" in url else "https://" + url).path.rstrip("/")
            if not want_path or path.startswith(want_path):
                return ElementResult(Element.WEBSITE_LINK, True, f"link: {url}")
    seen = ", ".join(candidates[:3]) or "no links"
    return ElementResult(
        Element.WEBSITE_LINK, False, f"no link to {agency.website} (found: {seen})"
    )


def audience_named(text: str) -> list[str]:
    """The groups of people ``text`` names as an audience (empty when it names none).

    "Teens and parents in El Paso County" names teens and parents; "Fun stuff from the youth
    academy!" names nobody (the academy is a place, "youth" only says which one)."""
    tokens = _WORD_OR_MARK.findall(_clean(text).lower().replace("-", " "))
    found: list[str] = []
    for i, word in enumerate(tokens):
        if word not in _AUDIENCE_NOUNS:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if after.isalpha() and after not in _AUDIENCE_FOLLOWERS:
            # A modifier ("youth academy", "public safety", "community events"), or the first
            # word of a compound whose next word is the audience ("community members").
            continue
        before = tokens[i - 1] if i > 0 else ""
        found.append(f"{before} {word}" if before in _COMPOUND_FIRST else word)
    return list(dict.fromkeys(found))


def _check_audience(profile: Profile, sentences: list[str]) -> ElementResult:
    audience = profile.target_audience.strip()
    if not audience:
        return ElementResult(
            Element.AUDIENCE, False, "no target audience is recorded for this page"
        )
    named = audience_named(audience)
    if not named:
        return ElementResult(
            Element.AUDIENCE,
            False,
            f"the target audience {_quote(audience)} names no group of people; say who the "
            "page is for (for example: youth and their parents, potential police recruits, "
            "residents of a division)",
        )
    mention = next((s for s in sentences if _AUDIENCE_CUES.search(s) and audience_named(s)), None)
    where = f"; the about text addresses it: {_quote(mention)}" if mention else ""
    return ElementResult(
        Element.AUDIENCE, True, f"target audience: {audience} (names {', '.join(named)}){where}"
    )


def _check_remove(sentences: list[str]) -> ElementResult:
    found = _first(_REMOVE, sentences)
    if not found:
        return ElementResult(
            Element.RIGHT_TO_REMOVE, False, "no statement reserving the right to remove comments"
        )
    # The kinds may be listed in the same or the following sentence.
    idx = sentences.index(found)
    window = " ".join(sentences[idx : idx + 2])
    lacking = [k for k, p in _REMOVE_KINDS.items() if not p.search(window)]
    if lacking:
        return ElementResult(
            Element.RIGHT_TO_REMOVE,
            False,
            f"{_quote(found)} does not name: {', '.join(lacking)}",
        )
    return ElementResult(Element.RIGHT_TO_REMOVE, True, _quote(found))


def _check_disclaimer(about: str, agency: Agency) -> ElementResult:
    required = _clean(agency.disclaimer)
    text = _clean(about)
    # Word for word, forgiving only letter case, spacing and typographic quotes.
    if required.lower() in re.sub(r"\s+", " ", text).lower():
        return ElementResult(Element.DISCLAIMER, True, _quote(required, 300))
    best = max(
        _sentences(about),
        key=lambda s: difflib.SequenceMatcher(None, s.lower(), required.lower()).ratio(),
        default="",
    )
    ratio = difflib.SequenceMatcher(None, best.lower(), required.lower()).ratio() if best else 0
    if ratio >= 0.6:
        return ElementResult(
            Element.DISCLAIMER,
            False,
            f"reworded: found {_quote(best, 300)}; GO 409 §.10 requires {_quote(required, 300)}",
        )
    return ElementResult(
        Element.DISCLAIMER, False, f"missing; GO 409 §.10 requires {_quote(required, 300)}"
    )


def check_profile(profile: Profile, agency: Agency) -> ComplianceReport:
    """Check a page's profile against every element GO 409 §.10 requires."""
    about = profile.about
    sentences = _sentences(about)

    def simple(element: Element, pattern: re.Pattern[str], lacking: str) -> ElementResult:
        found = _first(pattern, sentences)
        return ElementResult(element, bool(found), _quote(found) if found else lacking)

    return ComplianceReport(
        (
            _check_maintained_by(sentences, agency),
            _check_contact(profile, about),
            simple(Element.PURPOSE, _PURPOSE, "no statement of the page's purpose and scope"),
            _check_website(profile, about, agency),
            _check_audience(profile, sentences),
            simple(Element.MONITORING, _MONITORING, "no notice that comments are monitored"),
            _check_remove(sentences),
            simple(
                Element.PUBLIC_DISCLOSURE,
                _DISCLOSURE,
                "no notice that content is subject to public disclosure",
            ),
            _check_disclaimer(about, agency),
        )
    )


#: Names of a platform's contact fields (Mastodon's profile fields are named by the account)
#: and the profile field each fills.
_CONTACT_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("contact_phone", ("phone", "tel", "call")),
    ("contact_email", ("mail",)),
    ("contact_address", ("address", "location", "visit", "where")),
)


def live_profile(
    *,
    about: str,
    links: tuple[str, ...] | list[str],
    contact: dict[str, str],
    target_audience: str,
) -> Profile:
    """The profile the §.10 check reads from what the platform shows right now.

    Contact fields the platform names (``phone``, ``email``, ``address``; Mastodon's "Phone",
    "Email", "Location" ...) fill the contact fields; any other profile field is shown on the
    page too, so it is read with the about text. The target audience is the registry's own
    record (no platform has such a field); the check still looks for it in the live text.
    """
    filled: dict[str, str] = {}
    extra: list[str] = []
    for name, value in contact.items():
        value = value.strip()
        if not value:
            continue
        low = name.lower()
        slot = next((f for f, cues in _CONTACT_KEYS if any(c in low for c in cues)), None)
        if slot and slot not in filled:
            filled[slot] = value
        else:
            extra.append(f"{name}: {value}")
    text = about.strip()
    if extra:
        text = (text + "\n" if text else "") + "\n".join(extra)
    return Profile(
        about=text,
        links=tuple(dict.fromkeys(link for link in links if link)),
        contact_phone=filled.get("contact_phone", ""),
        contact_email=filled.get("contact_email", ""),
        contact_address=filled.get("contact_address", ""),
        target_audience=target_audience,
    )


#: A profile's fields as the page names them (for "the live page differs in ...").
PROFILE_FIELD_LABELS: dict[str, str] = {
    "about": "about text",
    "links": "links",
    "contact_phone": "contact phone",
    "contact_email": "contact email",
    "contact_address": "contact address",
}


def profile_differences(recorded: Profile, live: Profile) -> list[str]:
    """The fields in which the live profile differs from the one piodesk recorded."""
    out = []
    for name, label in PROFILE_FIELD_LABELS.items():
        a, b = getattr(recorded, name), getattr(live, name)
        if name == "links":
            a, b = sorted(a), sorted(b)
        elif isinstance(a, str):
            a, b = " ".join(a.split()), " ".join(b.split())
        if a != b:
            out.append(label)
    return out
