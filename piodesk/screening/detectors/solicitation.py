"""Solicitation of commerce (GO 409 §.20): advertising, sales, spam links, channel promotion.

Phrase rules a PIO can read; the trained classifier in screening.models adds recall on spam
that uses none of these phrases.
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
from piodesk.screening.model import Category, Finding, Span

SOL = Category.SOLICITATION.value

URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|ly|co|me|tv|us|uk|gg|xyz|site|"
    r"online|shop|store|club|app|link|page|live|money|cash|win|top)(?:/[^\s<>\"')\]]*)?(?![\w])",
    re.IGNORECASE,
)
_DOMAIN_DOT = re.compile(r"[A-Za-z0-9]\.[A-Za-z]{2}")
_SALES = re.compile(
    r"(?<![\w'])(?:buy|buying|sale|sales|discount|deal|deals|cheap|cheapest|offer|order|shop|"
    r"store|earn|money|cash|income|profit|win|winner|prize|promo|coupon|subscribe|free|"
    r"download|invest|investment|bitcoin|crypto|forex|followers|likes|views|giveaway|"
    r"\$\d+|£\d+|price|prices|%\s*off)(?![\w'])",
    re.IGNORECASE,
)


class SalesLinkDetector(Detector):
    """A link in a text that also uses sales or money language."""

    id = "solicitation.sales_link"
    category = SOL
    explanation = "The text links to a site and uses sales or money language (advertising)."

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """One finding per link, when sales words are in the text."""
        text = ctx.text
        if _DOMAIN_DOT.search(text) is None:
            return []  # no "x.com" or "www." anywhere: no link
        links = list(URL.finditer(text))
        if not links:
            return []
        words = list(_SALES.finditer(text))
        if not words:
            return []
        out = []
        for m in links:
            near = [w for w in words if abs(w.start() - m.start()) < 200]
            if not near:
                continue
            evidence = f"{clip(text, *m.span(), limit=60)} (with “{near[0].group()}”)"
            out.append(self.finding([Span(*m.span()), Span(*near[0].span())], evidence, 0.8))
        return out


_PRICE = r"(?:\$\s?\d[\d,]*(?:\.\d\d)?|\d[\d,]*\s?(?:dollars|bucks|usd)|£\s?\d[\d,.]*)"
_PHONEISH = r"(?:\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}|0\d{9,10})"


def build() -> list[Detector]:
    """The solicitation rule detectors."""
    i = re.IGNORECASE
    return [
        PatternDetector(
            "solicitation.channel_promo",
            SOL,
            [
                Pattern(
                    "check_out_my",
                    r"\b(?:check(?:\s+out)?(?:\s+out)?|see|watch|listen\s+to|hear|look\s+up|"
                    r"peep|visit|this\s+is|here\s+is|here'?s)\s+(?:my|our)\s+"
                    r"(?:new\s+|latest\s+|first\s+)?"
                    r"(?:youtube\s+|music\s+)?(?:channel|video|vid|vids|videos|page|music|song|"
                    r"songs|playlist|site|website|blog|profile|store|shop|mixtape|cover|covers|"
                    r"instagram|ig|soundcloud|twitch|tiktok|account|app|book|podcast|stream|"
                    r"track|tracks|beat|beats|rap|raps|remix|album|ep)\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "subscribe",
                    r"\b(?:please\s+|pls\s+|plz\s+)?(?:like\s+(?:and|&)\s+)?subscribe\s+(?:to\s+)?"
                    r"(?:my|our|me|the\s+channel|for\s+more)\b|\bsub\s*(?:4|for|2)\s*sub\b|"
                    r"\b(?:please|pls|plz)\s+(?:like\s+(?:and|&)\s+)?(?:sub|subscribe)\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "follow_me",
                    r"\bfollow\s+(?:me|us)\s+(?:on|at)\s+(?:instagram|ig|twitter|x|tiktok|twitch|"
                    r"youtube|soundcloud|facebook|fb|snapchat|snap|onlyfans)\b|"
                    r"\bfollow\s+(?:me|us)\s*(?::\s*)?[@+][a-z0-9_]{3,}",
                    0.8,
                    i,
                ),
                Pattern(
                    "this_video_on",
                    r"(?:\b(?:take\s+a\s+look\s+at|check\s+out)|(?:^|[.!?]\s*)(?:watch|listen\s+to))"
                    r"\s+this\s+(?:new\s+)?"
                    r"(?:video|playlist|channel|page|song|track)\s+on\s+(?:youtu\w*|facebook|"
                    r"instagram|soundcloud|spotify|tiktok|twitch)\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "grow_my_channel",
                    r"\b(?:can\s+i\s+get|i\s+need|i\s+want|help\s+me\s+get|give\s+me)\s+(?:some\s+|more\s+)?"
                    r"(?:views|subscribers|subs|followers|likes)\b|"
                    r"(?:^|\n)\W*(?:please\s+|pls\s+|plz\s+)?subscribe[\s!.\ufeff]*$|"
                    r"\b(?:suscr[ií]bete|suscr[ií]banse|subscribirse|suscribirse|mi\s+canal)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    "check_me_out",
                    r"\bcheck\s+(?:me|us|men)\s+out\b|\bjoin\s+(?:me|us)\s+on\s+\w|"
                    r"\bi\s+(?:made|started|created|opened|just\s+made)\s+(?:a|an|my)\s+(?:new\s+)?"
                    r"(?:\w+\s+)?(?:youtube\s+)?(?:channel|blog|podcast|vlog)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    # "if I get 100 subscribers I will ...", "Follow 4 Follow", "sucscribe to me"
                    "for_subscribers",
                    r"\bif\s+i\s+(?:get|reach|hit)\s+(?:to\s+)?\d[\d,.]*\s*k?\s+(?:more\s+)?"
                    r"(?:subscribers|subs|followers|likes)\b|"
                    r"\b(?:follow|like|sub)\s*(?:4|for|2)\s*(?:follow|like|sub)\b|"
                    r"\b(?:sub|su\w{0,3}cri[bp]\w*)\s+(?:to\s+)?(?:me|my\s+channel)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    "made_check_it_out",
                    r"\bi\s+(?:did|made|wrote|recorded|produced|uploaded|posted)\s+(?:a|an|my|our|"
                    r"some|this)\s+(?:new\s+)?(?:cover|covers|song|video|remix|rap|track|beat|"
                    r"parody|music\s+video)\b[^.!?\n]{0,60}?\b(?:check\s+(?:it|them|me)\s+out|"
                    r"give\s+(?:it|me)\s+a\s+listen|go\s+(?:see|watch|listen))\b",
                    0.8,
                    i,
                ),
                Pattern(
                    "donate_to_me",
                    r"\b(?:please\s+|pls\s+)?donate\b[^.!?\n]{0,40}?\b(?:to\s+me|my|bitcoins?|"
                    r"paypal|gofundme)\b|\bgofundme\.com/\w",
                    0.8,
                    i,
                ),
                Pattern(
                    "visit_my",
                    r"\b(?:visit|go\s+to)\s+my\s+(?:channel|website|site|page|store|shop)\b",
                    0.8,
                    i,
                ),
            ],
            "The text promotes the writer's own channel, page or account.",
        ),
        PatternDetector(
            "solicitation.sales",
            SOL,
            [
                Pattern(
                    "dm_to_buy",
                    r"\b(?:dm|pm|message|msg|text|inbox|hmu|hit\s+me\s+up|contact\s+me|call\s+me|"
                    r"whatsapp(?:\s+me)?)\s+(?:me\s+)?(?:now\s+)?(?:to|for)\s+(?:buy|order|purchase|"
                    r"prices?|pricing|details|info|more\s+info|rates|deals?|menu|orders|a\s+quote)\b",
                    0.9,
                    i,
                ),
                Pattern("buy_now", r"\b(?:buy|order|shop)\s+(?:now|today|online)\b", 0.8, i),
                Pattern("promo_code", r"\b(?:promo|discount|coupon|voucher)\s+codes?\b", 0.85, i),
                Pattern("percent_off", r"\b\d{1,2}\s?%\s+off\b", 0.75, i),
                Pattern(
                    "offer",
                    r"\b(?:free\s+shipping|limited\s+(?:time\s+)?offer|act\s+now|while\s+supplies\s+"
                    r"last|money[- ]back\s+guarantee|lowest\s+prices?|best\s+prices?|"
                    r"wholesale\s+prices?|click\s+(?:here|the\s+link|this\s+link|below)|"
                    r"link\s+in\s+(?:my\s+)?bio)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    "free_stuff",
                    r"\b(?:free|cheap)\s+(?:followers|likes|views|subscribers|robux|v-?bucks|"
                    r"iphones?|ipads?|gift\s*cards?|vouchers?|ringtones?|entry|camera\s+phone)\b",
                    0.85,
                    i,
                ),
            ],
            "The text advertises or sells a product or service.",
        ),
        PatternDetector(
            "solicitation.money_scheme",
            SOL,
            [
                Pattern(
                    "earn_per_day",
                    r"\b(?:earn|make|making|earning|made)\s+(?:up\s+to\s+|over\s+)?\$?\d[\d,.]*k?\s*"
                    r"(?:\$|dollars|usd|bucks)?\s*(?:a|per|every|each|/)\s*(?:day|week|month|hour|hr)",
                    0.9,
                    i,
                ),
                Pattern(
                    "money_online",
                    r"\b(?:make|earn)\s+(?:real\s+|extra\s+|easy\s+|fast\s+)?(?:money|cash|income)"
                    r"\s+(?:online|fast|from\s+home|at\s+home|easily|quick)\b|"
                    r"\bwork\s+from\s+home\s+(?:and\s+(?:make|earn|get\s+paid|start|be\s+your)|"
                    r"opportunit(?:y|ies)|jobs?)|\bget\s+paid\s+to\b",
                    0.85,
                    i,
                ),
                Pattern(
                    "crypto",
                    r"\b(?:bitcoin|btc|crypto(?:currency)?|ethereum|eth|forex|binary\s+options?|"
                    r"usdt|dogecoin|nft)\b",
                    0.3,
                    i,
                ),
            ],
            "The text promotes a money-making or investment scheme.",
            context=(
                "invest",
                "investment",
                "investing",
                "profit",
                "profits",
                "returns",
                "double",
                "trading",
                "trader",
                "account manager",
                "mining",
                "giveaway",
                "signals",
                "wallet",
                "earn",
                "earning",
                "income",
                "guaranteed",
                "recover",
                "expert",
                "broker",
            ),
            context_window=60,
            context_boost=0.5,
        ),
        PatternDetector(
            "solicitation.prize_sms",
            SOL,
            [
                Pattern(
                    "won",
                    r"\b(?:you\s+have\s+(?:been\s+)?(?:won|selected)|you've\s+won|u\s+have\s+won|"
                    r"u've\s+won|you\s+are\s+a\s+winner|u\s+r\s+a\s+winner|claim\s+(?:your|ur|a)\s+"
                    r"(?:prize|reward|cash|award|bonus)|guaranteed\s+(?:cash|prize|£|\$|award)|"
                    r"to\s+claim)(?![\w'])",
                    0.85,
                    i,
                ),
                Pattern(
                    "short_code",
                    r"\b(?:txt|text|send|reply)\s+(?:\w+\s+){0,3}to\s+\d{5}\b|"
                    r"\b(?:txt|text|reply|send)\s+stop\b|\bstop\s+to\s+\d{5}\b",
                    0.85,
                    i,
                ),
                Pattern("premium_call", r"\bcall\s+(?:now\s+)?(?:on\s+)?09\d{8,9}\b", 0.85, i),
                Pattern(
                    # "txt HORO followed by your sign", "reply back with "ADP"": a keyword to a
                    # service, written in capitals (case-sensitive; common capitals excluded)
                    "keyword_reply",
                    r"\b(?:[Rr]eply|REPLY|[Rr]eplying|[Tt]xt|TXT|[Tt]ext|TEXT|[Ss]end|SEND)\s+"
                    r"(?:back\s+)?(?:with\s+)?(?:the\s+word\s+)?[\"'“]?"
                    r"(?!(?:OK|ME|ASAP|LOL|OMG|ILY|BTW|THX|PLS|PLZ|YES|NO|HI|TO|BACK|ME|NOW|IT)\b)"
                    r"[A-Z][A-Z0-9]{2,}\b[\"'”]?(?:\s+(?:to|followed|now|for|w/)|\s*[.!,)]|\s*$)",
                    0.8,
                    0,
                ),
                Pattern(
                    "chance_to_win", r"\b(?:for\s+)?(?:your|ur|a)\s+chance\s+to\s+win\b", 0.8, i
                ),
                Pattern(
                    "buy_for_just",
                    rf"\b(?:buy|get|order)\s+(?:it\s+|one\s+)?(?:for\s+)?(?:just|only)\s+{_PRICE}",
                    0.8,
                    i,
                ),
                Pattern("tcs", r"\bt\s?&\s?c'?s?\s+apply\b|\bt&cs\b", 0.8, i),
                Pattern(
                    "per_msg",
                    r"\b\d{2,3}p\s?(?:/|per)\s?(?:min|msg|message|txt|text|week|wk)\b",
                    0.8,
                    i,
                ),
                Pattern(
                    # premium-rate charges as such texts write them: "£1.50 per wk", "£3/wk",
                    # "Calls£1/min", "150p/Msgrcvd", "Msg150p 2rcv", "£1.50 to rcv"
                    "premium_rate",
                    r"(?:£\s?\d[\d.]*|(?<![\w.])\d+(?:\.\d\d)?\s?p(?=\s?(?:/|per|to\s|2))|"
                    r"(?<![\w.£$])\d\.\d\d)\s?(?:/|per|to|2)\s?"
                    r"(?:min|msg|message|txt|text|wk|week|rcv|recd|mt)|"
                    r"\b(?:msgs?|txts?)\s?\d+p\s?(?:2|to)\s?(?:rcv|receive)",
                    0.8,
                    i,
                ),
            ],
            "The text reads like a prize or premium-rate text message scam.",
        ),
        PatternDetector(
            "solicitation.phone_price",
            SOL,
            [
                Pattern("price_then_phone", rf"{_PRICE}[^.\n]{{0,80}}?{_PHONEISH}", 0.75, i),
                Pattern("phone_then_price", rf"{_PHONEISH}[^.\n]{{0,80}}?{_PRICE}", 0.75, i),
            ],
            "The text gives a phone number with a price (selling something).",
        ),
        SalesLinkDetector(),
    ]
