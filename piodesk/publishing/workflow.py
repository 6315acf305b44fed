"""The rules of the cadre, of submissions and of approvals (GO 409 §.04, §.12, §.15, §.30).

Pure: no web, no storage. The state machines are declared here once; the services in
``cadre.py``, ``submissions.py``, ``review.py`` and ``approvals.py`` move records along them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from piodesk.core.errors import InvalidInput
from piodesk.core.statemachine import StateMachine

# ---- the cadre (§.30) ------------------------------------------------------------------------


class CadreState(StrEnum):
    """Where a cadre membership stands. §.30: "All Cadre personnel must be recommended by a
    supervisor, vetted through Internal Affairs, and receive social media training through the
    Public Information Office." """

    RECOMMENDED = "recommended"  # a supervisor recommended the person; waits for IA
    VETTED = "vetted"  # internal affairs vetted the person; waits for the PIO's training
    ACTIVE = "active"  # trained by the PIO office: may submit stories
    SUSPENDED = "suspended"  # the PIO office suspended the membership (may reinstate)
    ENDED = "ended"  # declined at vetting, ended by the PIO office, or left (voluntary)


CADRE_LIFECYCLE: StateMachine[CadreState] = StateMachine(
    "cadre membership",
    CadreState.RECOMMENDED,
    {
        CadreState.RECOMMENDED: {CadreState.VETTED, CadreState.ENDED},
        CadreState.VETTED: {CadreState.ACTIVE, CadreState.ENDED},
        CadreState.ACTIVE: {CadreState.SUSPENDED, CadreState.ENDED},
        CadreState.SUSPENDED: {CadreState.ACTIVE, CadreState.ENDED},
        # A person who returns is recommended again: a new membership, the old one kept.
        CadreState.ENDED: set(),
    },
)

CADRE_STATE_LABELS: dict[CadreState, str] = {
    CadreState.RECOMMENDED: "Recommended by a supervisor — waiting for Internal Affairs",
    CadreState.VETTED: "Vetted by Internal Affairs — waiting for PIO training",
    CadreState.ACTIVE: "Active — trained, may submit stories",
    CadreState.SUSPENDED: "Suspended",
    CadreState.ENDED: "Ended",
}


class CadreStep(StrEnum):
    """The things people do to a membership, each by its own role."""

    RECOMMEND = "recommend"  # supervisor
    VET = "vet"  # internal affairs: cleared
    DECLINE = "decline"  # internal affairs: not cleared (ends the membership)
    TRAIN = "train"  # PIO office: training record; the member becomes active
    SUSPEND = "suspend"  # PIO office
    REINSTATE = "reinstate"  # PIO office
    END = "end"  # PIO office
    LEAVE = "leave"  # the member, voluntarily (§.30: "These positions are voluntary")


#: Where each step leads.
STEP_TARGET: dict[CadreStep, CadreState] = {
    CadreStep.RECOMMEND: CadreState.RECOMMENDED,
    CadreStep.VET: CadreState.VETTED,
    CadreStep.DECLINE: CadreState.ENDED,
    CadreStep.TRAIN: CadreState.ACTIVE,
    CadreStep.SUSPEND: CadreState.SUSPENDED,
    CadreStep.REINSTATE: CadreState.ACTIVE,
    CadreStep.END: CadreState.ENDED,
    CadreStep.LEAVE: CadreState.ENDED,
}

#: Steps that need a reason (what the record must say to be understood later).
STEP_NEEDS_REASON = frozenset(
    {CadreStep.RECOMMEND, CadreStep.DECLINE, CadreStep.SUSPEND, CadreStep.END}
)

STEP_LABELS: dict[CadreStep, str] = {
    CadreStep.RECOMMEND: "Recommended by supervisor",
    CadreStep.VET: "Vetted by Internal Affairs",
    CadreStep.DECLINE: "Not cleared by Internal Affairs",
    CadreStep.TRAIN: "Training recorded by the PIO office",
    CadreStep.SUSPEND: "Suspended",
    CadreStep.REINSTATE: "Reinstated",
    CadreStep.END: "Ended by the PIO office",
    CadreStep.LEAVE: "Left the cadre",
}


# ---- submissions and posts (§.04 §.12 §.15) --------------------------------------------------


class StoryState(StrEnum):
    """Where a submission stands, from the moment a cadre member sends it."""

    IN_REVIEW = "in_review"  # with the PIO office: edits, findings, attestation, pages
    AWAITING_APPROVAL = "awaiting_approval"  # review complete; approval tiers under way
    APPROVED = "approved"  # every tier approved this very text
    PUBLISHED = "published"  # handed to the outbox
    REJECTED = "rejected"  # the PIO office will not release it (with a note)
    WITHDRAWN = "withdrawn"  # its author took it back before publication
    EXPIRED = "expired"  # not approved by its scheduled time


STORY_LIFECYCLE: StateMachine[StoryState] = StateMachine(
    "submission",
    StoryState.IN_REVIEW,
    {
        StoryState.IN_REVIEW: {
            StoryState.AWAITING_APPROVAL,
            StoryState.REJECTED,
            StoryState.WITHDRAWN,
            StoryState.EXPIRED,
        },
        StoryState.AWAITING_APPROVAL: {
            StoryState.IN_REVIEW,  # sent back, or the text changed (approvals expire)
            StoryState.APPROVED,
            StoryState.REJECTED,
            StoryState.WITHDRAWN,
            StoryState.EXPIRED,
        },
        StoryState.APPROVED: {StoryState.PUBLISHED, StoryState.IN_REVIEW, StoryState.WITHDRAWN},
        StoryState.EXPIRED: {StoryState.IN_REVIEW, StoryState.REJECTED},  # reopened, new time
        StoryState.PUBLISHED: set(),
        StoryState.REJECTED: set(),
        StoryState.WITHDRAWN: set(),
    },
)

STORY_STATE_LABELS: dict[StoryState, str] = {
    StoryState.IN_REVIEW: "In review by the PIO office",
    StoryState.AWAITING_APPROVAL: "Waiting for approval",
    StoryState.APPROVED: "Approved",
    StoryState.PUBLISHED: "Published",
    StoryState.REJECTED: "Not released",
    StoryState.WITHDRAWN: "Withdrawn by its author",
    StoryState.EXPIRED: "Expired (not approved by its scheduled time)",
}

#: States in which the text may still be edited.
EDITABLE = frozenset(
    {StoryState.IN_REVIEW, StoryState.AWAITING_APPROVAL, StoryState.APPROVED, StoryState.EXPIRED}
)


class Category(StrEnum):
    """What a post is for: the uses of social media in GO 409 §.15."""

    OUTREACH = "outreach"
    CRIME_PREVENTION = "crime_prevention"
    TIPS = "tips"
    RECRUITING = "recruiting"
    TIME_SENSITIVE = "time_sensitive"


CATEGORY_LABELS: dict[Category, str] = {
    Category.OUTREACH: "Community outreach and engagement",
    Category.CRIME_PREVENTION: "Crime prevention",
    Category.TIPS: "Soliciting tips",
    Category.RECRUITING: "Recruiting",
    Category.TIME_SENSITIVE: "Time-sensitive notice",
}


def parse_category(value: str) -> Category:
    """A §.15 category by name, or a clear error listing them."""
    try:
        return Category(value.strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise InvalidInput(f"unknown category '{value[:40]}'; categories are: {known}") from None


#: §.04: "All postings will be factual, accurate, complete, and within their area of expertise."
ATTESTATION = (
    "I have reviewed this post and attest that it is factual, accurate and complete (GO 409 §.04)."
)


# ---- findings (§.12) -------------------------------------------------------------------------


class Resolution(StrEnum):
    """How the PIO office resolved a §.12 finding."""

    CHANGED = "changed"  # the text was changed and the finding is gone
    KEPT = "kept"  # kept as written, with a reason


#: Findings that cannot be kept with a reason: publishing is refused without the record.
NOT_KEEPABLE = frozenset({"media_consent", "draft.media_consent", "draft.media_rights"})


def finding_key(category: str, rule: str, evidence: str) -> str:
    """A finding's identity across versions: the same rule on the same words."""
    body = f"{category}\x1f{rule}\x1f{' '.join(evidence.lower().split())}"
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def keepable(rule: str) -> bool:
    """False for findings only a record can resolve (media consent and rights)."""
    return rule not in NOT_KEEPABLE


# ---- media (§.12) ----------------------------------------------------------------------------


class Rights(StrEnum):
    """On what footing the department may publish a photo or video (§.12 copyright)."""

    DEPARTMENT = "department"  # taken by department personnel on duty: the department owns it
    LICENSED = "licensed"  # someone else's, under a licence (its terms recorded)
    PERMISSION = "permission"  # someone else's, with the owner's written permission


RIGHTS_LABELS: dict[Rights, str] = {
    Rights.DEPARTMENT: "Owned by the department",
    Rights.LICENSED: "Used under a licence",
    Rights.PERMISSION: "Used with the owner's written permission",
}


class Depicts(StrEnum):
    """What in a photo or video needs written consent before it is posted (§.12)."""

    IDENTIFIABLE_PEOPLE = "identifiable_people"
    TRAINING = "training"  # department training
    OPERATIONS = "operations"  # department activities or work-related assignments


DEPICTS_LABELS: dict[Depicts, str] = {
    Depicts.IDENTIFIABLE_PEOPLE: "Identifiable people",
    Depicts.TRAINING: "Department training",
    Depicts.OPERATIONS: "Department operations or assignments",
}


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What is on record for one photo or video."""

    name: str
    kind: str  # photo | video
    source: str  # who took or supplied it
    rights: str  # a Rights value
    licence: str  # the licence or permission, for licensed or permission media
    depicts: frozenset[str]  # Depicts values
    consent_reference: str  # where the written consent is on file
    alt_text: str


def media_problems(m: MediaFacts) -> list[str]:
    """Why this photo or video may not be published (empty: it may). Each names the reason."""
    out = []
    if not m.source.strip():
        out.append(f"{m.name}: its source (who took or supplied it) is not recorded")
    if m.rights not in {r.value for r in Rights}:
        out.append(f"{m.name}: its ownership or licence is not recorded")
    elif m.rights != Rights.DEPARTMENT and not m.licence.strip():
        out.append(f"{m.name}: the licence or written permission is not recorded")
    if m.depicts and not m.consent_reference.strip():
        what = " and ".join(DEPICTS_LABELS[Depicts(d)].lower() for d in sorted(m.depicts))
        out.append(f"{m.name}: it shows {what}, and no written consent is on file (GO 409 §.12)")
    if m.kind == "photo" and not m.alt_text.strip():
        out.append(f"{m.name}: an image needs alt text describing it for people who cannot see it")
    if m.kind == "video" and not m.alt_text.strip():
        out.append(
            f"{m.name}: a video needs a description of what it shows and says (or its captions) "
            "for people who cannot see or hear it"
        )
    return out


# ---- approval tiers --------------------------------------------------------------------------


class TierRule(StrEnum):
    """Whether one approver of a tier suffices or all of its named approvers must approve."""

    ANY = "any"
    ALL = "all"


MAX_TIERS = 3


@dataclass(frozen=True, slots=True)
class Tier:
    """One step of approval: its rule and, optionally, the accounts that approve at it.

    No named approvers: anyone who may approve posts (the PIO office, the chief) may.
    """

    rule: TierRule = TierRule.ANY
    approvers: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored and audited)."""
        return {"rule": self.rule.value, "approvers": list(self.approvers)}


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """The approval tiers a post passes, in order (Hootsuite: up to 3; Sprout: Any/All)."""

    tiers: tuple[Tier, ...] = field(default_factory=lambda: (Tier(),))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored and audited)."""
        return {"tiers": [t.as_dict() for t in self.tiers]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApprovalPolicy:
        """Read a stored policy back."""
        return cls(
            tuple(
                Tier(TierRule(t["rule"]), tuple(int(a) for a in t.get("approvers", ())))
                for t in data["tiers"]
            )
        )


def check_policy(policy: ApprovalPolicy) -> ApprovalPolicy:
    """Refuse a policy that is not 1 to 3 tiers, or an All tier without named approvers."""
    if not 1 <= len(policy.tiers) <= MAX_TIERS:
        raise InvalidInput(f"approval needs 1 to {MAX_TIERS} tiers, not {len(policy.tiers)}")
    seen: set[int] = set()
    for n, tier in enumerate(policy.tiers, start=1):
        if tier.rule == TierRule.ALL and not tier.approvers:
            raise InvalidInput(f"tier {n} is 'All' but names no approvers; name them or use 'Any'")
        if len(set(tier.approvers)) != len(tier.approvers):
            raise InvalidInput(f"tier {n} names an approver twice")
        if seen & set(tier.approvers):
            raise InvalidInput(
                f"tier {n} names an approver of an earlier tier; one person "
                "approves at one tier only"
            )
        seen |= set(tier.approvers)
    return policy


@dataclass(frozen=True, slots=True)
class TierProgress:
    """How far one tier has come for the text under approval."""

    number: int
    tier: Tier
    approved_by: tuple[int, ...]
    complete: bool

    @property
    def waiting_for(self) -> tuple[int, ...]:
        """The named approvers who have not yet approved (All tiers)."""
        return tuple(a for a in self.tier.approvers if a not in self.approved_by)


def progress(policy: ApprovalPolicy, approvals: Iterable[tuple[int, int]]) -> list[TierProgress]:
    """Each tier's progress from (tier number, approver account id) pairs of current approvals."""
    by_tier: dict[int, list[int]] = {}
    for tier_no, who in approvals:
        by_tier.setdefault(tier_no, []).append(who)
    out = []
    for n, tier in enumerate(policy.tiers, start=1):
        approved = tuple(dict.fromkeys(by_tier.get(n, ())))
        done = (
            all(a in approved for a in tier.approvers)
            if tier.rule == TierRule.ALL
            else bool(approved)
        )
        out.append(TierProgress(n, tier, approved, done))
    return out


def current_tier(steps: Sequence[TierProgress]) -> TierProgress | None:
    """The first tier not yet complete (tier 2 is asked only after tier 1 approves)."""
    return next((s for s in steps if not s.complete), None)


def may_approve_at(
    tier: TierProgress, steps: Sequence[TierProgress], account_id: int | None
) -> str | None:
    """None when ``account_id`` may approve at ``tier``; otherwise why not."""
    if account_id is None:
        return "an approval needs a person"
    if tier.tier.approvers and account_id not in tier.tier.approvers:
        return f"tier {tier.number} is approved by the people it names, and you are not one of them"
    if any(account_id in s.approved_by for s in steps):
        return "you already approved this text at an earlier tier; each tier needs another person"
    return None
