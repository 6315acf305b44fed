"""Solicitation, illegal, safety, investigation and ip detectors (§.20), table-driven."""

from __future__ import annotations

import pytest

from piodesk.screening.engine import Screener


def _rules(screener: Screener, text: str) -> set[str]:
    out = set()
    for f in screener.screen_comment(text).findings:
        out.add(f.rule)
        tail = f.evidence.partition("(also ")[2].rstrip(")")
        out.update(r.strip() for r in tail.split(",") if r.strip())
    return out


POSITIVE = [
    ("solicitation.channel_promo", "Hey guys check out my channel, new video every week"),
    ("solicitation.channel_promo", "please subscribe to my channel!!"),
    ("solicitation.channel_promo", "sub4sub anyone?"),
    ("solicitation.channel_promo", "Take a look at this video on YouTube:"),
    ("solicitation.channel_promo", "can i get some views and subscribers?"),
    ("solicitation.channel_promo", "SUBSCRIBE!!!!"),
    ("solicitation.channel_promo", "SUBSCRIBE!!!\ufeff"),  # YouTube appends a byte-order mark
    ("solicitation.channel_promo", "Nice song .See my new track."),
    ("solicitation.channel_promo", "Check me out I'm all about gaming"),
    ("solicitation.channel_promo", "If I get 300 subscribers by tomorrow I'll do a video"),
    ("solicitation.channel_promo", "Follow 4 Follow @someone Like 4 Like"),
    ("solicitation.channel_promo", "I made a gaming channel, Angry Minecraft!"),
    ("solicitation.channel_promo", "I did a cover of this song, check it out"),
    ("solicitation.prize_sms", "For your chance to WIN a FREE headset reply back with ADP"),
    ("solicitation.prize_sms", "Gr8 TOP 20 tones to your phone every week just £1.50 per wk"),
    ("solicitation.prize_sms", "Txt CHAT to 86688 now! 150p/MsgrcvdHG/Suite342"),
    ("solicitation.prize_sms", "Txt or reply DATE Msg150p 2rcv Hlp 08712317606"),
    ("solicitation.sales", "DM me to buy, cheap prices"),
    ("solicitation.sales", "use promo code SAVE20 at checkout"),
    ("solicitation.sales", "free followers here"),
    ("solicitation.money_scheme", "I make $500 a day working from my phone"),
    ("solicitation.money_scheme", "invest in bitcoin with my account manager, guaranteed profit"),
    ("solicitation.prize_sms", "You have won a £1000 prize! Text CLAIM to 87121"),
    ("solicitation.prize_sms", "URGENT call 09061701461 to claim your reward. T&C apply"),
    ("solicitation.sales_link", "cheap watches at www.best-deals-now.com"),
    ("solicitation.phone_price", "iphone 13 $300 call 719-555-0134"),
    ("illegal.drugs", "selling xans and percs, hmu"),
    ("illegal.drugs", "who needs weed? dm me for the menu"),
    ("illegal.weapons", "got a glock switch for sale, cash only"),
    ("illegal.weapons", "guns for sale no background check"),
    ("illegal.stolen_goods", "selling stolen iphones cheap, no questions asked"),
    ("illegal.incitement", "lets loot the mall tonight"),
    ("safety.live_location", "DUI checkpoint at 5th and Main right now, avoid"),
    ("safety.live_location", "heads up: cops are sitting behind the gas station on Platte"),
    ("safety.live_location", "DUI checkpoint tonight on Powers and Palmer"),
    ("safety.live_location", "speed trap on Academy by the Walmart, slow down"),
    ("safety.system_weakness", "the password for the city traffic system is admin123"),
    ("safety.system_weakness", "the jail back door is always unlocked at night"),
    ("safety.hoax", "there's a bomb at the mall, everyone run"),
    ("safety.hoax", "bomb at the mall"),
    ("investigation.named_party", "The witness is Tanya Morales, she saw everything"),
    ("investigation.named_party", "Derek Hall is the one who snitched"),
    ("investigation.named_party", "the snitch who testified against my cousin is Marcus Webb"),
    ("investigation.tip_off", "cops are coming to your house tomorrow"),
    ("investigation.tip_off", "get rid of the gun before they search"),
    ("investigation.case_details", "the DNA came back to the neighbor"),
    ("ip.pirated_link", "watch it free at putlocker.to/movie123"),
    ("ip.pirated_link", "magnet:?xt=urn:btih:abcdef0123456789"),
    ("ip.pirated_link", "watch Oppenheimer full movie free online"),
]

NEGATIVE = [
    ("solicitation.channel_promo", "check out the department's new website for crime maps"),
    ("solicitation.sales", "the free vaccination clinic is on Saturday"),
    ("solicitation.channel_promo", "please share this post so we can find her"),
    ("solicitation.channel_promo", "I watch this video on youtube every time it rains"),
    ("solicitation.money_scheme", "bitcoin is a scam and you should warn people"),
    ("solicitation.prize_sms", "I won my appeal"),
    ("solicitation.prize_sms", "You have been wonderful, thank you"),
    ("solicitation.channel_promo", "Doc prescribed me morphine, waiting for my mom to bring it"),
    ("solicitation.channel_promo", "see my neighbor's car? it was there all night"),
    ("solicitation.prize_sms", "text ME when you get home"),
    ("solicitation.prize_sms", "the bus costs £1.50 to the station"),
    ("solicitation.prize_sms", "I paid 1.50 per ticket at the gate"),
    ("illegal.drugs", "legalize weed and stop arresting people for it"),
    ("illegal.drugs", "fentanyl is killing our neighbors"),
    ("illegal.weapons", "ghost guns should be banned"),
    ("illegal.stolen_goods", "someone stole my bike, please help"),
    ("illegal.incitement", "looting is wrong and so is police violence"),
    ("safety.live_location", "the cops were at my house yesterday and they were rude"),
    ("safety.live_location", "there are never any police on our street"),
    ("safety.system_weakness", "the jail is understaffed and inmates are suffering"),
    ("safety.hoax", "the bomb squad did a great job at the drill"),
    ("investigation.named_party", "the witness was never interviewed"),
    ("investigation.named_party", "The victim was Taken to the hospital"),
    ("investigation.tip_off", "the police are coming to the community meeting tonight"),
    ("investigation.case_details", "release the DNA evidence policy"),
    ("ip.pirated_link", "the movie was free at the library screening"),
]


@pytest.mark.parametrize(("rule", "text"), POSITIVE)
def test_finds(rules_only: Screener, rule: str, text: str) -> None:
    assert rule in _rules(rules_only, text)


@pytest.mark.parametrize(("rule", "text"), NEGATIVE)
def test_does_not_find(rules_only: Screener, rule: str, text: str) -> None:
    assert rule not in _rules(rules_only, text)


def test_copied_article_needs_the_notice_and_length(rules_only: Screener) -> None:
    body = "The city council met on Tuesday to discuss the budget. " * 8
    article = body + "Copyright © 2026 The Gazette. All rights reserved."
    assert "ip.copied_article" in _rules(rules_only, article)
    assert "ip.copied_article" not in _rules(rules_only, body)
    short = "© 2026 me"
    assert "ip.copied_article" not in _rules(rules_only, short)
