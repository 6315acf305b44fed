"""Personal identifying information of any person (GO 409 §.20).

Phone numbers come from Google's libphonenumber grammar (`phonenumbers`), card numbers must pass
the Luhn checksum, IP addresses must parse, and the look-alike kinds (dates of birth, plates,
driver's licences) count only next to words that say what they are.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers

from piodesk.screening.detectors.base import (
    Detector,
    Pattern,
    PatternDetector,
    ScanContext,
    clip,
    gate_rules_out,
    words_alternation,
)
from piodesk.screening.model import Category, Finding, Span

PII = Category.PII.value


# --- phone -----------------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")
# Regions tried for numbers written without a country code; US first (the department's own).
_PHONE_REGIONS = ("US", "GB")
_PHONE_CONTEXT = re.compile(
    r"(?<![^\W_])(?:phone|call|cell|mobile|tel|fax|number|text|txt|reach|desk|office|"
    r"whatsapp|contact|ring|dial|messages?|answering|desk|fax|#)(?![^\W_])",
    re.IGNORECASE,
)


# Stretches of text that could hold a phone number: 7+ digits with the usual separators.
# HTML character references ("&#128143;") are not numbers.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w&#+])\+?\(?\d[\d \t().\-/]{5,22}\d(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w;])"
)


# IPv4 addresses and dates have the digits of a phone number but are not one.
_NOT_PHONE = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


class PhoneDetector(Detector):
    """Telephone numbers: candidate digit runs, confirmed with libphonenumber's grammar."""

    id = "pii.phone"
    category = PII
    explanation = "The text contains a telephone number, which identifies a person."

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Each candidate is parsed for the US first, then for other regions."""
        text = ctx.text
        out: list[Finding] = []
        for m in _PHONE_CANDIDATE.finditer(text):
            cand = m.group()
            digits = len(_DIGIT.findall(cand))
            if digits < 7 or digits > 15 or _NOT_PHONE.fullmatch(cand):
                continue
            s, e = m.span()
            context = _PHONE_CONTEXT.search(text, max(0, s - 40), s) is not None or (
                _PHONE_CONTEXT.match(text, min(len(text), e + 1)) is not None
            )
            region = _valid_region(cand)
            if region is not None:
                score = 0.9 if context or region == "US" else 0.75
            elif context:
                score = 0.7  # a number shape right after "call", "phone", "fax" ...
            else:
                continue
            out.append(self.finding([Span(s, e)], cand, score))
        return out


@lru_cache(maxsize=8192)
def _valid_region(candidate: str) -> str | None:
    """The first region in which libphonenumber finds `candidate` a valid number, if any."""
    regions = (None,) if candidate.startswith("+") else _PHONE_REGIONS
    for region in regions:
        try:
            num = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            return region or phonenumbers.region_code_for_number(num) or "INTL"
    return None


# --- cards ------------------------------------------------------------------------------------


def luhn_ok(number: str) -> bool:
    """True when the digits pass the Luhn checksum that every payment card number carries."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){11,18}\d(?![\d-])")
_CARD_CONTEXT = re.compile(
    r"card|visa|master|amex|american express|discover|credit|debit|cc|maestro|diners|jcb",
    re.IGNORECASE,
)


class CardDetector(Detector):
    """Payment card numbers: 12 to 19 digits that pass the Luhn checksum."""

    id = "pii.card"
    category = PII
    explanation = "The text contains a payment card number (it passes the card checksum)."

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Luhn-valid digit runs; the short 12-digit kind needs a card word nearby."""
        out = []
        for m in _CARD.finditer(ctx.text):
            raw = m.group()
            digits = sum(c.isdigit() for c in raw)
            if not 12 <= digits <= 19 or not luhn_ok(raw):
                continue
            if len(set(raw) - {" ", "-"}) == 1:
                continue  # 0000 0000 0000 0000 and the like are placeholders
            near = _CARD_CONTEXT.search(ctx.text, max(0, m.start() - 50), m.start()) is not None
            if digits < 14 and not near:
                continue
            out.append(self.finding([Span(*m.span())], raw, 0.95 if near else 0.85))
        return out


# --- IP addresses -----------------------------------------------------------------------------

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


class IpDetector(Detector):
    """IPv4 and IPv6 addresses that parse as such."""

    id = "pii.ip"
    category = PII
    explanation = "The text contains an IP address, which can identify a person's connection."

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Addresses validated with the standard library's ipaddress module."""
        out = []
        text = ctx.text
        if "." in text:
            for m in _IPV4.finditer(text):
                try:
                    ipaddress.IPv4Address(m.group())
                except ValueError:
                    continue
                out.append(self.finding([Span(*m.span())], m.group(), 0.85))
        if text.count(":") >= 2:
            for m in _IPV6.finditer(text):
                v = m.group()
                if v.count(":") < 2 or not any(c.isalnum() for c in v):
                    continue
                try:
                    ipaddress.IPv6Address(v)
                except ValueError:
                    continue
                out.append(self.finding([Span(*m.span())], v, 0.85))
        return out


# --- email, SSN, dates of birth, plates, licences ---------------------------------------------

_EMAIL_RE = r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w-])"


def _ssn_ok(m: re.Match[str]) -> bool:
    """Area, group and serial numbers the SSA never issues are not SSNs."""
    d = re.sub(r"\D", "", m.group())
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return d not in ("123456789", "111111111")


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b"
    r"|\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+(?:19|20)\d{{2}}\b)"
)

_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)

# Street types, as people write them (USPS suffixes and their common spellings). The weak
# ones are also ordinary words ("park", "view"), so the word before them must be a name.
STREET_SUFFIXES = (
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive",
    "dr", "court", "ct", "place", "pl", "way", "terrace", "circle", "parkway", "pkwy",
    "highway", "hwy", "trail", "strasse", "straße", "expressway", "expy", "freeway", "fwy",
)  # fmt: skip
WEAK_STREET_SUFFIXES = (
    "square", "loop", "alley", "crescent", "plaza", "point", "pike", "row", "run", "path",
    "view", "heights", "grove", "close", "walk", "gardens", "mews", "streets", "squares",
    "crossing", "ridge", "hill", "park", "center", "junction", "landing", "glen", "green",
    "manor", "meadows", "vista", "estates", "fort", "station", "port", "harbor", "island",
    "lake",
)  # fmt: skip
_WEAK_SUFFIX = re.compile(rf"(?:{words_alternation(WEAK_STREET_SUFFIXES)})\.?$", re.IGNORECASE)
_SUFFIX_ALT = words_alternation(STREET_SUFFIXES + WEAK_STREET_SUFFIXES)
# Words that do not occur inside a street name ("4 times in a row", "18 1944 the supreme court").
_STOP_IN_STREET = frozenset(
    [
        "and",
        "the",
        "of",
        "in",
        "a",
        "an",
        "to",
        "for",
        "with",
        "at",
        "on",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "is",
        "are",
        "was",
        "were",
        "be",
        "times",
        "people",
        "years",
        "days",
        "hours",
        "minutes",
        "weeks",
        "months",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "it",
        "this",
        "that",
        "from",
        "by",
        "or",
        "but",
        "not",
        "no",
        "so",
        "if",
        "as",
    ]
)
# A house number is not part of "1:3", "3.00", "£2,000" or "9/10".
_HOUSE_NO = r"(?<![\d:./,£$€-])\b\d{1,6}"
_UNIT = r"(?:apt|apartment|suite|ste|unit|#|room|rm|floor|fl)\.?\s*#?\s*[\w-]{1,6}"
_US_STREET = (
    rf"{_HOUSE_NO}[A-Za-z]?\s+(?:[NSEW]\.?\s+|north\s+|south\s+|east\s+|west\s+)?"
    r"(?:[A-Z0-9][\w'’.-]*\s+){0,4}?"
    rf"(?:{_SUFFIX_ALT})\b\.?"
    rf"(?:,?\s+{_UNIT})?"
    rf"(?:,?\s+(?:[A-Z][\w'’.-]+\s+){{0,3}}?(?:{_STATES})\b(?:\s+\d{{5}}(?:-\d{{4}})?)?)?"
)


def _street_words_ok(candidate: str) -> bool:
    """The words between the number and the street type read as a street name."""
    words = candidate.split()
    inner = [w.strip(".,").lower() for w in words[1:-1]]
    if any(w in _STOP_IN_STREET for w in inner):
        return False
    last = words[-1] if len(words) >= 2 else ""
    if _WEAK_SUFFIX.match(last) or (len(words) >= 2 and _WEAK_SUFFIX.match(words[-1])):
        # a weak street type needs a capitalised name word before it: "Cedar Park"
        before = words[-2] if len(words) >= 2 else ""
        if not before[:1].isupper() or before.isupper():
            return False
    return True


_MILITARY = (
    r"\b(?:(?:PSC|UNIT|CMR)\s+\d{3,5},?\s+Box\s+\d{3,5}|(?:USNS|USNV|USS|USCGC)\s+[A-Za-z]+)"
    r"(?:\s+(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5})?"
    r"|\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b"
)
# "Sludevej 13 St.": street words, a house number, a street type.
_WORDS_NUM_SUFFIX = (
    r"\b(?:[A-Z\u00c0-\u024f][\w'’-]+\s+){1,3}\d{1,5}\s+"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd)\b\.?"
)
# "20789 Allika 46", "10252 Μεγάλη Άμμος 184": a postal number, street words, a house number.
_NUM_WORDS_NUM = (
    rf"{_HOUSE_NO}\s+(?:[A-Z\u00c0-\u024f\u0370-\u03ff][a-z\u00df-\u024f\u0370-\u03ff'’.-]+\s+"
    r"(?:[a-z]{1,3}\s+)?){1,4}"
    r"\d{1,5}(?![\w-]|[.,/]\d)\.?"
)
# The lines of an address block after its first line: units, towns, "Country 12345".
# The lines of an address block after its first line: units, towns, "Country 12345". A town
# line (capitalised words, no digits) counts only if a unit or postal line follows it.
_BLOCK_STRONG = re.compile(
    r"\n[ \t>?]*(?:(?:apt|apartment|suite|ste|unit)\.?\s*\d{1,5}"
    r"|[^\W\d_][\w'’. -]{0,30}?\s\d{4,6}"
    r"|\d{4,6})[ \t]*(?=\n|$)",
    re.IGNORECASE,
)
_BLOCK_TOWN = re.compile(
    r"\n[ \t>?]*[^\W\d_][^\W\d]{0,30}(?:[ ,.'’-]+[^\W\d_][^\W\d]{0,30}){0,3}"
    r"[ \t]*(?=\n|$)"
)


# The first line of an address block: a line that starts with a number and is followed by
# unit, town or postal lines ("76556 29 Rue de Tanger", "2224 Trenerys gate 232").
_BLOCK_HEAD = re.compile(
    r"(?m)^[ \t>?]*(?P<a>\d{1,6}[ \t]+(?:\d{1,5}[ \t]+)?(?:[^\W\d_][\w'’./-]*[ \t]+){0,4}"
    r"[^\W\d_][\w'’./-]*(?:[ \t]+\d{1,5}\.?)?)[ \t]*$"
)


def _extend_block(text: str, end: int) -> int:
    """Extend an address's first line over the unit, town and postal lines below it."""
    pos = end
    pending = 0
    while pending <= 2:
        m = _BLOCK_STRONG.match(text, pos)
        if m is not None:
            pos = end = m.end()
            pending = 0
            continue
        m = _BLOCK_TOWN.match(text, pos)
        if m is None:
            break
        pos = m.end()
        pending += 1
    return end


_INITIALISM = re.compile(r"(?<!\w)(?:[A-Z]\.){2,}")
_UNIT_ALONE = r"\b(?:apt|apartment|suite|ste)\.?\s*#?\s*\d{1,5}[A-Za-z]?\b"

# Words that introduce an address; what follows them up to the end of the phrase is one.
_ADDRESS_LEAD = (
    r"(?<![\w'])(?:address(?:es)?\s*(?:is|was|:|to|with|as)?|lives?\s+(?:at|on)|living\s+at|lived\s+(?:in|at)|"
    r"live\s+in|located\s+at|office\s+is\s+at|offices\s+are\s+located\s+at|meet\s+(?:me|you)\s+at|"
    r"sent\s+to|send\s+(?:it|them|a\s+new\s+one)\s+to|return\s+to|moved\s+to|drops\s+you\s+off\s+at|"
    r"mail\s+(?:it\s+)?to|deliver(?:ed)?\s+to|taxi\s+to|corner\s+of|stop\s+at|is\s+on|"
    r"it\s+is|it's\s+in|restaurant\s+is\s+at|here\s+they\s+are:)"
)
# Leads that are ordinary phrases too; what follows them must look like a name and number.
_WEAK_LEAD = re.compile(r"(?:is\s+on|it\s+is|it's\s+in|stop\s+at|return\s+to|moved\s+to)", re.I)
_CAPITALISED_WORD = re.compile(r"(?<![\w'])[A-Z\u00c0-\u024f][a-z\u00df-\u024f]+")
# Years, times and counts are not house numbers.
_NOT_STREET = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?!\d)|\b\d+\s*(?:times?|years?|days?|hours?|minutes?|mins?|"
    r"weeks?|months?|am|pm|people|percent|points?|dollars?|bucks)\b",
    re.IGNORECASE,
)
# After a lead: a number with capitalised words ("Puruntie 82", "Rua do Arenque 1634", "12 Main").
_AFTER_LEAD = (
    r"[ \t]*\n?[ \t]*(?:the\s+corner\s+of\s+)?"
    r"(?P<addr>(?:\d{1,6}[A-Za-z]?\s+(?:\d{1,5}\s+)?(?:[^\W\d_][\w'’.-]*[ \t]*){1,5}"
    r"|(?:[^\W\d_][\w'’.-]*\s+){1,4}\d{1,5}[A-Za-z]?\b\.?)"
    r"(?:,?\s*(?:apt|apartment|suite|ste|unit)\.?\s*\d{1,5})?)"
)


class AddressDetector(Detector):
    """Street addresses: US-style number-street-suffix, unit numbers, military, and led ones."""

    id = "pii.address"
    category = PII
    explanation = "The text contains a street address, which can locate a person."

    _us = re.compile(_US_STREET, re.IGNORECASE)
    _mil = re.compile(_MILITARY, re.IGNORECASE)
    _wns = re.compile(_WORDS_NUM_SUFFIX)
    _unit = re.compile(_UNIT_ALONE, re.IGNORECASE)
    _nwn = re.compile(_NUM_WORDS_NUM)
    _after_lead = re.compile(_AFTER_LEAD)
    _lead_ci = re.compile(_ADDRESS_LEAD, re.IGNORECASE)
    _has_digit_word = re.compile(r"\d")

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Address spans, longest first; overlapping candidates are merged later."""
        text = ctx.text
        if not self._has_digit_word.search(text):
            return []
        out = []
        # each loop below finds only what its own regex matches: one the compiled gate rules
        # out for this text (detectors/requires.py registers them all) is skipped
        us, nwn, mil, wns, unit, lead_ci = (
            () if gate_rules_out(ctx, "text", rx) else rx.finditer(text)
            for rx in (self._us, self._nwn, self._mil, self._wns, self._unit, self._lead_ci)
        )
        for m in us:
            s, e = m.span()
            # "5 st" alone is too weak; need a street name word or a unit/state part.
            if len(m.group().split()) < 3 and not _usaddress_confirms(m.group()):
                continue
            if not _street_words_ok(_street_part(m.group())):
                continue
            out.append(self.finding([Span(s, e)], clip(text, s, e), 0.85))
        for m in nwn:
            s, e = m.span()
            if _INITIALISM.search(m.group()) or _NOT_STREET.search(m.group()):
                continue  # "42 U.S.C. 1983" is a statute, "2 Billions in 2014" a year
            e = _extend_block(text, e)
            out.append(self.finding([Span(s, e)], clip(text, s, e), 0.65))
        if "\n" in text and not gate_rules_out(ctx, "text", _BLOCK_HEAD):
            for m in _BLOCK_HEAD.finditer(text):
                s, e = m.span("a")
                e2 = _extend_block(text, e)
                if e2 > e:
                    out.append(self.finding([Span(s, e2)], clip(text, s, e2), 0.7))
        for m in mil:
            s, e = m.span()
            e = _extend_block(text, e)
            out.append(self.finding([Span(s, e)], clip(text, s, e), 0.85))
        for m in wns:
            out.append(self.finding([Span(*m.span())], clip(text, *m.span()), 0.7))
        for m in unit:
            out.append(self.finding([Span(*m.span())], clip(text, *m.span()), 0.6))
        for lead in lead_ci:
            am = self._after_lead.match(text, lead.end())
            if am is None:
                continue
            s, e = am.span("addr")
            val = text[s:e].rstrip(" ,.\n")
            e = s + len(val)
            if not any(c.isdigit() for c in val) or _NOT_STREET.search(val):
                continue
            weak = _WEAK_LEAD.fullmatch(lead.group()) is not None
            if weak and not _CAPITALISED_WORD.search(val):
                continue  # "it is 4 times in a row": weak lead, no name-like word
            out.append(self.finding([Span(s, e)], clip(text, s, e), 0.6 if weak else 0.7))
        return out


def _street_part(candidate: str) -> str:
    """The number-to-street-type part of a US-style match (without unit, town and state)."""
    m = _STREET_PART.match(candidate)
    return m.group() if m else candidate


_STREET_PART = re.compile(
    rf"\d{{1,6}}[A-Za-z]?\s+(?:\S+\s+){{0,5}}?(?:{_SUFFIX_ALT})\b\.?", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def _usaddress_confirms(candidate: str) -> bool:
    """Ask the usaddress CRF parser whether a short candidate reads as a street address."""
    try:
        import usaddress  # imported lazily: only short, doubtful candidates need it

        tagged, kind = usaddress.tag(candidate)
    except Exception:  # noqa: BLE001 - usaddress raises assorted errors on odd text: not an address
        return False
    return kind == "Street Address" and "StreetName" in tagged and "AddressNumber" in tagged


# --- named persons' private details -----------------------------------------------------------

_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Officer|Ofc|Sgt|Sergeant|Det|Detective|Deputy|Lt|Lieutenant|"
    r"Capt|Captain|Cpl|Corporal|Chief|Judge|Prof|Rev|Coach)\.?"
)
PERSON_NAME = (
    rf"(?:{_TITLES}\s+{_NAME}(?:\s+{_NAME})?"
    rf"|{_NAME}\s+(?:[A-Z]\.\s+)?{_NAME}(?:\s+{_NAME})?)"
)
_PRIVATE_DETAIL = (
    r"(?:lives?\s+(?:at|on|in|near|over\s+on)|(?:'s|’s)\s+(?:home\s+)?(?:address|house|home|"
    r"phone|cell|number|ssn|social|email|birthday|date\s+of\s+birth|plate|kids?|children|wife|"
    r"husband|schedule)|home\s+address\s+is|address\s+is|phone\s+(?:number\s+)?is|"
    r"(?:cell|number)\s+is|email\s+is|ssn\s+is|social\s+security|was\s+born\s+on|dob\b|"
    r"drives\s+a|parks\s+(?:at|on)|kids?\s+go\s+to|works\s+(?:nights|at\s+the)|"
    r"stays\s+at|is\s+staying\s+at)"
)


class PersonDetailsDetector(Detector):
    """A named person together with a private detail ("John Smith lives at ...")."""

    id = "pii.person_details"
    category = PII
    explanation = (
        "The text names a person together with private details about them "
        "(where they live, their number, their family)."
    )

    _rx = re.compile(
        rf"(?P<name>{PERSON_NAME})(?:,\s*(?:who|he|she)\b)?\s*(?:[\w’']+\s+){{0,3}}?"
        rf"(?P<detail>{_PRIVATE_DETAIL})",
    )
    _my_name = re.compile(
        rf"\b(?:my\s+name\s+is|my\s+name's|i\s+am|i'm|this\s+is|name\s*:)\s*(?P<name>{_NAME}(?:\s+{_NAME})?)",
        re.IGNORECASE,
    )
    _stop = frozenset(
        {"The", "This", "That", "They", "There", "He", "She", "It", "We", "You", "I", "His", "Her"}
    )

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Name and detail spans, reported together as one finding."""
        text = ctx.text
        out = []
        for m in self._rx.finditer(text):
            name = m.group("name")
            if name.split()[0] in self._stop:
                continue
            spans = [Span(*m.span("name")), Span(*m.span("detail"))]
            out.append(self.finding(spans, clip(text, m.start(), m.end()), 0.8))
        return out


def person_name_spans(text: str) -> list[tuple[int, int]]:
    """Candidate person names by pattern: titles, "my name is", "Name:" and Firstname Lastname.

    Used together with PII context; a statistical name model (screening.models) may add more.
    """
    spans = []
    for m in PersonDetailsDetector._my_name.finditer(text):
        spans.append(m.span("name"))
    for m in re.finditer(PERSON_NAME, text):
        if m.group().split()[0] not in PersonDetailsDetector._stop:
            spans.append(m.span())
    return sorted(set(spans))


def build_pattern_detectors() -> list[Detector]:
    """The regex-only PII recognizers, each with its context words."""
    return [
        PatternDetector(
            "pii.email",
            PII,
            [Pattern("email", _EMAIL_RE, 0.9, 0)],
            "The text contains an email address, which identifies a person.",
        ),
        PatternDetector(
            "pii.ssn",
            PII,
            [
                Pattern("ssn_dashed", r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])", 0.8, 0),
                Pattern("ssn_spaced", r"(?<!\d)(?<!\d )\d{3} \d{2} \d{4}(?! ?\d)", 0.4, 0),
                Pattern("ssn_bare", r"(?<!\d)\d{9}(?!\d)", 0.2, 0),
            ],
            "The text contains what looks like a Social Security number.",
            context=("ssn", "social security", "social", "ss#", "ss #", "ss number", "ssn#"),
            context_boost=0.5,
            validate=_ssn_ok,
        ),
        PatternDetector(
            "pii.dob",
            PII,
            [Pattern("date", _DATE, 0.6)],
            "The text gives a date of birth, which identifies a person.",
            context=(
                "born",
                "dob",
                "d.o.b",
                "date of birth",
                "birthday",
                "birthdate",
                "birth date",
                "bday",
                "b-day",
                "birth",
            ),
            context_window=30,
            context_required=True,
        ),
        PatternDetector(
            "pii.plate",
            PII,
            [
                Pattern(
                    "plate",
                    r"\b(?:licen[cs]e\s+plate|plates?|tags?|lic\.?\s+plate)\s*(?:number|no\.?|#)?"
                    r"\s*(?:is|was|reads|:|of)?\s*"
                    r"(?P<v>(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])"
                    r"[A-Z0-9]{2,4}[ -]?[A-Z0-9]{2,4})\b",
                    0.8,
                ),
            ],
            "The text gives a vehicle licence plate, which can identify a person.",
            group="v",
        ),
        PatternDetector(
            "pii.drivers_license",
            PII,
            [
                Pattern(
                    "dl",
                    r"\b(?:driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|DL|D\.L\.|licen[cs]e)"
                    r"\s*(?:number|no\.?|#|num)?\s*(?:is|was|:)?\s*"
                    r"(?P<v>(?=[A-Z0-9-]*\d{4})[A-Z]{0,2}\d[\d-]{4,14}\d)\b",
                    0.8,
                ),
            ],
            "The text gives a driver's licence number, which identifies a person.",
            group="v",
        ),
    ]
