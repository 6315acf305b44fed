"""Find people's names in text: a gazetteer of common US first and last names, plus context.

    find_person_names("Call Maria Lopez at home") -> [(5, 16, 0.9)]

GO 409 §.20 forbids "personal identifying information of any person"; a name is what ties a
phone number, an address or a plate to a person. This finder only *locates* names with a
confidence; whether a name is a finding (a name alone, "Chief Vasquez should resign", is not)
is the engine's call.

The name lists are the US first and last names that the Faker package ships (drawn from US
Census and Social Security data; Faker is MIT-licensed), read at first use, so nothing is
downloaded at run time. When Faker is not installed, the finder still works from capitalization
and context ("my name is", "Mr.", "Officer") with lower recall.

Note for evaluation: the Presidio synthetic sentences were themselves filled by Faker (and
FakeNameGenerator), so recall measured there is optimistic for the US names in these lists.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (reads better than a hundred quoted items)."""
    return frozenset(text.split())


#: Words that precede a name and make a capitalized word after them very likely a name.
_TITLES = _words(
    "mr mrs ms miss mx dr prof sir madam officer ofc sgt sergeant lt lieutenant capt "
    "captain det detective deputy chief sheriff trooper agent judge mayor councilman "
    "councilwoman senator rep representative"
)
#: Phrases that introduce a name ("my name is", "name:", "dear", "says") ...
_STRONG_INTRO = re.compile(
    r"(?:\bmy\s+name\s+is|\bname\s*(?:is|:)|\bi\s+am|\bi'm|\bcalled|\bnamed|\bdear|\bsays|"
    r"\bsaid|\bask\s+for|\battn|\bsigned|\bcontact|\bhi|\bhello|\bhey|\bthanks?|\bmeet|"
    r"\bsung\s+by|\bwritten\s+by|\bdirected\s+by|\bstarring|\bwith|\badd|\btell|\bfollow\s+up\s+with)"
    r"\s*[:,]?\s*$",
    re.IGNORECASE,
)
#: ... and words after which a capitalized word is a name somewhat more often than not.
_WEAK_INTRO = re.compile(r"(?:\band|\bfrom|\bfor|\bto|\bby|\bof|,)\s*$", re.IGNORECASE)
#: Capitalized words that are never part of a name (sentence starters, places, units...).
_NOT_NAMES = _words(
    "the a an this that these those it its he she they we you i my our your his her their "
    "and or but if when while then so because as at by for from in into of on to with "
    "without is are was were be been being have has had do does did not no yes ok okay "
    "please thanks thank hello hi hey dear police department city county state street st "
    "avenue ave road rd boulevard blvd drive dr lane ln court ct way place pl suite apt "
    "apartment unit north south east west january february march april may june july "
    "august september october november december monday tuesday wednesday thursday friday "
    "saturday sunday inc llc ltd corp co company bank university school college hospital "
    "church park center centre mall colorado springs america american usa us uk god jesus "
    "lord christmas easter"
)
_WORD = r"[^\W\d_][^\W\d_'’\-]*(?:[-'’][^\W\d_]+)?"
_TOKEN = re.compile(rf"{_WORD}|[A-Z]\.?(?=\s)")


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names), lower-cased, from Faker's US lists when installed."""
    try:
        from faker.providers.person.en_US import Provider
    except ImportError:
        return frozenset(), frozenset()
    first = {
        n.lower()
        for names in (Provider.first_names_female, Provider.first_names_male)
        for n in names
    }
    last = {n.lower() for n in Provider.last_names}
    return frozenset(first), frozenset(last)


def _is_cap(token: str) -> bool:
    return token[:1].isupper()


def find_person_names(text: str, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """Spans (start, end, confidence 0..1) of likely person names in `text`."""
    first, last = _gazetteer()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int, float]] = []
    i = 0
    while i < len(tokens):
        start, _end, word = tokens[i]
        if not _is_cap(word) or word.lower().rstrip(".") in _NOT_NAMES:
            i += 1
            continue
        # a run of capitalized words (and initials) on one line, at most four
        j = i + 1
        while (
            j < len(tokens)
            and j - i < 4
            and _is_cap(tokens[j][2])
            and tokens[j][2].lower().rstrip(".") not in _NOT_NAMES
            and "\n" not in text[tokens[j - 1][1] : tokens[j][0]]
            and text[tokens[j - 1][1] : tokens[j][0]].strip() in ("", ".")
        ):
            j += 1
        run = tokens[i:j]
        titled = False
        if len(run) > 1 and run[0][2].rstrip(".").lower() in _TITLES:
            run, titled = run[1:], True  # "Officer Kowalczyk": the title is not the name
            start = run[0][0]
        words = [w.rstrip(".").lower() for _s, _e, w in run]
        before = text[max(0, start - 40) : start]
        prev_word = re.findall(r"[A-Za-z]+", before[-15:])
        score = 0.0
        if words[0] in first:
            score += 0.5
        if len(words) > 1 and words[-1] in last:
            score += 0.35
        elif len(words) == 1 and words[0] in last:
            score += 0.3
        if titled or (prev_word and prev_word[-1].lower() in _TITLES):
            score += 0.5
        if _STRONG_INTRO.search(before):
            score += 0.5
        elif _WEAK_INTRO.search(before):
            score += 0.15
        if len(words) > 1:
            score += 0.2
        sentence_start = not before.strip() or before.rstrip()[-1:] in ".!?\n:"
        if sentence_start and len(words) == 1 and words[0] not in first:
            score -= 0.3
        score = max(0.0, min(score, 0.99))
        if score >= threshold:
            spans.append((run[0][0], run[-1][1], round(score, 2)))
        i = j
    return spans
