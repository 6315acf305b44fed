"""Reading the regime file (``regimes.yaml``, or the agency's copy) into :class:`Regime`s.

A regime file that is wrong is refused whole, naming the regime and the field, at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from piodesk.core.errors import InvalidInput, NotFound
from piodesk.records.requests.deadline import Exemption, FeeRules, Regime

DEFAULT_FILE = Path(__file__).with_name("regimes.yaml")


@dataclass(frozen=True)
class RegimeBook:
    """Every configured regime, the default one, and the calendar they count on."""

    regimes: dict[str, Regime]
    default: str
    country: str
    subdiv: str | None

    def get(self, key: str) -> Regime:
        """The regime named ``key``."""
        regime = self.regimes.get(key)
        if regime is None:
            known = ", ".join(sorted(self.regimes))
            raise NotFound(f"no request regime '{key[:40]}' (configured: {known})")
        return regime


def _time(where: str, value: Any) -> time | None:
    if value is None:
        return None
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise InvalidInput(f"{where}: cutoff is HH:MM, not {value!r}") from None


def _money(where: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{where}: {value!r} is not an amount") from None
    if amount < 0:
        raise InvalidInput(f"{where}: amounts cannot be negative")
    return amount


def _regime(key: str, raw: dict[str, Any]) -> Regime:
    where = f"regime '{key}'"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: expected a mapping")
    for required in ("name", "citation"):
        if not raw.get(required):
            raise InvalidInput(f"{where}: '{required}' is required")
    days = raw.get("response_days")
    if days is not None and (not isinstance(days, int) or days < 1):
        raise InvalidInput(f"{where}: response_days is a whole number of days, or null")
    ext = raw.get("extension") or {}
    fee = raw.get("fees") or {}
    since = fee.get("rate_since")
    if since is not None and not isinstance(since, date):
        raise InvalidInput(f"{where}: fees.rate_since is a date (YYYY-MM-DD)")
    grounds = raw.get("denial_grounds_hours")
    closed_day = str(raw.get("closed_day_receipt", "next_working_day"))
    if closed_day not in ("next_working_day", "that_day"):
        raise InvalidInput(f"{where}: closed_day_receipt is next_working_day or that_day")
    return Regime(
        key=key,
        name=str(raw["name"]),
        citation=str(raw["citation"]),
        response_days=days,
        working_days=bool(raw.get("working_days", True)),
        cutoff=_time(where, raw.get("cutoff", "17:00")),
        closed_day_receipt=closed_day,
        extension_days=int(ext.get("days", 0)),
        extension_citation=str(ext.get("citation", "")),
        extension_single_document=bool(ext.get("single_document", False)),
        extension_reasons=tuple(str(r) for r in ext.get("reasons", ())),
        discretionary=bool(raw.get("discretionary", False)),
        denial_grounds_hours=int(grounds) if grounds else None,
        fees=FeeRules(
            free_minutes=int(fee.get("free_minutes", 0)),
            hourly_rate=_money(f"{where} fees.hourly_rate", fee.get("hourly_rate", "0")),
            rate_since=since,
            digital_page=_money(f"{where} fees.digital_page", fee.get("digital_page", "0")),
            copy_page=_money(f"{where} fees.copy_page", fee.get("copy_page", "0")),
            citation=str(fee.get("citation", "")),
        ),
        exemptions=tuple(
            Exemption(str(e["key"]), str(e["label"]), str(e.get("citation", "")))
            for e in raw.get("exemptions", ())
        ),
        notes=str(raw.get("notes", "")),
    )


def parse(text: str) -> RegimeBook:
    """A regime book from YAML text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the regime file is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("regimes"), dict):
        raise InvalidInput("the regime file needs a 'regimes' mapping")
    regimes = {str(k): _regime(str(k), v) for k, v in raw["regimes"].items()}
    default = str(raw.get("default") or next(iter(regimes)))
    if default not in regimes:
        raise InvalidInput(f"the default regime '{default}' is not configured")
    cal = raw.get("calendar") or {}
    return RegimeBook(
        regimes=regimes,
        default=default,
        country=str(cal.get("country", "US")),
        subdiv=str(cal["subdiv"]) if cal.get("subdiv") else None,
    )


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> RegimeBook:
    """The regime book from ``path`` (default: the file shipped with piodesk)."""
    return parse((path or DEFAULT_FILE).read_text(encoding="utf-8"))
