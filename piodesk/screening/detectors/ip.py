"""Comments that violate a legal ownership interest (GO 409 §.20): piracy, pastes, counterfeits.

A finding needs an offer or a pointer, not a topic: pirated films, books, games or software
offered or linked ("DM me for the link", "on my drive"), a paywalled article pasted whole,
counterfeit branded goods for sale. Talk about piracy, library e-books, news of a counterfeit
seizure and warnings about fakes share the words and cancel the rule.
"""

from __future__ import annotations

from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.cues import CueDetector, CueRule, words

# fmt: off
_MEDIA = words(
        r"movies?", r"films?", r"season", r"seasons", r"episodes?", r"series", r"shows?",
        r"album", r"songs?", r"mp3s?", r"books?", r"ebooks?", r"pdfs?", r"textbooks?",
        r"audiobooks?", r"games?", r"software", r"photoshop", r"office", r"windows", r"apps?",
        r"apk", r"channels", r"ppv", r"pay\s+per\s+view", r"ufc", r"fights?", r"streams?",
        r"documentary", r"courses?", r"netflix", r"hulu", r"disney\+?", r"hbo(?:\s+max)?",
        r"spotify", r"peacock", r"paramount", r"espn\+?", r"dvds?", r"discs?", r"concert",
        r"call\s+of\s+duty", r"madden", r"gta", r"grand\s+theft\s+auto", r"turbotax",
        r"premier\s+league", r"nfl", r"champions\s+league", r"boxing", r"udemy", r"kindle",
        r"script", r"chapter", r"4k", r"1080p", r"hd", r"cable", r"tv", r"vbucks",
        r"xbox", r"switch", r"ps[245]", r"criterion", r"photos", r"accounts?", r"logins?",
        r"steam", r"adobe", r"creative\s+cloud", r"microsoft", r"marvel", r"pixar", r"avengers",
        r"the\s+office", r"recording", r"launchers?", r"(?:full|pro|premium)\s+version",
        r"leaked", r"screener", r"cowboys\s+game",
        r"fight\s+tonight", r"(?:new\s+)?releases", r"seasons?", r"episodes?",
        r"the\s+new\s+[a-z]+", r"every\s+channel", r"cds?", r"discography",
    )
_FREE = words(r"free", r"for\s+free")
_NEAR = r"(?:\s+[\w'+]+){0,3}?\s+"

CUES: dict[str, str] = {
    "media": _MEDIA,
    # sites and services that exist to pirate: naming one with a media or an offer is enough
    "pirate_site": words(
        r"soap2day", r"123movies", r"fmovies", r"putlocker", r"crackstreams", r"streameast\S*",
        r"totalsportek", r"libgen", r"sci-hub", r"iptv", r"m3u", r"pirate\s*bay", r"yts",
        r"1337x", r"kickass\s*torrents", r"zlib(?:rary)?", r"z-library", r"fitgirl",
        r"vbucks\s+generator", r"(?:free|unlimited)\s+\w*\s*generator",
    ),
    "pirate": words(
        r"cracked", r"crack", r"keygen", r"torrents?", r"magnet", r"cam\s+(?:rip|version)",
        r"screeners?", r"ripped", r"(?:cam|4k|dvd|blu-?ray|hd)\s+rips?", r"rips\s+of",
        r"bootlegs?", r"pirated", r"pirate\s+addons",
        r"leaked(?:\s+early)?", r"jailbr(?:oken|eak)", r"fully\s+loaded", r"modded",
        r"hacked\s+(?:accounts?|disney\+?|netflix)", r"from\s+hacked", r"share\s+passwords",
        r"login\s+trick", r"iptv", r"m3u", r"fire\s*sticks?", r"kodi", r"without\s+paying",
        r"no\s+need\s+to\s+(?:buy|pay)", r"(?:don'?t|never)\s+pay", r"strip\s+the\s+drm", r"drm",
        r"descramblers?", r"mega(?:\s+link)?", r"mediafire", r"google\s+drive", r"my\s+drive",
        r"telegram(?:\s+channel)?", r"t\.me/\S+", r"restream(?:ed|ing)?", r"recorded\s+(?:it\s+)?"
        r"(?:in|at)\s+the\s+theat(?:er|re)", r"recorded\s+with\s+my\s+phone", r"burned",
        r"burn\s+you", r"activator", r"activation\s+keys", r"license\s+keys", r"unlock\s+any",
        r"unlocked\s+\w+\s+(?:premium|accounts)", r"generator", r"libgen", r"sci-hub",
        r"soap2day", r"123movies", r"fmovies", r"putlocker", r"crackstreams", r"streameast\S*",
        r"totalsportek", r"data\s+dump", r"no\s+license(?:\s+needed)?", r"before\s+(?:it|they)\s+"
        r"(?:came|come)\s+out", r"removed\s+the\s+watermark", r"remove(?:s)?\s+the\s+watermark",
        r"without\s+the\s+watermark", r"copied\s+from\s+the\s+prep\s+book", r"i\s+scanned",
        r"scanned\s+(?:them|the)", r"copy\s+(?:any|it|them)\s+(?:dvd\s+)?for",
        r"\d{3,5}\s+(?:movies|books|channels)", r"every\s+(?:channel|textbook|movie|paper)",
        r"(?:got|have|has|with|selling|all)\s+every\s+(?:\w+\s+){0,2}?(?:movie|film|episode|album|"
        r"book|channel)s?",
        r"hard\s+drive", r"ripp(?:ing|ed)\s+(?:the|a|my|their|every|all)",
        r"sharing\s+the\s+(?:mp3s?|files|pdfs?|links?|episodes|movies|songs)",
        r"before\s+they\s+take\s+it\s+down", r"clean\s+copy", r"not\s+a\s+cam", r"cam\s+copy",
        r"(?:a\s+)?pdf\s+of\s+(?:the|a)\s+(?:whole|entire|full)", r"premium\s+(?:\w+\s+)?accounts?",
        r"lifetime\s+(?:\w+\s+)?(?:accounts?|subscriptions?|access|keys?|licen[cs]es?)",
        r"(?:product|license|licence|activation|cd|windows|office)\s+keys?\s+for\s+\$\d+",
        r"as\s+a\s+pdf", r"send\s+me\s+the\s+isbn",
        r"any\s+(?:textbook|book|movie|film|game|show|album)s?\s+(?:as|in|for)",
        r"for\s+a\s+(?:spot|slot|seat)", r"(?:have|got)\s+\d+\s+(?:spots|slots|seats)",
        r"(?:selling|sell|shared?|cheap)\s+(?:[\w']+\s+)?(?:netflix|hulu|disney\+?|hbo(?:\s+max)?|"
        r"spotify|youtube\s+tv|peacock|paramount\+?)\s+(?:accounts?|logins?)",
        r"(?:i'?ll|i\s+can|i\s+will)\s+(?:text|send|dm|email|airdrop)\s+(?:you\s+)?(?:the\s+)?(?:link|"
        r"files?|copy)",
        r"send\s+(?:you\s+)?the\s+logins?",
        r"all\s+the\s+(?:new\s+)?(?:movies|games|channels|ufc|questions)", r"before\s+netflix",
        r"grey\s+sellers", r"i\s+pirated", r"still\s+in\s+theat(?:er|re)s", r"hack(?:ed)?",
        r"(?:sell|selling)\s+(?:access|logins?|passwords?|accounts?)", r"my\s+[\w+]+\s+password",
        r"premium\s+accounts", r"whole\s+concert\s+film", r"posted\s+the\s+pdf", r"free\s+stream",
        r"stream(?:ing)?\s+.{0,30}free", r"cheap\s+(?:[\w']+\s+){0,3}streams?",
        r"streams?\s+on\s+my", r"every\s+new\s+(?:movie|show|game|album|book)",
        r"in\s+theat(?:er|re)s", r"shared\s+(?:google\s+)?drive",
        r"roms?", r"cam-?rips?", r"(?:dvd|web|bd)-?rips?", r"web-?dl",
        r"rip\s+(?:the|a|my|their|every|all)", r"burn\s+(?:copies|cds?|dvds?)", r"zip\s+file",
        r"(?:pdfs?|epubs?|scans?|digital\s+cop(?:y|ies)|files)\s+of\s+(?:all\s+|every\s+|the\s+)?"
        r"(?:[\w']+\s+){0,3}?(?:books?|textbooks?|novels?|movies?|albums?|games?|seasons?)",
        r"instead\s+of\s+(?:\$\d+|paying|buying)", r"(?:shared|sharing)\s+(?:[\w']+\s+){0,3}?"
        r"(?:accounts?|logins?)", r"logins?\s+to\s+share", r"(?:accounts?|logins?)\s+for\s+\$\d+",
        r"mod\s+(?:the|your|my)\s+(?:console|switch|ps\d|xbox)", r"stripped\s+(?:the\s+)?drm",
        r"(?:flash|thumb|usb)\s+drives?", r"usb\s+sticks?",
        r"before\s+(?:it|they)\s+(?:gets?|are|is)\s+(?:taken|deleted|removed)",
        r"(?:use|borrow)\s+my\s+(?:accounts?|logins?|passwords?)",
    ),
    # a whole work, not a clip or a quote: "the full season 3 of The Bear", "the whole new
    # Stephen King book"
    "whole_work": words(
        r"(?:full|whole|entire|complete|every|all)\s+(?:[\w']+\s+){0,3}?(?:season|series|album|"
        r"book|novel|movie|film|game|discography|collection|documentary|docuseries|episode|"
        r"audiobook|textbook)s?",
    ),
    "free": _FREE,
    # "free" within three words of the media it gives away
    "free_media": _FREE + _NEAR + _MEDIA + "|" + _MEDIA + _NEAR + _FREE,
    "offer": words(
        r"dm(?:\s+me)?", r"inbox(?:\s+me)?", r"message\s+me", r"pm\s+me", r"hit\s+me\s+up",
        r"link(?:s)?(?:\s+(?:in|below|for))?", r"here", r"here'?s", r"heres", r"below",
        r"my\s+(?:page|site|bio|profile|drive|blog|youtube|facebook|twitch|website|channel)",
        r"in\s+(?:my\s+)?(?:bio|profile|comments)", r"comment\s+\"?link",
        r"i'?ll\s+(?:send|install|"
        r"set\s+up|airdrop|burn|print|copy)", r"i\s+(?:have|got|sell|make|can)", r"i'?ve\s+got",
        r"got\s+(?:the|a|it)", r"selling", r"for\s+sale", r"sell", r"\$\d+", r"cheap",
        r"anyone\s+(?:want|need)", r"who\s+wants", r"anybody\s+(?:want|need)", r"ask\s+me",
        r"is\s+(?:up\s+)?on\s+(?:my|this)", r"uploaded", r"posted\s+(?:the|it)",
        r"go\s+(?:watch|grab)",
        r"check\s+the\s+pinned", r"\w+\.(?:com|live|net|io|to|tv|ly)\S*", r"bit\.ly\S*",
        r"download", r"watch", r"stream(?:ing)?", r"get", r"works", r"giving\s+away",
        r"come\s+(?:watch|through)", r"bring\s+an\s+sd", r"we\s+(?:have|livestream|sell)",
        r"on\s+my\s+\w+", r"pay\s+me", r"my\s+guy\s+has", r"the\s+guy\s+has", r"at\s+the\s+flea",
        r"on\s+sale", r"outside\s+the", r"enjoy", r"comment\s+for", r"for\s+access",
        r"still\s+works", r"just\s+search", r"use", r"try", r"go\s+to",
        r"drop\s+(?:your|ur)\s+(?:email|number|info)", r"meet\s+me",
        r"comment\s+(?:your|ur)\s+email",
        r"(?:i'?ll\s+)?send\s+(?:it\s+)?to\s+anyone", r"hit\s+me", r"\d+\s+for\s+\$\d+",
    ),
    # counterfeit goods for sale
    "fake": words(
        r"replicas?", r"reps", r"1:1", r"knock\s*-?offs?", r"fakes?", r"counterfeit", r"bootleg",
        r"copies", r"clones?", r"ua\s+quality", r"aaa", r"not\s+(?:real|authentic)",
        r"\"?inspired\"?", r"look(?:s)?\s+(?:exactly\s+)?(?:like\s+the\s+)?real",
        r"look\s+legit", r"look(?:s)?\s+\d+\s*%\s+(?:real|legit|authentic)", r"perfect\s+copies",
        r"nobody\s+(?:can|will)\s+(?:tell|know)", r"fake\s+logos",
        r"no\s+licen[cs]ing",
        r"(?:in|with)\s+the\s+(?:real|original|authentic)\s+(?:bottles?|boxes|packaging|tags|"
        r"labels?)", r"with\s+the\s+(?:logos?|labels?|tags)", r"you\s+can'?t\s+tell",
        r"same\s+as\s+the\s+real", r"mirror\s+quality",
    ),
    "brand": words(
        r"louis\s+vuitton", r"lv", r"gucci", r"rolex(?:es)?", r"jordans?(?:\s+1s)?", r"nike",
        r"yeezy", r"airpods(?:\s+pro)?", r"apple", r"coach", r"michael\s+kors", r"canada\s+goose",
        r"chanel", r"prada", r"hermes", r"louboutins?", r"oakley", r"ray-?ban", r"supreme",
        r"stanley(?:\s+cups?)?", r"owala", r"yeti", r"beats", r"lego", r"pokemon", r"jerseys?",
        r"bags?", r"purses?", r"handbags?", r"watch(?:es)?", r"sneakers", r"belts?", r"shoes",
        r"perfume", r"sunglasses", r"headphones", r"merch", r"wallets?", r"slides", r"hoodies?",
        r"nike\s+tech", r"nfl", r"nba", r"disney", r"mickey", r"marvel", r"logos?", r"super\s+bowl",
        r"cards", r"jackets?", r"submariner", r"tickets", r"4s", r"11s", r"designer",
        r"cartier", r"tiffany", r"versace", r"burberry", r"balenciaga", r"dior", r"fendi",
        r"givenchy", r"off-?white", r"bape", r"moncler", r"north\s+face", r"lululemon",
        r"patagonia", r"air\s+force\s+1s?", r"af1s?", r"dunks", r"adidas", r"pandora", r"mk",
        r"bracelets?", r"necklaces?", r"rings?", r"jewelry", r"earrings", r"(?:t-?)?shirts?",
        r"tees", r"caps", r"hats",
    ),
    "sale": words(
        r"selling", r"sellin", r"for\s+sale", r"sells?", r"\$\d+", r"dm", r"inbox",
        r"hit\s+me\s+up",
        r"pickup", r"ships", r"wholesale", r"supplier", r"at\s+my\s+house", r"booth", r"available",
        r"we\s+(?:have|sell|print)", r"i\s+(?:sell|make|print)", r"i'?ll\s+print",
        r"got\s+(?:fake|a)",
        r"cheap", r"half\s+(?:the\s+)?price", r"a\s+third\s+of\s+the\s+price", r"message\s+me",
        r"shop\s+opening", r"buy", r"at\s+the\s+(?:swap\s+meet|market|flea)", r"ask\s+me",
        r"serious\s+buyers", r"going\s+around", r"size\s+\d+", r"for\s+the\s+school\s+fundraiser",
        r"cash\s*app", r"venmo", r"zelle", r"paypal", r"pick\s*up",
        r"\d+\s+(?:pairs?|pieces)\s+for",
    ),
    # a paywalled article pasted whole
    "paste": words(
        r"past(?:e|ed|ing)", r"copy(?:ing)?\s+(?:and\s+)?past(?:e|ing)", r"copied", r"reposting",
        r"putting", r"here\s+is", r"here'?s", r"heres", r"below", r"word\s+for\s+word",
        r"full\s+text", r"entire", r"whole", r"complete", r"in\s+full",
        r"posting\s+(?:the|it|this)",
    ),
    "article": words(
        r"articles?", r"story", r"piece", r"text", r"thing", r"chapter", r"investigation",
        r"paywall(?:ed)?", r"subscription", r"sub",
    ),
    "paywall": words(
        r"paywall(?:ed)?", r"subscription", r"without\s+a\s+sub", r"don'?t\s+have\s+a\s+sub",
        r"need\s+a\s+subscription", r"behind\s+a\s+paywall", r"locked\s+it", r"hit\s+the\s+paywall",
        r"wsj", r"nyt", r"times", r"herald", r"gazette", r"tribune", r"sentinel", r"courier",
        r"post", r"subscribers?(?:[\s-]+only)?", r"can'?t\s+(?:get\s+past|read)",
    ),
    "bypass": words(
        r"12ft\.io", r"archive\.(?:ph|is|today)", r"removepaywall\S*", r"paywall\s+bypass",
        r"bypass\s+(?:the\s+)?paywall", r"get\s+around\s+the\s+(?:newspaper'?s\s+)?paywall",
    ),
    # cancellers
    "question": r"\?",
    "lawful": words(
        r"(?:the|your|public|local)\s+library", r"library\s+(?:card|app|has)", r"legal(?:ly)?",
        r"legit", r"(?<!look\s)(?<!the\s)official(?!\s+logos?)", r"caught", r"the\s+city'?s",
        r"studio",
        r"kanopy", r"tubi", r"licensed", r"the\s+license", r"authorized", r"is\s+it\s+(?:illegal|"
        r"legal|a\s+crime|okay)", r"illegal", r"piracy\s+hurts", r"hurts", r"malware", r"virus",
        r"scam(?:med|s)?", r"warn(?:ing)?", r"careful", r"don'?t\s+(?:buy|do\s+it|fall)",
        r"please\s+(?:don'?t|stop)", r"seized", r"busted", r"arrested", r"per\s+the",
        r"according\s+to", r"news", r"a\s+crime", r"reported", r"report", r"infringement",
        r"not\s+sharing",
        r"support", r"fund\s+organized", r"dangerous", r"lesson",
        r"got\s+burned", r"i\s+only\s+buy", r"watch\s+out", r"beware",
        r"turned\s+out\s+(?:to\s+be\s+)?(?:fake|counterfeit)",
        r"undercut", r"broke\s+up", r"raid", r"thank",
        r"open\s+source", r"alternatives?", r"public\s+domain",
        r"with\s+(?:your|a|my|their)\s+(?:school|work|library|student|college)\s+(?:email|account|id|"
        r"card|login)", r"shut\s+down", r"(?:don'?t|never)\s+click", r"steal\s+your",
        r"phishing", r"my\s+own", r"official\s+apps?",
        r"(?:i\s+)?pay\s+for\s+(?:it|mine|my\s+own|your\s+own)",
    ),
    "source_link": words(
        r"(?:here'?s|heres|here\s+is)\s+the\s+link", r"link\s+to\s+(?:the|their)\s+(?:source|"
        r"article|story|site|original)", r"read\s+it\s+(?:yourself|there|on\s+their)",
        r"full\s+story\s+(?:here|at|on)", r"worth\s+(?:the|a)\s+subscription", r"subscribe\s+to",
    ),
}
# fmt: on

RULES: tuple[CueRule, ...] = (
    CueRule(
        "ip.piracy",
        ("pirate", "media", "offer"),
        "The text offers or links to pirated films, shows, music, books, games or software.",
        0.8,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "ip.piracy",
        ("free_media", "offer"),
        "The text offers copyrighted media free where it is sold.",
        0.65,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "ip.piracy",
        ("pirate_site", "media"),
        "The text sends people to a piracy site or service for copyrighted media.",
        0.75,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "ip.piracy",
        ("pirate_site", "offer"),
        "The text sends people to a piracy site or service.",
        0.7,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
    CueRule(
        "ip.piracy",
        ("free_media", "pirate"),
        "The text offers copyrighted media free, by piracy or a hack.",
        0.7,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
    CueRule(
        "ip.piracy",
        ("whole_work", "free", "offer"),
        "The text gives away a whole copyrighted work (a season, a book, an album) free.",
        0.7,
        unless=("lawful", "question"),
        scope="text",
        unless_in_text=True,
        distinct=True,
    ),
    CueRule(
        "ip.counterfeit",
        ("fake", "brand", "sale"),
        "The text sells counterfeit or knock-off goods under another owner's brand.",
        0.8,
        unless=("lawful",),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "ip.pasted_article",
        ("paste", "article", "paywall"),
        "The text pastes a whole paywalled article, which belongs to its publisher.",
        0.75,
        unless=("question", "lawful", "source_link"),
        scope="text",
        unless_in_text=True,
    ),
    CueRule(
        "ip.pasted_article",
        ("bypass",),
        "The text shows how to get around a publisher's paywall.",
        0.7,
        unless=("question",),
    ),
)


def build() -> list[Detector]:
    """The intellectual-property cue rules as one detector."""
    return [
        CueDetector(
            "ip.cues",
            "ip",
            CUES,
            RULES,
            "The text may violate someone's copyright or trademark.",
        )
    ]
