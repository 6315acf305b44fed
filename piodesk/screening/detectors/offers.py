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
        r"come\s+(?:to|down\s+to)\s+(?:our|my|the\s+(?:shop|store|bakery|restaurant|salon|gym|"
        r"market)|[a-z]+'s)", r"order\s+(?:through|from|on|now|today|online)",
        r"(?:moving|yard|estate|bake|rummage|clearance|closing|tag|church|porch)\s+sale",
        r"openings?", r"(?:handyman|plumber|electrician|photographer|painter|mechanic|tutor|"
        r"babysitter|nanny|dog\s+walker|groomer|barber|stylist|contractor|roofer|landscaper|"
        r"realtor|attorney|lawyer|notary|dj|caterer|cleaner|mover|welder|seamstress)\s+(?:here|"
        r"available|for\s+hire)", r"book\s+(?:a|an|your)\s+\w+",
        r"slots?\s+(?:left|open|available)",
    ),
    "terms": words(
        r"\$\s?\d[\d,]*(?:\.\d\d)?(?:\s*(?:/|a|an|per)\s*(?:hr|hour|yard|dozen|box|cord|month|"
        r"week|each))?", r"\d+\s*%\s*off", r"obo", r"free\s+(?:consultation|estimates?|"
        r"inspections?|quote|lesson|session|cut|cleaning|trial)", r"first\s+\w+\s+(?:free|half)",
        r"reasonable\s+(?:rates|prices)", r"(?:low|best|cheapest|great)\s+(?:rates|prices|pay|"
        r"down\s+payment)", r"rates", r"prices?", r"cheap", r"cheaper\s+than", r"discount",
        r"half\s+off", r"discounts", r"\d\s*for\s*\d", r"bogo", r"buy\s+one\s+get\s+one",
        r"free\s+(?:\w+\s+)?(?:valuation|appraisal|delivery|shipping|estimate|quote|consultation|"
        r"inspection|trial|class|lesson|month|week|session|drink|dessert)", r"fair\s+prices?",
        r"bulk", r"limited\s+(?:slots|spots|space)", r"everything\s+must\s+go",
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
        r"ps[45]", r"xbox", r"iphone(?:\s+\d+)?", r"ipad", r"laptop", r"couch", r"dresser",
        r"furniture", r"puppies", r"kittens", r"firewood", r"t-?shirts", r"portraits", r"pies",
        r"cookies", r"tires", r"bikes?", r"car\s+seats?", r"generator",
    ),
    # a price per unit is a price list: "$15 an hour", "$5 a box", "$180/cord"
    "unit_price": words(
        r"\$\s?\d[\d,]*(?:\.\d\d)?\s*(?:/\s*|per\s+|an?\s+|each(?![\w']))(?:hr|hour|h|day|"
        r"night|week|wk|month|lb|pound|box|dozen|cord|yard|session|lesson|class|person|plate|piece|"
        r"pair|visit|load|bag|ride|head|cut|room|sq\.?\s*ft|square\s+foot)?",
        r"\d+\s+for\s+\$\s?\d+",
    ),
    "price_talk": words(
        r"charges?", r"charged", r"charging", r"ridiculous", r"insane", r"outrageous",
        r"too\s+much",
        r"rip\s*-?\s*off", r"why\s+(?:does|do|is|are)", r"fees?", r"fines?", r"tickets?",
        r"impound",
        r"tax(?:es)?", r"costs?", r"budget", r"salary", r"overtime", r"paid\s+(?:for|by|to)",
        r"bills?", r"rent",
        r"(?:more|less)\s+than",
    ),
    # a sale someone holds, and when
    "sale_event": words(
        r"(?:moving|yard|estate|bake|rummage|clearance|closing|tag|church|porch|garage)\s+sale",
    ),
    "when": words(
        r"(?:this\s+|next\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day", r"\d{1,2}\s*(?:am|pm)",
        r"\d{1,2}\s*-\s*\d{1,2}", r"this\s+weekend", r"tomorrow",
    ),
    # the state of goods for sale
    "condition": words(
        r"(?:brand\s+)?new", r"like\s+new", r"still\s+in\s+(?:the\s+)?box", r"barely\s+used",
        r"mint\s+condition", r"(?:works|runs)\s+(?:great|perfect|fine)", r"obo", r"firm",
        r"pick\s*up", r"can\s+meet", r"shots\s+done", r"sealed",
    ),
    # talk about trade that offers nothing
    # a question the text asks, not an ad's opener ("frozen pipes? I'm available this weekend"):
    # the text ends with it, or it starts with a question word
    "question": r"\?(?![\s\S]*(?:\$|dm|text|call|message))(?=[\s\W]*$)|"
    r"(?:^|[.!?\n]\s*|@\w+\s+)(?:is|are|can|could|does|do|did|how|where|who|why|what|when|"
    r"should|anyone\s+know|has\s+anyone|have\s+you)\b[^?.!\n]*\?",
    "complaint": words(
        r"charged\s+me", r"scam(?:med)?", r"got\s+robbed", r"broken\s+into", r"is\s+that\s+legal",
        r"lost\s+money", r"warn\s+people", r"beware", r"fake\s+check", r"sold\s+me\s+a\s+lemon",
        r"is\s+it\s+legal", r"thank\s+you", r"thanks", r"shop\s+local", r"support\s+them",
        r"is\s+the\s+\w+(?:'s)?\s+\w*\s*hiring", r"stole", r"stolen", r"robbed", r"worth",
        r"cost\s+me", r"lost\s+my",
    ),
}
# fmt: on

RULES: tuple[CueRule, ...] = (
    CueRule(
        "solicitation.offer",
        ("unit_price",),
        "The text quotes a price per hour, item or visit: advertising on the department's page.",
        0.7,
        unless=("complaint", "question", "price_talk"),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "solicitation.offer",
        ("sale_event", "when"),
        "The text announces a sale and when it is: advertising on the department's page.",
        0.7,
        unless=("complaint", "question"),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "solicitation.offer",
        ("trade", "condition", "terms"),
        "The text offers goods for sale, with their condition and a price: advertising on the "
        "department's page.",
        0.7,
        unless=("complaint", "question"),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
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
