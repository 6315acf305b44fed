"""Staff-draft rules (GO 409 §.12): what department personnel must not post, and what to write.

Each finding carries a `suggestion` saying what to change. Drafts are also screened for every
§.20 comment category by the engine (a draft must not carry PII, threats and so on either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from piodesk.screening.detectors.base import Detector, Pattern, PatternDetector, ScanContext
from piodesk.screening.model import DraftRule, Finding, TextKind

_DRAFT_ONLY = frozenset({TextKind.DRAFT})


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A photo or video attached to a draft, with what the PIO office has on record for it."""

    name: str
    kind: str = "photo"  # "photo" | "video" | "audio" | "document"
    consent_recorded: bool = False  # written consent of the people shown (§.12)
    rights_recorded: bool = False  # the department owns it or has a licence (§.12 copyright)
    depicts_training_or_operations: bool = False  # department training, activities, assignments


@dataclass(frozen=True, slots=True)
class DraftInput:
    """A staff draft to screen before publication: its text and attached media."""

    text: str
    media: tuple[MediaItem, ...] = field(default_factory=tuple)


_ACCUSED = (
    r"(?:suspect|suspects|arrestee|arrestees|defendant|defendants|accused|man|woman|male|female|"
    r"driver|teen|juvenile|individual|person|he|she|they|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)


def _d(
    rule: DraftRule,
    patterns: list[Pattern],
    explanation: str,
    suggestion: str,
    **kw: object,
) -> PatternDetector:
    return PatternDetector(
        f"draft.{rule.value}",
        rule.value,
        patterns,
        explanation,
        suggestion=suggestion,
        kinds=_DRAFT_ONLY,
        **kw,  # type: ignore[arg-type]
    )


def build_draft_detectors() -> list[Detector]:
    """The §.12 rules as detectors; each reads drafts only."""
    i = re.IGNORECASE
    guilt_words = (
        r"killer|murderer|rapist|thief|thieves|robber|burglar|perpetrator|perp|culprit|criminal|"
        r"pedophile|molester|arsonist|gunman|shooter|abuser|predator|kidnapper|carjacker|"
        r"drunk\s+driver|dealer|drug\s+dealer|trafficker"
    )
    return [
        _d(
            DraftRule.GUILT,
            [
                Pattern(
                    "labels_suspect",
                    rf"\b(?:the|this|that|a|our)\s+(?:alleged\s+)?(?:{guilt_words})s?\b",
                    0.7,
                    i,
                ),
                Pattern(
                    "is_guilty",
                    r"(?<!found\s)(?<!pleaded\s)(?<!pled\s)(?<!was\sfound\s)\b(?:is|are|was|were)\s+"
                    r"(?:clearly\s+|obviously\s+|definitely\s+|100%\s+)?(?:guilty|innocent)\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "did_it",
                    rf"\b{_ACCUSED}\s+(?:clearly\s+|obviously\s+|definitely\s+)?(?:committed\s+the|"
                    r"did\s+it|is\s+responsible\s+for\s+the|murdered|raped|stole)\b",
                    0.6,
                    0,
                ),
            ],
            "The draft states or implies the guilt or innocence of a suspect or arrestee.",
            'Describe people charged but not convicted as "the suspect" or "the arrestee", and '
            'acts as "alleged" (e.g. "the suspect, who is alleged to have...").',
            validate=_not_after_conviction,
        ),
        _d(
            DraftRule.PROSECUTION,
            [
                Pattern(
                    "predicts_outcome",
                    r"\b(?:will|is\s+going\s+to|are\s+going\s+to|should)\s+(?:be\s+)?(?:convicted|"
                    r"found\s+guilty|go\s+to\s+(?:prison|jail)|spend\s+(?:years|the\s+rest)|"
                    r"face\s+justice|pay\s+for\s+(?:his|her|their)\s+crimes?|get\s+(?:life|"
                    r"the\s+maximum))\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "case_strength",
                    r"\bcase\s+against\s+(?:[\w.'’]+\s+){1,3}(?:is|looks)\s+(?:very\s+|extremely\s+)?"
                    r"(?:strong|solid|airtight|weak|overwhelming|open[- ]and[- ]shut)\b|"
                    r"\bopen[- ]and[- ]shut\s+case\b|\bthrow\s+the\s+book\b|"
                    r"\block\s+(?:him|her|them)\s+up\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "trial",
                    r"\b(?:upcoming|pending|scheduled)\s+(?:trial|prosecution|case|hearing|"
                    r"sentencing)\b|\b(?:trial|prosecution|hearing|sentencing|jury|verdict|plea)\b",
                    0.45,
                    i,
                ),
            ],
            "The draft comments on a pending prosecution.",
            "Remove any view on the case, the evidence or the likely outcome; say only what is "
            "public record (charges filed, next court date) and refer questions to the "
            "District Attorney's office.",
            context=("suspect", "defendant", "charged", "arrested", "accused", "case", "charges"),
            context_window=80,
            context_boost=0.2,
        ),
        _d(
            DraftRule.CONFIDENTIAL,
            [
                Pattern(
                    "marker",
                    r"\b(?:confidential|for\s+official\s+use\s+only|law\s+enforcement\s+sensitive|"
                    r"do\s+not\s+(?:release|distribute|disseminate|share|post)|not\s+for\s+(?:public\s+)?"
                    r"release|internal\s+(?:use\s+)?only|restricted\s+(?:information|document|material|"
                    r"distribution)|sensitive\s+but\s+unclassified|"
                    r"(?:attorney[- ]client\s+)?privileged\s+(?:and\s+confidential|communication|"
                    r"information))\b",
                    0.9,
                    i,
                ),
                Pattern("acronym", r"\b(?:LES|FOUO|SBU|CUI|CJIS|NCIC)\b", 0.85, 0),
                Pattern(
                    "case_number",
                    r"\b(?:case|report|incident|cad|file|offense)\s*(?:no\.?|number|num|#)\s*:?\s*"
                    r"[A-Z]{0,3}[-\s]?\d[\d-]{3,}\b",
                    0.75,
                    i,
                ),
                Pattern(
                    "case_details",
                    r"\b(?:(?:confidential\s+)?informant|undercover\s+(?:officer|operation)|"
                    r"search\s+warrant\s+affidavit|(?:dna|fingerprint|ballistic|lab)\s+results?|"
                    r"autopsy\s+(?:results?|findings)|evidence\s+(?:shows|collected|recovered|log)|"
                    r"investigators\s+(?:believe|found|recovered)|person\s+of\s+interest\s+is)\b",
                    0.7,
                    i,
                ),
            ],
            "The draft may contain confidential information or details of a case.",
            "Remove the confidential material and case details; publish only what the "
            "investigating unit has cleared for release.",
        ),
        _d(
            DraftRule.POLITICAL,
            [
                Pattern(
                    "vote",
                    r"\bvote\s+(?:yes|no)\b|\bvote\s+(?:for|against)\s+(?:(?-i:[A-Z])|prop|measure|"
                    r"amendment|issue|the\s+(?:levy|tax|bond|recall|incumbent|challenger|"
                    r"republican|democrat)|him\b|her\b|them\b)|"
                    r"\b(?:yes|no)\s+on\s+(?:prop(?:osition)?|"
                    r"measure|amendment|issue|question|ballot|\d)\S*|\bre-?elect\b|\belect\s+"
                    r"(?-i:[A-Z][a-z]+)|\b(?:support|oppose|endorse|endorses|endorsed)\s+(?:\w+\s+){0,2}"
                    r"(?:candidate|campaign|prop(?:osition)?|measure|amendment|ballot|bill)\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "party",
                    r"\b(?:democrats?|democratic\s+party|republicans?|republican\s+party|gop|dnc|rnc|"
                    r"libertarian\s+party|green\s+party|maga|campaign\s+(?:rally|donation|event)|"
                    r"ballot\s+(?:measure|issue|initiative|question)|candidate\s+for|running\s+for\s+"
                    r"(?:mayor|council|sheriff|office|governor|senate|congress|da|district\s+attorney))\b",
                    0.75,
                    i,
                ),
            ],
            "The draft engages in political activity (candidates, parties or ballot measures).",
            "Remove endorsements and campaign language; the department does not take part in "
            "elections. Factual voting-day traffic or safety notices are fine without them.",
        ),
        _d(
            DraftRule.PRIVATE_BUSINESS,
            [
                Pattern(
                    "promo",
                    r"\b(?:\d{1,2}\s?%\s+off|promo\s+code|discount\s+code|coupon|use\s+code\s+\w+|"
                    r"buy\s+one\s+get\s+one|bogo|grand\s+opening\s+sale|(?:half|50%)\s+price|"
                    r"shop\s+(?:at|now)|visit\s+my\s+(?:store|shop|business|salon|restaurant)|"
                    r"my\s+(?:side\s+)?(?:business|company|hustle|shop|store)|"
                    r"(?:sale|discount|deal|special)\s+(?:at|this\s+weekend|today\s+only|ends))\b",
                    0.8,
                    i,
                ),
            ],
            "The draft promotes a private business (a sale, discount or promo code).",
            "Remove the promotion; department pages may not advertise a business. Name a "
            "partner only as the PIO office approves (e.g. a sponsor of a public-safety event).",
        ),
        _d(
            DraftRule.EMPLOYEE_PERSONAL,
            [
                Pattern(
                    "officer_detail",
                    r"\b(?i:officer|ofc\.?|sgt\.?|sergeant|detective|det\.?|lt\.?|lieutenant|"
                    r"captain|capt\.?|deputy|chief|cpl\.?|corporal|dispatcher|employee)\s+"
                    r"(?:[A-Z][a-z]+\s+){0,2}?(?:[A-Z][a-z]+(?:'s|’s))\s+(?i:home\s+address|address|"
                    r"home|house|phone|cell|personal\s+(?:phone|number|email)|wife|husband|"
                    r"spouse|kids|children|son|daughter|family|schedule|shift|days\s+off|"
                    r"vacation|medical|health|diagnosis|birthday|date\s+of\s+birth|age|"
                    r"salary|divorce)\b",
                    0.8,
                    0,
                ),
                Pattern(
                    "lives_at",
                    r"\b(?:officer|sgt|sergeant|detective|deputy|chief|lieutenant|captain)\s+"
                    r"(?:[A-Z][a-z]+\s+){1,2}(?:lives|resides)\s+(?:at|on|in)\b|"
                    r"\b(?:my|our)\s+(?:home\s+address|personal\s+(?:cell|phone|number|email)|"
                    r"(?:kids|children)'?s?\s+school|days\s+off|shift\s+schedule)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    "schedule",
                    r"\b(?:he|she|they|officer\s+\w+)\s+(?:works|is\s+working|will\s+be\s+on\s+duty|"
                    r"patrols)\s+(?:alone\s+)?(?:nights|days|the\s+\w+\s+shift|every\s+\w+day)\b",
                    0.6,
                    i,
                ),
            ],
            "The draft shares personal information about a department employee.",
            "Remove the employee's personal details (home, family, phone, schedule, health); "
            "name the officer and role only.",
        ),
        _d(
            DraftRule.COPYRIGHT,
            [
                Pattern(
                    "notice",
                    r"(?:©|\(c\)|copyright)\s*\d{4}|all\s+rights\s+reserved|used\s+with(?:out)?\s+"
                    r"permission|reprinted\s+from|courtesy\s+of\s+(?:getty|ap|reuters|shutterstock)|"
                    r"\b(?:getty\s+images|shutterstock|istock|associated\s+press|reuters)\b|"
                    r"™|®",
                    0.75,
                    i,
                ),
            ],
            "The draft uses material that belongs to someone else (copyright or trademark).",
            "Use only the department's own material, or record the licence or permission "
            "before publishing; credit the owner as the licence requires.",
        ),
    ]


_CONVICTED = re.compile(
    r"\b(?:convicted|sentenced|pleaded|pled|found\s+guilty|jury\s+found|verdict)\b", re.IGNORECASE
)


def _not_after_conviction(m: re.Match[str]) -> bool:
    """Reporting a conviction ("was found guilty by a jury") is not a statement of guilt."""
    text = m.string
    lo = text.rfind(".", 0, m.start()) + 1
    hi_dot = text.find(".", m.end())
    hi = len(text) if hi_dot < 0 else hi_dot
    return _CONVICTED.search(text, lo, hi) is None


class MediaConsentDetector(Detector):
    """Attached media without recorded written consent or usage rights."""

    id = "draft.media_consent"
    category = DraftRule.MEDIA_CONSENT.value
    kinds = _DRAFT_ONLY
    explanation = "An attached photo or video has no recorded written consent or usage rights."

    def check(self, media: tuple[MediaItem, ...]) -> list[Finding]:
        """One finding per media item missing consent or rights."""
        out = []
        for item in media:
            if not item.consent_recorded:
                why = (
                    "shows department training or operations and has no recorded written consent"
                    if item.depicts_training_or_operations
                    else "has no recorded written consent of the people it shows"
                )
                out.append(
                    self.finding(
                        [],
                        item.name,
                        0.9 if item.depicts_training_or_operations else 0.8,
                        explanation=f"The {item.kind} “{item.name}” {why}.",
                        suggestion="Record the written consent (or the chief's approval for "
                        "training or operations images) before publishing, or remove it.",
                    )
                )
            if not item.rights_recorded:
                out.append(
                    self.finding(
                        [],
                        item.name,
                        0.8,
                        category=DraftRule.COPYRIGHT.value,
                        rule="draft.media_rights",
                        explanation=f"The {item.kind} “{item.name}” has no recorded usage rights.",
                        suggestion="Record that the department owns it or holds a licence, "
                        "or use the department's own media.",
                    )
                )
        return out

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Media findings come from `check`; the text itself has none."""
        return []
