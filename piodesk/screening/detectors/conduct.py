"""Illegal conduct, public safety and ongoing investigations (GO 409 §.20).

Phrase rules over the normalized text. Each needs an act, not a topic: offering drugs (not
talking about drug policy), giving where officers are *right now* (not complaining that they
were somewhere), naming the witness (not asking who saw something).
"""

from __future__ import annotations

import re

from piodesk.screening.detectors.base import (
    Detector,
    Pattern,
    PatternDetector,
    ScanContext,
    clip,
)
from piodesk.screening.detectors.investigation import party_at_risk
from piodesk.screening.model import Category, Finding, Span

_DRUGS = (
    r"(?:weed|bud|kush|gas|za|coke|cocaine|crack|meth|crystal|molly|mdma|ecstasy|xanax|xans|"
    r"bars|percs|percocets?|oxy|oxys|oxycontin|fent|fentanyl|heroin|dope|lsd|acid|shrooms|"
    r"ketamine|ket|pills|lean|codeine|adderall|roxies|roxys|blues|tabs|carts|dabs|ounces|"
    r"zips|grams|eighths|an\s+eighth|qp|qps|pounds\s+of\s+\w+)"
)
_OFFER = (
    r"(?:selling|sell|sells|got|have|has|plug\s+for|plug\s+with|hmu\s+for|dm\s+(?:me\s+)?for|"
    r"text\s+me\s+for|who\s+needs|who\s+want|who\s+wants|anyone\s+need|anybody\s+need|"
    r"need\s+(?:some|any)|cheap|fresh|pure|buy\s+(?:some|my)|delivering|deliver|plugged\s+with|"
    r"in\s+stock|restocked|for\s+sale|on\s+deck)"
)
_WEAPONS = (
    r"(?:ghost\s+guns?|glock\s+switch(?:es)?|switches|auto\s+sears?|full\s+auto\s+\w+|"
    r"unregistered\s+(?:guns?|firearms?|pistols?|rifles?)|untraceable\s+(?:guns?|firearms?)|"
    r"straps?|pieces|bump\s+stocks?|silencers?|suppressors?|grenades?|explosives?|"
    r"pipe\s+bombs?|burners?|guns?\s+no\s+(?:serial|background\s+check|paperwork))"
)
_SALE_WORDS = (
    "selling", "for sale", "cheap", "dm", "hmu", "buy", "price", "prices", "cash only",
    "no questions asked", "hit me up", "text me", "for cheap", "going for", "asking",
)  # fmt: skip
_LIVE = (
    r"(?:right\s+now|rn|now|tonight|currently|atm|as\s+we\s+speak|this\s+(?:morning|afternoon|"
    r"evening)|avoid|heads\s+up|watch\s+out|careful|beware|go\s+around|take\s+another\s+route|"
    r"turn\s+around|slow\s+down|right\s+here|rn\b)"
)
_AGENTS = (
    r"(?:(?:dui\s+|sobriety\s+|police\s+)?checkpoints?|speed\s+traps?|radar\s+traps?|cops|cop|"
    r"police|5-0|five-o|po\s?po|feds|swat|undercovers?|undercover\s+(?:cops?|cars?|units?)|"
    r"unmarked(?:\s+(?:cars?|units?|suvs?|cruisers?))?|troopers?|sheriffs?|deputies|officers|"
    r"k9\s+units?|stakeout|sting|raid|narcs?|task\s+force|patrol\s+cars?|cruisers?)"
)
_PLACE_WORDS = (
    r"(?:station|precinct|school|mall|church|mosque|synagogue|temple|courthouse|city\s+hall|"
    r"stadium|airport|parade|library|hospital|concert|arena|park|plaza|market|walmart|target|"
    r"festival|game|office|building|bus|train|subway)"
)
_SYSTEMS = (
    r"(?:city|county|police|department|dispatch|911|9-1-1|scada|water\s+(?:plant|treatment|"
    r"system|supply)|power\s+grid|grid|substation|traffic\s+(?:lights?|signals?|cameras?|system)|"
    r"camera\s+system|cameras|jail|courthouse|server|servers|network|wifi|wi-fi|radio\s+system|"
    r"radios|alarm\s+system|evidence\s+room|armory|sally\s+port|records\s+system|database)"
)
_WEAKNESS = (
    r"(?:has\s+no\s+security|is\s+unprotected|is\s+wide\s+open|default\s+password|"
    r"passwords?\s+is|backdoor|back\s+door\s+is|(?:is|are|stays?)\s+(?:always\s+)?unlocked|"
    r"vulnerab\w*|exploit\w*|can\s+be\s+hacked|easy\s+to\s+hack|easily\s+hacked|isn't\s+"
    r"(?:locked|secured|guarded)|(?:is|are)\s+not\s+(?:locked|secured|guarded)|unguarded|"
    r"blind\s+spots?|goes?\s+down\s+(?:every|at)|(?:is|are)\s+unmonitored|no\s+one\s+watches)"
)


def build_illegal() -> list[Detector]:
    """Offers of drugs, weapons, stolen goods and fake documents; calls to commit crimes."""
    cat = Category.ILLEGAL.value
    return [
        PatternDetector(
            "illegal.drugs",
            cat,
            [
                Pattern(
                    "offer",
                    rf"(?<![\w'])(?:{_OFFER})\s+(?:some\s+|the\s+|good\s+|fire\s+|that\s+|"
                    rf"a\s+lot\s+of\s+|plenty\s+of\s+|\w+\s+)?(?:{_DRUGS})(?![\w'])",
                    0.6,
                ),
                Pattern(
                    "menu",
                    rf"(?<![\w'])(?:{_DRUGS})\s+(?:for\s+sale|in\s+stock|available|on\s+deck|"
                    r"restocked|delivered|delivery)(?![\w'])",
                    0.75,
                ),
            ],
            "The text offers illegal drugs.",
            context=(*_SALE_WORDS, "plug", "delivery", "deliver", "inbox", "$", "pm"),
            context_window=60,
            context_boost=0.3,
            use_normalized=True,
        ),
        PatternDetector(
            "illegal.weapons",
            cat,
            [
                Pattern(
                    "weapon_offer",
                    rf"(?<![\w'])(?:{_OFFER})\s+(?:a\s+|an\s+|some\s+|\w+\s+)?(?:{_WEAPONS})(?![\w'])",
                    0.6,
                ),
                Pattern(
                    "no_paperwork",
                    r"(?<![\w'])(?:guns?|pistols?|rifles?|glocks?|firearms?|ar-?15s?)\s+"
                    r"(?:for\s+sale\s+)?(?:with\s+)?no\s+(?:background\s+checks?|paperwork|serials?|"
                    r"serial\s+numbers?|questions\s+asked|id\s+needed)(?![\w'])",
                    0.85,
                ),
            ],
            "The text offers illegal weapons or guns without the required checks.",
            context=_SALE_WORDS,
            context_window=60,
            context_boost=0.3,
            use_normalized=True,
        ),
        PatternDetector(
            "illegal.stolen_goods",
            cat,
            [
                Pattern(
                    "stolen",
                    r"(?<![\w'])(?:stolen|hot|jacked|boosted|hijacked)\s+(?:\w+\s+)?(?:phones?|"
                    r"iphones?|bikes?|cars?|goods|laptops?|tvs?|electronics|cards?|catalytic\s+"
                    r"converters?|cats|tools|merch|items|stuff|jewelry|sneakers)(?![\w'])",
                    0.3,
                ),
                Pattern(
                    "fell_off",
                    r"(?<![\w'])(?:fell\s+off\s+(?:a|the)\s+truck|no\s+questions\s+asked|"
                    r"selling\s+(?:fake|counterfeit|cloned)\s+\w+|(?:fake|counterfeit)\s+"
                    r"(?:ids?|money|bills|passports?|licen[cs]es?|documents|cards)\s+(?:for\s+sale|"
                    r"available)|fullz|cvv\s+dumps|cc\s+dumps)(?![\w'])",
                    0.8,
                ),
            ],
            "The text offers stolen goods or forged documents for sale.",
            context=_SALE_WORDS,
            context_window=60,
            context_boost=0.5,
            use_normalized=True,
        ),
        PatternDetector(
            "illegal.incitement",
            cat,
            [
                Pattern(
                    "lets_loot",
                    r"(?<![\w'])(?:let's|lets|let\s+us|we\s+should|everyone\s+should|y'all\s+should|"
                    r"yall\s+should|time\s+to|go|we\s+gonna|we're\s+gonna|who's\s+down\s+to|"
                    r"who\s+wants\s+to|meet\s+up\s+(?:and|to))\s+(?:all\s+)?(?:loot|riot|rob|"
                    r"vandalize|vandalise|smash\s+(?:up\s+)?(?:the|every|their)|break\s+into|"
                    r"steal\s+from|trash\s+the|tag\s+the|spray\s+paint\s+the|flip\s+(?:the\s+)?"
                    r"cop\s+cars?|slash\s+(?:their|the)\s+tires)(?![\w'])",
                    0.8,
                ),
                Pattern(
                    "loot_when",
                    r"(?<![\w'])(?:looting|loot|riot|rioting)\s+(?:tonight|tomorrow|at\s+\d|"
                    r"this\s+weekend|after\s+the)(?![\w'])",
                    0.75,
                ),
            ],
            "The text calls on people to commit a crime.",
            use_normalized=True,
        ),
    ]


_SENTENCE_END = re.compile(r"[.!?\n]")
_HEARD = re.compile(
    r"(?<![\w'])(?:saw|seen|heard|read|rumou?rs?|news|fake|hoax|someone\s+(?:posted|said|wrote)|"
    r"post(?:ed)?\s+about|a\s+post)(?![\w'])"
)


def _asked(m: re.Match[str]) -> bool:
    """The sentence holding the match asks ("why do officers park at ...?")."""
    end = _SENTENCE_END.search(m.string, m.end())
    return end is not None and end.group() == "?"


def _told_not_heard(m: re.Match[str]) -> bool:
    """A claimed danger that the sentence neither asks about nor passes on as something
    seen or heard ("saw a fake post about a bomb at school")."""
    start = max((e.end() for e in _SENTENCE_END.finditer(m.string, 0, m.start())), default=0)
    return not _asked(m) and _HEARD.search(m.string, start, m.start()) is None


_SYSTEM_RE = re.compile(rf"(?<![\w'])(?:{_SYSTEMS})(?![\w'])", re.IGNORECASE)


def _system_at_risk(found: str) -> str:
    """The public system a weakness is told of, in the text's own words."""
    m = _SYSTEM_RE.search(found)
    return f"the {m.group().lower()} (a public system)" if m else "a public system"


def build_safety() -> list[Detector]:
    """Live locations of officers or operations, weaknesses of public systems, panic hoaxes."""
    cat = Category.SAFETY.value
    return [
        PatternDetector(
            "safety.live_location",
            cat,
            [
                Pattern(
                    "agent_at_place_now",
                    rf"(?<![\w'])(?:{_AGENTS})\s+(?:are\s+|is\s+)?(?:all\s+)?(?:set\s+up\s+|"
                    r"sitting\s+|parked\s+|posted\s+(?:up\s+)?|hiding\s+|waiting\s+|staged\s+|"
                    r"camped\s+(?:out\s+)?|lined\s+up\s+|stopping\s+(?:cars|people|everyone)\s+)?"
                    r"(?:at|on|near|by|outside|behind|in\s+front\s+of|off\s+of|by\s+the)\s+"
                    rf"[^.!?\n]{{2,50}}?(?<![\w']){_LIVE}(?![\w'])",
                    0.8,
                ),
                Pattern(
                    "now_agent_at",
                    rf"(?<![\w']){_LIVE}[\s:,!-]+(?:there\s+(?:is|are|'s)\s+)?(?:a\s+|an\s+)?"
                    rf"(?:{_AGENTS})\s+(?:are\s+|is\s+)?(?:set\s+up\s+|sitting\s+|parked\s+)?"
                    r"(?:at|on|near|by|outside|behind)\s+",
                    0.8,
                ),
                Pattern(
                    "agent_now_at_place",
                    rf"(?<![\w'])(?:{_AGENTS})\s+(?:are\s+|is\s+)?(?:out\s+)?{_LIVE}\s+(?:at|on|near|"
                    r"by|outside|behind)\s+\w+",
                    0.8,
                ),
                Pattern(
                    "where_officers_live",
                    r"(?<![\w'])(?:the\s+)?(?:officer|cop|deputy|detective|sergeant|chief|sheriff)"
                    r"(?:'s|s)?\s+(?:\w+\s+){0,2}(?:lives?|parks?|sleeps?)\s+(?:at|on|in|over\s+on)"
                    r"(?![\w'])",
                    0.75,
                ),
            ],
            "The text gives the live location of officers or a police operation.",
            use_normalized=True,
            validate=lambda m: not _asked(m),
            at_risk=lambda name, found: (
                "an officer at home (where they live)"
                if name == "where_officers_live"
                else f"officers on duty at a live location ({clip(found, 0, len(found), 40)})"
            ),
        ),
        PatternDetector(
            "safety.system_weakness",
            cat,
            [
                Pattern(
                    "weakness",
                    rf"(?<![\w'])(?:the\s+)?(?:{_SYSTEMS})\s+(?:\w+\s+){{0,4}}?{_WEAKNESS}(?![\w'])",
                    0.75,
                ),
                Pattern(
                    "password_for",
                    rf"(?<![\w'])(?:password|passwords|login|logins|pin|passcode|door\s+code|"
                    rf"gate\s+code|credentials)\s+(?:for|to|of)\s+(?:the\s+)?(?:{_SYSTEMS})(?![\w'])",
                    0.8,
                ),
                Pattern(
                    "how_to_disable",
                    rf"(?<![\w'])(?:how\s+to|you\s+can|easy\s+to|here's\s+how\s+to)\s+(?:hack|"
                    r"disable|jam|shut\s+down|bypass|break\s+into|take\s+down|knock\s+out|"
                    rf"cut)\s+(?:the\s+)?(?:{_SYSTEMS}|police\s+radios?|traffic\s+lights?)(?![\w'])",
                    0.8,
                ),
            ],
            "The text points out a security weakness of a public system.",
            use_normalized=True,
            at_risk=lambda _name, found: _system_at_risk(found),
        ),
        PatternDetector(
            "safety.hoax",
            cat,
            [
                Pattern(
                    "there_is_a_bomb",
                    r"(?<![\w'])(?:there(?:'s|\s+is|s)\s+(?:a|an)|there\s+are|planted\s+(?:a|an)|"
                    r"placed\s+(?:a|an)|hid\s+(?:a|an)|i\s+put\s+(?:a|an)|someone\s+(?:planted|left|"
                    r"put|placed)\s+(?:a|an))\s+(?:\w+\s+)?(?:bombs?|explosives?|ied|active\s+"
                    r"shooter|shooters?|gunman|gunmen|anthrax|poison\s+gas|sarin|dirty\s+bomb)\s+"
                    r"(?:at|in|on|inside|under|near)\s+",
                    0.8,
                ),
                Pattern(
                    "bomb_at",
                    rf"(?<![\w'])(?:bomb|bombs|explosives?|active\s+shooter|gunman)\s+(?:at|in|inside)"
                    rf"\s+(?:the\s+)?(?:\w+\s+)?{_PLACE_WORDS}(?![\w'])",
                    0.75,
                ),
                Pattern(
                    "evacuate",
                    r"(?<![\w'])(?:everyone\s+evacuate|evacuate\s+(?:now|immediately)|get\s+out\s+"
                    r"(?:of\s+)?(?:the\s+\w+\s+)?now|(?:the\s+)?(?:tap\s+)?water\s+(?:is|has\s+been)"
                    r"\s+poisoned|dam\s+(?:is\s+about\s+to\s+|has\s+)?(?:burst|break|broke|failed))"
                    r"(?![\w'])",
                    0.7,
                ),
            ],
            "The text claims a bomb, shooter or similar danger, which can cause panic.",
            use_normalized=True,
            validate=_told_not_heard,
            at_risk="the public and emergency responders (a false alarm)",
        ),
    ]


_NAME = r"(?P<name>[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)?)"
_NOT_NAMES = frozenset(
    {
        "The", "This", "That", "They", "There", "He", "She", "It", "We", "You", "I", "His", "Her",
        "A", "An", "Not", "No", "Just", "Still", "Also", "Taken", "Released", "Found", "Killed",
        "Shot", "Hurt", "Injured", "Okay", "Ok", "Fine", "Alive", "Dead", "Unknown", "Never",
    }
)  # fmt: skip


def _is_name(m: re.Match[str]) -> bool:
    """The `name` group is a name, not a capitalised ordinary word ("was Taken")."""
    return m.group("name").split()[0] not in _NOT_NAMES


def build_investigation() -> list[Detector]:
    """Naming witnesses, victims or juveniles; tipping off suspects; leaking case details."""
    cat = Category.INVESTIGATION.value
    roles = (
        r"(?i:witness(?:es)?|eye\s*witness|victim|victims|informant|snitch|rat|juvenile|minor|"
        r"teen|teenager|kid|boy|girl|\d{1,2}[- ]year[- ]old|suspect|shooter|complainant|"
        r"accuser|survivor|confidential\s+informant|ci)"
    )
    return [
        PatternDetector(
            "investigation.named_party",
            cat,
            [
                Pattern(
                    "role_is_name",
                    rf"\b(?i:the\s+|that\s+|this\s+|one\s+)?{roles}(?i:'s\s+name)?\s+"
                    r"(?i:who\s+[^.!?\n]{1,40}?\s+)?(?i:(?:in\s+"
                    r"(?:the|this|that)\s+(?:case|shooting|crash|assault|robbery|murder|stabbing)"
                    r"\s+)?)(?i:is|was|named|=|:|name\s+is|goes\s+by|is\s+named)\s+"
                    rf"{_NAME}\b",
                    0.75,
                    0,
                ),
                Pattern(
                    "name_is_role",
                    rf"\b{_NAME}\s+(?i:is|was)\s+(?i:the|a|an|one\s+of\s+the)\s+(?i:(?:main\s+|"
                    r"key\s+|star\s+|only\s+)?(?:witness|eyewitness|informant|snitch|victim|"
                    r"juvenile|minor|one\s+who\s+(?:called|snitched|told|reported|talked)))\b",
                    0.8,
                    0,
                ),
                Pattern(
                    "name_snitched",
                    rf"\b{_NAME}\s+(?i:snitched|ratted|called\s+the\s+cops|called\s+911|"
                    r"told\s+the\s+(?:cops|police)|talked\s+to\s+the\s+(?:cops|police|detectives)|"
                    r"is\s+(?:cooperating|working)\s+with\s+the\s+(?:cops|police|feds|da))\b",
                    0.8,
                    0,
                ),
            ],
            "The text names a witness, victim or juvenile in a case.",
            validate=_is_name,
            at_risk=lambda _name, found: party_at_risk(found),
        ),
        PatternDetector(
            "investigation.tip_off",
            cat,
            [
                Pattern(
                    "coming_to_your_house",
                    r"(?<![\w'])(?:cops|police|feds|detectives|the\s+law|5-0|five-o|po\s?po|swat|"
                    r"ice|they|warrant\s+squad|task\s+force|narcs?|us\s+marshals|marshals)\s+"
                    r"(?:are|is|r|will\s+be|gonna\s+be|be|'re|re)?\s*(?:coming|headed|heading|"
                    r"on\s+(?:their|the)\s+way|about\s+to\s+(?:raid|hit|come)|gonna\s+(?:raid|hit|"
                    r"come)|going\s+to\s+(?:raid|hit|come)|planning\s+(?:a\s+)?(?:raid|to\s+raid)|"
                    r"watching|looking\s+for|sitting\s+on)\s+(?:to\s+|for\s+|at\s+|on\s+)?"
                    r"(?:(?:your|ur|his|her|their)\s+(?:\w+\s+)?(?:house|place|crib|spot|apartment|"
                    r"apt|trap|home|address|job|work|car)|for\s+(?:you|u|him|her|them)|"
                    r"(?:to\s+)?(?:get|arrest|raid|pick\s+up|grab)\s+(?:you|u|him|her|them|"
                    r"your|ur))(?![\w'])",
                    0.6,
                ),
                Pattern(
                    "hide_evidence",
                    r"(?<![\w'])(?:get\s+rid\s+of|hide|ditch|destroy|burn|wipe|toss|dump|"
                    r"flush)\s+(?:the|your|ur|that|all\s+the|those)\s+(?:evidence|gun|guns|drugs|"
                    r"stash|burner|clothes|body|weapon|knife|pack|work)(?![\w'])",
                    0.75,
                ),
                Pattern(
                    "lay_low",
                    r"(?<![\w'])(?:lay\s+low|leave\s+town|get\s+out\s+of\s+town|skip\s+town|"
                    r"don't\s+go\s+home|dont\s+go\s+home|turn\s+(?:off|your)\s+(?:your\s+)?phone)"
                    r"(?![\w'])",
                    0.35,
                ),
            ],
            "The text may warn a suspect about police action or tell them to hide evidence.",
            at_risk=_tip_off_at_risk,
            context=(
                "cops",
                "police",
                "warrant",
                "raid",
                "detectives",
                "feds",
                "looking for you",
                "tomorrow",
                "tonight",
                "coming",
                "investigators",
                "swat",
            ),
            context_window=80,
            context_boost=0.25,
            use_normalized=True,
        ),
        PatternDetector(
            "investigation.case_details",
            cat,
            [
                Pattern(
                    "forensics",
                    r"(?<![\w'])(?:the\s+)?(?:dna|fingerprints?|prints|ballistics|autopsy|"
                    r"toxicology|tox\s+(?:report|screen)|murder\s+weapon|shell\s+casings?|"
                    r"search\s+warrant\s+affidavit|surveillance\s+footage|lab\s+results?)\s+"
                    r"(?:\w+\s+){0,2}?(?:showed|shows|found|matched|matches|came\s+back|revealed|"
                    r"proves?|proved|says|said|belongs?\s+to|points?\s+to)(?![\w'])",
                    0.75,
                ),
                Pattern(
                    "inside_source",
                    r"(?<![\w'])(?:my|a)\s+(?:source|cousin|friend|buddy|brother|sister|uncle|aunt|"
                    r"dad|mom|wife|husband|neighbor)\s+(?:\w+\s+)?(?:in|at|on|works\s+(?:in|at|for))"
                    r"\s+the\s+(?:department|force|pd|precinct|sheriff's\s+office|da's\s+office|"
                    r"crime\s+lab|detective\s+unit|homicide\s+unit)\s+(?:\w+\s+)?(?:says|said|told\s+"
                    r"me|told\s+us)(?![\w'])",
                    0.75,
                ),
                Pattern(
                    "unreleased",
                    r"(?<![\w'])(?:(?:police|cops|detectives|investigators|they)\s+(?:haven't|have\s+"
                    r"not|didn't|did\s+not|won't)\s+released?\s+(?:this|that|it|the\s+name)\s*(?:yet\s*)?"
                    r"(?:but|,)|not\s+(?:been\s+)?released\s+(?:to\s+the\s+public\s+)?yet\s*(?:but|,))"
                    r"(?![\w'])",
                    0.75,
                ),
            ],
            "The text discloses details of an ongoing investigation.",
            use_normalized=True,
            at_risk=lambda name, found: {
                "forensics": "forensic evidence in an open case",
                "inside_source": "details of the investigation from inside it",
            }.get(name, "details the police have not released"),
        ),
    ]


def _tip_off_at_risk(name: str, found: str) -> str:
    """What a tip-off compromises: the operation's timing, evidence, or the arrest itself."""
    if name == "hide_evidence":
        return f"evidence ({clip(found, 0, len(found), 40)})"
    if name == "lay_low":
        return "an arrest (the suspect told to get away)"
    return "the timing of a police operation"


def build_ip() -> list[Detector]:
    """Links to pirated media, and whole copied articles."""
    cat = Category.IP.value
    return [
        PatternDetector(
            "ip.pirated_link",
            cat,
            [
                Pattern(
                    "pirate_site",
                    r"(?<![\w-])(?:[\w-]+\.)*(?:torrent\w*|warez\w*|putlocker\w*|123movies\w*|"
                    r"fmovies|gomovies|solarmovie|thepiratebay|piratebay|kickass\w*|1337x|rarbg|"
                    r"yts|eztv|limetorrents|popcorntime|soap2day|primewire|watchseries\w*|movie4k|"
                    r"rapidgator|nitroflare|zippyshare|fitgirl-repacks|igg-games|getintopc|"
                    r"crackwatch|skidrowreloaded|movierulz|tamilrockers|filmyzilla|"
                    r"freemoviesfull)\.[a-z]{2,10}(?:/\S*)?",
                    0.85,
                ),
                Pattern("magnet", r"magnet:\?xt=urn:[^\s]+|\S+\.torrent\b", 0.9),
                Pattern(
                    "watch_free",
                    r"\b(?:watch|download|stream)\s+(?:\S+\s+){0,6}?(?:full\s+movie|full\s+episodes?|"
                    r"free\s+online|online\s+free|for\s+free\s+(?:here|at|on)|free\s+hd)\b",
                    0.75,
                ),
                Pattern(
                    "cracked",
                    r"\b(?:cracked\s+(?:version|apk|software|games?)|keygen|serial\s+keys?\s+"
                    r"(?:free|generator)|nulled\s+(?:script|theme|plugin)|free\s+(?:mp3|album|ebook|"
                    r"pdf)\s+download|download\s+(?:the\s+)?(?:full\s+)?(?:album|movie|book)\s+free)\b",
                    0.75,
                ),
            ],
            "The text links to or offers pirated films, music, books or software.",
        ),
        CopiedArticleDetector(),
    ]


class CopiedArticleDetector(Detector):
    """A long text that carries another owner's copyright notice: a copied article."""

    id = "ip.copied_article"
    category = Category.IP.value
    explanation = "The text carries another owner's copyright notice: it may be a copied article."
    _marker = re.compile(
        r"(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?[^.\n]{0,80}?"
        r"all\s+rights\s+reserved\.?|all\s+rights\s+reserved\.?|this\s+material\s+may\s+not\s+be\s+"
        r"(?:published|reproduced|broadcast|rewritten|redistributed)[^.\n]*\.?|"
        r"(?:©|copyright)\s*\d{4}\s+[A-Z][^.\n]{2,60}",
        re.IGNORECASE,
    )

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """The copyright marker's span; longer texts score higher (a whole article)."""
        text = ctx.text
        low = text.lower()
        if "©" not in text and "copyright" not in low and "rights reserved" not in low:
            return []
        out = []
        for m in self._marker.finditer(text):
            score = 0.8 if len(text) >= 300 else 0.55
            out.append(self.finding([Span(*m.span())], m.group()[:80], score))
        return out
