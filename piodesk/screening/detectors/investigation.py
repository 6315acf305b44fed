"""Comments that could compromise an ongoing investigation (GO 409 §.20), as cue rules.

What is compromised is named in each explanation: a police operation (a raid, a warrant, an
undercover officer or surveillance) tipped off before it happens, a witness, informant or
arrested juvenile named, where evidence is hidden, evidence destroyed or detectives avoided,
or details the police have not released. Questions, requests for help, news quoted with
attribution and complaints about what already happened share the words and cancel the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.cues import CueDetector, CueRule, fill_at_risk, words
from piodesk.screening.model import Category

_POLICE = (
    r"cops?|police|feds|fbi|dea|atf|swat|narcs?|narcotics|detectives?|investigators?|"
    r"the\s+law|5-0|five-o|po\s?po|task\s+force|warrant\s+(?:squad|team)|(?:us\s+)?marshals|"
    r"deputies|troopers|sheriffs?|k9s?"
)
_TITLE_BEFORE = re.compile(
    r"(?:officer|ofc|det|detective|sgt|sergeant|lt|lieutenant|chief|deputy|trooper|"
    r"captain|capt|sheriff|judge|mayor|da)\.?\s*$",
    re.IGNORECASE,
)


# "Lincoln High", "Jefferson Elementary", "Grant St": a place named after a person
_PLACE_AFTER = re.compile(
    r"\s+(?:high|elementary|middle|school|academy|park|st|street|ave|avenue|rd|road|mall|"
    r"county|heights|gardens)\b",
    re.IGNORECASE,
)


def _names(text: str) -> list[tuple[int, int]]:
    """People's names (the name finder), but not officers' ("call Det. Ruiz")."""
    try:
        from piodesk.screening.models.names import find_person_names
    except ImportError:  # the models package is optional
        return []
    return [
        (s, e)
        for s, e, _score in find_person_names(text)
        if not _TITLE_BEFORE.search(text, max(0, s - 14), s)
        and not _PLACE_AFTER.match(text, e)
        and not _PLACE_AFTER.match(" " + text[s:e].split()[-1])
    ]


# fmt: off
_EVIDENCE = words(
        r"gun'?s?", r"pistol", r"knife", r"weapon", r"drugs", r"stash", r"the\s+stuff",
        r"the\s+money", r"the\s+bag", r"shell\s+casings", r"casings", r"burner(?:\s+phone)?",
        r"laptops", r"the\s+van", r"the\s+car", r"second\s+car", r"stolen\s+\w+", r"body",
        r"evidence(?!\s+(?:room|locker|warehouse|bags?|tape|unit|tech))", r"footage", r"tape",
        r"bullets",
    )
_HIDDEN_AT = words(
        r"(?:is|are|still)\s+(?:still\s+)?(?:in|under|behind|at|inside|buried|parked)",
        r"buried\s+in", r"hid\s+(?:the\s+\w+\s+|it\s+)?in", r"threw\s+\w+(?:\s+\w+)?\s+in",
        r"tossed\s+\w+(?:\s+\w+)?\s+(?:off|in)", r"moved\s+to", r"in\s+the\s+(?:trunk|wall|vent|"
        r"shed|storm\s+drain|creek|dumpster|glovebox|barn|garage|basement)",
        r"(?:under|behind)\s+(?:the|his|her)\s+\w+", r"'s\s+in\s+the",
    )

CUES: dict[str, str | Callable[[str], list[tuple[int, int]]]] = {
    # a police operation that has not happened yet, or is going on now
    "operation": words(
        r"raid(?:s|ing)?", r"search\s+warrants?", r"warrants?", r"sting", r"sweep",
        r"stak(?:e|ing)\s*out",
        r"staking", r"controlled\s+buy", r"bolo", r"wire(?:\s+room)?", r"wiretap", r"tapping",
        r"tracker", r"plate\s+readers?", r"swab", r"search(?:ing)?", r"pick\s+up", r"arrest",
        r"hit(?:ting)?\s+the\s+(?:house|spot|place|building|apartment)", r"serv(?:ed|ing)",
        r"waiting\s+(?:at|for|on)", r"watching", r"sitting\s+on", r"eyes\s+on",
        r"looking\s+for", r"(?:coming|comin|come)\s+(?:for|to|with|back)", r"headed\s+(?:to|for)",
        r"on\s+(?:their|the)\s+way", r"questioning", r"camera\s+on\s+the\s+pole",
        r"about\s+to\s+(?:raid|arrest|hit|search|pull|come|put)", r"circling",
        r"going\s+to\s+(?:raid|arrest|search|pick|hit|come)", r"gonna\s+(?:raid|arrest|search|"
        r"pick|hit|come|do|be\s+at)", r"(?:will|'ll)\s+(?:be\s+at|arrest|raid|search|pick)",
        r"planning\s+(?:a|to)", r"(?:got|have)\s+(?:a\s+)?(?:tracker|wire|tap|camera|undercover)",
    ),
    # operations that are police work whoever is named
    "op_strong": words(
        r"raid(?:s|ing)?", r"search\s+warrants?", r"warrants?", r"sting", r"sweep",
        r"stak(?:e|ing)\s*out",
        r"staking\s+out", r"controlled\s+buy", r"bolo", r"wire\s+room", r"wiretap",
        r"tapping\s+\w+\s+phone", r"tracker", r"plate\s+readers?", r"warrant\s+(?:squad|team)",
        r"task\s+force", r"swat", r"narcs?", r"feds", r"dea", r"atf", r"marshals",
    ),
    "future": words(
        r"tomorrow", r"tmrw", r"tmr", r"tonight", r"tonite", r"this\s+(?:week(?:end)?|friday|"
        r"saturday|sunday|monday|tuesday|wednesday|thursday)", r"next\s+week",
        r"(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
        r"at\s+(?:dawn|sunrise)", r"\d{1,2}\s*am", r"in\s+(?:like\s+)?\d+\s+min(?:ute)?s?",
        r"before\s+the\s+weekend", r"about\s+to", r"(?:gonna|going\s+to)\s+(?:raid|search|hit|"
        r"arrest|serve|do|be)", r"getting\s+served", r"going\s+down",
        r"right\s+now", r"rn", r"as\s+we\s+speak",
    ),
    "leak_strong": words(
        r"keeping\s+it\s+quiet", r"not\s+public",
        r"(?:he|she)\s+(?:doesn'?t|dont|don'?t)\s+know\s+yet",
        r"haven'?t\s+told\s+the\s+family", r"not\s+showing\s+it",
        r"(?:police|cops)\s+(?:dont|don'?t)\s+know",
        r"nobody\s+has\s+told\s+the\s+cops", r"know\s+about\s+the\s+\w+",
        r"haven'?t\s+searched", r"only\s+searched", r"(?:cops|police)\s+(?:only|never)",
        r"(?:they|cops|police|detectives)\s+(?:got|have)\s+(?:your|ur)\s+(?:face|plate|prints|dna|"
        r"name|car|phone)", r"(?:till|until|before)\s+the\s+arrest", r"not\s+public\s+yet",
        r"haven'?t\s+(?:announced|released)",
    ),
    "forensic": words(
        r"(?:finger)?prints", r"dna", r"swabs?", r"ballistics", r"(?:ring|doorbell|security|"
        r"gas\s+station)\s+(?:camera|cam|video|footage)", r"footage", r"your\s+face",
        r"(?:shooter|driver|suspect)'?s\s+name", r"plate\s+number",
    ),
    "not_yet": words(
        r"(?:he|she|they)\s+(?:doesn'?t|don'?t|dont)\s+know(?:\s+yet)?", r"doesn'?t\s+know\s+yet",
        r"haven'?t\s+(?:picked|arrested|charged|told|grabbed)", r"keeping\s+it\s+quiet",
        r"(?:till|until|before)\s+the\s+arrest", r"(?:should|better|needs\s+to)\s+get\s+gone",
        r"(?:going\s+to|gonna|about\s+to|will)\s+(?:get|grab|pick\s+up|arrest|come\s+for)\s+"
        r"(?:him|her|them|you|u)", r"not\s+public(?:\s+yet)?",
    ),
    "recovered": words(
        r"found\s+(?:a|the)\s+\w+\s+(?:in|while)", r"recovered", r"seized", r"returned",
        r"police\s+found", r"officers?\s+found", r"called\s+it\s+in", r"handed\s+it",
    ),
    "generic": words(
        r"all\s+(?:these|the|those)", r"scam", r"waste", r"shouldn'?t", r"should\s+have\s+to",
        r"policy", r"like\s+the\s+one", r"why",
    ),
    "police": words(_POLICE),
    # in one sentence with an operation, "they" are the police ("they coming to ur house")
    "police_they": words(_POLICE, r"they", r"they'?re", r"theyre"),
    # when: soon, or a day or hour that is coming
    "soon": words(
        r"tomorrow", r"tmrw", r"tmr", r"tmw", r"tonight", r"tonite", r"this\s+(?:week(?:end)?|"
        r"morning|afternoon|evening|friday|saturday|sunday|monday|tuesday|wednesday|thursday)",
        r"next\s+week", r"(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|"
        r"sunday)(?:\s+night|\s+morning)?", r"at\s+(?:dawn|sunrise|\d{1,2}\s*(?:am|pm)?)",
        r"\d{1,2}\s*am", r"in\s+(?:like\s+)?\d+\s+min(?:ute)?s?", r"right\s+now", r"rn", r"now",
        r"(?:in|tomorrow|thursday|friday|monday|tuesday|wednesday|saturday|sunday)\s+(?:the\s+)?"
        r"morning", r"first\s+thing",
        r"soon", r"before\s+the\s+weekend", r"as\s+we\s+speak", r"24/7", r"all\s+week",
        r"been\s+(?:going|there|by)", r"already", r"every\s+(?:day|night)",
    ),
    # a warning to the person the operation is about
    "warn": words(
        r"tell\s+(?:him|her|them|ur|your|ya|yo|\w+)",
        r"(?:somebody|someone)\s+(?:tell|warn|move|call)",
        r"call\s+(?:him|her|them)",
        r"warn\s+\w+", r"heads\s+up", r"fyi", r"pass\s+it\s+on", r"let\s+(?:your|ur|him|her|"
        r"them|everybody|everyone)\s+\w*\s*know", r"get\s+out", r"leave\s+(?:now|town|the\s+state)",
        r"move\s+(?:the|it|that|ur|your)", r"hide\s+(?:it|the|ur|your)", r"ditch", r"lose\s+the",
        r"don'?t\s+(?:go|open|talk|answer|show|say|sell|bring|meet|post)", r"do\s+not\s+go",
        r"stay\s+(?:away|off|quiet|out)", r"be\s+careful", r"careful", r"watch\s+(?:who|what|out)",
        r"if\s+he'?s\s+smart",
        r"(?:he|she|you|u)\s+(?:needs?|should|shouldn'?t|better|gotta|gotta\s+not)",
        r"switch\s+(?:numbers|phones)", r"check\s+under",
        r"keep\s+(?:it|that)\s+(?:quiet|that\s+way)",
        r"go\s+to\s+(?:his|her)\s+\w+", r"leave\s+thru|leave\s+through", r"get\s+rid",
        r"(?:yall|y'all|everybody|everyone|ppl|bro)", r"just\s+saying",
    ),
    # an undercover officer or surveillance pointed out
    "undercover": words(
        r"undercover(?:\s+(?:cop|officer|female\s+officer|uber\s+driver|in|at))?", r"a\s+narc",
        r"is\s+a\s+cop", r"are\s+cops", r"is\s+(?:a|the)\s+detectives?", r"unmarked",
        r"plain\s*clothes", r"posing\s+as", r"surveillance\s+van", r"is\s+an?\s+undercover",
        r"(?:ci|informant)\s+they'?re\s+using", r"is\s+the\s+detectives",
        r"(?:the\s+)?(?:feds|cops|police|detectives|narcs)\s+(?:watching|sitting\s+on|"
        r"staking\s+out)",
    ),
    "where_who": words(
        r"(?:the\s+)?(?:guy|lady|girl|man|woman|dude|van|car|truck|tahoe|charger|honda|suv|"
        r"new\s+guy|bald\s+guy|homeless\s+guy|new\s+neighbor)", r"in\s+(?:a|the)\s+\w+",
        r"(?:at|outside|by|on|in|behind|near)\s+(?:the\s+)?[\w']+", r"been\s+there",
    ),
    # a role in a case that must stay unnamed, and a name
    "role": words(
        r"(?<!to\s)witness(?:es)?", r"eye\s*witness", r"informant", r"snitch", r"ratted",
        r"the\s+ci",
        r"ci", r"wore\s+a\s+wire", r"wearing\s+a\s+wire", r"testif(?:y|ied)\s+(?:against|at)",
        r"one\s+(?:who|that)\s+"
        r"(?:called|told|talked|reported|snitched|saw|set)", r"called\s+(?:it\s+in|911|the\s+cops)",
        r"went\s+to\s+the\s+cops", r"turned\s+the\s+gun\s+in", r"gave\s+the\s+cops",
        r"told\s+the\s+cops", r"working\s+with\s+the\s+cops", r"cooperating",
        r"(?:who|that)\s+(?:talked|spoke|talks)\s+to\s+the\s+(?:detectives|cops|police|feds|da)",
        r"(?:been|is|was)\s+talking\s+to\s+the\s+(?:narcs|cops|police|feds|detectives|da)",
        r"(?:he|she)'?s\s+the\s+reason\s+(?:they|the\s+cops|the\s+police)",
        r"giving\s+the\s+narcs", r"set\s+him\s+up", r"victim(?:'s\s+name)?",
        r"keeps\s+calling\s+them", r"suspect\s+in\s+the",
    ),
    "role_strong": words(
        r"(?:confidential\s+)?informants?", r"snitch(?:es)?", r"the\s+ci", r"wore\s+a\s+wire",
        r"wearing\s+a\s+wire", r"(?<!a\s)(?<!as\s)(?<!was\s)witness(?:es)?",
    ),
    "identify": words(
        r"(?:is|'s|was)\s+the\s+(?:girl|guy|lady|man|woman|dude|kid|boy|one)\s+(?:who|that|with|"
        r"from|at|in)\s+(?:works|lives|stays|drives|runs|owns)",
        r"(?:works|lives|stays)\s+(?:at|on|in|over\s+on)\s+(?:the\s+)?\w+",
    ),
    "self": words(r"i'?m", r"i\s+am", r"i\s+was", r"my\s+(?:son|daughter|wife|husband|mom|dad)"),
    "juvenile": words(
        r"\d{1,2}\s*(?:yr|year|y/?o)s?(?:[- ]old)?", r"\d{1,2}-year-old", r"juvenile", r"minor",
        r"teen(?:ager)?", r"kid", r"boy", r"girl", r"(?:only|is|he's|she's)\s+\d{1,2}",
        r"son", r"goes\s+to\s+\w+(?:\s+high)?",
    ),
    "arrested": words(
        r"arrested", r"picked\s+up", r"took\s+in", r"charged", r"got\s+arrested",
        r"they\s+arrested", r"in\s+custody", r"suspect", r"they\s+(?:got|took)", r"caught",
        r"busted", r"locked\s+up",
    ),
    "name": _names,
    # evidence, and where it is (hidden, not found)
    # the evidence and, within three words, where it is
    "evidence_at": _EVIDENCE + r"(?:\s+[\w']+){0,5}?\s+" + _HIDDEN_AT + "|" + words(
        # the act first: "she hid the gun in the diaper bag", "he tossed the pistol off the bridge"
        r"(?:hid|hidden|stashed|tossed|threw|dumped|buried|ditched|dropped)\s+(?:the|his|her|"
        r"their|that|a|my)\s+(?:\w+\s+)?(?:gun|pistol|knife|weapon|drugs|stash|money|bag|"
        r"phone|burner|clothes|hoodie|jacket|shoes|evidence|car|plates?)\s+(?:off|in|into|under|"
        r"behind|at|inside|near|down)"),
    "not_found": words(
        r"never\s+(?:checked|looked|found)", r"haven'?t\s+(?:found|searched|looked|told)",
        r"didn'?t\s+(?:check|find|look)", r"missed", r"still\s+(?:in|there|has|got|parked)",
        r"don'?t\s+know", r"doesn'?t\s+know", r"nobody\s+(?:has\s+)?told", r"before\s+they\s+do",
        r"go\s+get\s+(?:it|them)", r"keep\s+it\s+that\s+way", r"only\s+searched", r"wrong\s+car",
        r"not\s+saying", r"before\s+the\s+raid", r"under\s+(?:the\s+)?tarp", r"oops", r"lol",
        r"check\s+it", r"they\s+never", r"cops\s+only", r"whoever\s+did",
    ),
    # destroying evidence, or keeping away from detectives
    "destroy": words(
        r"delete", r"wipe", r"get\s+rid\s+of", r"burn", r"bleach", r"ditch", r"lose",
        r"toss", r"dump", r"paint", r"destroy", r"hide",
    ),
    "destroy_object": words(
        r"(?:ur|your|the|that|his|her|those|all\s+the)\s+(?:\w+\s+)?(?:phone|texts?|messages|"
        r"footage|video|"
        r"clothes|hoodie|jacket|sneakers|shoes|jordans|gun|pistol|knife|evidence|car|plates?|"
        r"stash|burner|hoodie)", r"everything\s+off", r"it\s+or\s+get\s+rid",
    ),
    "avoid": words(
        r"don'?t\s+(?:talk|say|answer|open|tell|let\s+them)",
        r"dont\s+(?:talk|say|answer|open|tell)",
        r"keep\s+(?:your|ur)\s+mouth\s+shut", r"stay\s+quiet", r"say\s+you\s+weren'?t",
        r"skip\s+the\s+interview", r"refuse", r"better\s+not\s+testify", r"not\s+show",
        r"don'?t\s+show", r"keep\s+quiet", r"(?:don'?t|dont)\s+(?:pick\s+up|answer\s+the)",
        r"stay\s+off\s+(?:facebook|fb|social|insta\w*|"
        r"snap\w*|the\s+internet|your\s+phone)", r"(?:don'?t|dont)\s+post",
        r"delete\s+(?:your|ur)\s+"
        r"(?:posts|messages|texts|account)", r"lawyer\s+up",
    ),
    "detectives": words(
        r"detectives?", r"cops", r"police", r"the\s+law", r"feds", r"swab", r"investigators?",
    ),
    # pressure on a witness: "she better not testify", "if he talks"
    "witness_warn": words(
        r"(?:better|had\s+better|should|would\s+be\s+smart\s+to)\s+not\s+(?:testify|talk\s+to|"
        r"go\s+to\s+court|show\s+up\s+(?:to|in|at)\s+court|say\s+anything\s+to)",
        r"if\s+(?:she|he|they)\s+(?:testif(?:y|ies)|snitch(?:es)?|talks?\s+to\s+the\s+(?:cops|"
        r"police|"
        r"detectives|da))", r"(?:is|are)\s+(?:gonna|going\s+to)\s+testify",
    ),
    "witness_who": words(
        r"(?:one|girl|guy|lady|man|woman|kid)\s+(?:who|that)\s+(?:saw|called|told|seen)",
        r"knows?\s+(?:she|he)'?s\s+the\s+one", r"everybody\s+knows", r"lives\s+on", r"works\s+at",
        r"[a-z]+'s\s+(?:house|mom|cousin|girl)",
    ),
    # details the police hold back
    "inside": words(
        r"(?:my|a)\s+(?:cousin|uncle|aunt|friend|homegirl|buddy|source|sister|brother)\s+"
        r"(?:in|at|who\s+(?:works|cleans))", r"off\s+(?:the\s+)?record", r"told\s+my\s+friend",
        r"cop\s+at\s+the", r"detective\s+told\s+me", r"(?:my\s+)?cousin\s+works\s+there",
    ),
    "leak": words(
        r"haven'?t\s+told", r"not\s+public", r"keeping\s+it\s+quiet", r"doesn'?t\s+know\s+yet",
        r"not\s+showing", r"main\s+suspect", r"think\s+it\s+was", r"told\s+me\s+the\s+plan",
        r"sent\s+it\s+to\s+me", r"confession", r"(?:got|found)\s+(?:dna|prints|blood)",
        r"matched", r"know\s+who\s+did", r"have\s+the\s+shooter'?s\s+name",
        r"said\s+they'?re\s+about\s+to", r"it'?s\s+coming", r"searching", r"arrest",
    ),
    # what cancels: questions, news, past complaints, requests to the police
    "question": r"\?",
    "news": words(
        r"per\s+the", r"according\s+to", r"reported", r"reports", r"the\s+news", r"news",
        r"press\s+release", r"court\s+(?:documents|ruling)", r"channel\s+\d+", r"the\s+article",
        r"gazette", r"herald", r"tribune", r"on\s+tv", r"said\s+at\s+the\s+press",
        r"published", r"public\s+record",
    ),
    "request": words(
        r"please", r"can\s+(?:i|someone|you)", r"how\s+(?:do|can|long)", r"who\s+(?:do|should)",
        r"call\s+the\s+tip\s+line", r"tip\s+line", r"thank\s+you", r"thanks", r"i\s+hope",
        r"hope\s+they", r"proud", r"good\s+job", r"if\s+you\s+see",
        r"should\s+(?:stop|publish|release)",
        r"good\s+advice", r"reward",
    ),
    "advice": words(r"without\s+a\s+lawyer", r"lawyer", r"attorney", r"your\s+rights"),
    "past": words(
        r"last\s+(?:month|year|week|friday)", r"in\s+(?:19|20)\d\d", r"years?\s+ago",
        r"already\s+(?:interviewed|spoke|talked|handed)", r"was\s+a\s+disgrace",
        r"called\s+it\s+in", r"handed\s+it", r"turned\s+it\s+in", r"after\s+(?:the|your|their)",
    ),
}
# fmt: on

_WITNESS = "The text names a witness, informant or person who reported a crime"
RULES: tuple[CueRule, ...] = (
    CueRule(
        "investigation.named_party",
        ("witness_warn", "witness_who"),
        "The text points out a witness and warns them off testifying: it puts the witness and "
        "the case at risk.",
        0.8,
        unless=("news", "past"),
        scope="text",
        unless_in_text=True,
        at_risk="a witness",
    ),
    CueRule(
        "investigation.tip_off",
        ("op_strong", "future"),
        "Tip-off: the text says when a police operation (raid, warrant, sting or task force) "
        "will happen, before it does.",
        0.75,
        unless=("question", "news", "request", "past"),
        scope="text",
        at_risk="the timing of a police operation ({op_strong}, {future})",
    ),
    CueRule(
        "investigation.tip_off",
        ("op_strong", "warn"),
        "Tip-off: the text warns someone about a police operation or surveillance.",
        0.7,
        unless=("question", "news", "request", "past", "generic"),
        scope="text",
        at_risk="a police operation or surveillance ({op_strong})",
    ),
    CueRule(
        "investigation.case_details",
        ("police", "leak_strong"),
        "The text discloses what the police know or have not yet searched in an open case.",
        0.7,
        unless=("question", "news", "request", "past"),
        scope="text",
        at_risk="what the police know in an open case ({leak_strong})",
    ),
    CueRule(
        "investigation.tip_off",
        ("police", "operation", "soon", "warn"),
        "Tip-off: the text warns someone about a police operation (raid, warrant, arrest or "
        "surveillance) before it happens.",
        0.8,
        unless=("question", "news", "request", "past"),
        scope="text",
        at_risk="the timing of a police operation ({operation}, {soon})",
    ),
    CueRule(
        "investigation.tip_off",
        ("operation", "warn", "police_they"),
        "Tip-off: the text tells someone what the police are doing so they can get away.",
        0.7,
        unless=("question", "news", "request", "past"),
        at_risk="a police operation under way ({operation})",
    ),
    CueRule(
        "investigation.undercover",
        ("undercover", "where_who"),
        "The text points out an undercover officer or police surveillance, which compromises "
        "the operation and puts the officer at risk.",
        0.8,
        unless=("question", "news", "request", "past", "generic"),
        at_risk="an undercover officer or surveillance ({undercover})",
    ),
    CueRule(
        "investigation.named_party",
        ("role", "name"),
        f"{_WITNESS}: it puts the person and the case at risk.",
        0.75,
        unless=("question", "news", "request"),
        scope="text",
        at_risk="{role}",
    ),
    CueRule(
        "investigation.named_juvenile",
        ("juvenile", "arrested", "name"),
        "The text names a juvenile who was arrested or is a suspect or victim in a case.",
        0.75,
        unless=("question", "news", "request"),
        scope="text",
        at_risk="a juvenile",
    ),
    CueRule(
        "investigation.evidence_location",
        ("evidence_at", "not_found"),
        "The text says where evidence is hidden that the police have not found, so it can be "
        "moved before they do.",
        0.75,
        unless=("question", "news", "request", "past"),
        scope="text",
        at_risk="the location of evidence ({evidence_at})",
    ),
    CueRule(
        "investigation.evidence_location",
        ("evidence_at",),
        "The text says where evidence in a case is.",
        0.6,
        unless=("question", "news", "request", "past", "recovered"),
        at_risk="the location of evidence ({evidence_at})",
    ),
    CueRule(
        "investigation.destroy_evidence",
        ("destroy", "destroy_object"),
        "The text tells someone to destroy or hide evidence.",
        0.7,
        unless=("question", "news", "request", "past"),
        at_risk="evidence ({destroy_object})",
    ),
    CueRule(
        "investigation.avoid_detectives",
        ("avoid", "detectives"),
        "The text tells people to keep from the detectives or not to testify in a case.",
        0.7,
        unless=("question", "news", "request", "past", "advice"),
        scope="text",
        at_risk="the detectives' interviews (people told to keep from them)",
    ),
    CueRule(
        "investigation.case_details",
        ("forensic", "not_yet"),
        "The text tells a suspect what evidence the police hold before they act on it.",
        0.75,
        unless=("question", "news", "request", "past"),
        scope="text",
        at_risk="evidence the police hold ({forensic}) and the arrest to come",
    ),
    CueRule(
        "investigation.named_party",
        ("role_strong", "identify"),
        "The text points out who a witness or informant is: it puts the person and the case "
        "at risk.",
        0.7,
        unless=("question", "news", "request", "self"),
        scope="text",
        unless_in_text=True,
        at_risk="{role_strong}",
    ),
    CueRule(
        "investigation.case_details",
        ("inside", "leak"),
        "The text discloses details of an ongoing investigation from someone inside it.",
        0.75,
        unless=("question", "news", "request"),
        scope="text",
        at_risk="details of the investigation not yet released ({leak})",
    ),
)


# Who a named person is in the case, from the words that called them so (most telling first).
_PARTY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), who)
    for rx, who in (
        (
            r"informant|snitch|\brat\b|ratted|\bci\b|wire|cooperat|working\s+with|giving\s+the|"
            r"set\s+(?:him|her|them)\s+up|told\s+the|went\s+to\s+the|gave\s+the|keeps\s+calling",
            "an informant (someone helping the police)",
        ),
        (
            r"juvenile|minor|teen|\bkid\b|\bboy\b|\bgirl\b|year[- ]old|\by/?o\b|\byrs?\b",
            "a juvenile",
        ),
        (r"victim|survivor|accuser|complainant", "a victim"),
        (r"witness|testif|\bsaw\b|called|reported|turned\s+the", "a witness"),
        (r"suspect|shooter", "a suspect not yet charged"),
    )
)


def party_at_risk(words_: str) -> str:
    """What naming this person compromises: "a witness", "an informant", "a juvenile"..."""
    for rx, who in _PARTY:
        if rx.search(words_):
            return who
    return "a person in the case"


def _at_risk(rule: CueRule, met: Mapping[str, str]) -> str:
    if rule.at_risk in ("{role}", "{role_strong}"):
        return party_at_risk(met.get(rule.at_risk[1:-1], ""))
    return fill_at_risk(rule, met)


def build() -> list[Detector]:
    """The investigation cue rules as one detector."""
    return [
        CueDetector(
            "investigation.cues",
            Category.INVESTIGATION.value,
            CUES,
            RULES,
            "The text could compromise an ongoing investigation.",
            at_risk=_at_risk,
        )
    ]
