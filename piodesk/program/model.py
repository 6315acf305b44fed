"""The program's rules: §.15 purposes, memo states, device classes, and their checks.

Pure: no SQL, no web.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum

from piodesk.core.errors import InvalidInput
from piodesk.core.statemachine import StateMachine
from piodesk.people.model import check_email as _check_email


class FieldErrors(InvalidInput):
    """Several fields refused at once; ``fields`` maps each to its message (shown beside it)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


class Purpose(StrEnum):
    """§.15: what social media may be used for as an investigative tool."""

    MISSING = "missing_persons"
    WANTED = "wanted_persons"
    GANG = "gang_participation"
    ONLINE_CRIME = "online_crime"
    CRIME_MEDIA = "crime_media"
    OTHER = "other"


PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.MISSING: "Missing persons",
    Purpose.WANTED: "Wanted persons",
    Purpose.GANG: "Gang participation",
    Purpose.ONLINE_CRIME: "Crimes perpetrated online (e.g., cyber-bullying, cyber-stalking)",
    Purpose.CRIME_MEDIA: "Photos or videos of a crime posted by a participant or observer",
    Purpose.OTHER: "Any other legitimate investigative purpose",
}


class ReviewOutcome(StrEnum):
    """What the supervisor found when reviewing a logged use."""

    PROPER = "proper"  # within §.15
    CONCERN = "concern"  # a concern to follow up (the comment says which)


REVIEW_LABELS: dict[ReviewOutcome, str] = {
    ReviewOutcome.PROPER: "Within §.15",
    ReviewOutcome.CONCERN: "Concern raised",
}

_CASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{1,58}[A-Za-z0-9]$")


def check_purpose(value: str) -> Purpose:
    """A §.15 purpose, or a clear refusal naming the list."""
    try:
        return Purpose(value.strip())
    except ValueError:
        raise InvalidInput(
            "purpose: choose one of the §.15 purposes: "
            + "; ".join(PURPOSE_LABELS[p] for p in Purpose)
        ) from None


def check_case_number(value: str) -> str:
    """A case number: 3 to 60 letters, digits, spaces, '.', '/', '_' or '-'."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("case number: an investigative use needs the case it belongs to")
    if not _CASE.match(text):
        raise InvalidInput(
            "case number: 3 to 60 letters, digits, spaces, '.', '/', '_' or '-' (e.g. 26-014233)"
        )
    return text


class MemoState(StrEnum):
    """Where a suggestion memo stands."""

    ROUTING = "routing"  # waiting at a step of the chain of command
    RETURNED = "returned"  # sent back to the author with comments
    APPROVED = "approved"  # the chief approved it
    DECLINED = "declined"  # a step declined it
    WITHDRAWN = "withdrawn"  # the author withdrew it


MEMO_STATE_LABELS: dict[MemoState, str] = {
    MemoState.ROUTING: "with the chain of command",
    MemoState.RETURNED: "returned to the author",
    MemoState.APPROVED: "approved by the chief",
    MemoState.DECLINED: "declined",
    MemoState.WITHDRAWN: "withdrawn",
}

#: A memo moves up the chain one step at a time (routing → routing), and ends approved at
#: the chief, declined at any step, or withdrawn by its author; returned memos go back up.
MEMO_MACHINE = StateMachine(
    "suggestion memo",
    MemoState.ROUTING,
    {
        MemoState.ROUTING: {
            MemoState.ROUTING,
            MemoState.RETURNED,
            MemoState.APPROVED,
            MemoState.DECLINED,
            MemoState.WITHDRAWN,
        },
        MemoState.RETURNED: {MemoState.ROUTING, MemoState.WITHDRAWN},
        MemoState.APPROVED: set(),
        MemoState.DECLINED: set(),
        MemoState.WITHDRAWN: set(),
    },
)


class StepAction(StrEnum):
    """What a step of the chain does with a memo."""

    APPROVE = "approve"
    RETURN = "return"
    DECLINE = "decline"


def parse_levels(spec: str) -> list[tuple[str, str]]:
    """The configured intermediate levels, ``"Label=username; Label=username"``, in order."""
    levels: list[tuple[str, str]] = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        label, sep, username = part.partition("=")
        if not sep or not label.strip() or not username.strip():
            raise InvalidInput(
                f"memo levels: '{part}' is not 'Label=username' "
                "(e.g. 'Division commander=jsmith; Deputy chief=mlee')"
            )
        levels.append((label.strip(), username.strip().lower()))
    return levels


class DeviceClass(StrEnum):
    """§.12: the two kinds of device whose use for department social media needs authorization."""

    DEPARTMENT = "department_computer"
    PERSONAL = "personal_device"


DEVICE_LABELS: dict[DeviceClass, str] = {
    DeviceClass.DEPARTMENT: "Department computer",
    DeviceClass.PERSONAL: "Personally owned device",
}


class Use(StrEnum):
    """What an authorization covers."""

    PUBLISHING = "publishing"
    MODERATION = "moderation"
    MONITORING = "monitoring"
    INVESTIGATION = "investigation"


USE_LABELS: dict[Use, str] = {
    Use.PUBLISHING: "Publishing posts",
    Use.MODERATION: "Moderating comments",
    Use.MONITORING: "Monitoring pages",
    Use.INVESTIGATION: "Investigative use (§.15)",
}

AUTH_STATE_LABELS = {"active": "active", "revoked": "revoked"}


def parse_networks(spec: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The department's networks (CIDR, comma separated): a sign-in from them is a department
    computer, from anywhere else a personally owned device."""
    out = []
    for part in spec.split(","):
        if part.strip():
            try:
                out.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise InvalidInput(f"device networks: '{part.strip()}' is not a network") from None
    return out


def device_class_of(
    address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> DeviceClass:
    """Which device class a sign-in from ``address`` comes from."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return DeviceClass.PERSONAL
    return DeviceClass.DEPARTMENT if any(ip in n for n in networks) else DeviceClass.PERSONAL


# The e-mail rule lives with the accounts it belongs to.
check_email = _check_email
