"""The vocabulary of screening: categories, findings and results (GO 409 §.12, §.20).

Pure types: no web, no storage. Every other part of piodesk (moderation, publishing, archive)
reads findings through these types, so they are kept small and stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The eight removable kinds of public comment in GO 409 §.20."""

    PROFANITY = "profanity"  # profane, obscene or pornographic content or language
    INVESTIGATION = "investigation"  # could compromise an ongoing investigation
    PII = "pii"  # personal identifying information of any person
    THREAT = "threat"  # threats to any person or organization
    SOLICITATION = "solicitation"  # solicitation of commerce, advertising
    ILLEGAL = "illegal"  # conduct in violation of federal, state or local law
    SAFETY = "safety"  # compromises the safety or security of the public or public systems
    IP = "ip"  # violates a legal ownership interest (copyright, trademark)


class DraftRule(StrEnum):
    """What GO 409 §.12 (and §.04) forbid staff to post on department pages."""

    GUILT = "guilt"  # statements about the guilt or innocence of a suspect or arrestee
    PROSECUTION = "prosecution"  # comments concerning pending prosecutions
    CONFIDENTIAL = "confidential"  # confidential information, case details
    MEDIA_CONSENT = "media_consent"  # training/operations photos or video without written consent
    POLITICAL = "political"  # political activity
    PRIVATE_BUSINESS = "private_business"  # private business
    EMPLOYEE_PERSONAL = "employee_personal"  # personal information about employees
    COPYRIGHT = "copyright"  # copyright, trademark and service-mark restrictions


#: What each kind of finding is called on a PIO's screen (plain words, not codes).
LABEL_FOR: dict[str, str] = {
    Category.PROFANITY.value: "Profane or obscene language",
    Category.INVESTIGATION.value: "Could compromise an investigation",
    Category.PII.value: "Personal identifying information",
    Category.THREAT.value: "Threat to a person or organization",
    Category.SOLICITATION.value: "Solicitation or advertising",
    Category.ILLEGAL.value: "Illegal conduct",
    Category.SAFETY.value: "Compromises public safety or public systems",
    Category.IP.value: "Copyright or trademark violation",
    DraftRule.GUILT.value: "Guilt or innocence of a suspect",
    DraftRule.PROSECUTION.value: "Pending prosecution",
    DraftRule.CONFIDENTIAL.value: "Confidential information",
    DraftRule.MEDIA_CONSENT.value: "Media without written consent",
    DraftRule.POLITICAL.value: "Political activity",
    DraftRule.PRIVATE_BUSINESS.value: "Private business",
    DraftRule.EMPLOYEE_PERSONAL.value: "Employee's personal information",
    DraftRule.COPYRIGHT.value: "Copyright or trademark",
}

#: The GO 409 section each kind of finding cites.
SECTION_FOR: dict[str, str] = {
    **{c.value: "§.20" for c in Category},
    **{r.value: "§.12" for r in DraftRule},
}


class TextKind(StrEnum):
    """Which rules apply: public comments (§.20) or staff drafts (§.12 plus §.20)."""

    COMMENT = "comment"
    DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) in the ORIGINAL text, as the person wrote it."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the text may break the policy, with evidence a PIO can check in seconds."""

    category: str  # a Category value for comments, a DraftRule or Category value for drafts
    rule: str  # the detector/rule id that fired, e.g. "pii.phone" or "profanity.lexicon"
    spans: tuple[Span, ...]  # where in the original text; empty for whole-text model findings
    evidence: str  # the matched text or the model's top features, shown to the PIO
    score: float  # 0..1 confidence
    section: str  # GO 409 section cited, e.g. "§.20"
    explanation: str  # one plain sentence a PIO can read
    suggestion: str = ""  # for drafts: what to change (e.g. 'write "suspect", not "killer"')
    #: what the text puts at risk, in a PIO's words: for investigation findings what is
    #: compromised ("a witness", "an informant", "a juvenile", "the location of evidence",
    #: "the timing of a police operation (raid, tomorrow)"), for safety findings the system or
    #: people ("the jail annex back door (its code)"); empty when a finding names none
    at_risk: str = ""

    @property
    def label(self) -> str:
        """The category in a PIO's words, e.g. "Could compromise an investigation"."""
        return LABEL_FOR.get(self.category, self.category)


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """Everything screening said about one text, and exactly which rules and models said it."""

    kind: TextKind
    findings: tuple[Finding, ...]
    ruleset_version: str
    model_version: str
    categories: frozenset[str] = field(default_factory=frozenset)

    @property
    def flagged(self) -> bool:
        """True when at least one finding was made."""
        return bool(self.findings)
