"""Comments that compromise the safety or security of the public or public systems (§.20).

Each explanation names the system or the people put at risk: codes and passwords of public
buildings, police radio frequencies, a public system left unguarded, where and when police
are (or are not) during an event, protected people and shelters located, and hoax emergencies.
Requests to fix something ("please fix the fence"), questions and news share the words and
cancel the rule: saying that something is broken is not showing how to use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.cues import UNIT, CueDetector, CueRule, fill_at_risk, words

_PLACE = (
    r"station|precinct|substation|jail|prison|courthouse|court\s*house|city\s+hall|capitol|"
    r"annex|dispatch(?:\s+center)?|911(?:\s+center)?|impound(?:\s+lot)?|evidence\s+(?:room|"
    r"warehouse|locker)|armory|sally\s+port|school|library|clerk'?s\s+office|shelter|"
    r"sheriff'?s\s+office|police\s+department|pd|lobby|range|garage|building|hospital|arena|"
    r"stadium|airport|control\s+room"
)

# fmt: off
_CODE_WORD = words(
    r"(?:door|gate|alarm|keypad|building|key|entry|access|lock|back\s+gate)\s*codes?",
    r"passwords?", r"passcodes?", r"pin", r"logins?", r"encryption\s+key", r"keypad",
    r"code\s+word", r"credentials", r"admin/admin", r"codes?", r"combinations?", r"combo",
    r"disarm(?:ed|s)?\s+with", r"(?:punch|key|type)(?:es|ed|ing)?\s+in", r"wi-?fi",
)
# the code itself, within a few words after the word "code" or "password"
_CODE_VALUE = (
    _CODE_WORD
    + r"[^.!?\n]{0,60}?(?<![\w.])(?:#?\d{3,6}|\d(?:-\d){2,5}|\d{1,2}(?:-\d{1,2}){2,4}|"
    r"\d(?:\s\d){3,5}|admin|the\s+year|"
    r"(?:the\s+)?(?:factory\s+|vendor\s+)?default|vendor\s+password|[a-z]+\d{2,4}|written\s+on|"
    r"sticky\s+note|post[\s-]*its?|sticker|\"[^\"]{2,20}\")(?![\w])"
)

CUES: dict[str, str] = {
    "code_word": _CODE_WORD,
    "code_value": _CODE_VALUE,
    "frequency": r"(?<![\w.])\d{3}\.\d{2,4}(?:\s*mhz)?(?![\w.])|" + words(
        r"talkgroup\s+\d+", r"tac\s+channel",
        r"talkgroups?\s+(?:for\s+)?(?:[\w']+\s+){0,3}?is\s+\d{3,5}", r"ops\s+\d",
        r"channel\s+\d+(?!\s*(?:news|tv|weather|sports|\d))", r"jammers?",
        r"jam(?:ming)?\s+(?:the\s+)?(?:police\s+|their\s+)?(?:radios?|signals?|frequenc\w+|channels?)",
        r"transmitters?",
    ),
    "radio": words(
        r"radio", r"radios", r"dispatch", r"scanner", r"frequency", r"freq", r"mhz", r"channel",
        r"talkgroup", r"uniden", r"baofeng", r"repeater", r"comms",
    ),
    # a public system or place, and a weakness someone could use
    "system": words(
        _PLACE, r"back\s+lot", r"(?:emergency\s+)?broadcast\s+system", r"eoc",
        r"emergency\s+operations\s+center", r"(?:gps\s+)?track(?:ing|er)\s+devices?", r"trackers?",
        r"bait\s+(?:cars?|bikes?|packages?)", r"water\s+(?:treatment\s+)?plant",
        r"treatment\s+plant", r"pump\s+station",
        r"power\s+(?:plant|company'?s\s+substation|to\s+the\s+police)", r"grid", r"dam",
        r"spillway", r"reservoir(?:\s+intake)?", r"water\s+tower", r"chemical\s+plant",
        r"chlorine\s+tanks", r"generator",
        r"traffic\s+(?:light|signal)s?\s+(?:controller|box|cabinet)", r"controllers?",
        r"controller\s+box", r"red\s+light\s+cameras", r"cameras?(?:\s+system)?",
        r"camera\s+feed", r"alarm(?:\s+panel|\s+system)?", r"fire\s+alarm\s+panel",
        r"metal\s+detectors?", r"emergency\s+(?:sirens|exit|doors|alert\s+system)", r"sirens",
        r"gas\s+line\s+valve", r"runway", r"fence", r"back\s+door", r"side\s+doors?",
        r"roof\s+door", r"door", r"gate", r"window", r"panic\s+button", r"patrol\s+cars",
        r"gun\s+safe", r"transit\s+center", r"train\s+platform", r"loading\s+dock",
        r"inmate\s+phone\s+system", r"ballot\s+drop\s+box", r"atm", r"police\s+horses",
        r"mobile\s+command\s+unit", r"cellular\s+booster", r"tanks?", r"network", r"wifi",
        r"drone", r"prison\s+yard", r"yard", r"encryption\s+key",
        r"(?:admin|wifi|system|network|camera|alarm|radio|server|vendor|center|portal|dispatch|"
        r"cad|records)\s+(?:logins?|passwords?)", r"911\s+(?:system|lines?)",
        r"(?:emergency\s+)?alert\s+system",
        r"lockdown\s+(?:code(?:\s+word)?|plan)", r"lock\s*box", r"(?:knox|key)\s*box",
        r"(?:rail(?:road)?|track)\s+switch(?:\s+box)?", r"switch\s+box", r"junction\s+box",
        r"(?:electrical|control|utility|breaker|signal|fuse|power)\s+(?:box|panel|cabinet)",
        r"manholes?", r"(?:steam|utility|service|sewer)\s+tunnels?", r"control\s+house",
        r"valves?", r"fiber(?:\s+lines?)?", r"cams", r"power\s+lines?",
        r"flood\s*gates?(?:\s+controls?)?", r"levees?", r"ladder(?:\s+cage)?", r"antennas?",
        r"lift\s+stations?", r"cage",
        r"code\s+word", r"(?:employee|staff|back|side)\s+"
        r"(?:entrance|door)", r"entrances?", r"keypad", r"command\s+post", r"scada",
    ),
    "weakness": words(
        r"(?:never|isn'?t|not|is\s+not|aren'?t)\s+(?:even\s+)?locked", r"unlocked",
        r"no\s+lock", r"doesn'?t\s+(?:latch|lock)", r"don'?t\s+lock", r"doesn'?t\s+set\s+off",
        r"no\s+(?:cameras?|guard|security|alarm|fence|one\s+watching|detection|camera)",
        r"has\s+no\s+(?:guard|camera|alarm|fence|lock|security)", r"(?:is|are)\s+unguarded",
        r"broken\s+(?:fence|lock)", r"fence\s+is\s+cut", r"gap", r"hole\s+in", r"wide\s+open",
        r"(?:has|have|there'?s)\s+a\s+(?:big\s+|huge\s+|little\s+)?(?:hole|gap|opening)",
        r"crawl\s+(?:through|under)", r"(?:climb|hop|jump)\s+(?:right\s+)?over",
        r"propped\s+open", r"(?:been\s+)?open\s+for\s+months", r"rusted\s+open",
        r"(?:cameras?|feed)\s+(?:are\s+|is\s+)?(?:out|off|fake|broken|offline|on\s+a\s+timer)",
        r"(?:is|are|been)\s+(?:turned\s+off|disabled|offline|broken|fake|out)",
        r"(?:have|has)\s+been\s+(?:dead|out|off|down|broken|offline|disabled)",
        r"turned\s+off", r"disabled", r"default\s+password", r"factory\s+default",
        r"public\s+ip", r"goes\s+down", r"anyone\s+(?:can|could)", r"anybody\s+can",
        r"you\s+can\s+(?:pull|walk|get\s+(?:in|into|through|past|over|under)|change|see|crawl|sneak|"
        r"hear|talk|just)",
        r"easy\s+to\s+(?:get|find|reach)", r"accessible", r"left\s+(?:open|unlocked|cracked)",
        r"leave\s+(?:the\s+)?\w+\s+(?:window\s+)?(?:open|cracked|unlocked)",
        r"unwatched", r"unmonitored", r"nobody\s+(?:watches|checks|monitors|answers|watching)",
        r"nobody\s+would\s+come", r"no\s+one\s+(?:watches|checks|is\s+watching)",
        r"(?:don'?t|doesn'?t)\s+get\s+watched", r"has\s+nobody", r"(?:is\s+)?kept\s+under",
        r"(?:is\s+)?kept\s+on\s+a\s+board", r"isn'?t\s+watched", r"can\s+be\s+(?:flooded|set\s+off"
        r"|turned\s+off)", r"crashed",
        r"lets\s+(?:you|anyone|anybody)\s+(?:in|into|through|past|open|walk|get\s+in)",
        r"just\s+unlocks", r"opens\s+it",
        r"a\s+credit\s+card\s+opens", r"no\s+lock\s+on", r"cut\s+it", r"unplugging",
        r"only\s+(?:a|one|two)\s+(?:padlock|regular\s+lock)", r"just\s+a\s+(?:padlock|regular)",
        r"sleeps?", r"(?:the\s+)?backup\s+takes", r"hasn'?t\s+worked", r"there'?s\s+no\s+detection",
        r"(?:will|would)\s+lose\s+radio", r"loses\s+radio", r"can\s+see\s+the\s+door\s+codes",
        r"(?:can|could)\s+(?:walk|get|sneak)\s+(?:right\s+)?in", r"with\s+no\s+(?:sign|guard)",
        r"still\s+(?:has\s+)?(?:the\s+)?(?:factory|vendor|default)", r"vendor\s+password",
        r"(?:written|taped|stuck)\s+(?:on|to)\s+a\s+(?:sticky\s+note|post-?it|note)",
        r"sticky\s+note",
        r"no\s+metal\s+detectors?", r"glass\s+doors",
        r"(?:all|everyone|everybody)\s+(?:knows?|has)\s+it",
        r"(?:kids|scanner\s+guys|everyone)\s+(?:all\s+)?(?:know|have)\s+it", r"never\s+changes?",
        r"could\s+send\s+a\s+fake", r"(?:just|only)\s+\d+\s+people",
        r"no\s+one\s+(?:there|on\s+it)",
        r"has\s+no\s+one",
        r"(?:broken|busted|smashed|cut)\s+(?:windows?|locks?|padlocks?|doors?|gates?|latch(?:es)?|"
        r"fences?)", r"unplugged", r"disconnected",
        r"(?:has|have)\s+no\s+(?:fuel|power|backup|batter(?:y|ies)|locks?)",
        r"(?:won'?t|wont|will\s+not)\s+last", r"(?:nobody|no\s+one)\s+(?:has\s+)?(?:noticed|fixed)",
        r"you\s+can\s+climb", r"never\s+(?:reset|changed?|updated)", r"opens?\s+if\s+you",
        r"sticks?\s+open", r"(?:is|are)\s+(?:shot|busted|jammed|rusted\s+through)",
        r"rusted\s+through",
        r"(?:won'?t|doesn'?t|does\s+not|will\s+not)\s+(?:close|shut)",
        r"go(?:es)?\s+to\s+voicemail",
        r"(?:just\s+)?(?:rip|pull|yank)\s+(?:it|them)\s+(?:off|out)",
        r"(?:is|are)\s+(?:off|down)\s+(?:after|from|between|during|every|until|till|overnight|at\s+night|"
        r"on\s+weekends)",
        r"keys?\s+(?:is\s+|are\s+)?(?:kept|hangs?|hanging|left|hidden|sits?|stays?)\s+(?:on|under|in|"
        r"by|behind|above)", r"knock\s+(?:it|that|them|the\s+\w+)\s+(?:down|out)",
        r"(?:they'?re|they\s+are|it'?s|they\s+go)\s+dark",
        r"(?:lock|locks|padlock|cover|lid|latch|hatch)\s+(?:[\w']+\s+){0,6}?(?:is|are|was)\s+"
        r"(?:gone|missing|off|busted|cut)", r"(?:gets?|got)\s+propped",
        r"propped\s+(?:with|by)",
        r"open\s+(?:manholes?|hatch(?:es)?|access\s+(?:panels?|hatch|doors?))",
        r"cut\s+the\s+(?:cables?|wires?)\s+(?:on|to|of)",
        r"(?:they'?re|they\s+are|it'?s)\s+(?:blind|deaf|offline)",
    ),
    # a device that keeps people safe, and a sign that it does not work
    "guard_device": words(
        r"panic\s+(?:buttons?|alarms?)", r"(?:fire\s+|burglar\s+|door\s+)?alarms?(?:\s+panels?)?",
        r"cameras?", r"metal\s+detectors?", r"(?:door\s+)?locks?", r"sirens?", r"card\s+readers?",
        r"emergency\s+(?:phones?|exits?|doors?|lights?)", r"intercoms?", r"badge\s+readers?",
    ),
    "fails": words(
        r"(?:doesn'?t|don'?t|does\s+not|do\s+not|never)\s+(?:even\s+)?work",
        r"never\s+(?:reconnected|hooked\s+up|turned\s+(?:back\s+)?on)",
        r"(?:isn'?t|aren'?t|is\s+not|are\s+not)\s+(?:even\s+)?(?:connected|hooked\s+up|plugged\s+in|"
        r"armed|on)",
    ),
    # police coverage: where they are, when they leave, where they are not
    "agents": words(
        r"snipers?", r"cops?", r"police(?:\s+line)?", r"officers?", r"swat", r"deputy",
        r"deputies", r"bike\s+cops", r"national\s+guard(?:\s+trucks)?", r"command\s+post",
        r"motorcade", r"security\s+detail", r"protective\s+detail", r"detail", r"guard",
        r"resource\s+officer", r"crossing\s+guard", r"dispatcher", r"range\s+officer",
        r"metro\s+cops", r"night\s+(?:deputy|guy|staff)", r"staff", r"officers'?",
        r"sheriff'?s?", r"(?:car|unit)\s+\d+", r"units?", r"chief", r"prisoner\s+transport",
        r"unmarked(?:\s+(?:cars?|vans?|units?|trucks?))?", r"squad\s+cars?", r"cruisers?",
        r"patrol\s+cars?", r"(?:swat|police|k-?9|transport|tactical)\s+(?:vans?|trucks?|teams?)",
        r"riot\s+(?:squad|police|cops|gear)", r"k-?9s?", r"drone\s+teams?", r"task\s+force",
        r"troopers?", r"checkpoints?", r"speed\s+traps?",
        r"(?:evidence|prisoner|armou?red|cash)\s+(?:vans?|trucks?|cars?)", r"cops'", r"deputies'",
        r"troopers'",
    ),
    "gap": words(
        r"only\s+(?:one|two|1|2|3|\d)\s+(?:officers?|deputy|deputies|cops?|cars?|car|guard|"
        r"dispatcher|people)", r"only\s+(?:at|on)\s+the\s+\w+\s+(?:end|side|entrance)",
        r"only\s+(?:has|have|got|had)\s+(?:one|two|1|2|a\s+single)\s+(?:officers?|deput(?:y|ies)|"
        r"cops?|cars?|guards?|dispatchers?)", r"basically\s+(?:nobody|no\s+one)",
        r"only\s+patrol", r"only\s+have\s+(?:one|two|\d)",
        r"only\s+(?:one|two|three|a\s+couple|\d)\s+(?:\w+\s+)?(?:guys|men|people|techs?|staff|"
        r"of\s+them|units?|troopers?|officers?|cops?|guards?)",
        r"(?:none|nobody|no\s+one|zero)\s+(?:in|on|at|by|near|around)\s+the",
        r"(?:is|are)\s+(?:just\s+|only\s+)?(?:one|a\s+single|1)\s+(?:\w+\s+)?(?:lady|guy|person|woman|man|"
        r"officer|deputy|guard|cop)", r"the\s+rest\s+go\s+home",
        r"(?:are|is|go(?:es)?)\s+(?:on|to)\s+(?:break|lunch)",
        r"(?:north|south|east|west|other|back|front)\s+(?:[\w']+\s+)?(?:is|are)\s+(?:wide\s+open|empty|"
        r"unguarded|clear)",
        r"with\s+(?:only\s+)?(?:one|1|a\s+single)\s+(?:\w+\s+)?(?:tech|guard|officer|deputy|"
        r"driver|cop)",
        r"(?:nobody|no\s+one)\s+(?:there|watching|guarding|on\s+duty|at|in\s+it)",
        r"(?:nobody|no\s+one|no\s+cops?|no\s+officers?)\s+(?:on|by|near|covering|watching)\s+"
        r"the",
        r"has\s+nobody", r"thinnest", r"(?:is\s+)?empty\s+between", r"alone", r"no\s+escort",
        r"leaves?\s+at\s+\d", r"leave\s+at\s+\d", r"after\s+that", r"between\s+\d",
        r"(?:from\s+)?\d{1,2}\s*-\s*\d{1,2}\s*am", r"like\s+3\s+cops", r"will\s+have\s+like",
        r"(?:the\s+)?(?:north|south|east|west)\s+(?:end|side)\s+(?:only|has)", r"open\s+till",
        r"stay\s+open", r"sleep", r"goes\s+out", r"unwatched", r"with\s+one\s+guard",
        r"push\s+through", r"(?:leave|leaves)\s+the\s+\w+\s+(?:side\s+)?open",
        r"at\s+the\s+\w+\s+(?:end|entrance)\s+only", r"(?:takes|take)\s+\d+\s+min",
        r"has\s+no\s+one", r"no\s+one\s+(?:there|on\s+it|covering)",
        r"(?:the\s+)?only\s+(?:one|car|unit|deputy|officer|cop|patrol)\s+(?:covering|on\s+duty|"
        r"working|for\s+the\s+whole)",
    ),
    "route": words(
        r"(?:will\s+be|gonna\s+be)\s+(?:at|coming)", r"(?:coming|come)\s+(?:down|from|up)",
        r"staging", r"staged", r"posted\s+at", r"on\s+the\s+roof", r"box\s+you\s+in",
        r"hiding\s+the", r"will\s+come\s+down", r"route", r"come\s+out\s+on", r"turn\s+on\s+exit",
        r"moving\s+the\s+(?:prisoner|evidence)", r"moved\s+to\s+county", r"transported",
        r"hits?\s+the\s+bank", r"(?:will\s+be\s+)?moving\s+the", r"the\s+same\s+route",
        r"at\s+the\s+(?:\w+\s+)?entrance\s+only", r"shift\s+change", r"parks\s+in",
        r"transport", r"leaves?\s+(?:county|the\s+jail|the\s+station|at\s+\d)",
        r"(?:is|are)\s+sitting\s+(?:in|at|behind|by|on)", r"(?:is|are)\s+(?:all\s+)?lined\s+up",
        r"box\s+(?:\w+\s+)?in", r"(?:just\s+)?pull(?:s|ing)?\s+in\s+(?:behind|at|by|outside)",
        r"just\s+pulled\s+(?:in|up)",
        r"(?:trucks?|vans?|cars?|cruisers?|squad|cops|officers|deputies|troopers|swat)\s+(?:are\s+)?"
        r"lin(?:ing|ed)\s+up\s+(?:behind|at|in|on|by)", r"parks?\s+(?:at|behind|by|on)",
        r"parked\s+(?:at|behind|in|on|by)", r"launch(?:es)?\s+from",
        r"waiting\s+(?:for|at|in|behind)",
        r"set\s+up\s+(?:at|on|behind|by)",
        r"mov(?:ed|ing)\s+(?:the\s+)?(?:checkpoint|line|barricades?|roadblock|staging|trucks?|vans?)"
        r"\s+to", r"hiding\s+(?:in|behind)",
        r"drops?\s+(?:her|him|them)\s+off", r"picks?\s+(?:her|him|them)\s+up",
        r"leaves\s+(?:the\s+)?\w+\s+at\s+\d",
        r"keep\s+(?:their|the)\s+(?:[\w']+\s+){0,2}?(?:at|in|behind|by)",
        r"always\s+(?:goes\s+|takes\s+)?(?:down|via|up)",
    ),
    "go_around": words(
        r"go\s+(?:down|around|south|north|east|west|the\s+\w+\s+way)", r"take\s+the\s+alley",
        r"come\s+up\s+behind", r"so\s+go", r"push\s+through", r"that'?s\s+where\s+to",
        r"avoid", r"instead", r"at\s+\d{1,2}\s*(?:am|pm)?", r"\d{1,2}\s*(?:am|pm)",
        r"(?:tuesday|thursday|friday|monday|wednesday|saturday|sunday)", r"every\s+(?:night|day)",
        r"alone", r"no\s+escort", r"in\s+a\s+regular\s+van", r"unmarked\s+car", r"one\s+guard",
        r"right\s+now", r"as\s+we\s+speak", r"heads\s+up", r"just\s+(?:pulled|rolled|showed|moved|"
        r"set\s+up|got\s+there)", r"\d+\s+min(?:ute)?s?\s+ago", r"get\s+out\s+(?:the\s+back|now)",
        r"(?:just\s+)?walk\s+(?:right\s+)?in", r"they\s+(?:plan|are\s+planning|intend)\s+to",
        r"take\s+[a-z]+\s+(?:instead|if)", r"cut\s+the",
        r"(?:they'?re|they\s+are)\s+(?:hitting|raiding|going\s+in|moving\s+in)", r"that'?s\s+where",
    ),
    # protected people and places located
    "protected": words(
        # not a warming, storm or animal shelter, which is open to all
        r"(?<!warming\s)(?<!cooling\s)(?<!homeless\s)(?<!animal\s)(?<!storm\s)(?<!emergency\s)"
        r"(?<!red\scross\s)shelter(?!\s+(?:dogs?|cats?|pets?|animals?|pup\w*))", r"safe\s+house",
        r"witness\s+protection",
        r"group\s+home", r"foster\s+\w+\s+home", r"witness",
        r"officer\s+who\s+testified",
        r"the\s+judge", r"the\s+mayor'?s\s+kids", r"protective", r"police\s+protection",
        r"youth\s+home", r"runaway\s+(?:home|shelter)", r"hiding\s+(?:her|him|them)",
    ),
    "located": words(
        r"is\s+(?:the|at|where|on)", r"at\s+\d{2,5}\s+\w+", r"\d{2,5}\s+[a-z]+\s+(?:st|ave|rd)",
        r"room\s+\d+", r"behind\s+the", r"the\s+(?:big\s+)?(?:yellow|blue|green|white|red)\s+"
        r"(?:house|duplex|building)", r"no\s+sign", r"side\s+gate", r"back\s+door",
        r"supposed\s+to\s+be\s+secret", r"everyone\s+knows", r"tell\s+(?:her|his)\s+ex",
        r"under\s+another\s+name", r"staying\s+at(?!\s+a\s)", r"put\s+the\s+family",
        r"uses\s+the\s+old", r"easy\s+to\s+get", r"where\s+\w+\s+went", r"church\s+basement",
        r"walks\s+alone", r"the\s+\w+\s+one\s+with\s+the", r"on\s+[a-z]+\s+(?:st|ave|rd)\b",
        r"living\s+(?:with|at|in)",
        r"the\s+(?:gray|grey|yellow|blue|green|white|red|brick|brown)\s+one",
        r"the\s+house\s+with\s+the",
        r"(?:at|on)\s+the\s+(?:end|corner|top|bottom)\s+of",
        r"it'?s\s+the\s+(?:[a-z]+\s+){0,2}(?:house|ranch|duplex|building|apartment|trailer)",
        r"(?:on|off|of)\s+[a-z]+\s+(?:rd|road|street|avenue|lane|ln|drive|dr|blvd|court|ct|pike)",
        r"above\s+the", r"unmarked\s+building",
        r"(?:get|gets|are|is)\s+(?:picked\s+up|dropped\s+off)\s+at",
        r"works\s+(?:at|in)\s+the\s+[a-z]+\s+on\s+[a-z]+",
    ),
    # hoax emergencies: a danger claimed, and urgency or a confession that it is fake
    "danger": words(
        r"bombs?", r"explosives?", r"(?:active\s+)?shooter", r"gunman", r"gas\s+leak",
        r"hostage(?:\s+situation)?", r"anthrax", r"poisoned", r"collapsing", r"bomb\s+threat",
        r"snipers?", r"poison(?:ous)?\s+gas",
        r"toxic\s+(?:gas|cloud|leak)", r"chemical\s+(?:spill|leak)", r"radiation\s+leak",
    ),
    # what a false report claims (a shooting is news as often as a hoax: only with a report)
    "claimed": words(
        r"bombs?", r"explosives?", r"(?:active\s+)?shooter", r"gunman", r"hostages?", r"shooting",
        r"collapsed", r"collapsing", r"gas\s+leak", r"stabbing", r"kidnapp(?:ed|ing)",
        r"(?:dead\s+)?body", r"fire",
    ),
    # glee at the trouble caused: what makes a report a hoax
    "glee": words(
        r"haha\w*", r"lol", r"lmao", r"hilarious", r"funny", r"prank(?:ed)?", r"made\s+it\s+up",
        r"jk", r"just\s+kidding", r"watch\s+(?:them|the|it|from|him|her)", r"for\s+fun",
        r"(?:they|he|she)\s+deserves?\s+it", r"lied", r"a\s+lie", r"waste\s+their\s+time",
    ),
    "danger_at": words(
        r"(?:at|in|on|under)\s+(?:the\s+)?(?:[\w:'-]+\s+){0,4}(?:school|mall|high|elementary|"
        r"city\s+hall|"
        r"courthouse|bridge|train|kroger|pizza\s+hut|stadium|post\s+office|plant|block|downtown|"
        r"\w+\s+st)", r"planted", r"i\s+(?:put|mailed|planted)", r"the\s+city\s+water",
        r"(?:at|in|on|near)\s+the\s+(?:refinery|factory|plant|fairgrounds?)",
        r"the\s+(?:bridge|dam|tunnel|overpass)\s+is",
    ),
    "urgency": words(
        r"everyone\s+(?:get\s+out|evacuate|leave|run)", r"get\s+out\s+now", r"run", r"evacuate",
        r"(?:don'?t|dont)\s+(?:drink|drive)", r"share(?:\s+this|\s+before)?", r"pass\s+it\s+on",
        r"urgent", r"breaking", r"you\s+(?:have|got)\s+(?:one|an|\d+)\s+hours?", r"till\s+noon",
        r"good\s+luck", r"lol", r"lmao", r"funny", r"prank", r"made\s+it\s+up",
        r"pull\s+your\s+kids",
        r"everybody\s+(?:leave|run)", r"i\s+(?:put|mailed|planted)", r"planted\s+it\s+myself",
        r"leave\s+downtown", r"leave\s+the\s+(?:city|area|building|town)",
        r"(?:won'?t|aren'?t\s+going\s+to)\s+tell\s+you",
        r"(?:isn'?t|aren'?t|is\s+not|are\s+not)\s+telling\s+(?:you|anyone|us)",
        r"(?:don'?t|dont)\s+(?:get\s+on|go\s+(?:to|near|in))",
        r"cover(?:ing)?\s+(?:it\s+)?up",
    ),
    "hoax_act": words(
        r"call(?:ed|ing)?\s+in\s+a\s+(?:fake|bomb\s+threat|hostage)", r"swatting",
        r"call\s+911\s+and\s+say", r"fake\s+hostage", r"call\s+in\s+a\s+bomb",
        r"(?:let'?s|gonna|going\s+to|i'?ll|we\s+should)\s+swat",
        r"(?:set|setting|pull|pulling)\s+(?:off\s+)?the\s+(?:fire\s+)?alarm\s+(?:(?:at|in)\s+the\s+[\w']+\s+)?"
        r"(?:so\s+(?:they|we|the\s+"
        r"\w+)\s+(?:evacuate|have\s+to|can'?t|get|miss|cancel)|during\s+the\s+(?:sentencing|trial|"
        r"hearing|test|exam|meeting|game|verdict))",
        r"(?:flood|spam|jam|tie\s+up)\s+(?:the\s+)?(?:911|dispatch|tip\s*line|non-?emergency\s+line)"
        r"(?:\s+lines?)?\s+(?:with|at|so|tonight)",
        r"swat\s+(?:him|her|them|that|the)\b",
    ),
    "false_report": words(
        r"(?:call(?:ed|ing)?|phon(?:e|ed)|text(?:ed)?)\s+(?:in\s+)?(?:911|the\s+cops|the\s+police|"
        r"dispatch)\s+and\s+(?:told|tell|say|said|report(?:ed)?)",
        r"(?:call(?:ed|ing)?|text(?:ed|ing)?|tell(?:ing)?|told|email(?:ed|ing)?)\s+(?:in\s+)?(?:911|"
        r"the\s+(?:cops|police|tip\s*line|hotline|dispatch(?:er)?|fbi))\s+that",
        r"so\s+(?:the\s+)?(?:cops|police|swat)\s+(?:bust|kick|raid|storm)",
        r"(?:let'?s|we\s+should)\s+(?:all\s+)?(?:post|say|tell\s+(?:everyone|people)|spread|"
        r"text\s+everyone)\s+that", r"gonna\s+(?:post|tell\s+everyone|spread)\s+that",
    ),
    # cancellers
    "question": r"\?",
    "request": words(
        r"please", r"can\s+(?:someone|you|the\s+city|i|an?\s+officer)", r"how\s+do\s+i",
        r"who\s+do\s+(?:i|we)", r"should\s+(?:be|have|add|fix|audit|upgrade)", r"needs?\s+to\s+be",
        r"needs?\s+(?:a|more)", r"hope", r"fix", r"report(?:ed)?", r"thank", r"thanks", r"kudos",
        r"good\s+job", r"great\s+job", r"appreciate", r"should(?:\s+not|n'?t)",
        r"don'?t\s+(?:post|share|touch)",
        r"stop\s+spreading",
        r"is\s+it\s+true", r"prosecuted", r"jail\s+time", r"terrifying", r"who\s+does\s+that",
        r"rumou?rs?", r"was\s+a\s+hoax", r"no\s+threat", r"confirmed\s+it'?s\s+fake",
        r"in\s+the\s+budget", r"looks\s+(?:rusty|unsafe)", r"for\s+safety", r"research",
    ),
    "advice": words(
        r"reminder", r"(?<!pro\s)tips?",
        r"(?:don'?t|never|do\s+not)\s+(?:write|post|share|use|leave|keep|"
        r"give)",
    ),
    "condemn": words(
        r"(?:should|will|needs?\s+to|ought\s+to)\s+(?:go|be\s+sent)\s+to\s+(?:jail|prison)",
        r"gets?\s+(?:people|someone|somebody)\s+killed", r"(?:was|were|got)\s+(?:arrested|charged)",
        r"is\s+a\s+(?:crime|felony)", r"prosecuted", r"jail\s+time", r"turned\s+out\s+to\s+be",
        r"was\s+a\s+hoax", r"who\s+does\s+that", r"stop\s+spreading", r"rumou?rs?",
    ),
    # a shelter's fundraiser or drive is held somewhere public: that is not where it is
    "benefit": words(
        r"galas?", r"fundraisers?", r"benefit", r"donat(?:e|ions?|ing)", r"drive", r"auction",
        r"volunteer(?:s|ing)?", r"tickets",
    ),
    "news": words(
        r"per\s+the", r"according\s+to", r"the\s+news\s+(?:said|says)", r"news\s+(?:said|says)",
        r"last\s+(?:year|summer|month|night|week)", r"yesterday", r"saw\s+the\s+post",
        r"incident", r"was\s+terrible", r"drills?", r"(?:the\s+)?paper\s+(?:said|says|reported)",
    ),
}
# fmt: on

RULES: tuple[CueRule, ...] = (
    CueRule(
        "safety.access_code",
        ("code_value", "system"),
        "The text gives a door, alarm or login code of a public building or system, which "
        "lets anyone in.",
        0.8,
        unless=("question", "advice"),
        at_risk="the {system} and the people it protects (its code is given)",
    ),
    CueRule(
        "safety.radio",
        ("radio", "frequency"),
        "The text gives police radio channels or frequencies, or how to jam them, which "
        "exposes police operations.",
        0.75,
        unless=("question", "request"),
        scope="text",
        at_risk="police radio and the officers who rely on it ({frequency})",
    ),
    CueRule(
        "safety.unsecured_system",
        ("system", "weakness"),
        "The text tells how to get into or past a public system or building that is left "
        "unsecured (a fence, lock, camera or guard missing).",
        0.7,
        unless=("question", "request", "news", "advice"),
        unless_in_text=True,
        at_risk="the {system} ({weakness})",
    ),
    CueRule(
        "safety.unsecured_system",
        ("guard_device", "fails"),
        "The text tells that an alarm, camera, lock or panic button of a public place does not "
        "work, which leaves the place open.",
        0.7,
        unless=("question", "request", "news", "advice"),
        unless_in_text=True,
        at_risk="the {guard_device} and the people it protects ({fails})",
    ),
    CueRule(
        "safety.police_gap",
        ("agents", "gap"),
        "The text tells where or when police or guards are absent or thin, which puts the "
        "public or officers at risk.",
        0.7,
        unless=("question", "request", "news"),
        unless_in_text=True,
        at_risk="the public and the officers where police are thin ({gap})",
    ),
    CueRule(
        "safety.tactical",
        ("agents", "route", "go_around"),
        "The text gives police positions, routes or movements for an event or transport.",
        0.75,
        unless=("question", "request", "news"),
        scope="text",
        at_risk="officers on duty: their positions and routes ({route})",
    ),
    CueRule(
        "safety.protected_location",
        ("protected", "located"),
        "The text says where a protected shelter or a protected person can be found.",
        0.75,
        unless=("question", "request", "news", "benefit"),
        unless_in_text=True,
        at_risk="a protected person or place ({protected}): the people sheltered there",
    ),
    CueRule(
        "safety.hoax",
        ("danger", "danger_at", "urgency"),
        "The text claims a bomb, shooter or similar emergency in a way that can cause panic, "
        "or owns up to a hoax.",
        0.75,
        unless=("question", "request", "news"),
        scope="text",
        at_risk="the public and emergency responders (a false {danger} alarm)",
    ),
    CueRule(
        "safety.hoax",
        ("hoax_act",),
        "The text plans or boasts of a hoax emergency call (a fake bomb threat or swatting).",
        0.75,
        unless=("question", "request", "news", "condemn"),
        unless_in_text=True,
        at_risk="the public and emergency responders (a hoax call)",
    ),
    CueRule(
        "safety.hoax",
        ("false_report", "claimed", "glee"),
        "The text plans or boasts of reporting a false emergency (a shooting, hostages, a "
        "collapse) to send police or panic people.",
        0.75,
        unless=("question", "condemn", "news"),
        scope="text",
        unless_in_text=True,
        at_risk="the public and emergency responders (a false report: {claimed})",
    ),
)


_FACILITY = re.compile(words(_PLACE, r"water\s+(?:treatment\s+)?plant", r"pump\s+station",
                             r"power\s+plant", r"substation", r"dam", r"reservoir",
                             r"water\s+tower", r"chemical\s+plant", r"transit\s+center",
                             r"impound\s+lot"))  # fmt: skip


def _at_risk(rule: CueRule, met: Mapping[str, str]) -> str:
    """The rule's phrase; a door, gate or camera is named with the building it belongs to."""
    if "{system}" in rule.at_risk:
        places = [m.group() for m in _FACILITY.finditer(met.get(UNIT, ""))]
        system = met.get("system", "")
        if places and places[0] not in system:
            met = {**met, "system": f"{places[0]} {system}" if system else places[0]}
    return fill_at_risk(rule, met)


def build() -> list[Detector]:
    """The safety cue rules as one detector."""
    return [
        CueDetector(
            "safety.cues",
            "safety",
            CUES,
            RULES,
            "The text could compromise the safety of the public or a public system.",
            at_risk=_at_risk,
        )
    ]
