"""piodesk's own development sets: comments written as a police department's page gets them.

Public data sets have no examples of what GO 409 §.20 itself names (tip-offs about police
operations, door codes, pirated films offered in a comment), so piodesk's developers wrote
some (docs/screening-data.md says how). Each file holds one category: "+ text" should get a
finding of that category, "- text" should not; `lawful.txt` holds protected speech that should
get no finding at all. Every line falls on the dev side (tuned on) or the held-out side
(scored only to report) by a hash of its text, fixed for good, as in labeled_data.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

Side = Literal["dev", "held_out", "all"]

#: The category files; "lawful" is the protected-speech file (no finding of any kind).
FILES = ("investigation", "safety", "ip", "threat", "solicitation", "lawful")
#: Share of each file on the held-out side.
HELD_OUT_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class DevExample:
    """One written comment: which file, whether it should get the file's category, which side."""

    file: str
    text: str
    positive: bool
    side: str


def side_of(text: str) -> str:
    """'held_out' for a fixed 30 % of texts (by SHA-256 of the stripped, lower-cased text)."""
    digest = hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).digest()
    return "held_out" if digest[0] < int(256 * HELD_OUT_SHARE) else "dev"


def load(name: str, side: Side = "all") -> list[DevExample]:
    """The examples of one file, on one side (or both)."""
    if name not in FILES:
        raise ValueError(f"no development set {name!r}; known: {', '.join(FILES)}")
    raw = resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    out: list[DevExample] = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        mark, _, text = line.partition(" ")
        if mark not in ("+", "-") or not text.strip():
            raise ValueError(f"{name}.txt: a line must start with '+ ' or '- ': {line[:40]!r}")
        ex = DevExample(name, text.strip(), mark == "+", side_of(text))
        if side == "all" or ex.side == side:
            out.append(ex)
    return out
