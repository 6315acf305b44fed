"""Time-sensitive notices (GO 409 §.15): templates, their fields, the post text, the CAP terms.

Pure: no storage, no web. A template names its fields (required or not), how the social post
reads, and how the notice maps to CAP 1.2 (category, event, urgency, severity, certainty,
responseType). A notice's kind of message is an **alert** (the first), an **update**, an
**all clear** (an update with responseType AllClear, urgency Past: the incident is over) or a
**cancel** (the first was issued in error). Updates, all-clears and cancels are threaded under
the first on every page, and reference every earlier message of the incident in CAP.

Approval (decided here, for the fast path): a notice is drafted by one person of the PIO
office and issued when **one other** person of the PIO office approves it — nobody approves
their own notice, and no second tier is asked, because a road closure or a missing child
cannot wait for a chain of approvals. Approval issues it: the post goes to every chosen page
at once, and the CAP message and the Atom feed are public from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from piodesk.core.statemachine import StateMachine


class NoticeState(StrEnum):
    """Where a notice stands."""

    DRAFT = "draft"  # written, waiting for a second person of the PIO office
    ISSUED = "issued"  # approved: published to its pages and as CAP
    WITHDRAWN = "withdrawn"  # a draft dropped before approval (never published)


NOTICE_LIFECYCLE: StateMachine[NoticeState] = StateMachine(
    "notice",
    NoticeState.DRAFT,
    {
        NoticeState.DRAFT: {NoticeState.ISSUED, NoticeState.WITHDRAWN},
        NoticeState.ISSUED: set(),
        NoticeState.WITHDRAWN: set(),
    },
)


class MessageKind(StrEnum):
    """A notice's place in its incident."""

    ALERT = "alert"
    UPDATE = "update"
    ALL_CLEAR = "all_clear"
    CANCEL = "cancel"


#: CAP msgType of each kind.
MSG_TYPE: dict[MessageKind, str] = {
    MessageKind.ALERT: "Alert",
    MessageKind.UPDATE: "Update",
    MessageKind.ALL_CLEAR: "Update",
    MessageKind.CANCEL: "Cancel",
}
KIND_LABELS: dict[MessageKind, str] = {
    MessageKind.ALERT: "Notice",
    MessageKind.UPDATE: "Update",
    MessageKind.ALL_CLEAR: "All clear",
    MessageKind.CANCEL: "Cancelled",
}


@dataclass(frozen=True)
class Field:
    """One field of a template."""

    name: str
    label: str
    required: bool = False
    long: bool = False  # a paragraph rather than a line
    when: bool = False  # a date and time (in the agency's zone)


@dataclass(frozen=True)
class Template:
    """A kind of notice: its fields, its post, its CAP terms."""

    key: str
    label: str
    fields: tuple[Field, ...]
    title: str  # the post's first words, e.g. "ROAD CLOSURE"
    headline_from: str  # the field the headline names
    area_from: str  # the field that says where
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    response: str  # CAP responseType of the alert


_CONTACT = Field("contact", "Contact (phone or web)")
_DESCRIPTION = Field("description", "Description", long=True)

TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "road_closure",
            "Road closure",
            (
                Field("location", "Location (road and cross streets)", required=True),
                Field("detour", "Detour"),
                Field("start", "Closed from", required=True, when=True),
                Field("expected_end", "Expected to reopen", when=True),
                _DESCRIPTION,
                _CONTACT,
            ),
            "ROAD CLOSURE",
            "location",
            "location",
            "Transport",
            "Road closure",
            "Immediate",
            "Minor",
            "Observed",
            "Avoid",
        ),
        Template(
            "special_event",
            "Special event",
            (
                Field("event_name", "Event", required=True),
                Field("location", "Location", required=True),
                Field("start", "Starts", required=True, when=True),
                Field("expected_end", "Ends", when=True),
                Field("detour", "Road closures and parking"),
                _DESCRIPTION,
                _CONTACT,
            ),
            "SPECIAL EVENT",
            "event_name",
            "location",
            "Safety",
            "Special event",
            "Expected",
            "Minor",
            "Likely",
            "Monitor",
        ),
        Template(
            "weather_emergency",
            "Weather emergency",
            (
                Field("hazard", "Hazard (e.g. flash flooding, blizzard)", required=True),
                Field("location", "Area affected", required=True),
                Field("start", "From", when=True),
                Field("expected_end", "Expected to last until", when=True),
                Field("instruction", "What people should do", required=True, long=True),
                _DESCRIPTION,
                _CONTACT,
            ),
            "WEATHER EMERGENCY",
            "hazard",
            "location",
            "Met",
            "Weather emergency",
            "Immediate",
            "Severe",
            "Likely",
            "Prepare",
        ),
        Template(
            "missing_person",
            "Missing or endangered person",
            (
                Field("person", "Name and age", required=True),
                Field("appearance", "Description (height, clothing…)", required=True, long=True),
                Field("location", "Last seen at", required=True),
                Field("start", "Last seen on", required=True, when=True),
                Field("photo_url", "Photo (public link)"),
                _DESCRIPTION,
                Field("contact", "Call with information", required=True),
            ),
            "MISSING PERSON",
            "person",
            "location",
            "Rescue",
            "Missing or endangered person",
            "Immediate",
            "Severe",
            "Likely",
            "Monitor",
        ),
        Template(
            "other",
            "Other notice",
            (
                Field("headline", "Headline", required=True),
                Field("location", "Where", required=True),
                Field("start", "From", when=True),
                Field("expected_end", "Until", when=True),
                Field("description", "Description", required=True, long=True),
                _CONTACT,
            ),
            "NOTICE",
            "headline",
            "location",
            "Safety",
            "Community notice",
            "Expected",
            "Minor",
            "Likely",
            "Monitor",
        ),
    )
}


def when_text(value: datetime) -> str:
    """'Thu Dec 3, 9:30 AM MST' (the caller gives the time in the agency's zone)."""
    hour = value.strftime("%I:%M %p").lstrip("0")
    return f"{value.strftime('%a %b')} {value.day}, {hour} {value.strftime('%Z')}".strip()


def compose(
    template: Template,
    values: dict[str, str],
    times: dict[str, datetime],
    kind: MessageKind,
    *,
    note: str = "",
) -> str:
    """The social post's text: title, the fields that were filled in, and the kind's words."""
    first = {
        MessageKind.ALERT: template.title,
        MessageKind.UPDATE: f"UPDATE — {template.title}",
        MessageKind.ALL_CLEAR: f"ALL CLEAR — {template.title}",
        MessageKind.CANCEL: f"CANCELLED — {template.title}",
    }[kind]
    lines = [f"{first}: {values.get(template.headline_from, '')}".rstrip(": ")]
    if note:
        lines.append(note)
    if kind in (MessageKind.ALERT, MessageKind.UPDATE):
        for f in template.fields:
            if f.name == template.headline_from or f.name == "photo_url":
                continue
            if f.when and f.name in times:
                lines.append(f"{f.label}: {when_text(times[f.name])}")
            elif values.get(f.name):
                lines.append(f"{f.label}: {values[f.name]}")
    elif kind is MessageKind.ALL_CLEAR:
        lines.append(f"{values.get(template.area_from, '')}: this notice is over.".lstrip(": "))
    return "\n".join(line for line in lines if line.strip())
