"""Threats to any person or organization (GO 409 §.20): direct, conditional, wished and veiled.

Phrase rules over the normalized text (so "k1ll u" reads as "kill u"). A threat needs a speaker
who means it ("I'll", "we're gonna", "someone should", "I hope ... dies") or an order to do it
("kill all ..."), a violent act and, for acts that have everyday senses ("beat", "shoot",
"burn"), a person or place as the target. Negation in the same clause ("I would never hurt
anyone", "nobody should shoot officers") cancels the hit. Saying that the police hurt people,
or that you hate them, is not a threat.
"""

from __future__ import annotations

import re

import ahocorasick

from piodesk.screening.detectors.base import Detector, ScanContext, clip
from piodesk.screening.model import Category, Finding
from piodesk.screening.normalize import normalize

THREAT = Category.THREAT.value

# Acts whose every sense is violent: any object will do.
_STRONG = (
    r"(?:k[i!*]{1,2}l{1,2}|kii|murder|stab|strangle|lynch|behead|decapitate|rape|slaughter|massacre|"
    r"execute|torture|shank|exterminate|bomb|blow\s+up|firebomb|hunt\s+down|gun\s+down|"
    r"(?:slit|cut)\s+(?:\w+\s+)?throats?|shoot\s+up|curb\s*stomp|"
    r"put\s+(?:a|one|two)\s+(?:bullet|cap|round|slug)s?\s+in|"
    r"snipe|assassinate|burn\s+alive|set\s+fire\s+to|molotov|string\s+up|"
    r"empty(?:ing)?\s+(?:a|my|the|this|his)\s+(?:clip|mag|magazine|glock|gun)|"
    r"break\s+every\s+bone\s+in|hunt\s+(?:\w+\s+){1,3}like\s+(?:an?\s+)?(?:animal|dog|deer|rat)s?)"
)
# Acts with everyday senses: only with a person (or a place, for burn/bomb-like) as target.
_WEAK = (
    r"(?:shoot|shot|beat|beat\s+up|bash|punch|hurt|harm|attack|assault|smash|slap|whoop|cap|pop|"
    r"destroy|cut|break|jump|wreck|knock\s+out|hunt|fuck\s+up|f\s+up|mess\s+up|choke|hang|drown|"
    r"poison|run\s+over|burn|burn\s+down|stomp|bust|end|gas|nuke|torch|put\s+down|skin|gut|"
    r"smack|kick|whip|whoop|stone|bury|crush|set\s+fire\s+to|set\s+on\s+fire|"
    r"whipped|smacked|slapped|punched|kicked|stabbed|shot|killed|beaten)"
)
#: Groups of people (identity, politics, roles) and their members, singular and plural.
_GROUP = (
    r"(?:immigrants?|migrants?|refugees?|foreigners?|illegals|muslims?|jews?|christians?|hindus?|"
    r"sikhs?|arabs?|asians?|mexicans?|africans?|blacks|whites|gays?|lesbians?|queers?|"
    r"trans(?:gender)?\s+(?:people|persons?|women|woman|men|man|kids)|trannys?|trannies|"
    r"women|woman|girls?|feminists?|disabled\s+(?:people|persons?|folks|kids)|cripples?|"
    r"retards?|homeless\s+(?:people|guys?|men)|protesters?|activists?|liberals?|"
    r"conservatives?|democrats?|republicans?|leftists?|"
    r"(?:black|white|gay|jewish|muslim|brown|asian|mexican|disabled|trans|old|homeless|"
    r"foreign|illegal)\s+(?:people|persons?|person|folks|guys?|men|man|women|woman|kids?|"
    r"couples?|families|family|boys?|girls?))"
)
_PERSON = (
    r"(?:you|u|ya|yall|y'all|ye|him|her|them|em|'em|everyone|everybody|anyone|anybody|someone|"
    r"somebody|whoever|all\s+(?:of\s+)?(?:you|them|y'all)|every\s+(?:single\s+)?(?:one|last\s+one|"
    r"cop|pig|officer)|"
    r"(?:the|that|this|those|these|your|ur|his|her|their|every|all|some|a|an|any)\s+"
    r"(?:\w+\s+)?(?:cops?|pigs?|officers?|police(?:man|men|woman)?|deputy|deputies|chief|sheriff|"
    r"mayor|judge|detective|sergeant|sarge|guy|dude|man|woman|kid|kids|family|wife|husband|"
    r"son|daughter|children|people|bitch|bastard|face|head|skull|neck|legs?|teeth|ass|"
    r"house|home|car|station|precinct|school|mall|church|mosque|synagogue|temple|building|"
    r"courthouse|office|hq|headquarters|department|city\s+hall|jail|parade|rally|protest|"
    r"crowd|dispatcher|lieutenant|captain|commissioner|governor|president|senator|reporter)s?|"
    r"(?:cops|pigs|officers|police|jews|muslims|christians|blacks|whites|gays|immigrants|"
    r"mexicans|women|men|feminists|liberals|conservatives|republicans|democrats|protesters|"
    r"people)|"
    # groups and their members, with or without a determiner ("the next immigrant", "every
    # trans person", "those refugees", "gay couples")
    r"(?:(?:the|that|this|those|these|every|all|any|some|a|an|next)\s+(?:\w+\s+){0,2})?"
    r"(?:" + _GROUP + r"))"
)
_SUBJECT = (
    r"(?:i|we|i'm|im|i\s+am|we're|we\s+are|ima|imma|i'ma|ill|i'll|we'll|i'd|id|we'd|"
    r"i\s+will|we\s+will|i\s+would|i\s+shall|i\s+want\s+to|i\s+wanna|we\s+wanna|i'm\s+gonna|"
    r"i\s+gotta|i\s+have\s+to|i'm\s+about\s+to|i\s+swear\s+i'll|i\s+swear\s+i\s+will|"
    r"i\s+wanted\s+to|i\s+would\s+love\s+to|i'd\s+love\s+to|i\s+would\s+like\s+to|"
    r"am\s+(?:going\s+to|gonna)|i\s+would\s+(?:have|had)|"
    # the writer and their people: "me and my boys gonna jump...", "my crew will..."
    r"(?:me|i)\s+and\s+(?:my|the)\s+(?:boys|guys|crew|brothers|cousins|homies|dudes|friends|"
    r"people|family)|my\s+(?:boys|crew|homies|cousins|brothers)|"
    # no subject, at the start of a clause only ("gonna beat that deputy", "... . finna shoot")
    r"(?:(?<![\s\S])|(?<=[.!?,;:\n])|(?<=[.!?,;:\n]\s))(?:gonna|finna|bout\s+to|imma|ima))"
)
_WILL = (
    r"(?:'ll|\s+will|\s+would|\s+gonna|\s+going\s+to|\s+finna|\s+about\s+to|\s+gon|\s+shall|"
    r"\s+wanna|\s+want\s+to|\s+am\s+going\s+to|\s+are\s+going\s+to|\s+are\s+gonna|\s+am\s+gonna|"
    r"\s+plan\s+to|\s+intend\s+to|\s+will\s+personally|\s+could|\s+should|\s+must|\s+need\s+to|"
    r"\s+have\s+to|\s+gotta|\s+ought\s+to|\s+might|\s+can)?"
)
# Up to N words inside one clause (no sentence punctuation).
_GAP3 = r"(?:\s+[^\s.!?;]+){0,3}?\s+"
_GAP5 = r"(?:\s+[^\s.!?;]+){0,5}?\s+"
_B = r"(?<![\w'])"
_E = r"(?![\w'])"

_WISH_LEAD = (
    r"(?:i\s+hope|hope|hopefully|i\s+wish|wish|i\s+pray|i\s+want|someone\s+(?:should|needs\s+to|"
    r"oughta|ought\s+to|has\s+to|gotta|better)|somebody\s+(?:should|needs\s+to|oughta|ought\s+to|"
    r"has\s+to|gotta|better)|should\s+(?:all\s+)?(?:be|get)|needs?\s+to\s+(?:be|get)|"
    r"deserve[sd]?\s+to\s+(?:be|get)|(?:have|has)\s+to\s+(?:be|get)|deserve[sd]?\s+(?:a|to)|deserved|i\s+wished|ought\s+to\s+be|must\s+be|gotta\s+be|"
    r"oughta\s+be|must|should|may\s+(?:you|he|she|they|it)|let\s+(?:him|her|them|it)|can't\s+wait\s+(?:for|till|until))"
)
_WISHED = (
    r"(?:kills|murders|shoots|stabs|hangs|lynches|rapes|runs\s+over|"
    r"die|dies|dying|died|dead|killed|shot|shot\s+dead|hanged|hung|lynched|executed|raped|"
    r"murdered|beaten|beat\s+up|burned|burnt|burn|stabbed|gassed|exterminated|slaughtered|"
    r"wiped\s+out|tortured|a\s+bullet|bullets|run\s+over|get\s+cancer|cancer|put\s+down|"
    r"six\s+feet\s+under|beheaded|lined\s+up\s+(?:\w+\s+){0,4}?and\s+(?:shot|killed|executed|"
    r"hanged|gassed)|rot\s+in\s+hell|burn\s+in\s+hell|"
    r"castrated|strung\s+up|deported\s+and\s+(?:killed|shot|hanged)|eradicated|eliminated|"
    r"destroyed|blown\s+up|crushed|drowned|abused|gunned\s+down|burned\s+alive|death|"
    r"hiv|aids|annihilated|wiped\s+off|perish|rot|removed\s+from\s+the\s+face\s+of\s+the\s+earth|"
    r"sterili[sz]ed|euthani[sz]ed|extinguished|put\s+to\s+death|chopped|stoned|whipped|"
    r"set\s+on\s+fire|buried|attacked|dragged\s+behind\s+(?:a\s+)?(?:trucks?|cars?|horses?)|"
    r"thrown\s+off\s+(?:a\s+)?(?:bridges?|buildings?|roofs?|cliffs?))"
)
_ORDER_LEAD = (
    r"(?:^|[.!?\n]\s*|let's\s+|lets\s+|let\s+us\s+|just\s+|go\s+|time\s+to\s+|we\s+must\s+|"
    r"start\s+|(?:best|only)\s+(?:\w+\s+){0,4}?(?:do|solution|answer|way)\s+is\s+(?:to\s+)?)"
)
_ORDER_TARGET = (
    r"(?:(?:their|his|her|your|ur|that|this)\s+(?:\w+\s+)?(?:ass|asses|face|faces|heads?)|"
    r"(?:that|this)\s+\w+'s\s+(?:ass|face|head)|"
    r"(?:that|this|every|each)\s+(?:\w+\s+)?(?:bitch|bastard|whore|cunt|slut|fag|faggot|"
    r"tranny|guy|dude|man|woman|kid|boy|girl|pig|cop)s?|"
    r"all|every|them|those|these|him|her|em|'em|reporters|politicians|the\s+(?:\w+\s+)?(?:cops|pigs|police|officers|"
    r"chief|mayor|judge|jews|muslims|blacks|whites|gays|immigrants)|cops|pigs|police|officers|"
    r"jews|muslims|blacks|whites|gays|immigrants|mexicans)"
)

_NEGATION = re.compile(
    r"(?<![\w'])(?:not|never|no\s+one|nobody|noone|don't|dont|do\s+not|won't|wont|wouldn't|"
    r"wouldnt|can't|cant|cannot|couldn't|couldnt|shouldn't|shouldnt|should\s+not|didn't|didnt|"
    r"doesn't|doesnt|ain't|aint|isn't|isnt|no\s+reason\s+to|refuse\s+to|"
    r"condemn|oppose|wrong\s+to|unacceptable\s+to|shame\s+on|"
    r"whoever\s+(?:threatens|says)|nobody\s+should|none\s+of\s+(?:us|them|you|we)|"
    # "no woman deserves to be beaten", "no cop should be shot"
    r"no\s+[a-z]+(?:\s+[a-z]+)?\s+(?:deserves?|should|ought|needs?|must|has\s+to)|"
    r"no\s+one\s+should|no\s+way|(?:the\s+)?last\s+thing\s+(?:i|we|anyone|anybody|any\s+of\s+us))(?![\w'])"
)
# A word that may stand before the noun a violent verb is aimed at ("the old parking rule", "the
# red light camera"): not an article, preposition or pronoun ("hanging from a tree" is no thing).
_MOD = (
    r"(?:(?!(?:a|an|the|from|with|in|on|at|to|of|for|by|and|or|into|off|up|down|out|over|under|"
    r"him|her|them|you|me|us)\s)[\w-]+\s+)"
)
# Everyday idioms that look like threats.
_IDIOM = re.compile(
    r"(?:(?:kill|nuke|bomb|gas|shoot|execute|destroy|hang|stone)(?:ing|s|ed)?\s+"
    r"(?:(?:the|this|that|a|an|their|your|our|his|her|its|every|all)\s+)?" + _MOD + r"{0,2}?"
    r"(?:bill|bills|budget|plan|proposal|program|programme|deal|measure|ordinance|idea|rules?|"
    r"increase|hike|fees|"
    r"project|funding|contract|policy|law|motion|amendment|initiative|levy|tax|fee|grant|"
    r"lights|engine|vibe|mood|buzz|joke|argument|rumou?r|myth|narrative|question|photo|pic|"
    r"picture|shot|video|email|message|interview|scene|diet|inbox|noise|crossword|printer|"
    r"appetite|comments|mentions|dms|phone|notifications)\b|"
    r"blow(?:ing|s)?\s+up\s+(?:(?:your|my|his|her|their|the|our|this)\s+)?(?:\w+\s+)?(?:inbox|"
    r"phones?|dms|mentions|notifications|comments|chat|group\s*chat|timeline|feed|page|"
    r"voicemail|email|emails|lines?|switchboard|internet|wall)\b|"
    # burying someone in paper: "we will bury you in public records requests"
    r"bur(?:y|ied|ying)\s+(?:\w+\s+){1,3}?(?:in|with|under)\s+(?:\w+\s+){0,3}?(?:requests|"
    r"paperwork|complaints|lawsuits|emails|letters|calls|votes|signatures|petitions|paper|"
    r"questions|records|motions|subpoenas|foia)\b|"
    r"(?:shoot|shot|shooting)\s+(?:myself|ourselves|itself|themselves|yourself)\s+in\s+the\s+"
    r"foot|(?:the\s+)?death\s+of\s+me|kill(?:ing|s)?\s+me\b|could\s+kill\s+for|"
    r"(?:would|'d|will|i)\s+(?:die|kill)\s+for\s+(?:my|our|a|an|some|the|this|that)\b|"
    r"(?:just\s+)?kidding|\bjk\b|\bjoking\b|drop\s+dead\s+(?:gorgeous|beautiful|handsome)|"
    r"shoot\s+(?:straight|square)|take\s+a\s+bullet\s+for|"
    r"shot\W+(?:\w+\W+){0,2}?on\s+(?:camera|video|film|tape|bodycams?)|"
    r"bomb\s+(?:squad|threat|dog|sniffing|technicians?|unit|scare)|"
    # the maker of a thing, not a person threatened: "shoot the guy who designed this road"
    r"(?:whoever|(?:the|that|this)\s+(?:\w+\s+)?(?:guy|person|people|genius|idiot|clown|"
    r"engineers?|folks|dude|one)s?\s+(?:who|that))\s+(?:designed|made|invented|came\s+up|"
    r"planned|decided|built|wrote|timed|programmed|scheduled|approved)|"
    r"rot\s+in\s+(?:prison|jail|a\s+cell)|"
    # storming a place with a harmless errand: "storm the station with thank-you cards"
    r"(?:storm|hit)\s+(?:[\w'-]+\s+){1,6}?(?:with|for)\s+(?:[\w'-]+\s+){0,3}?(?:cards|flowers|"
    r"cookies|petitions?|signs|questions|drive|registration|open\s+house|bake\s+sale|"
    r"donations?|thank-?you\w*|food|toys|coffee)|"
    r"hang(?:ing|s)?\s+(?:out|on|in\s+there|tight|around|up)\b|"
    r"die\s+on\s+(?:a|that|this|another|the|any)\s+hill|dying\s+to\s+(?:see|know|meet|try)|"
    r"kill(?:ing|s|ed)?\s+(?:it|time|me|for|to\s+(?:meet|see|have|be|get|go|know)|"
    r"the\s+(?:lights|game|vibe|mood|engine|bill|process|"
    r"music|messenger))|dead\s+(?:wrong|serious|right|on|tired|last|end|set)|"
    # sending someone a message: "shoot you a text", "shoot the lieutenant a quick email"
    r"(?:shoot|fire\s+off|drop)\s+(?:(?:me|you|u|him|her|them|us)\s+|(?:the|your|our|my|that|"
    r"this)\s+(?:[\w']+\s+){1,2}?)?(?:a|an|the|some)\s+(?:quick\s+|short\s+|brief\s+|little\s+)?"
    r"(?:message|email|text|video|photo|pic|picture|film|scene|shot|hoops|breeze|line|note|dm)|shot\s+(?:of|at\s+(?:the|a)\s+(?:title|job|position))|"
    r"beat\s+(?:the|a)\s+(?:traffic|rush|heat|record|odds|system|game|deadline|charge|case|ticket)|"
    r"break\s+(?:the|a|his|her|their|your)\s+(?:news|record|law|rules?|story|ice|silence|habit|"
    r"promise|heart|bank)|get\s+(?:you|him|her|them|em)\s+(?:a|an|some|the|to|into|out|back|home|"
    r"help|fired|elected|removed)|find\s+(?:you|him|her|them)\s+(?:a|an|the|some|guilty|innocent|"
    r"liable|not)|end\s+(?:the|this|that|a|his|her|their|your)\s+(?:day|year|meeting|program|"
    r"policy|practice|war|cycle|contract|career|term|story|discussion|debate)|"
    r"hurt\s+(?:my|your|his|her|their|our)\s+(?:feelings|chances|case|business|reputation)|"
    r"attack\s+(?:the|this|that)\s+(?:problem|issue|question)|drown(?:ing)?\s+in|"
    r"visit\s+(?:the|your|our)\s+(?:website|site|page|office|station)|"
    r"deal\s+with\s+(?:it|this|that|the\s+(?:issue|problem|complaint))|"
    # burning bridges, fire trucks, dying of embarrassment, knowing where someone stands
    r"burn(?:ed|t|s|ing)?\s+(?:you|u|me|him|her|them|us)\s+(?:a|an|some)\s+(?:copy|copies|cd|"
    r"cds|dvd|dvds|disc|discs|mix)|"
    r"burn(?:ed|t|s|ing)?\s+(?:(?:every|all|his|her|their|the|a|those|that|any|our|your)\s+)?"
    r"bridges?|fire\s+(?:trucks?|engines?|department|fighters?|station|alarms?|drills?|"
    r"hydrants?|marshal|chief|safety|code|exits?|pit|works|fireworks)|"
    r"di(?:e|es|ed|ing)\s+(?:of|from)\s+(?:embarrassment|shame|laughter|laughing|boredom|"
    r"old\s+age|natural\s+causes)|know\s+where\s+(?:you|he|she|they|we|i)\s+stands?|"
    r"shoot(?:ing)?\s+(?:the\s+)?(?:sunset|sunrise|parade|ceremony|event|photos?|portraits?|"
    r"footage|b-roll|calendar|wedding))"
)

# Things and animals that violent verbs are aimed at every day ("murder this plate of wings").
_THINGS = (
    r"(?:printer|tv|television|laptop|computer|alarm\s+clock|clock|couch|crossword|homework|"
    r"mailbox|wall|bear|deer|raccoon|squirrel|mosquito|fly|spider|diet|lawn|weeds|pothole|"
    r"meter|toaster|microwave|router|game|exam|test|interview|ticket|plate|wings|pizza|burger|"
    r"food|competition|rooster|chicken|goose|buffet|workout|song|solo|karaoke|"
    # food, chores, tasks and things people "kill", "murder" or "destroy" every day
    r"lasagna|pasta|sandwich|taco|burrito|cake|pie|steak|dinner|lunch|breakfast|meal|snack|"
    r"fries|donut|doughnut|dessert|leftover|salad|coffee|beer|bottle|drink|"
    r"presentation|speech|audition|performance|paperwork|essay|project|deadline|shift|"
    r"flag|banner|poster|painting|sign|lights|decoration|wreath|curtain|picture|"
    r"phone|battery|car|engine|weed|garden|tomato|plant|hedge|grass|tree|stump|"
    r"mosquito|bug|wasp|roach|cockroach|rat|mouse|mice|snake|spider|fly|"
    r"camera|kiosk|machine|app|website|server|parking\s+meter|speed\s+bump|tire|"
    r"targets?|range|paper\s+targets?|"
    # colds and the weather, paint on a wall, roads
    r"cold|flu|virus|hangover|mural|graffiti|intersection|roundabout|traffic\s+circle|road)"
)
# Violence at things or animals ("murder this plate of wings", "crush the competition"): not
# a threat to anyone, even with a strong verb.
_AT_A_THING = re.compile(
    r"(?:kill|shoot|smash|destroy|blow\s+up|hit|punch|strangle|murder|beat|break|throw|stab|burn|crush|"
    r"hang|torch|set\s+fire\s+to|kick|run\s+over|take\s+a\s+(?:sledgehammer|bat|hammer)\s+to)"
    r"\w*\s+(?:(?:my|the|this|that|our|a|an|his|her|your|these|those|every|each|all|some)\s+)?"
    + _MOD
    + r"{0,2}?"
    + _THINGS
    + r"(?:s|es)?\b|"
    r"\b(?:figuratively|metaphorically)\b|"
    r"kill(?:ing)?\s+myself\s+laughing|laugh(?:ing)?\s+(?:my\s+\w+\s+off|to\s+death)|"
    # hyperbole about oneself: "I'm gonna kill myself if they lose again haha"
    r"(?:kill|shoot|hang|hurt|stab|murder|end|torture|bore|starve|strangle|choke|drown|beat|"
    r"punch|slap|kick|burn|poison|throttle|smack|strangling|choking|drowning)\s+(?:myself|"
    r"ourselves|me)\b|"
    r"cut\s+(?:you|u|him|her|them|me|us|ya)\s+(?:a|an|some)\s+(?:check|break|deal|slice|piece|"
    r"slack|discount)\b|"
    r"beat\s+(?:you|u|me|him|her|them|us)\s+(?:to|at)\s+(?:the|it|a)\b|"
    # games: "destroy you at chess", "officers should be beaten at the charity game"
    r"(?:beat|beaten|beating|destroy\w*|crush\w*|smoke[sd]?|smoking|kill\w*|murder\w*|"
    r"whoop\w*|wreck\w*|bury|buried|slaughter\w*)\W+(?:\w+\W+){0,5}?(?:at|in|on)\s+"
    r"(?:the\s+|a\s+|our\s+|their\s+|this\s+|next\s+)?(?:\w+\s+){0,3}?(?:game|games|"
    r"match|tournament|chess|checkers|cards|poker|pool|basketball|softball|baseball|football|"
    r"bowling|trivia|golf|tennis|race|5k|contest|competition|fundraiser|scrabble|monopoly|"
    r"court|arm\s+wrestling|video\s+games?|fortnite|madden|meeting|debate|hearing|election|"
    r"primary|polls|ballot\s+box|vote|council|forum|town\s+hall|review|interview|press)\b"
)


def _c(rx: str) -> re.Pattern[str]:
    return re.compile(rx)


_RULES: tuple[tuple[str, re.Pattern[str], float, str], ...] = (
    (
        "threat.direct",
        _c(rf"{_B}{_SUBJECT}{_WILL}{_GAP3}(?:{_STRONG}){_E}(?:\s+{_PERSON}{_E})?"),
        0.85,
        "The text says the writer will do violence.",
    ),
    (
        "threat.direct",
        _c(
            rf"{_B}{_SUBJECT}{_WILL}{_GAP3}(?:(?:{_WEAK})\s+(?:\w+\s+)?{_PERSON}(?:'s)?{_E}|"
            rf"run\s+{_PERSON}\s+over{_E}|make\s+{_PERSON}\s+(?:suffer|bleed){_E}|"
            rf"put\s+{_PERSON}\s+(?:six\s+feet\s+under|in\s+(?:the\s+ground|a\s+(?:grave|coffin|"
            rf"body\s+bag|wheelchair)|the\s+hospital)){_E})"
        ),
        0.8,
        "The text says the writer will do violence to a person or place.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_B}(?:should|must|need\s+to|needs\s+to|gotta|ought\s+to|has\s+to|have\s+to)\s+"
            rf"(?:just\s+|all\s+|simply\s+)?(?:{_STRONG}|shoot|hang|gas|nuke){_E}"
        ),
        0.75,
        "The text calls for violence against someone.",
    ),
    (
        "threat.wished",
        _c(rf"{_B}{_WISH_LEAD}{_GAP5}{_WISHED}{_E}"),
        0.75,
        "The text wishes or calls for violence or death against someone.",
    ),
    (
        "threat.wished",
        _c(
            rf"{_B}(?:kys|kill\s+yourself|go\s+die|drop\s+dead|die\s+in\s+a\s+fire|hang\s+yourself)"
            rf"{_E}"
        ),
        0.8,
        "The text tells someone to die or to kill themselves.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_ORDER_LEAD}(?:{_STRONG}|killing|shoot|shooting|hang|burn|beat|attack|nuke|gas|"
            rf"wipe\s+out|smack|slap|punch|whip|choke){_GAP3}"
            rf"{_ORDER_TARGET}{_E}"
        ),
        0.8,
        "The text calls on people to do violence to a person, group or place.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_B}(?<!take\s)(?<!took\s)(?<!taking\s)(?<!take\sa\s)(?<!took\sa\s)(?<!taking\sa\s)"
            rf"(?:death|bullets?|a\s+bullet|noose|nooses)\s+(?:to|for)\s+(?:all\s+)?(?:the\s+)?"
            rf"(?:{_PERSON}|\w+s){_E}|"
            rf"{_B}the\s+only\s+good\s+(?:\w+\s+){{1,2}}(?:is|are)\s+(?:a\s+)?dead\s+(?:ones?|\w+){_E}"
        ),
        0.8,
        "The text calls for death or violence against people.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_B}(?:k[i!*]{{1,2}}l{{1,2}}|shoot|hang|gas)\s+(?:them|em|'em)\s+all{_E}|"
            rf"{_B}(?:mass|global|worldwide|total)\s+(?:\w+\s+){{0,2}}(?:genocide|massacre|"
            rf"extermination|slaughter){_E}"
        ),
        0.8,
        "The text calls for killing a whole group of people.",
    ),
    (
        "threat.direct",
        _c(
            rf"{_B}(?:beat|knock|smack|slap|kick)\s+the\s+(?:fuck|shit|hell|crap|piss|"
            rf"living\s+daylights|fat\s+ass)\s+out\s+of\s+(?:him|her|them|you|u|ya|em|"
            rf"(?:every|all|those|these|that|this|the)\s+\w+){_E}|"
            rf"{_B}(?:choke|choking|beat|beating|stab|stabbing|stone|stoning|burn|burning|kick|fuck|"
            rf"kicking|strangle|strangling)\s+(?:him|her|them|you|u|em)\s+to\s+death{_E}"
        ),
        0.75,
        "The text describes beating or killing someone.",
    ),
    (
        "threat.wished",
        _c(
            rf"{_B}needs?\s+(?:a\s+)?(?:good\s+)?(?:\w+\s+)?(?:whooping|whoopin|beating|"
            rf"beatdown|ass\s+kicking|bullet|slap){_E}"
        ),
        0.7,
        "The text says someone needs a beating.",
    ),
    (
        "threat.veiled",
        _c(
            rf"{_B}(?:i\s+know\s+where\s+(?:you|u|he|she|they)\s+(?:live|sleep|work|park)s?|"
            r"watch\s+(?:your|ur)\s+back(?!\s*\?)|(?:your|ur|his|her|their)\s+days\s+are\s+numbered|"
            r"(?:you|u)\s+(?:will|'ll|shall)\s+(?:die|bleed)(?!\s+(?:of|from|laughing))|"
            r"sleep\s+with\s+one\s+eye\s+open|you(?:'re|\s+are|r)?\s+(?:gonna|going\s+to)\s+"
            r"(?:die|pay|regret|bleed)|(?:you're|youre|you\s+are|ur|u\s+r|u\s+are)\s+"
            r"(?:dead|next|done\s+for)|"
            r"you\s+won't\s+(?:see|live\s+to\s+see)\s+(?:tomorrow|another|the\s+)|"
            r"i'll\s+be\s+waiting\s+for\s+(?:you|u)|(?:see|catch)\s+(?:you|u)\s+outside|"
            rf"coming\s+for\s+(?:you|u|your(?!\s+(?:job|seat|position|title|office|votes?|pension)\b)|"
            rf"him|her|them)){_E}"
        ),
        0.75,
        "The text contains a veiled threat against someone.",
    ),
    (
        "threat.place",
        _c(
            rf"{_B}(?:bomb|shoot\s+up|blow\s+up|burn\s+down|torch|firebomb|storm|attack|"
            r"molotov|raze|level)\s+(?:the|that|this|your|ur|their|every|a)?\s*(?:\w+\s+)?"
            r"(?:station|precinct|school|mall|church|mosque|synagogue|temple|courthouse|"
            rf"city\s+hall|hq|headquarters|department|police\s+department|jail|substation|pd|"
            rf"police\s+station|courthouse\s+doors){_E}"
        ),
        0.7,
        "The text talks of attacking a building or place.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_ORDER_LEAD}(?:just\s+)?(?:kill|execute|nuke|exterminate|gas|lynch|behead|"
            rf"massacre|slaughter|eradicate|annihilate|bomb|hang|shoot|stone|destroy|crush|"
            rf"sterili[sz]e|euthani[sz]e)\s+"
            rf"(?:every|all|those|these|that|this|the|them|em|'em)?\s*[a-z]{{3,}}{_E}"
        ),
        0.75,
        "The text orders killing or destroying people or a place.",
    ),
    (
        "threat.wished",
        _c(
            rf"(?:^|[.!?\n]\s*|\bjust\s+|\bgo\s+)(?:die|drop\s+dead|get\s+dead)\s+"
            rf"(?:already|fucking|you|u|in|motherfucker|bitch|[a-z]+s\b)|"
            rf"{_B}(?:die|dead)\s+(?:(?:and|&)\s+buried\s+|fucking\s+|f\w*ing\s+)?already{_E}"
        ),
        0.75,
        "The text tells someone to die.",
    ),
    (
        "threat.wished",
        _c(
            rf"{_B}(?:kill|hang|shoot)\s+(?:themselves|themself|himself|herself)|"
            rf"{_B}cut\s+(?:your|ur|their|his|her)\s+(?:veins|wrists|throat)|"
            rf"{_B}(?:drink|pour|inject|bleach)\s+(?:some\s+|lethal\s+)?(?:bleach|poison|"
            rf"yourself|lethal)|"
            rf"{_B}do\s+(?:the\s+world|us\s+all|everyone|us|them)\s+a\s+favou?r\s+and\s+"
            rf"(?:die|kill|hang|shoot|drink|pour|jump|get\s+dead){_E}"
        ),
        0.75,
        "The text urges someone to harm or kill themselves.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_B}(?:killing|shooting|raping|rape|stoning|stone\s+throwing|throwing\s+stones|"
            rf"beating|hanging|lynching|murdering|hitting)\s+(?:\w+\s+){{0,3}}?"
            rf"(?:should|must|needs?\s+to)\s+be\s+(?:legal|allowed|legali[sz]ed|mandatory|"
            rf"encouraged){_E}|"
            rf"{_B}(?:killing|shooting|stoning|throwing\s+stones\s+\w+|beating|hanging|"
            rf"lynching)\s+(?:\w+\s+){{0,4}}?is\s+my\s+(?:favou?rite|hobby){_E}"
        ),
        0.75,
        "The text approves of violence against people.",
    ),
    (
        "threat.wished",
        _c(
            rf"{_B}(?:love|enjoy|like|lmao|lol)\s+(?:\w+\s+){{0,2}}?watch(?:ing)?\s+"
            rf"(?:\w+\s+){{0,4}}?(?:get\s+|being\s+)?(?:killed|die|dying|burn|burning|"
            rf"tearing\s+apart|torn\s+apart|hanged|shot|beaten|slaughtered){_E}|"
            rf"{_B}i\s+(?:like|love)\s+(?:(?:my|the|them|those)\s+)?(?:\w+\s+)?dead{_E}"
        ),
        0.7,
        "The text delights in people being killed or hurt.",
    ),
    (
        "threat.direct",
        _c(
            rf"{_B}(?:faster\s+than|taste|feel|meet)\s+(?:the\s+wrath\s+of\s+)?(?:my|our)\s+"
            rf"(?:bullets?|blade|knife|"
            rf"fists?|petrol|gun|wrath|hand|rope){_E}|"
            rf"{_B}(?:get|set)\s+(?:you|u|him|her|them|em)\s+(?:set\s+)?on\s+fire{_E}|"
            rf"{_B}(?:will|'ll|gonna|going\s+to)\s+(?:\w+\s+)?be\s+(?:put\s+to\s+death|"
            rf"executed|exterminated|lynched|hanged|shot\s+dead){_E}|"
            rf"{_B}thanks\s+to\s+my\s+(?:hand|gun|knife|fist){_E}"
        ),
        0.75,
        "The text threatens someone with violence.",
    ),
    (
        "threat.wished",
        _c(
            rf"{_B}(?:i\s+)?(?:hope|wish|pray)\s+(?:that\s+)?(?:they|someone|somebody|he|she|"
            rf"you|u|they'll|someone'll)\s+(?:\w+\s+)?(?:{_STRONG}|knock|rip|beat|shoot|hang|"
            rf"burn|stab|punch|run\s+over){_E}"
        ),
        0.75,
        "The text wishes that someone does violence to a person.",
    ),
    (
        "threat.incitement",
        _c(
            rf"{_B}(?:killing|shooting|murdering|lynching|gassing|beating)\s+(?:\w+\s+){{1,2}}?"
            rf"(?:is|its|it's|it\s+is|are)\s+(?:\w+\s+)?(?:good|great|fine|ok|okay|right|"
            rf"justified|the\s+answer|the\s+solution){_E}|"
            rf"{_B}(?:hire|hiring|find|finding|searching\s+for|looking\s+for)\s+a\s+hit\s*man{_E}|"
            rf"{_B}(?:need\s+to|needs\s+to|should|gotta|must|gonna)\s+(?:\w+\s+)?(?:break|beat|"
            rf"whip|kick|smack|slap|punch|bust)\s+(?:her|his|their|your|ur|that)\s+(?:\w+\s+)?"
            rf"(?:ass|face|head|neck|legs?|skull|jaw){_E}|"
            rf"{_B}get\s+(?:their|there|his|her|your|ur)\s+(?:\w+\s+)?ass(?:es)?\s+"
            rf"(?:kicked|beat|beaten|whooped|whipped){_E}"
        ),
        0.75,
        "The text calls for or approves of violence against someone.",
    ),
    (
        # an order with no subject before the verb, anywhere in the text (all-caps comments
        # have no sentence marks): "... ISLAM KILL THOSE TERRORISTS", "and kill those bastards"
        "threat.incitement",
        _c(
            r"(?<![\w'])(?<!they\s)(?<!we\s)(?<!he\s)(?<!she\s)(?<!who\s)(?<!you\s)(?<!i\s)"
            r"(?<!to\s)(?<!cops\s)(?<!police\s)(?<!people\s)(?<!will\s)(?<!would\s)"
            r"(?<!could\s)(?<!did\s)(?<!does\s)(?<!didn't\s)(?<!don't\s)(?<!can\s)"
            r"(?:kill|execute|exterminate|lynch|behead|slaughter|massacre|gas|nuke|hang|shoot)\s+"
            r"(?:those|these|all\s+(?:the|those|these)?|every|them\s+all)\s*"
            r"(?!(?:the|those|these|time|times|day|days|night|nights|week|year|way|over|along|"
            r"around|morning|"
            r"evening|weekend|season|game|games|shot|shots|picture|pictures|photos?|videos?)\b)"
            rf"[a-z]{{3,}}{_E}"
        ),
        0.75,
        "The text calls for killing a group of people.",
    ),
    (
        # an act in the -ing form after a verb of starting or planning, aimed at people:
        # "we need to start killing refugees", "I'm planning on shooting some cops"
        "threat.direct",
        _c(
            rf"{_B}(?:start|starting|begin|beginning|keep|plan(?:ning)?\s+on|go|get\s+to|"
            rf"can't\s+wait\s+to\s+(?:start|go)|time\s+to\s+(?:start|go)|dream(?:ing)?\s+of|"
            rf"think(?:ing)?\s+(?:about|of)|fantasi[sz](?:e|ing)\s+about)\s+"
            rf"(?:killing|shooting|murdering|stabbing|lynching|hanging|gassing|burning|"
            rf"slaughtering|butchering|hunting|beating|executing|exterminating|bombing|"
            rf"strangling|torturing|raping)\s+(?:\w+\s+)?{_PERSON}{_E}|"
            # "kill as many Jews as I can"
            rf"{_B}(?:{_STRONG}|shoot|hurt|beat)\s+as\s+many\s+(?:\w+\s+){{0,2}}?as\s+"
            rf"(?:i|we|possible|they|you){_E}|"
            # "it's time we killed all of the immigrants"
            rf"{_B}time\s+(?:that\s+)?(?:we|someone|somebody|they)\s+(?:finally\s+)?"
            rf"(?:killed|shot|hanged|hung|lynched|gassed|executed|exterminated|slaughtered|"
            rf"bombed|wiped\s+out){_E}"
        ),
        0.75,
        "The text says the writer means to start doing violence to people.",
    ),
    (
        # normative: "we should get rid of black people once and for all", "X should be sent
        # to the gas chambers", "hanging is too good for X", "you'll be dead by Friday"
        "threat.incitement",
        _c(
            rf"{_B}(?:get|got|getting)\s+rid\s+of\s+(?:(?:all|every|the|those|these)\s+"
            rf"(?:of\s+)?(?:the\s+)?)?(?:{_GROUP}|them|these\s+people|those\s+people)"
            rf"(?:\s+[^\s.!?;]+){{0,3}}?,?\s+(?:once\s+and\s+for\s+all|for\s+good|"
            rf"permanently|one\s+way\s+or\s+another|by\s+any\s+means|for\s+ever|forever){_E}|"
            rf"{_B}(?:sent|send|put|thrown|throw|shoved|marched)\s+(?:\w+\s+){{0,2}}?(?:in|into|to)"
            rf"\s+(?:the\s+)?(?:gas\s+chambers?|ovens?|camps?\s+and\s+(?:gassed|killed|shot)|"
            rf"death\s+camps?|firing\s+squads?|gallows|noose){_E}|"
            rf"{_B}(?:hanging|shooting|death|a\s+bullet|burning)\s+(?:is|'s|would\s+be)\s+"
            rf"too\s+good\s+for\s+(?:\w+\s+)?{_PERSON}{_E}|"
            rf"{_B}(?:you|u|you'll|you\s+will|you're\s+gonna|you\s+are\s+going\s+to)"
            rf"(?:'ll)?\s+(?:be|end\s+up)\s+dead\s+(?:by|before|within|in\s+a|soon|"
            rf"tomorrow|tonight|next){_E}"
        ),
        0.75,
        "The text calls for people to be killed or removed by force, or says they will die.",
    ),
    (
        # a conditional threat told of its victim: "next cop that knocks on my door gets shot",
        # "any immigrant who walks past my house gets a bullet"
        "threat.direct",
        _c(
            rf"{_B}(?:the\s+)?(?:next|first|any|every|each|whatever|whichever)\s+"
            rf"(?:[^\s.!?;]+\s+){{1,3}}?(?:that|who|to|i\s+see|we\s+see)\s+[^.!?;]{{1,60}}?\s+"
            rf"(?:gets?|will\s+get|is\s+gonna\s+get|is\s+going\s+to\s+get|getting)\s+(?:shot|"
            rf"stabbed|hurt|killed|smoked|popped|dropped|capped|beat(?:en)?|bodied|a\s+bullet|"
            rf"a\s+beating|buried|lit\s+up|put\s+down|run\s+over|laid\s+out){_E}"
        ),
        0.75,
        "The text says that whoever does something will be shot or hurt.",
    ),
    (
        # removal of a whole group by force: "the world needs to wipe out X", "we must purge X"
        "threat.incitement",
        _c(
            rf"{_B}(?:should|must|needs?\s+to|have\s+to|has\s+to|gotta|ought\s+to|let'?s|"
            rf"time\s+to|we\s+(?:will|'ll|shall)|gonna|going\s+to)\s+(?:\w+\s+)?(?:wipe\s+out|"
            rf"eradicate|annihilate|exterminate|purge|wipe\s+(?:\w+\s+){{1,3}}off\s+the\s+map)\s+"
            rf"(?:all\s+(?:of\s+)?(?:the\s+)?|every\s+|the\s+|those\s+|these\s+)?"
            rf"(?:{_GROUP}|cops|pigs|officers|police){_E}|"
            # "it should be legal to shoot X"
            rf"{_B}(?:should|ought\s+to|needs?\s+to)\s+be\s+(?:made\s+)?legal\s+to\s+"
            rf"(?:{_STRONG}|shoot|hang|beat|hurt|run\s+over|hunt)\s+(?:\w+\s+)?{_PERSON}{_E}"
        ),
        0.75,
        "The text calls for a group of people to be wiped out or killed.",
    ),
    (
        # "put every last one of them in the ground", "I'll put that deputy six feet under"
        "threat.incitement",
        _c(
            rf"(?:{_ORDER_LEAD}|{_B}(?:{_SUBJECT}){_WILL}\s+|{_B}(?:should|must|gonna|need\s+to)\s+)"
            rf"put\s+(?:[^\s.!?;]+\s+){{0,5}}?(?:{_PERSON}|one)\s+(?:in\s+(?:the\s+ground|"
            rf"a\s+(?:grave|coffin|body\s+bag|box)|the\s+morgue)|six\s+feet\s+under){_E}"
        ),
        0.75,
        "The text calls for people to be killed (put in the ground).",
    ),
)


def _w(words: str) -> tuple[str, ...]:
    return tuple(words.split("|"))


# Per rule (same order as _RULES), substrings of the normalized text one of which every match
# of the rule contains: a rule whose words are all absent is not run. Most comments that wake
# the detector at all ("up", "end", "only"...) need two or three of the twenty patterns.
# tests/screening/test_threat.py checks that gating never changes a finding.
_STRONG_WORDS = _w(
    "ki|k!|k*|murder|stab|strangl|lynch|behead|decapitat|rape|slaughter|massacre|execut|"
    "tortur|shank|extermin|bomb|blow|hunt|gun|slit|shoot|curb|bullet|cap|round|slug|snipe|"
    "assassin|burn|set fire|molotov|cut|string|break|throat|empty"
)
_WEAK_WORDS = _w(
    "shoot|shot|beat|bash|punch|hurt|harm|attack|assault|smash|slap|whoop|cap|pop|destroy|cut|"
    "break|jump|wreck|knock|fuck|f up|mess|choke|hang|drown|poison|run|burn|stomp|bust|end|gas|"
    "nuke|torch|put|skin|gut|smack|kick|whip|stone|bury|crush|set|stab|kil|hunt"
)
_RULE_WORDS: tuple[tuple[str, ...], ...] = (
    _STRONG_WORDS,  # direct, strong act
    (*_WEAK_WORDS, "suffer", "bleed"),  # direct, act with a person
    (*_STRONG_WORDS, "hang", "gas", "nuke"),  # should/must + act
    _w(
        "hope|wish|pray|want|someone|somebody|should|need|deserve|ought|must|gotta|may|let|wait|"
        "have to|has to"
    ),
    _w("kys|kill|die|dead|hang"),
    (
        *_STRONG_WORDS,
        *_w("kil|shoot|hang|burn|beat|attack|nuke|gas|wipe|smack|slap|punch|whip|chok"),
    ),
    _w("death|bullet|noose|only good"),
    _w("ki|k!|k*|shoot|hang|gas|genocide|massacre|extermination|slaughter"),
    _w("beat|knock|smack|slap|kick|death"),
    _w("whoop|beat|ass|bullet|slap"),
    _w(
        "know where|watch|numbered|eye|gonna|going|dead|next|done|won't|waiting|outside|coming|"
        "die|bleed"
    ),
    _w("bomb|shoot|blow|burn|torch|storm|attack|molotov|raze|level"),
    _w(
        "kill|execut|nuke|extermin|gas|lynch|behead|massacre|slaughter|eradicat|annihilat|bomb|"
        "hang|shoot|stone|destroy|crush|sterili|euthani"
    ),
    _w("die|dead"),
    _w("themsel|himself|herself|vein|wrist|throat|bleach|poison|lethal|yourself|favo"),
    _w("legal|allowed|mandatory|encouraged|favo|hobby"),
    _w("watch|dead"),
    _w("my|our|fire|death|executed|exterminated|lynched|hanged|shot dead"),
    _w("hope|wish|pray"),
    _w(
        "killing|shooting|murdering|lynching|gassing|beating|hit man|hitman|ass|break|beat|whip|"
        "kick|smack|slap|punch|bust"
    ),
    _w("kil|execut|extermin|lynch|behead|slaughter|massacre|gas|nuke|hang|shoot"),
    _w(
        "killing|shooting|murdering|stabbing|lynching|hanging|gassing|burning|slaughtering|"
        "butchering|hunting|beating|executing|exterminating|bombing|strangling|torturing|raping|"
        "as many|killed|shot|hanged|hung|lynched|gassed|executed|slaughtered|bombed|wiped"
    ),
    _w("rid of|chamber|oven|camp|firing|gallows|noose|too good|dead"),
    _w("gets|get |getting"),
    _w("wipe|eradicat|annihilat|extermin|purge|legal"),
    _w("put"),
)
assert len(_RULE_WORDS) == len(_RULES)


def _rule_automaton() -> ahocorasick.Automaton:
    """One pass over the text tells which rules have one of their words (word -> rule indexes)."""
    wakes: dict[str, set[int]] = {}
    for i, words in enumerate(_RULE_WORDS):
        for w in words:
            wakes.setdefault(w, set()).add(i)
    auto = ahocorasick.Automaton()
    for w, rules in wakes.items():
        auto.add_word(w, frozenset(rules))
    auto.make_automaton()
    return auto


_RULE_AUTOMATON = _rule_automaton()


class ThreatDetector(Detector):
    """Phrase rules for threats, with negation and idiom checks in the same clause."""

    id = "threat.phrase"
    category = THREAT
    explanation = "The text threatens violence."

    #: the engine's prefilter wakes this detector only when one of its rules' words is there
    triggers: tuple[str, ...] | None = tuple(sorted({w for ws in _RULE_WORDS for w in ws}))

    def __init__(self, *, gate_rules: bool = True) -> None:
        # gate_rules=False runs every pattern on every text (the tests compare the two)
        self._gate = gate_rules
        if not gate_rules:
            self.triggers = None

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """One finding per threatening phrase (spans in the original text)."""
        text = ctx.norm.text
        out: list[Finding] = []
        if self._gate:
            awake: set[int] = set()
            for _end, rules in _RULE_AUTOMATON.iter(text):
                awake |= rules
        for i, (rule, rx, score, sentence) in enumerate(_RULES):
            if self._gate and i not in awake:
                continue
            for m in rx.finditer(text):
                s, e = m.span()
                phrase = m.group()
                s += _lead_ws(phrase)  # the lead may have taken the previous sentence's "."
                if _IDIOM.search(text, s, min(len(text), e + 40)) and not _strong_inside(phrase):
                    continue
                if _AT_A_THING.search(text, s, min(len(text), e + 40)):
                    continue
                if _THING_SUBJECT.search(text, max(0, s - 40), s):
                    continue  # "that traffic circle needs to be blown up": a thing, not a person
                if _negated(text, s, e) or _reported(text, s):
                    continue
                if rule == "threat.direct" and _PAST_ACT.match(text, s):
                    continue  # "I slapped a girl": the writer's own past act, not a threat
                if rule == "threat.wished" and _RELATIVE_ACT.search(phrase):
                    continue  # "hope the guy who shot at officers gets life": an act told
                span = ctx.span_from_norm(s, e)
                out.append(
                    self.finding(
                        [span],
                        clip(ctx.text, span.start, span.end),
                        score,
                        rule=rule,
                        explanation=sentence,
                        at_risk=_threatened(text[s:e]),
                    )
                )
        return out


_WHOM = re.compile(rf"{_B}(?:{_PERSON}){_E}")
_PLACE_WORD = re.compile(
    r"\b(?:house|home|car|station|precinct|school|mall|church|mosque|synagogue|temple|building|"
    r"courthouse|office|hq|headquarters|department|city\s+hall|jail|substation)s?\b"
)
_PRONOUN = re.compile(r"(?:you|u|ya|ye|him|her|them|em|'em)")


def _threatened(phrase: str) -> str:
    """Who the threatening phrase is aimed at, in its own words ("those refugees", "the chief")."""
    for m in _WHOM.finditer(phrase):
        who = " ".join(m.group().split())
        if _PLACE_WORD.search(who):
            return f"{who} and the people in it"
        if not _PRONOUN.fullmatch(who):
            return f"the people threatened ({who})"
    return "the people threatened" if _WHOM.search(phrase) else ""


# A thing as the subject just before a wish or call ("the new traffic circle | needs to be blown
# up", "this printer | should be shot"): the violence is aimed at it.
_THING_SUBJECT = re.compile(
    r"(?<![\w'])(?:the|this|that|these|those|my|our|your)\s+"
    + _MOD
    + r"{0,2}?"
    + _THINGS
    + r"(?:s|es)?\s+(?:[\w']+\s+){0,2}?$"
)
_PAST_ACT = re.compile(
    r"(?:i|we)\s+(?:\w+\s+){0,2}?(?:whipped|smacked|slapped|punched|kicked|stabbed|shot|killed|"
    r"beaten)\b"
)
# The violent word ending a wish is the verb of a relative clause ("the man who was shot", "the
# guy that stabbed her"): it tells what someone did or suffered, not what the writer wishes.
_RELATIVE_ACT = re.compile(
    r"(?<![\w'])(?:who|that|which)\s+(?:was\s+|were\s+|got\s+|had\s+|has\s+)?\S+$"
)
_STRONG_RE = re.compile(
    r"(?<!\w)(?:murder|stab|lynch|behead|rape|slaughter|massacre|exterminate|shoot\s+up)(?!\w)"
)


def _strong_inside(phrase: str) -> bool:
    return _STRONG_RE.search(phrase) is not None


def _lead_ws(phrase: str) -> int:
    return len(phrase) - len(phrase.lstrip(" \t\n.!?"))


_CLAUSE_START = re.compile(
    r"[.!?;\n]|\bbut\b|"
    # a comma before a new subject and its verb: "not anymore, gays should die"
    r",\s*(?=(?:[a-z']+\s+){0,2}?(?:should|must|need|needs|deserve|deserves|will|gonna|are|is)\b)"
)


def _negated(text: str, start: int, end: int) -> bool:
    """A negation in the same clause, before or inside the phrase, cancels the threat."""
    lo = max(0, start - 60)
    cut = 0
    for m in _CLAUSE_START.finditer(text, lo, end):
        if m.start() < start:
            cut = m.end() - lo
    return _NEGATION.search(text, lo + cut, end) is not None


# Counter-speech: a threat quoted or reported ("someone commented 'kill all cops'", "he was
# sentenced for threatening to bomb the courthouse") is evidence of a threat, not one.
_REPORTING = re.compile(
    r"(?<![\w'])(?:said|saying|says|wrote|writes|written|posted|commented|painted|note|"
    r"dm'?d|dmed|messaged|texted|emailed|tweeted|screamed|shouted|bragged|claimed|"
    r"commenting|posting|writing|texting|messaging|tweeting|claiming|bragging|screaming|rant\w*|"
    r"shouting|"
    r"(?:keeps?|kept)\s+(?:saying|yelling|screaming)|(?:this|the\s+following)\s*:|"
    r"threaten(?:ed|ing|s)?\s+to|sentenced\s+for|charged\s+with|arrested\s+for|accused\s+of|"
    r"reports?|reported|yelling|told\s+(?:me|us|him|her)|told\s+(?:the\s+|a\s+|my\s+|his\s+|her\s+)?"
    r"(?:\w+\s+)?(?:operator|dispatcher|police|cops?|officers?|deputy|deputies|detectives?|judge|"
    r"neighbou?rs?|teacher|wife|husband|mom|dad|friends?|everyone|people)|(?:was|were)\s+(?:going|planning)\s+to|"
    r"(?:if|when)\s+(?:you|they|people|anyone|someone|somebody|he|she|folks)\s+say|"
    r"planned\s+to|tried\s+to|"
    # teaching or preaching it, or saying it, is what the text condemns: "teaching kids that X
    # should be killed is how genocide starts", "you can't just say 'I'll kill all X'"
    r"(?:teach(?:ing|es)?|preach(?:ing|es)?|telling\s+(?:kids|people|children))\s+(?:\w+\s+)?that|"
    r"the\s+idea\s+that|(?:can'?t|cannot|shouldn'?t|don'?t)\s+(?:just\s+)?say)(?![\w'])"
)
_ABOUT_A_THREAT = re.compile(
    r"(?<![\w'])(?:report(?:ed)?\s+it|should\s+be\s+(?:deleted|removed|arrested|banned|"
    r"prosecuted|fired)|please\s+(?:remove|delete|clean)|must\s+be\s+fired|clean\s+it\s+up|"
    r"is\s+a\s+threat|should\s+i\s+report|screenshot(?:ted|s)?|flagged\s+(?:it|this|the\s+"
    r"(?:post|comment))|called\s+it\s+in|tip\s+line|reported\s+(?:him|her|them|the\s+(?:post|"
    r"comment|user|account|guy|man))|sent\s+(?:it|this|that|the\s+(?:post|comment))\s+to)(?![\w'])"
)


_CLAUSE_END = re.compile(r"[.!?\n]")


def after_reporting_verb(text: str, start: int) -> bool:
    """A reporting verb comes earlier in the sentence, within 80 characters ("he said he'd ...")."""
    lo = max(0, start - 80)
    cut = lo
    for m in _CLAUSE_END.finditer(text, lo, start):
        cut = m.end()
    return _REPORTING.search(text, cut, start) is not None


def _reported(text: str, start: int) -> bool:
    """The phrase is inside quotation marks, follows a reporting verb in its sentence, or the
    text asks for the threat it quotes to be reported or removed."""
    if text.count('"', 0, start) % 2 == 1:
        return True
    if after_reporting_verb(text, start):
        return True
    return _ABOUT_A_THREAT.search(text) is not None


# A threat model's score alone is not evidence when the text asks for the law to act.
_LEGAL_PROCESS = re.compile(
    r"(?<![\w'])(?:face\s+(?:\w+\s+)?charges|be\s+charged|charged\s+with|prosecuted|"
    r"in\s+prison|behind\s+bars|be\s+fired|arrested|convicted|sentenced?|trial|in\s+court|"
    r"in\s+jail|lose\s+(?:his|her|their)\s+(?:job|badge|pension))(?![\w'])"
)


def model_only_is_evidence(text: str) -> bool:
    """Whether a threat model's whole-text score may stand alone as a finding: not when the text
    calls for arrest, charges or prison, or reports or quotes a threat."""
    low = text.lower()
    if _LEGAL_PROCESS.search(low) is not None or _ABOUT_A_THREAT.search(low) is not None:
        return False
    # a threat is aimed at someone: without a person, group or place named, a violent word is
    # about a thing ("those budget cuts will kill community policing")
    if _TARGET_ANY.search(low) is None:
        return False
    if (_IDIOM.search(low) or _AT_A_THING.search(low)) and not _VIOLENT_WORD.search(
        _without_idioms(low)
    ):
        return False  # every violent word is in an idiom or aimed at a thing ("kill it")
    if _set_aside(low):
        return False
    if _reported(low, len(low)):
        return False
    return _harm_shape(low)


# What a model-only threat must also show (issue 13: "a threat needs a threatening act aimed at
# a person, group or place"): a word of harm or menace outside idioms, and none of the signs
# that the text is about peace, a question, a report, the ballot box or the courts.
_HARM = re.compile(
    rf"{_B}(?:kill\w*|murder\w*|shoot\w*|shot|stab\w*|hang(?:ed|ing)?|hung|burn\w*|bomb\w*|"
    rf"die|dies|died|dead|death|deaths|beat(?:en|ing)?|exterminat\w*|slaughter\w*|"
    rf"massacre\w*|lynch\w*|rape\w*|gas(?:sed|sing)?|nuke\w*|execut\w*|wipe\w*|bury|"
    rf"buried|bullets?|guns?|rifles?|pistols?|glocks?|knife|knives|blade|weapons?|armed|"
    rf"strapped|loaded|ammo|tortur\w*|behead\w*|slit|chok\w*|strangl\w*|drown\w*|"
    rf"eradicat\w*|eliminat\w*|genocide|attack\w*|hurt\w*|harm\w*|bleed\w*|blood\w*|"
    rf"fire|flames?|torch\w*|ash|ashes|grave|graves|coffins?|funeral|hospital|wheelchair|"
    rf"ditch|morgue|body\s+bags?|accident\w*|safe|unsafe|danger\w*|regret|sorry|"
    # paying for a thing is money, not revenge: "the officers will pay for the new gym"
    rf"pay(?!\s+for\s+(?:the|a|an|their|his|her|its|our|my|new|all)\b)|"
    rf"suffer\w*|coming|watching|waiting|alone|find\s+(?:you|him|her|them)|"
    rf"know\s+where|make\s+it\s+home|without\s+(?:a\s+)?(?:dad|mom|father|mother|parent)s?|"
    rf"happen\w*|warn\w*|consequences|punch\w*|slap\w*|smack\w*|break\s+(?:your|his|her)|"
    rf"bats|bricks|molotovs?|explosives?|pipe\s+bombs?|gasoline|lighter\s+fluid|"
    # the body, being alone or in the dark, an end, a visit, revenge: what an implied threat
    # points at when it names no act ("stay away from windows", "living on borrowed time")
    rf"bones?|skull|jaw|teeth|neck|throat|limbs?|body|alone|dark|darkness|alley|asleep|"
    rf"sleep\s+tight|behind\s+(?:you|them|him|her)|windows?|unprotected|borrowed\s+time|"
    rf"boxes|shovel|insurance|last\s+(?:day|night|shift|time|breath)|forever|visit\w*|"
    rf"outside|protect\w*|hid(?:e|ing)|payback|revenge|aveng\w*|retaliat\w*|"
    rf"same\s+(?:treatment|thing|fate)|answer\s+to\s+(?:us|me|the\s+streets)|hunt\w*|"
    rf"string\s+up|strung|rope|noose|crowbar|carry(?:ing)?|break\w*|smash\w*|crack\w*|"
    rf"hit|hits|snap\w*){_E}"
)
# Signs that the text is not a threat whatever its words: peace, the ballot and the courts,
# kindness, a question, negated harm ("nobody wants to see cops get hurt").
_NOT_A_THREAT = re.compile(
    rf"{_B}(?:peaceful\w*|non-?violent\w*|no\s+violence|vote|votes|voting|ballot\w*|"
    rf"election\w*|november|recall|resign\w*|lawsuits?|sue|suing|lawyers?|attorneys?|"
    rf"court|courts|courtroom|complaints?|foia|records\s+request|"
    rf"thanks?|thank\s+you|congrat\w*|bless\w*|welcome\w*|hug\w*|earned|prayers?|"
    rf"stay\s+safe|drive\s+safe|be\s+safe|get\s+home\s+safe|rip|condolences|"
    # a plan to attend a public meeting: "we're coming to the commission meeting Tuesday"
    rf"(?:coming|come|going|headed|show(?:ing)?\s+up|be|pack(?:ing)?|see\s+(?:you|y'?all))\s+"
    rf"(?:(?:all|there|out)\s+)?(?:to|at|outside|in\s+front\s+of)\s+"
    rf"(?:(?:the|every|this|next|tonight'?s|our|a)\s+)?"
    rf"(?:[\w']+\s+){{0,2}}?(?:meetings?|hearings?|town\s+halls?|council|commission|session|"
    rf"forum|board|city\s+hall|courthouse)(?![^.!?\n]*?(?<![\w'])(?:armed|strapped|loaded|ammo|guns?|rifles?|"
    rf"pistols?|knife|knives|weapons?|ar-?15s?|glocks?)(?![\w']))|"
    rf"(?:no\s+one|nobody|never|not|don't|doesn't|won't\s+ever|would\s+never|"
    rf"none\s+of\s+(?:us|them|you))\s+"
    rf"(?:\w+\s+){{0,3}}?(?:wants?\s+(?:\w+\s+){{0,3}}?)?(?:to\s+)?(?:see\s+(?:\w+\s+){{0,2}}?)?"
    rf"(?:hurt|harm|kill|shoot|attack|riot|burn|violence|threat\w*|bring\w*|carry\w*)){_E}|"
    # the marks of a lawful protest
    rf"{_B}(?:with\s+(?:our\s+|their\s+)?signs|permits?|permitted|petitions?){_E}|\?\s*$"
)


# Harm that a thing does, told in a relative clause: "the laws that hurt Muslims", "a policy
# which kills people" describe, they do not threaten.
_DESCRIBED_HARM = re.compile(
    rf"{_B}(?:that|which)\s+(?:\w+\s+)?(?:hurt|harm|kill|endanger|target|threaten|attack)"
    rf"(?:s|ed)?{_E}"
)


def _harm_shape(low: str) -> bool:
    """A word of harm or menace outside idioms, and no sign of peace, courts or a question."""
    if _NOT_A_THREAT.search(low) is not None:
        return False
    rest = _DESCRIBED_HARM.sub(lambda m: " " * len(m.group()), _without_idioms(low))
    return _HARM.search(rest) is not None


_VIOLENT_WORD = re.compile(
    r"(?<![\w'])(?:kill|murder|shoot|shot|stab|hang|hung|burn|bomb|die|dead|death|beat|destroy|"
    r"exterminat|slaughter|massacre|lynch|rape|gas|nuke|execut|wipe|bury|buried|bullet|gun|"
    r"torture|behead|slit|choke|strangl|drown|eradicat|eliminat|genocide|attack|hurt|harm|"
    r"take\s+(?:them|him|her|you)\s+out)"
)


def _without_idioms(text: str) -> str:
    """The text with idioms and violence at things blanked out."""
    for rx in (_IDIOM, _AT_A_THING):
        text = rx.sub(lambda m: " " * len(m.group()), text)
    return text


def _set_aside(text: str) -> bool:
    """Whether a phrase rule matched a threat's shape in `text` and set it aside as negated,
    reported or quoted ("nobody should kill women", 'saying "x should be shot" is vile')."""
    norm = normalize(text).text
    for _rule, rx, _score, _sentence in _RULES:
        for m in rx.finditer(norm):
            s, e = m.span()
            s += _lead_ws(m.group())
            if _NEGATION.search(norm, max(0, s - 10), e) or _reported(norm, s):
                return True
            if _NO_SUBJECT.search(norm, max(0, s - 30), s):
                return True  # "no black person deserves to be beaten": the subject is negated
    return False


_NO_SUBJECT = re.compile(r"(?<![\w'])(?:no|none\s+of\s+the)\s+[a-z]+(?:\s+[a-z]+)?\s+$")

_TARGET_ANY = re.compile(
    rf"{_B}(?:{_PERSON}|they|he|she|we|us|it|cops|pigs|(?:my|our)\s+(?:wife|husband|kids?|son|"
    rf"daughter|family|mom|dad|mother|father|brother|sister|neighbou?rs?)){_E}"
)
