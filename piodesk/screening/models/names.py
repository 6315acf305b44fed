"""Find people's names in text: a gazetteer of first and last names, plus context.

    find_person_names("Call Maria Lopez at home") -> [(5, 16, 0.95)]

GO 409 §.20 forbids "personal identifying information of any person"; a name is what ties a
phone number, an address or a plate to a person. This finder only *locates* names with a
confidence; whether a name is a finding is the engine's call and the agency's setting
(`categories.pii.person_names` in the rules file): by default a name is a finding only in a text
that also gives personal details, since "Chief Vasquez should resign" is protected speech.

How a span is scored (0..1, reported at 0.5 or more):

- the gazetteer: the first and last names of every Latin-script locale that the Faker package
  ships (drawn from census and civil-registry lists; Faker is MIT-licensed), read at first use,
  so nothing is downloaded at run time. Names that are also common English words ("Will",
  "Hope", "Young", taken from Faker's English word list) count for much less;
- context: a title ("Officer", "Mrs."), an introduction ("my name is", "ask for", "Name:"),
  what follows ("'s", "said", a comma opening a sentence), a list of names;
- shape: several capitalized words in a row, initials, name particles ("van", "de").

Lower-case names are taken only after an introduction ("my name is vitoria") or as a known
first name followed by a known last name ("patricia desrosiers").

Note for evaluation: the Presidio synthetic sentences were themselves filled by Faker (and
FakeNameGenerator), so recall measured there is optimistic for the names in these lists.
"""

from __future__ import annotations

import re
from functools import lru_cache

from piodesk.screening import gazetteer


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (reads better than a hundred quoted items)."""
    return frozenset(text.split())


#: Words that precede a name and make a capitalized word after them very likely a name.
_TITLES = _words(
    "mr mrs ms miss mx dr prof sir madam officer ofc sgt sergeant lt lieutenant capt "
    "captain det detective deputy chief sheriff trooper agent judge mayor councilman "
    "councilwoman senator rep representative producer director dj coach nurse pastor father "
    "rev reverend aunt uncle grandma grandpa brother sister cousin"
)
#: Phrases that introduce a name ("my name is", "name:", "dear", "says") ...
_STRONG_INTRO = re.compile(
    r"(?:\bmy\s+name\s+is|\bname\s*(?:is|:|\?)|"
    r"\bname\s+(?:in|on)\s+the\s+\w+\s+is|\bi\s+am|\bi'm|\bthis\s+is|\bcalled|\bcalls?\s+me|"
    r"\bnamed|\bdear|\bsays|\bsaid|\bask\s+for|\battn|\bsigned|\bcontact|\bhi|\bhello|\bhey|"
    r"\bthanks?|\bmeet|\bsung\s+by|\bwritten\s+by|\bdirected\s+by|\bstarring|\bwith|\badd|"
    r"\btell|\bfollow\s+up\s+with|\bheard|\bfeatures|\bkid|\bson|"
    r"\bdaughter|\bwife|\bhusband|\bfriend|\bneighbou?r|\bfounders?|"
    r"\b(?:user|client|customer|patient)\s*:|\bchange\s+it\s+to|\bbelongs\s+to|"
    r"\bsend\s+(?:it\s+)?to)"
    r"\s*[:,?]?\s*[>\-]?\s*$",
    re.IGNORECASE,
)
#: The introductions after which a lower-case word may be a name ("my name is vitoria").
_NAME_INTRO = re.compile(
    r"(?:\bmy\s+name\s+is|\bname\s*(?:is|:|\?)|\bcalls?\s+me|\bnamed|\bdear|\bhi|\bhello|"
    r"\bhey|\bfollow\s+up\s+with|\bask\s+for|\bsigned)\s*[:,?]?\s*$",
    re.IGNORECASE,
)
_ORG_WORDS = _words(
    "inc llc ltd plc corp corporation co company group associates partners orchestra band "
    "technologies technology solutions investments bank foundation institute university "
    "college school hospital clinic church agency services systems holdings industries "
    "international lab labs consulting media records studio studios gmbh ag sa bv"
)
#: Words that make a run of capitalized words a firm, a band or a place, not a person.
_ORG_AFTER = re.compile(
    r"(?:'s)?\s*,?\s*(?:inc|llc|ltd|plc|corp|corporation|co|company|group|associates|partners|"
    r"orchestra|band|technologies|technology|solutions|investments|bank|foundation|institute|"
    r"university|college|school|hospital|clinic|church|agency|services|systems|holdings|"
    r"industries|international|labs?|consulting|media|records|studios?|gmbh|ag|sa|bv|"
    r"county|city|street|avenue|road|park)\b",
    re.IGNORECASE,
)
#: Before a list of bare surnames, words that make it a firm ("from Hawkins, Richardson and
#: Santana", "The Clark, Romero and Hall ..."); a person's list says "founders: ...".
_ORG_BEFORE = re.compile(r"\b(?:from|at|the|for|of|joined|joins|join|to)\s*$", re.IGNORECASE)
#: ... and words after which a capitalized word is a name somewhat more often than not.
_WEAK_INTRO = re.compile(r"(?:\band|\bfor|\bto|\bof|\bor|\bgave|\bgiven|,|&)\s*$", re.IGNORECASE)
#: A list of names goes on: ", Erik" / " and Amanda".
_LIST_NEXT = re.compile(
    r"(?:,\s*|\s+and\s+|\s*&\s*)[A-Z][^\W\d_]+(?:\s+[A-Z][^\W\d_]+)?"
    r"(?:\s*,|\s+(?:were|are|had|have|and)\b)"
)
#: What often follows a name: a possessive, a speech or life verb.
_AFTER = re.compile(
    r"^(?:'s\b|’s\b|\s+(?:said|says|told|asked|wrote|explained|listed|lives|lived|flew|"
    r"went|began|spent|had\s+given|had|has|was|is|will|would|can|could|"
    r"and\s+(?:i|me|his|her)\b|who\b|[a-z]+(?:ed)\s+(?:his|her|the|a|to|me)\b))",
)
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
    "lord christmas easter who what where why how which whose whom can could would should "
    "will shall must might here there all any some every each just also only very too "
    "name user bot address phone email card account number mobile fax desk tel box apo fpo "
    "dpo psc po mail cell home work office my ssn dob id ip via re fw fwd subject note "
    "meet call see send get let go come tell ask give take make find keep help date time "
    "when where location re i'm i'll i've i'd im ive"
)
#: Lower-case words that may stand inside a name ("Willemine ten Pas", "Maria de la Cruz").
_PARTICLES = _words("van von der den ten ter de del della di da dos das du la le bin ibn al el")
# a possessive "'s" is not part of the word: "Christopher's daughter"
_WORD = r"[^\W\d_][^\W\d_'’\-]*(?:[-'’](?![sS](?![^\W\d_]))[^\W\d_]+)*"
_TOKEN = re.compile(rf"(?<![^\W\d_])[A-Z]\.(?=\s)|{_WORD}")
_COUNTRY_WORDS = _words("england scotland wales ireland norway poland france germany spain italy")


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, last names, common words), lower-cased, from Faker when installed.

    Names come from every Faker locale written in Latin script (comments on a US department's
    page name people of every origin); the common words are Faker's English word list and its
    country names (a word in them is rarely a name alone). Read in a child process and kept
    between processes (screening/gazetteer.py), so Faker's modules never load here.
    """
    return gazetteer.load(_NOT_NAMES, _COUNTRY_WORDS)


def _is_cap(token: str) -> bool:
    return token[:1].isupper() and not (len(token) > 2 and token.isupper())


def _run_end(text: str, tokens: list[tuple[int, int, str]], i: int, cap: bool) -> int:
    """Index after the run of name-like tokens that starts at `i` (at most four words)."""
    j, words = i + 1, 1
    while j < len(tokens) and words < 4:
        gap = text[tokens[j - 1][1] : tokens[j][0]]
        after_title = tokens[j - 1][2].lower() in _TITLES  # "Mr. Leiva"
        if "\n" in gap or gap.strip() not in (("", ".") if after_title else ("",)):
            break
        word = tokens[j][2]
        low = word.lower().rstrip(".")
        if low in _ORG_WORDS:
            break
        if not cap and _is_cap(word):
            break  # "said Gladys": a lower-case run ends where a capitalized name starts
        if cap and not _is_cap(word):
            # a particle inside a capitalized name: "Willemine ten Pas"
            if low in _PARTICLES and j + 1 < len(tokens) and _is_cap(tokens[j + 1][2]):
                j += 1
                continue
            break
        if low in _NOT_NAMES:
            break
        j += 1
        words += 1
    return j


def find_person_names(text: str, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """Spans (start, end, confidence 0..1) of likely person names in `text`."""
    first, last, common = _gazetteer()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int, float]] = []
    chain: list[int] = []  # indexes in `spans` of a list of names ("Kónya, Becker and Vasquez")
    chain_org = False  # that list follows "from", "at", "the"...: a firm named after people
    previous_end = -100  # end of the last name-like run, kept or not
    i = 0
    while i < len(tokens):
        start, _end, word = tokens[i]
        low0 = word.lower().rstrip(".")
        cap = _is_cap(word)
        if low0 in _NOT_NAMES and not (cap and low0 in _TITLES):
            i += 1
            continue
        before = text[max(0, start - 40) : start]
        if (
            not cap
            and not _NAME_INTRO.search(before)
            and not (low0 in first and low0 not in common)
        ):
            i += 1
            continue
        j = _run_end(text, tokens, i, cap)
        run = tokens[i:j]
        i = j
        titled = False
        if len(run) > 1 and run[0][2].rstrip(".").lower() in _TITLES:
            run, titled = run[1:], True  # "Officer Kowalczyk": the title is not the name
            start = run[0][0]
            before = text[max(0, start - 40) : start]
        elif run[0][2].rstrip(".").lower() in _TITLES:
            continue
        score = _score(text, run, before, cap, titled, first, last, common)
        if score is None:
            continue
        end = run[-1][1]
        in_chain = start - previous_end < 8 and _WEAK_INTRO.search(before) is not None
        if not in_chain:
            chain, chain_org = [], _ORG_BEFORE.search(before) is not None
        previous_end = end
        if in_chain:
            score += 0.3  # one more of a list of names
        if _ORG_AFTER.match(text, end):
            # "... Williamson Orchestra", "Russell Investments": the whole list is a firm
            for k in sorted(chain, reverse=True):
                del spans[k]
            chain = []
            continue
        bare_surname = len(run) == 1 and not titled
        if chain_org and bare_surname:
            continue
        if score >= threshold:
            chain.append(len(spans))
            spans.append((start, end, round(min(score, 0.99), 2)))
    return spans


def _score(
    text: str,
    run: list[tuple[int, int, str]],
    before: str,
    cap: bool,
    titled: bool,
    first: frozenset[str],
    last: frozenset[str],
    common: frozenset[str],
) -> float | None:
    """How likely the run of words is a person's name (None: certainly not)."""
    words = [w.rstrip(".").lower() for _s, _e, w in run if w.lower() not in _PARTICLES]
    initials = sum(1 for _s, _e, w in run if len(w.rstrip(".")) == 1)
    name_words = [w for w in words if len(w) > 1]
    if not name_words:
        return None
    known_first = name_words[0] in first
    known_last = name_words[-1] in last
    is_common = [w in common for w in name_words]
    score = 0.0
    if known_first:
        score += 0.2 if is_common[0] else 0.5
    if len(name_words) > 1 and known_last:
        score += 0.1 if is_common[-1] else 0.35
    elif len(name_words) == 1 and known_last and not known_first:
        score += 0.1 if is_common[0] else 0.35
    intro = _STRONG_INTRO.search(before) is not None
    titled = titled or _ends_with_title(before)
    if titled:
        score += 0.5
    if intro:
        score += 0.5
    elif _WEAK_INTRO.search(before):
        score += 0.1
    if len(name_words) > 1 and cap:
        score += 0.2
        if not any(is_common):
            score += 0.15  # two or more capitalized words, none of them an ordinary word
    if initials and cap:
        score += 0.15
    line_ends = _LINE_END.match(text, run[-1][1]) is not None  # nothing else on the line
    if len(name_words) > 1 and cap and line_ends and not before.rsplit("\n", 1)[-1].strip(" \t>-*"):
        score += 0.2  # a line of its own: a signature or the head of an address block
    listed = _LIST_NEXT.match(text, run[-1][1]) is not None
    if listed:
        score += 0.2  # the first of a list of names: "Nekolná and Pearson were ..."
    after = text[run[-1][1] : run[-1][1] + 30]
    follows = _AFTER.match(after) is not None
    if follows:
        score += 0.15 if any(is_common) else 0.3
    line_before = before.rsplit("\n", 1)[-1].strip(' \t>-*"“')
    sentence_start = _SENTENCE_START.search(before) is not None
    speaker = (
        sentence_start
        and not line_before
        and after[:1] in (",", ":")
        and cap
        and not all(is_common)
        and "'" not in run[0][2]
    )
    if speaker:
        score += 0.5  # "Danial, can I ..." / "Ella: What a ..."
    if not cap:
        # lower case: only a known first + last name, or right after an introduction
        if not (_NAME_INTRO.search(before) or (known_first and known_last and len(name_words) > 1)):
            return None
        if any(is_common):
            score -= 0.3
    elif all(is_common):
        score -= 0.3
    if (
        sentence_start
        and len(name_words) == 1
        and not (titled or intro or speaker or follows or listed)
    ):
        # "Love this song", "Sorry my love": one capitalized word opening a sentence is most
        # often not a name, even when some country's lists have it as one
        score -= 0.3 if not known_first else 0.1
    return max(0.0, score)


_LINE_END = re.compile(r"[ \t\r]*(?:\n|$)")
#: What a sentence (or a reply: "@user Sorry ...") opens after.
_SENTENCE_START = re.compile(r"(?:^|[.!?:\"“>]|(?:^|\s)@\w+)\s*$")


def _ends_with_title(before: str) -> bool:
    words = re.findall(r"[A-Za-z]+", before[-15:])
    return bool(words) and words[-1].lower() in _TITLES
