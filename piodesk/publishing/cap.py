"""CAP 1.2 messages and the Atom feed of notices, built with lxml (pure: no storage, no web).

OASIS Common Alerting Protocol 1.2 (``urn:oasis:names:tc:emergency:cap:1.2``): an ``alert``
with identifier, sender, sent, status, msgType and scope, then one ``info`` block (category,
event, responseType, urgency, severity, certainty, expires, senderName, headline, description,
instruction, web, contact, resource, area), elements in the schema's order. Times carry their
zone offset and no fractions (the schema's ``sent`` pattern; IPAWS requires the offset too).
An Update or Cancel lists, in ``references``, every earlier message of the incident as
``sender,identifier,sent``; the all-clear is an Update whose ``responseType`` is ``AllClear``.
piodesk publishes these for alerting systems and news desks to take; it never submits them to
IPAWS itself (it is not an alert originator there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"


def cap_time(value: datetime) -> str:
    """``2026-12-03T09:30:00-07:00``: seconds, and an offset (never ``Z``, never fractions)."""
    if value.tzinfo is None:
        raise ValueError("a CAP time needs its zone")
    return value.replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Reference:
    """An earlier message this one updates or cancels."""

    sender: str
    identifier: str
    sent: datetime

    def text(self) -> str:
        """``sender,identifier,sent``."""
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class CapMessage:
    """Everything one CAP alert says (one info block, in English)."""

    identifier: str
    sender: str
    sent: datetime
    msg_type: str  # Alert | Update | Cancel
    category: str  # Safety, Transport, Met, Rescue, Security, Other…
    event: str
    urgency: str
    severity: str
    certainty: str
    expires: datetime
    headline: str
    description: str
    area_desc: str
    sender_name: str
    status: str = "Actual"
    scope: str = "Public"
    response_types: tuple[str, ...] = ()
    instruction: str = ""
    web: str = ""
    contact: str = ""
    note: str = ""
    references: Sequence[Reference] = field(default_factory=tuple)
    incidents: str = ""
    photo_url: str = ""


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        el.text = text
    return el


def build_alert(msg: CapMessage) -> bytes:
    """The CAP 1.2 XML of one message (UTF-8, with the XML declaration)."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})  # type: ignore[dict-item]
    _sub(alert, "identifier", msg.identifier)
    _sub(alert, "sender", msg.sender)
    _sub(alert, "sent", cap_time(msg.sent))
    _sub(alert, "status", msg.status)
    _sub(alert, "msgType", msg.msg_type)
    _sub(alert, "scope", msg.scope)
    if msg.note:
        _sub(alert, "note", msg.note)
    if msg.references:
        _sub(alert, "references", " ".join(r.text() for r in msg.references))
    if msg.incidents:
        _sub(alert, "incidents", msg.incidents)
    info = _sub(alert, "info")
    _sub(info, "language", "en-US")
    _sub(info, "category", msg.category)
    _sub(info, "event", msg.event)
    for response in msg.response_types:
        _sub(info, "responseType", response)
    _sub(info, "urgency", msg.urgency)
    _sub(info, "severity", msg.severity)
    _sub(info, "certainty", msg.certainty)
    _sub(info, "expires", cap_time(msg.expires))
    _sub(info, "senderName", msg.sender_name)
    _sub(info, "headline", msg.headline)
    _sub(info, "description", msg.description)
    if msg.instruction:
        _sub(info, "instruction", msg.instruction)
    if msg.web:
        _sub(info, "web", msg.web)
    if msg.contact:
        _sub(info, "contact", msg.contact)
    if msg.photo_url:
        resource = _sub(info, "resource")
        _sub(resource, "resourceDesc", "Photo")
        _sub(resource, "mimeType", "image/jpeg")
        _sub(resource, "uri", msg.photo_url)
    area = _sub(info, "area")
    _sub(area, "areaDesc", msg.area_desc)
    return bytes(etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@dataclass(frozen=True)
class FeedEntry:
    """One notice in the Atom feed."""

    id: str  # a stable URI (the CAP message's URL)
    title: str
    updated: datetime
    summary: str
    cap_url: str
    msg_type: str


def build_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    author: str,
    entries: Sequence[FeedEntry],
    updated: datetime,
) -> bytes:
    """An Atom feed (RFC 4287) of notices, each entry linking its CAP message."""
    a = f"{{{ATOM_NS}}}"
    feed = etree.Element(f"{a}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    etree.SubElement(feed, f"{a}id").text = feed_id
    etree.SubElement(feed, f"{a}title").text = title
    etree.SubElement(feed, f"{a}updated").text = cap_time(updated)
    etree.SubElement(feed, f"{a}link", rel="self", href=self_url, type="application/atom+xml")
    who = etree.SubElement(feed, f"{a}author")
    etree.SubElement(who, f"{a}name").text = author
    for e in entries:
        entry = etree.SubElement(feed, f"{a}entry")
        etree.SubElement(entry, f"{a}id").text = e.id
        etree.SubElement(entry, f"{a}title").text = e.title
        etree.SubElement(entry, f"{a}updated").text = cap_time(e.updated)
        etree.SubElement(entry, f"{a}summary").text = e.summary
        etree.SubElement(entry, f"{a}category", term=e.msg_type)
        etree.SubElement(entry, f"{a}link", rel="alternate", href=e.cap_url, type=CAP_MIME)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))
