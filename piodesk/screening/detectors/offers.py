"""Individuals' commercial offers (GO 409 §.20 solicitation), as cue rules.

Spam phrases ("txt WIN to", "check out my channel") miss the commerce a department's page
really gets: a truck for sale, lawns mowed for $25, a lawyer's free consultation, a bakery's
20 % off. An offer is an act of selling (selling, hiring, "I do", "book now", "call me") with a
term of trade (a price, rates, a free first visit, "OBO", a discount) in the same comment.
Talk about businesses, prices and jobs sells nothing and has no offer act: "the new bakery is
great", "is the department hiring?", "the tow company charged me $400".
"""

from __future__ import annotations

from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.cues import CueDetector, CueRule, words
from piodesk.screening.model import Category

# fmt: off
CUES: dict[str, str] = {
    "sell_act": words(
        r"selling", r"for\s+sale",
        r"i\s+(?:sell|do(?!\s+not|n'?t)|fix|make|clean|mow|drive|tutor|braid|"
        r"cater|buy|repair|install|print|walk)", r"we\s+(?:sell|do|buy|fix|offer|tow|are\s+"
        r"(?:hiring|offering|having))", r"hiring", r"join\s+my\s+team",
        r"book\s+(?:now|with\s+me|your)", r"call\s+(?:me|us|my\s+office|today|now|or\s+text)",
        r"text\s+me", r"message\s+me", r"dm\s+(?:me|if)", r"inbox\s+me", r"pm\s+me",
        r"hit\s+me\s+up", r"contact\s+(?:me|us)", r"ask\s+me\s+(?:how|for)", r"sign\s+up",
        r"opening", r"come\s+(?:by|check|try|see)", r"stop\s+by", r"order\s+by",
        r"taking\s+(?:orders|bookings)", r"accepting\s+new", r"have\s+(?:two|\d)\s+openings",
        r"(?:anyone|anybody|who)\s+(?:need|needs|wants?)\s+(?:their|a|an|some|to)",
        r"looking\s+for\s+(?:extra|a\s+reliable)", r"buying", r"cash\s+(?:for|paid)",
        r"sell\s+your", r"we\s+buy", r"garage\s+sale", r"offering", r"available\s+(?:now|this)",
        r"apply\s+in\s+person", r"i'?ll\s+sell", r"mention\s+this\s+post", r"i'?m\s+a\s+"
        r"(?:realtor|plumber|lawyer|attorney|loan\s+officer|licensed|electrician)",
        r"(?:electrician|plumber|realtor|handyman|mechanic|attorney|accountant)\s+here",
        r"my\s+(?:company|shop|bakery|barbershop|salon|studio|restaurant|food\s+truck|"
        r"business|office|church\s+is\s+selling)", r"our\s+(?:range|gym|store|shop|new)",
        r"ready\s+now", r"get\s+paid", r"call\s+(?:for|us)", r"give\s+me\s+a\s+call",
        r"i\s+come\s+to\s+you", r"register", r"paying\s+cash", r"cash\s+paid", r"pay\s+cash",
        r"ask\s+me\s+how", r"i\s+can\s+help", r"go\s+support", r"taking\s+bookings",
        r"earn\s+money", r"invest\s+with\s+me", r"buy\s+my",
    ),
    "terms": words(
        r"\$\s?\d[\d,]*(?:\.\d\d)?(?:\s*(?:/|a|an|per)\s*(?:hr|hour|yard|dozen|box|cord|month|"
        r"week|each))?", r"\d+\s*%\s*off", r"obo", r"free\s+(?:consultation|estimates?|"
        r"inspections?|quote|lesson|session|cut|cleaning|trial)", r"first\s+\w+\s+(?:free|half)",
        r"reasonable\s+(?:rates|prices)", r"(?:low|best|cheapest|great)\s+(?:rates|prices|pay|"
        r"down\s+payment)", r"rates", r"prices?", r"cheap", r"cheaper\s+than", r"discount",
        r"half\s+off",
        r"licensed", r"insured", r"24/7", r"24\s+hours", r"catalog", r"walk\s*ins?\s+welcome",
        r"no\s+experience\s+needed", r"guaranteed", r"pre-?order", r"appointment",
        r"book\s+now", r"quote", r"estimates?", r"per\s+(?:hour|week|month)", r"\d+k\s+last",
        r"miles", r"unlocked", r"still\s+in\s+box", r"must\s+pick\s+up",
        r"delivered", r"i\s+can\s+deliver", r"fast\s+refunds", r"make\s+me\s+an\s+offer",
        r"great\s+pay", r"\d{3}[-.\s]\d{3}[-.\s]\d{4}", r"\d{3}[-.\s]\d{4}", r"link\s+in\s+bio",
        r"(?:on|at)\s+(?:my|our)\s+(?:site|website)",
        r"this\s+(?:weekend|week|month|saturday)\s+only",
        r"limited\s+time", r"today\s+only", r"local", r"reliable", r"double\s+your\s+money",
        r"income", r"opportunity", r"from\s+home", r"for\s+first\s+responders",
    ),
    # what is for sale: a trade or a product
    "trade": words(
        r"services?", r"lessons?", r"classes", r"sessions?", r"detailing", r"pressure\s+washing",
        r"removal", r"pest\s+control", r"repair", r"daycare", r"notary", r"landscaping",
        r"cakes?", r"tacos", r"soap", r"candles", r"handmade", r"custom",
        r"junk\s+cars", r"used\s+\w+", r"old\s+cars", r"houses", r"company\s+here",
        r"for\s+sale", r"garage\s+sale", r"openings", r"shakes", r"credit\s+repair",
        r"food\s+truck", r"restaurant", r"realtor", r"attorney", r"plumber", r"pokemon\s+cards",
    ),
    # talk about trade that offers nothing
    "question": r"\?(?!.*(?:\$|dm|text|call|message))",
    "complaint": words(
        r"charged\s+me", r"scam(?:med)?", r"got\s+robbed", r"broken\s+into", r"is\s+that\s+legal",
        r"lost\s+money", r"warn\s+people", r"beware", r"fake\s+check", r"sold\s+me\s+a\s+lemon",
        r"is\s+it\s+legal", r"thank\s+you", r"thanks", r"shop\s+local", r"support\s+them",
        r"is\s+the\s+\w+(?:'s)?\s+\w*\s*hiring",
    ),
}
# fmt: on

RULES: tuple[CueRule, ...] = (
    CueRule(
        "solicitation.offer",
        ("trade", "sell_act"),
        "The text offers a trade, service or goods and asks people to buy or book: "
        "advertising on the department's page.",
        0.7,
        unless=("complaint", "question"),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
    CueRule(
        "solicitation.offer",
        ("trade", "terms"),
        "The text offers a trade, service or goods on terms (a price, rates, a free first "
        "visit): advertising on the department's page.",
        0.7,
        unless=("complaint", "question"),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
    CueRule(
        "solicitation.offer",
        ("sell_act", "terms"),
        "The text offers goods, services or a business's deal for money: advertising on the "
        "department's page.",
        0.7,
        unless=("complaint",),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
)


def build() -> list[Detector]:
    """The offer cue rule as one detector."""
    return [
        CueDetector(
            "solicitation.offers",
            Category.SOLICITATION.value,
            CUES,
            RULES,
            "The text advertises or sells something.",
        )
    ]
