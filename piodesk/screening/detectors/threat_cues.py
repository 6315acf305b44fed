"""Threats that name no act outright, as cue rules (GO 409 §.20): menace, not a verb.

"Nice house on Linden. Shame if something happened to it" threatens without "kill" or
"shoot": a target (an officer, their family or home, a building) meets a menace ("shame if",
"won't make it to Christmas", "body bag") or a plan (weapons brought to a public meeting, a
building to burn with a day set). Counter-speech that reports or quotes a threat ("someone
wrote 'you're next' under his photo"), negation and requests to remove a threat cancel it.
"""

from __future__ import annotations

from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.cues import CueDetector, CueRule, words
from piodesk.screening.model import Category

_OFFICIAL = (
    r"officers?|cops?|pigs?|deputy|deputies|sergeant|sgt|lt|lieutenant|detective|chief|sheriff|"
    r"trooper|judge|mayor|da|witness|captain|council(?:\s+members)?|dispatcher"
)


def _poss(*items: str) -> str:
    """Like `words`, but the match may be followed by a possessive ("the chief's", "kids'")."""
    return r"(?<![\w'])(?:" + "|".join(items) + r")(?='?s?(?![\w']))"


#: After "storm" or "hit" a building: a harmless errand ("storm the station with thank-you
#: cards", "hit the courthouse steps at noon for the voter registration drive").
_BENIGN = (
    r"(?!\s+(?:[\w'-]+\s+){1,6}?(?:with|for)\s+(?:[\w'-]+\s+){0,3}?(?:cards|flowers|cookies|"
    r"petitions?|signs|questions|drive|registration|open\s+house|bake\s+sale|donations?|"
    r"thank-?you\w*|food|toys|coffee))"
)

# fmt: off
CUES: dict[str, str] = {
    # whom: an official or "you", and what is theirs
    "target": words(
        _OFFICIAL, r"you", r"u", r"ya", r"your", r"yours", r"ur", r"him", r"her", r"them", r"they",
        r"every\s+one\s+of\s+you", r"department", r"station", r"precinct", r"whoever",
        r"(?:that|this)\s+(?:girl|guy|boy|man|woman|lady|dude|kid|snitch|rat|witness)",
        r"(?:anybody|anyone|everyone|everybody)\s+(?:with|wearing|in)\s+(?:a\s+)?(?:badge|uniform)",
    ),
    "theirs": _poss(
        r"(?:your|ur|his|her|their|the\s+(?:" + _OFFICIAL + r")(?:'s|s'))\s+(?:\w+\s+)?(?:kids?|"
        r"children|family|wife|husband|daughter|son|baby|house|home|car|cruiser|truck|mailbox|"
        r"dog|windows|bus\s+stop|school|address|schedule|route|boy|girl|little\s+(?:boy|girl|one)|"
        r"twins|mother|mom|father|dad|parents|porch|front\s+(?:door|yard|porch)|street|"
        r"shift|commute|gym|boat|cabin|camper|driveway|garage|daycare|church|grandkids|grandma|"
        r"grandmother|sister|brother|fiancee?|girlfriend|boyfriend|neighborhood|block)",
        # the official with their family, or their day: "you and the kids", "Lt Rivera drives a
        # gray F-150", "the chief leaves the house at 6"
        r"(?:where|which\s+house)\s+(?:" + _OFFICIAL + r")\.?\s+(?:[a-z]+\s+)?"
        r"(?:lives|sleeps|parks)",
        r"(?:you|him|her)\s+and\s+(?:the|your|his|her)\s+(?:kids|wife|husband|family|baby|"
        r"daughter|son|little\s+ones?)",
        r"(?:" + _OFFICIAL + r")\.?\s+(?:[a-z]+\s+)?(?:drives|parks|jogs|"
        r"leaves\s+(?:home|the\s+house)|gets\s+home|picks\s+up|drops\s+off|walks\s+(?:home|(?:his|her|the)\s+(?:dog|kids)))",
        r"(?:" + _OFFICIAL + r")(?:\s+\w+)?'?s\s+(?:\w+\s+)?(?:kids?|children|family|wife|husband|"
        r"daughter|son|baby|house|home|car|mailbox|dog|minivan|van|truck|suv|garage|driveway|boy|"
        r"girl|twins|mother|mom|father|dad|parents|porch|front\s+(?:door|yard|porch))",
        r"(?:house|home|car|truck)\s+is\s+(?:yours|his|hers|theirs)", r"has\s+a\s+baby",
        r"(?:has|have)\s+(?:a\s+)?(?:family|families|kids|wife|children)",
        # an official's kin named: "the sergeant who lied on the stand has a teenage son"
        r"(?:" + _OFFICIAL + r")\.?(?:\s+[\w']+){0,6}?\s+(?:has|have|got)\s+(?:a|two|three|\d)\s+"
        r"(?:\w+\s+)?(?:kids?|sons?|daughters?|wife|baby|babies|children|grandkids)",
        r"(?:you|u)\s+live\s+on", r"cul-de-sac",
        r"(?:your|ur)\s+badge\s+number",
        r"(?:has|have|got)\s+(?:a|such\s+a)\s+(?:\w+\s+){0,2}?(?:porch|house|home|car|truck|boat|yard|"
        r"garage|lawn|deck|fence)",
        r"nice\s+(?:house|home|car|dog)",
        r"house\s+on\s+\w+", r"(?:kids|wife|son|daughter)\s+(?:go|goes|works?)\s+",
        r"(?:your|ur|his|her|their)\s+(?:wife|husband|kids?|son|daughter|mom|dad|family|"
        r"girlfriend|boyfriend)'s", r"(?:your|ur|his|her|their)\s+(?:\w+\s+)?(?:minivan|van|suv)",
    ),
    "menace": words(
        r"(?:be\s+a\s+|would\s+be\s+a\s+|it'?d\s+be\s+a\s+)?shame\s+if",
        r"(?:would|it'?d|it\s+would)\s+be\s+(?:so\s+|really\s+|just\s+)?(?:awful|terrible|"
        r"sad|tragic|too\s+bad|a\s+pity|unfortunate|horrible)\s+if",
        r"keep\s+an?\s+(?:close\s+)?eye\s+on", r"if\s+i\s+(?:was|were)\s+you",
        r"(?:start\s+)?(?:taking|take)\s+a\s+different\s+(?:way|route)\s+home",

        r"(?:someone|somebody|we)\s+(?:should|could|might|oughta|needs\s+to|is\s+going\s+to|"
        r"gonna)\s+(?:go\s+)?(?:visit|stop\s+by|drop\s+by)", r"you\s+know\s+what\s+to\s+do",
        r"something\s+happen(?:ed|s)?",
        r"(?:had|have)\s+an\s+accident", r"(?:won'?t|not)\s+be\s+safe",
        r"how\s+safe\s+(?:that|your|his|her|their)\s+\w+\s+(?:is|are)",
        r"think\s+(?:hard\s+|long\s+|carefully\s+)?about\s+that",
        r"(?:would|it'?d|it\s+would)\s+be\s+(?:a\s+)?(?:real\s+)?(?:tragedy|pity)\s+if",
        r"putting\s+that\s+out\s+there",
        r"be\s+careful", r"break\s+easy", r"would\s+be\s+sad", r"gets?\s+hurt", r"getting\s+hurt",
        r"never\s+sees?\s+(?:his|her|their)", r"what'?s\s+coming", r"something'?s\s+coming",
        r"watch\s+(?:his|her|your|ur)\s+(?:mailbox|back)",
        r"(?:we|i)\s+know\s+(?:where|which|what\s+(?:car|school|time|bus|house))",
        r"easy\s+to\s+find", r"catch(?:es)?\s+fire", r"on\s+my\s+route",
        r"been\s+watching(?!\s+over)",
        r"pay\s+(?:[\w']+\s+){0,3}a\s+visit", r"(?:see|seeing)\s+you\s+(?:real\s+)?soon",
        r"lock\s+your\s+doors", r"neither\s+will", r"not\s+be\s+safe",
        # fire on their property: "wood burns fast this time of year"
        r"burns?\s+(?:real\s+|so\s+|pretty\s+|really\s+)?(?:fast|quick|easy|well|nice)",
        r"(?:would|will|could)\s+(?:burn|go\s+up)", r"flammable",
        r"(?:went|go|goes|going)\s+missing", r"(?:in|into)\s+flames",
        r"look\s+better\s+(?:on\s+fire|burning|as\s+ash)",
        r"(?:be\s+)?waiting\s+(?:in|at|outside|by|behind)",
    ),
    # menace that needs no possession: doom for the target
    "doom": words(
        r"(?:got|has|have)\s+it\s+coming", r"gets?\s+what'?s\s+coming", r"(?:will\s+not|won'?t)\s+"
        r"make\s+it\s+to\s+(?:trial|court|christmas|retirement|morning|tomorrow|the\s+weekend|"
        r"(?:his|her|your|their)\s+(?:next|retirement|birthday|pension)|next\s+\w+|"
        r"another\s+\w+)", r"won'?t\s+see\s+(?:his|her|your|their)\s+next",
        r"enjoy\s+(?:your|his|her|their)\s+last",
        r"(?:gonna|going\s+to|will)\s+miss\s+(?:her|his|their)\s+(?:daddy|mommy|dad|mom|father|"
        r"mother|parents?)", r"sleep\s+with\s+the\s+lights\s+on",
        r"answer\s+to\s+(?:us|me|the\s+streets|the\s+people)(?!\s+(?:at|in)\s+the\s+(?:ballot|polls))",
        r"(?:can|could)\s+hide\s+(?:\w+\s+){0,4}?but\s+not",
        r"count\s+the\s+days", r"tick\s+tock", r"target\s+on\s+(?:his|her|your|their)\s+backs?",
        r"open\s+season\s+on", r"(?:start\s+)?hunting\s+(?:cops|officers|pigs|police)",
        r"(?<!went\shome\sin\s)(?<!came\shome\sin\s)body\s+bags?", r"dead\s+cops",
        r"catch\s+(?:you|u|ya)\s+slippin\w*",
        r"look(?:ing)?\s+over\s+(?:his|her|your|their)\s+shoulders?",
        r"check\s+under\s+(?:his|her|your|their)\s+car",
        r"(?:afraid|careful)\s+to\s+start|start\s+(?:his|her|your)\s+car\s+carefully",
        r"empty\s+desks", r"list\s+of\s+cops", r"wearing\s+a\s+badge", r"in\s+the\s+neck",
        r"pay\s+in\s+blood", r"make\s+(?:\w+\s+){0,2}bleed", r"lesson\s+(?:he|she|they)\s+won'?t",
        r"deliver\s+the\s+sentence\s+ourselves", r"snitches\s+get\s+stitches",
        r"what'?s\s+good\s+for\s+(?:her|him|you|them)", r"another\s+(?:christopher\s+)?dorner",
        r"end\s+up\s+like\s+dallas", r"hanging\s+from\s+a\s+tree", r"hanged\s+from",
        r"deserves?\s+a\s+bullet", r"fear\s+walking", r"(?:with|and)\s+(?:him|her|them|you|"
        r"the\s+cops)\s+in\s+(?:it|them)", r"you'?ll\s+be\s+in\s+it", r"will\s+burn\s+with",
        r"(?:will|gonna)\s+be\s+ash", r"last\s+warning", r"(?:or|and)\s+your\s+family\s+gets",
        r"(?:will|'ll)\s+(?:end|finish)\s+you", r"(?:put|putting)\s+(?:\w+\s+){1,3}in\s+the\s+"
        r"(?:ground|hospital)", r"you'?ve\s+been\s+warned",
        r"you'?ll\s+regret", r"you\s+will\s+(?:regret|pay)", r"(?:gonna|going\s+to)\s+pay\s+for",
        r"won'?t\s+be\s+around", r"dead\s+man", r"(?:you'?re|you\s+are)\s+next",
        r"(?:is|are)\s+next(?=\s*[.!,]|\s*$|\s+(?:officer|cop|chief|pig|deputy|sergeant|detective)|"
        r"\s+on\s+(?:my|the|our)\s+list)",
        r"find\s+(?:out\s+)?where\s+(?:you|u|he|she|they|every\s+one\s+of\s+you|each\s+of\s+you)"
        r"\s+(?:lives?|sleeps?)", r"pay\s+(?:you|u|ya|him|her|them)\s+a\s+(?:little\s+)?visit",
        r"end\s+up\s+(?:in|with)\s+(?:a\s+)?(?:ditch(?:es)?|body\s+bags?|the\s+morgue|"
        r"the\s+ground|a\s+coffin|coffins)", r"lock\s+your\s+doors(?:\s+tonight)?",
        r"(?:his|her|your|their)\s+days\s+are\s+numbered",
        # menace that names no act: what is coming, what is known, what to be afraid of
        r"(?:say|said)\s+goodbye\s+to\s+(?:your|ur|his|her|their)\s+(?:family|kids|wife|husband|"
        r"life|"
        r"children|badge)", r"matter\s+of\s+time\s+before\s+(?:someone|somebody|we|they|i)\s+"
        r"(?:gets?|finds?|catch(?:es)?)",
        r"(?:be|i'?d\s+be|i\s+would\s+be)\s+(?:very\s+)?(?:scared|"
        r"afraid|worried)\s+if\s+i\s+(?:were|was)\s+you", r"accidents\s+happen\s+to\s+(?:cops|"
        r"officers|pigs|people\s+like\s+you|you)", r"followed\s+(?:you|u)\s+home",
        r"(?:hope|hopefully)\s+(?:\w+\s+){0,4}life\s+insurance",
        r"(?:won'?t|never|not)\s+see\s+it\s+coming", r"while\s+you\s+still\s+can",
        r"get\s+(?:real\s+|very\s+|really\s+)?ugly\s+for\s+(?:you|u|him|her|them)",
        r"when\s+you\s+least\s+expect\s+it", r"(?:your|ur|his|her|their)\s+time\s+is\s+(?:coming|"
        r"running\s+out)", r"(?:have|got)\s+to\s+go\s+home\s+(?:eventually|sometime|"
        r"someday)", r"vest\s+(?:of\s+yours\s+)?(?:is\s+bulletproof|works|stops)",
        r"(?:we|i)\s+know\s+(?:you|u|he|she)\s+drives?",
        r"(?:you'?re|you\s+are|ur)\s+on\s+my\s+list"
        r"(?!\s+of)", r"won'?t\s+end\s+well\s+for\s+(?:you|u|him|her|them)",
        r"remember\s+what\s+happened\s+to",
        r"tell\s+(?:your|ur)\s+(?:wife|husband|kids|daughter|son|mom|mother)\s+i\s+said\s+(?:hi|"
        r"hello)",
        r"(?:would\s+)?look\s+better\s+as\s+(?:a\s+)?(?:crater|rubble|ashes|ash)",
        r"(?:can'?t|won'?t|cannot)\s+protect\s+(?:you|your\s+\w+)\s+forever",
        r"when\s+you'?re\s+(?:off\s+duty|alone|out\s+of\s+uniform)",
        r"you'?ll\s+be\s+alone", r"(?:your|ur)\s+turn\s+is\s+coming",
        r"messed\s+with\s+the\s+wrong\s+(?:family|people|person|guy|crowd|neighbou?rhood)",
        r"remember\s+your\s+face", r"(?:and|know|found|remember)\s+where\s+(?:you|u)\s+live",
        r"(?:got|have|know|found)\s+(?:[\w']+\s+){0,5}?(?:your|ur)\s+(?:home\s+)?address",
        r"(?:you'?re|you\s+are|ur)\s+finished(?=\s*[.!,]|\s*$)",
        r"(?:learn|know|feel)\s+what\s+fear\s+is", r"not\s+a\s+threat,?\s+(?:it'?s\s+)?a\s+promise",
        r"(?:first|next)\s+(?:one|cop|officer)\s+(?:we|they|i)\s+(?:come\s+for|get|find)",
        r"(?:the\s+day|when|once)\s+you\s+(?:retire|leave|get\s+off|clock\s+out|"
        r"step\s+out)[^.!?]{0,20}"
        r"we'?ll\s+be\s+(?:there|waiting)",
        r"(?:you'?ll|you\s+will|you'?re\s+gonna)\s+be\s+sorry", r"wait\s+and\s+see",
        r"no\s+idea\s+what'?s\s+coming",
        r"(?:i'?m|we'?re|i\s+am|we\s+are)\s+coming\s+for(?!\s+(?:your|his|her|their)\s+(?:job|seat|"
        r"position|title|office|votes?|pension)\b)",
        r"make\s+(?:you|u|him|her|them|that\s+\w+)\s+(?:pay|suffer|sorry|regret)",
        r"(?:i'?ll|we'?ll|i'?m\s+gonna|we'?re\s+gonna|gonna)\s+get\s+even\b",
        r"settle\s+the\s+score", r"(?:handle|take\s+care\s+of|deal\s+with)\s+(?:him|her|them|you|"
        r"that\s+\w+)\s+(?:myself|ourselves|personally)",
        r"take\s+matters\s+into\s+(?:my|our)\s+own",
        r"street\s+justice", r"justice\s+ourselves", r"better\s+watch\s+out",
        r"without\s+(?:your|ur|his|her)\s+(?:badge|gun|uniform)",
        r"(?:off\s+duty|out\s+of\s+uniform)\s+(?:one\s+day|someday|sometime|eventually|alone)",
        r"nothing\s+(?:left\s+)?to\s+lose", r"(?:only|final|last)\s+warning",
        r"eye\s+for\s+an\s+eye",
        r"(?:there\s+will|there'?ll|gonna)\s+be\s+blood",
        r"blood\s+(?:will|is\s+gonna)\s+(?:be\s+)?"
        r"(?:spilled|shed|flow)", r"(?:show\s+up|knock)\s+(?:at|on)\s+(?:your|ur|his|"
        r"her|their)\s+(?:house|home|door|place|front\s+door)", r"next\s+time\s+it\s+won'?t\s+be",
        r"won'?t\s+be\s+(?:breathing|walking|smiling|laughing|so\s+tough|so\s+brave)",
        r"(?:price|bounty|hit)\s+on\s+(?:your|ur|his|her|their)\s+head", r"put\s+a\s+hit\s+on",
        r"sooner\s+or\s+later",
        r"count\s+your\s+days", r"hospital\s+food", r"hate\s+for\s+something\s+to\s+happen",
        r"(?:anything|lots?\s+of\s+things|things)\s+can\s+happen",
        r"(?<!officer\s)(?<!officers\s)(?<!deputy\s)(?<!cop\s)(?<!officer\swas\s)(?<!deputy\swas\s)"
        r"(?:wait|waiting)\s+(?:for\s+(?:you|u|him|her|them)\s+)?(?:outside\s+(?:the|your|his|"
        r"her)|in\s+the\s+(?:parking\s+(?:lot|garage)|dark|alley|garage)|by\s+(?:your|his|her)\s+"
        r"(?:car|cruiser|truck|house|door))", r"living\s+on\s+borrowed\s+time",
        r"(?:going|go|sent|sending\s+\w+)\s+home\s+in\s+(?:boxes|body\s+bags|coffins|a\s+box)",
        # the odds, a family made to pay, a vest that will not help, being watched
        r"only\s+one\s+of\s+(?:you|u|him|her)", r"(?:or|and)\s+(?:your|ur|his|her|their)\s+"
        r"(?:family|kids|wife|husband|children)\s+(?:gets?|pays?|suffers?|will\s+(?:pay|suffer))",
        r"(?:need|needs)\s+(?:a\s+lot\s+)?more\s+than\s+(?:a|your|his|her|that)\s+vest",
        r"vest\s+(?:won'?t|will\s+not|isn'?t\s+gonna)\s+(?:help|save|stop)",
        r"(?:we'?re|i'?m|we\s+are|i\s+am)\s+(?:always\s+)?watching\s+(?:you|u|every|them|"
        r"the\s+\w+)", r"hope\s+(?:nobody|no\s+one)\s+recogni[sz]es",
        r"(?:have|has|having)\s+accidents",
        r"follow(?:ing)?\s+(?:you|u|him|her|them|(?:" + _OFFICIAL + r")\.?(?:\s+[a-z]+)?)\s+"
        r"home", r"(?:stay|stays|last|lasts)\s+in\s+one\s+piece",
        r"make\s+an\s+example\s+(?:out\s+)?of\s+one\s+of\s+(?:you|u|them|y'?all)",
        r"(?:never|don'?t|dont)\s+look\s+(?:behind|over\s+(?:your|ur)\s+shoulder)",
        r"(?:better|should)\s+(?:pray|hope)\s+(?:that\s+)?(?:i|we|nobody|no\s+one)\s+(?:don'?t|dont|"
        r"never|doesn'?t|do\s+not)\s+(?:catch|find|see|run\s+into|recogni[sz]e)",
        r"pay\s+(?:him|her|them|you|u|ya)\s+back", r"(?:is|'s|are|'re)\s+dead\s+(?:if|when|once)\s+"
        r"(?:i|we)\s+(?:see|catch|find|get)", r"(?:have|get|got)\s+(?:their|your|ur|his|her)\s+"
        r"wills?\s+(?:written|ready|done|in\s+order)",
        r"write\s+(?:your|ur|their|his|her)\s+wills?",
        r"sleep(?:ing)?\s+in\s+shifts",
    ),
    # menace that is also everyday speech ("in the hospital", "or else"): only with a speaker
    # who means to act, or a time to come
    "doom_weak": words(
        r"in\s+the\s+ground", r"in\s+(?:a\s+)?ditch(?:es)?", r"wheelchair", r"in\s+the\s+hospital",
        r"stretchers", r"handle\s+things\s+myself", r"take\s+out\s+the\s+(?:" + _OFFICIAL + r")",
        r"getting\s+shot", r"open\s+fire", r"lay\s+out", r"break\s+(?:his|her|your)\s+jaw",
        r"beat\s+(?:his|her|your)\s+ass", r"make\s+sure\s+of\s+it", r"pop\s+that",
        r"wreck\s+(?:\w+\s+){0,4}body", r"murder\s+that", r"leaving\s+on",
        r"waiting\s+for\s+the\s+(?:officers|cops)\s+outside",
        r"(?:raided|raid)(?:\s+\w+){0,3}\s+by\s+us",
        r"not\s+in\s+court", r"consequences", r"or\s+else",
        r"find\s+out\s+(?:what\s+happens|the\s+hard\s+way)",
        r"see\s+how\s+long\s+(?:your|ur|his|her|their|you|u|the)\s+"
        r"(?:[\w']+\s+){0,3}?(?:stay|stays|last|lasts|survive|keep)",
        r"let\s+them\s+try\s+to\s+stop\s+me(?!\s+from)",
        r"that'?s\s+on\s+(?:her|him|them)", r"bring\s+a\s+vest", r"alone\s+on\s+patrol",
        r"nobody\s+will\s+cry", r"mark\s+my\s+words", r"see\s+what\s+happens",
        r"watch\s+what\s+happens", r"(?:never|won'?t)\s+sees?\s+(?:his|her|their)\s+kids",
    ),
    "future": words(
        r"i'?ll", r"i\s+will", r"i'?m\s+(?:going|gonna)", r"im\s+gonna", r"imma", r"ima",
        r"we'?ll", r"we\s+will", r"we'?re\s+(?:going|gonna)", r"gonna", r"going\s+to", r"will",
        r"someone'?s", r"somebody", r"next\s+(?:time|cop|officer|one)", r"soon", r"keep\s+it\s+up",
        r"again", r"wait\s+till", r"one\s+day", r"if\s+(?:i|they|you)",
        r"one\s+more\s+time", r"next\s+time", r"keep\s+(?:it|this|that)\s+up",
        r"keep\s+(?:on\s+)?[a-z]+(?:ing|in'?)",
    ),
    # weapons brought to a public meeting
    "weapon": words(
        r"guns?(?!\s+(?:control|violence|laws?|rights|owners|show|safety|range))", r"ar(?:-?15)?",
        r"rifles?", r"glocks?", r"pistols?", r"knife", r"knives", r"weapons?", r"shotguns?",
        r"handguns?", r"ar-?15s?", r"machetes?", r"open\s+carry(?:ing)?",
        r"locked\s+and\s+loaded", r"loaded", r"ammo",
        r"carrying(?!\s+(?:(?:a|an|the|our|my|some|\d+)\s+)?(?:\w+\s+)?(?:petitions?|signs?|banners?|"
        r"flags?|candles?|flowers|posters?|water|kids?|bab(?:y|ies)|cop(?:y|ies)|documents|papers|"
        r"binders?|folders?|boxes|box|food|signatures))",
        # "heat" is a gun only when carried ("bring the heat"), not the weather at a rally
        r"(?:pack(?:ing)?|bring(?:ing)?|carry(?:ing)?|with)\s+(?:the\s+|some\s+)?heat",
        r"my\s+(?:nine|9|40|45|gat|strap|tool)",
        r"pipes", r"bricks", r"bats", r"molotovs?", r"strapped", r"armed(?!\s+with\s+(?:facts|"
        r"a\s+camera|knowledge|questions|receipts|the\s+truth))", r"rounds", r"piece",
    ),
    "meeting": words(
        r"meetings?", r"council", r"town\s+hall", r"hearing", r"school\s+board", r"commission",
        r"rally", r"protests?", r"city\s+hall", r"union\s+office", r"march",
    ),
    "speaker": words(
        r"i", r"i'?m", r"im", r"i'?ll", r"we", r"we'?re", r"we'?ll", r"everybody", r"everyone",
        r"bring(?:ing)?", r"going\s+to\s+the", r"coming\s+(?:to|strapped|armed)", r"walking",
        r"y'?all", r"let'?s", r"us", r"gonna",
    ),
    # attacks on buildings: an act, a building, and a plan
    "attack": words(
        r"burn(?:ing)?(?!\s+(?:money|cash|through|calories|rubber|bridges|the\s+midnight))",
        r"torch", r"hit" + _BENIGN, r"molotovs?", r"drive\s+a\s+truck\s+into",
        r"shoot\s+up", r"blow\s+up", r"storm" + _BENIGN, r"fire\s*bomb", r"ash", r"on\s+fire",
        r"burn\s+with",
        r"drives?\s+through\s+the\s+front", r"gas\s+cans?", r"gasoline", r"lighter\s+fluid",
        r"bottles\s+and\s+rags", r"pipe\s+bombs?", r"crater",
        r"(?:go|goes|went)\s+up\s+in\s+(?:flames|smoke)",
        r"blow\s+(?:\w+\s+){0,3}?(?:to\s+pieces|sky\s+high)",
        r"drive\s+(?:a|my|his|their|the|our)\s+(?:\w+\s+)?(?:truck|car|van|"
        r"suv|bus)\s+(?:into|through)", r"(?:had|has|have|caught|catches|a)\s+(?:a\s+)?fire",
        r"burn(?:ed|s|t)\s+down",
        r"(?:go|goes|would\s+go)\s+up\s+(?:real\s+|so\s+|pretty\s+)?(?:nice|quick|fast|easy)",
        r"gallons?\s+of\s+(?:gas|gasoline)", r"drive\s+(?:right\s+)?into",
        r"(?:tell|warn)\s+(?:the\s+|your\s+)?(?:guards|officers|staff|cops|deputies|employees|"
        r"workers)\s+to\s+stay\s+(?:home|away|out)", r"bricks?\s+through",
        r"(?:and\s+)?a\s+match\s+"
        r"(?:after|to\s+it|to\s+the)", r"(?:light|strike|toss|throw|drop)\s+a\s+match",
    ),
    "building": words(
        # a gas or train station is no police building
        r"(?<!gas\s)(?<!train\s)(?<!bus\s)(?<!radio\s)(?<!tv\s)(?<!subway\s)(?<!charging\s)"
        r"(?<!power\s)(?<!service\s)(?<!work\s)(?<!space\s)station", r"precinct", r"courthouse",
        r"city\s+hall", r"pd", r"headquarters", r"hq",
        r"union\s+office", r"substation", r"cop\s+cars?", r"police\s+cars?", r"city",
        r"courthouse\s+doors", r"parking\s+lot", r"warehouse", r"evidence\s+room", r"jail",
        r"armory", r"sheriff'?s\s+office", r"police\s+union",
    ),
    "plan": words(
        # a past night or day ("last night") is an event told, not a plan
        r"we", r"let'?s", r"tonight", r"(?<!last\s)friday", r"(?<!last\s)saturday",
        r"(?<!last\s)monday", r"will", r"gonna",
        r"planning", r"who'?s\s+in", r"remember\s+i\s+said", r"meet\s+at", r"if\s+they\s+convict",
        r"when\s+the\s+verdict", r"we'?ll", r"we'?re\s+(?:gonna|going)",
        r"if\s+(?:they|he|she)\s+(?:walks?|gets?\s+off|(?:is|are)\s+acquitted)",
        r"i'?d\s+love\s+to\s+see", r"would\s+look\s+great",
        r"(?:someone|somebody)\s+(?:should|needs\s+to|oughta|has\s+to|gotta)", r"shift\s+change",
        r"(?<!last\s)night", r"you\s+know\s+what\s+to\s+do", r"bring", r"shame\s+if", r"let\s+them",
        r"count\s+on\s+it", r"going\s+to", r"(?:this|next)\s+week",
        r"(?:be\s+)?(?:awful|terrible|sad|tragic)\s+if",
        r"(?<!last\s)tuesday", r"(?<!last\s)wednesday", r"(?<!last\s)thursday",
        r"(?<!last\s)sunday", r"deserves?", r"would\s+go\s+up",
        r"(?:someone|somebody)\s+(?:is|'s)\s+(?:going\s+to|gonna)", r"i\s+hope",
    ),
    # softer menace that needs an official's family, home or car in the same text: knowing,
    # watching, finding, their being alone, a time to come ("cute kid ... would hate for ...")
    "menace_soft": words(
        r"(?:i|we)\s+(?:know|knew|found|noticed|saw|seen|watched|followed|checked)",
        r"(?:i'?ve|we'?ve)\s+(?:seen|noticed|found|watched|been\s+watching)",
        r"watching(?!\s+over)", r"(?<!left\s)(?<!leave\s)alone", r"unprotected", r"(?:be\s+)?safe",
        r"careful", r"someday", r"one\s+day",
        r"eventually", r"one\s+of\s+these\s+(?:days|nights)", r"we\s+all\s+know",
        r"(?:hate|hates)\s+(?:to\s+see|for)",
        r"wonder\s+(?:how|if|what)", r"funny\s+how", r"(?:every|each)\s+(?:day|night|morning|"
        r"afternoon|monday|tuesday|wednesday|thursday|friday|saturday|sunday)", r"what\s+time",
        r"(?:at|around)\s+(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)?|noon|midnight)", r"right\s*\?",
        r"by\s+(?:herself|himself|themselves)", r"off\s+duty", r"would\s+be\s+a\s+pity",
        r"cute", r"pretty\s+(?:girl|wife|daughter)", r"easy\s+to",
        r"(?:lets|gets)\s+out\s+at", r"get\s+off\s+the\s+bus",
        r"just\s+(?:so\s+)?(?:everyone|everybody|you|y'?all)\s+knows?", r"just\s+an\s+observation",
        # knowing and watching: "we've got a picture of your front door", "parked across from
        # your house", and the closers that make it menace: "sleep well", "think hard"
        r"(?:got|have|took|taking)\s+(?:a\s+|some\s+)?(?:pictures?|photos?|pics?|video)\s+of",
        r"(?:been\s+)?(?:parked|sitting|waiting)\s+(?:across|outside|in\s+front|down\s+the\s+street"
        r"|near)", r"(?:didn'?t|never|don'?t)\s+(?:even\s+)?notice", r"sleep\s+(?:well|tight)",
        r"have\s+a\s+(?:nice|good|great)\s+(?:day|night|evening|weekend)", r"think\s+hard",
        r"(?:your|ur)\s+next\s+move", r"seems?\s+(?:like\s+)?(?:a\s+)?nice", r"found",
        r"(?:every|each)\s+(?:evening|weekend|week)", r"in\s+the\s+(?:parking\s+)?lot",
        r"when\s+(?:you|u)\s+get\s+home", r"while\s+(?:you|they|he|she)\s+still\s+can",
        r"good\s+luck", r"remember", r"(?:right\s+)?by\s+my\s+(?:house|place)",
        r"something\s+to\s+think\s+about", r"food\s+for\s+thought", r"(?:real|so|very)\s+quiet",
        r"quiet\s+at\s+night", r"good\s*night", r"(?:got|have|keeping)\s+eyes\s+on",
        r"(?:i|we)\s+see\s+(?:u|you|him|her)\s+every",
        r"(?:leaves|gets\s+home|walks\s+home|walks\s+to\s+school)\s+"
        r"(?:at|every|alone)", r"i\s+said\s+(?:hi|hello)",
    ),
    "kind": words(
        r"thanks?", r"thank\s+you", r"congrat\w*", r"great", r"proud", r"welcome", r"please",
        r"bless", r"nicest", r"best", r"love", r"miss", r"awesome", r"appreciate\w*", r"kind",
        r"helped", r"helping", r"hero", r"sweet", r"safe\s+travels", r"stay\s+safe",
        r"party", r"happy", r"birthday", r"recovery", r"prayers?", r"can\s+(?:we|you|i)",
        r"could\s+(?:we|you)", r"crossing\s+guard", r"\?\s*$", r"worr(?:y|ies|ied)",
        r"my\s+(?:brother|sister|dad|mom|son|daughter|husband|wife|cousin|uncle|aunt)\s+is\s+an?",
        r"lovely", r"friendly", r"waves?", r"good\s+(?:man|guy|woman|lady|neighbou?r|person|people|"
        r"cop|officer|dad|mom|father|mother)",
        r"(?:leave|left|let)\s+(?:\w+\s+){0,2}?(?:be|alone)", r"get\s+well",
    ),
    # cancellers: negation, counter-speech, requests to act on a threat
    "negation": words(
        r"never(?!\s+(?:sees?|see|hugs?|again|looks?|notices?|knows?))",
        r"nobody\s+(?:should|wants|is\s+going)",
        r"no\s+one\s+should",
        # any "don't" (a threat rarely carries one), but not the menace "better pray I don't
        # catch you"
        r"(?<!pray\si\s)(?<!pray\swe\s)(?<!hope\si\s)(?<!hope\swe\s)don'?t"
        r"(?!\s+(?:test|try|push|play\s+with)\s+(?:us|me)\b)(?!\s+look\s+behind)",
        r"please\s+don'?t", r"wouldn'?t", r"would\s+never", r"not\s+threatening", r"isn'?t",
        r"not\s+saying", r"not\s+going\s+to\s+hurt",
        r"(?:no\s+one|nobody|none\s+of\s+us)\s+(?:is|are|will\s+be|was)\s+(?:bringing|carrying|"
        r"armed|going\s+to\s+(?:bring|carry|hurt|burn|attack))", r"no\s+weapons", r"unarmed",
        r"peaceful(?:ly)?", r"non-?violent",
        # the act itself denied: "I will NOT be bringing it to the meeting", "no way I would"
        r"(?:not|never|won'?t)\s+(?:be\s+)?(?:bring|bringing|carry|carrying)",
        r"no\s+way\s+(?:i|we)",
        r"(?:i|we)\s+(?:will\s+not|won'?t|am\s+not|are\s+not|'m\s+not|'re\s+not|aren'?t|never)\s+"
        r"(?:be\s+)?(?:waiting|coming|showing\s+up|show\s+up)",
        r"(?:the\s+)?last\s+thing\s+(?:i|we|anyone|anybody)",
    ),
    "report": words(
        r"(?<!\bi\s)(?<!if\s)(?<!you\s)said(?!\s+it\b)(?!\s+goodbye)", r"(?<!just\s)saying",
        r"(?<!the\s)(?<!chief\s)"
        r"(?<!mayor\s)(?<!judge\s)says(?!\s+(?:something|the\s+wrong|anything))",
        r"wrote(?!\s+(?:me|us|him|her|them|you|u)\s+(?:a|that|the|up)\b)",
        r"(?<!wills\s)(?<!will\s)written", r"posted", r"commented", r"comment",
        r"painted", r"note", r"(?<!not\sa\s)threat(?:en(?:ed|ing|s)?|s)?", r"sentenced", r"charged",
        r"arrested", r"article", r"per\s+the", r"according\s+to", r"reports?", r"reported",
        r"should\s+be\s+(?:arrested|deleted|banned|fired|removed|prosecuted|punished)",
        r"disgusting", r"sick", r"crime", r"terrible", r"scary", r"vandalized",
        r"how\s+is\s+that\s+allowed", r"prayers?", r"praying", r"condolences", r"sorry\s+for",
        r"god\s+bless", r"rip",
        # goodwill that explains knowing an official's family or home: praying for them, being
        # their neighbour ("we know where Sgt. Murphy lives because he's our neighbor")
        r"pray(?:s|ed)?\s+for",
        r"(?:he|she|they)(?:'s|'re|\s+is|\s+are)\s+(?:my|our)\s+(?:\w+\s+)?neighbou?rs?",
        r"next\s+door\s+to\s+(?:me|us)",
        # someone else's words: "my uncle keeps ranting that ...", "he told me to lock your doors"
        r"rant(?:s|ed|ing)?", r"(?<!i\s)told\s+(?:me|us)", r"keeps?\s+(?:saying|yelling|posting)",
        # a notice for the public's safety, not menace: "be careful out there tonight, the roads
        # are icy", "lock your doors, folks, there's been a string of break-ins"
        r"(?:careful|safe)\s+out\s+there", r"folks", r"parents", r"icy", r"roads", r"break-?ins?",
        r"crowded",
    ),
    "quote": r"[\"“”]",
    # a sentence that asks, and talk of carrying within the rules ("will guns be allowed at the
    # hearing?", "I'll leave it in the car", "the permit class"): no weapon is being brought
    "asks": r"\?",
    "lawful_carry": words(
        r"permits?", r"licen[cs]ed", r"allowed", r"legal(?:ly)?", r"illegal", r"ban(?:ned|s)?",
        r"policy", r"rules?", r"metal\s+detectors?", r"lockers?", r"buyback", r"gun-free",
        r"no\s+(?:guns|weapons)", r"safety\s+(?:class|course|training)", r"unloaded",
        r"leave\s+(?:it|them|my\s+\w+)\s+(?:in|at|home)", r"check(?:ed)?\s+(?:it|them|my)",
    ),
    # the law doing its work: "I'd prepare for a long prison sentence if I were you"
    "jail": words(
        r"(?<!not\s)in\s+(?:a\s+)?(?:\w+\s+)?court(?:room)?", r"lawsuits?",
        r"(?:running|run)\s+against\s+you",
        r"(?:file|filing|filed)\s+(?:a\s+)?(?:formal\s+)?complaint", r"elections?", r"ballot",
        r"vote\s+(?:you|him|her|them)\s+out", r"recall\s+(?:election|petition)",
        r"polls", r"november", r"recall",
        r"(?:you'?re|your|you\s+are|he'?s|she'?s|they'?re|ur)\s+(?:going|gonna|headed)\s+(?:to\s+)?"
        r"(?:jail|prison)", r"behind\s+bars", r"locked\s+up", r"in\s+handcuffs",
    ),
    "legal": words(
        r"(?:you'?re|your|you\s+are|he'?s|she'?s|they'?re|ur)\s+(?:going|gonna|headed)\s+(?:to\s+)?"
        r"(?:jail|prison)", r"behind\s+bars", r"locked\s+up", r"in\s+handcuffs",
        r"prison\s+sentence", r"(?:prepare|ready)\s+for\s+(?:a\s+)?(?:long\s+)?(?:prison|jail)",
        r"lawyer", r"attorney", r"court", r"lawsuit", r"sue",
        r"suing", r"indicted", r"impeach\w*", r"vote\s+(?:you|him|her|them)\s+out", r"election",
    ),
    "official": _poss(
        _OFFICIAL, r"lt", r"sgt",
        r"(?:wrote|gave|issued)\s+me\s+(?:a|that|the)\s+(?:ticket|citation|summons)",
    ),
}
# fmt: on

_UNLESS = ("negation", "report", "quote", "jail")
RULES: tuple[CueRule, ...] = (
    CueRule(
        "threat.family_home",
        ("theirs", "menace"),
        "Implied threat: the text points at an official's family, home or car and hints that "
        "harm could come to them.",
        0.8,
        unless=(*_UNLESS, "legal"),
        scope="text",
        at_risk="an official's family or home ({theirs})",
    ),
    CueRule(
        "threat.family_home",
        ("theirs", "menace_soft", "official"),
        "Implied threat: the text points at an official's family, home or car and says it knows "
        "where or when to find them.",
        0.7,
        unless=(*_UNLESS, "kind"),
        scope="text",
        unless_in_text=True,
        distinct=True,
        at_risk="an official's family or home ({theirs})",
    ),
    CueRule(
        "threat.implied",
        ("target", "doom"),
        "Implied threat: the text promises harm or death to an official or the reader without "
        "naming the act.",
        0.75,
        unless=_UNLESS,
        scope="text",
        at_risk="the person threatened ({target})",
    ),
    CueRule(
        "threat.implied",
        ("target", "doom_weak", "future"),
        "Implied threat: the text says harm will come to an official or the reader.",
        0.7,
        unless=_UNLESS,
        at_risk="the person threatened ({target})",
    ),
    CueRule(
        "threat.weapon_at_meeting",
        ("weapon", "meeting", "speaker"),
        "The text says weapons will be brought to a public meeting or protest.",
        0.8,
        unless=(*_UNLESS, "asks", "lawful_carry"),
        scope="sentence",
        at_risk="the people at a public meeting ({meeting})",
    ),
    CueRule(
        "threat.building_attack",
        ("attack", "building", "plan"),
        "The text plans or calls for an attack on a police or public building.",
        0.8,
        unless=_UNLESS,
        scope="text",
        at_risk="the {building} and the people in it",
    ),
)


def build() -> list[Detector]:
    """The implied-threat cue rules as one detector."""
    return [
        CueDetector(
            "threat.cues",
            Category.THREAT.value,
            CUES,
            RULES,
            "The text threatens a person, group or place.",
        )
    ]
