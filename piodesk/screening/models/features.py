"""Turn texts into sparse hashed features shared by every screening model.

One featurizer serves all models, so a batch of comments is read once however many models
score it. The features are hashed (no vocabulary to ship): word unigrams and bigrams,
character 2-5-grams inside word boundaries (robust to misspellings and look-alike
spellings), and a few "shape" tokens that say what kind of thing the text contains — a link,
a phone number, an amount of money — without caring which one. Hashing is a fixed function
of the text, so weights trained today read the same features on any machine.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from piodesk.screening.models import hashing
from piodesk.screening.smallgate import SmallGate

#: Number of hashed feature slots per block; collisions at this size cost < 0.1 F1 point.
WORD_BITS = 18
CHAR_BITS = 19
SHAPE_BITS = 10
N_FEATURES = 2**WORD_BITS + 2**CHAR_BITS + 2**SHAPE_BITS


def _word_tuple(words: str) -> tuple[str, ...]:
    """A word list written as one string, which reads better than forty quoted items."""
    return tuple(words.split())


_TAG = re.compile(r"<[^>]{0,200}>")
_TLDS = frozenset(_word_tuple("com net org ly co info biz tk io me tv"))
_URL = re.compile(r"https?://|www\.|\w\s?\.\s?(?:com|net|org|ly|co|info|biz|tk|io|me|tv)\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\s().-]?){7,}\d(?!\w)")
_MONEY = re.compile(r"[£$€¥]\s?\d|\d\s?(?:p|pence|usd|dollars?|pounds?|gbp)\b")
_NUMBER = re.compile(r"\d+")
_SHORTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_YT_MARKERS = ("watch?v=", "youtu.be", "youtube.com", "/channel/", "/user/")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_REPEAT_PUNCT = re.compile(r"[!?]{2,}")


#: Stems of words for violent acts (a cue for the threat model, never a finding by itself).
_VIOLENT = (
    r"kill|murder|shoot|shot\b|hang(?:ed)?\b|lynch|burn|bomb|nuke|stab|behead|execut|"
    r"exterminat|annihilat|genocide|slaughter|massacre|gas\s+(?:them|the)|tortur|beat\s+(?:up|the)|"
    r"punch|smack|whip|chok|strangl|drown|rape|destroy|eliminat|wipe\s+(?:out|them)|"
    r"put\s+to\s+death|dead\b|die\b|death|bullet|gun\s*down|sterili[sz]|extinct|extinguish|"
    r"cut\s+(?:off|their|his|her)|throat|hunt\s+(?:them|down)"
)
_VIOLENT_ANY = re.compile(r"\b(?:" + _VIOLENT + r")")
#: The first four letters of the violent stems (or the whole stem when shorter): a text with no
#: word starting with one cannot match _VIOLENT_ANY, and a set test is far cheaper than the
#: pattern. ("gas them" and "put to death" start with the short words "gas" and "put".)
_VIOLENT_PREFIXES = frozenset(
    stem[:4]
    for stem in _word_tuple(
        "kill murder shoot shot hang lynch burn bomb nuke stab behead execut exterminat "
        "annihilat genocide slaughter massacre gas tortur beat punch smack whip chok strangl "
        "drown rape destroy eliminat wipe put dead die death bullet gun sterili extinct "
        "extinguish cut throat hunt"
    )
)


@dataclass(frozen=True, slots=True)
class _Cue:
    """A family of phrasings; the pattern runs only when one of the trigger words is present."""

    name: str
    triggers: frozenset[str] | None  # None: run whenever the text has a violent-act word
    pattern: re.Pattern[str]


def _cue(name: str, triggers: str | None, pattern: str) -> _Cue:
    words = frozenset(triggers.split()) if triggers is not None else None
    return _Cue(name, words, re.compile(pattern))


#: Cues that n-grams learn slowly from few examples: each names a family of phrasings
#: (self-promotion, calls to action, engagement bait, money offers; the call for violence), so a
#: new wording of a known trick ("peep my new vids") still lights up the family's token. The
#: patterns read the lower-cased text.
_CUES: tuple[_Cue, ...] = (
    _cue(
        "self_promo",
        "my our",
        r"\b(?:my|our)\s+(?:\w+\s+)?(?:channel|videos?|vids?|page|music|songs?|tracks?|"
        r"blog|website|site|profile|playlist|covers?|raps?|account|instagram|insta|twitter|"
        r"facebook|shop|store|business|mixtape|album)\b",
    ),
    _cue(
        "call_to_action",
        "check look visit go click follow sign signup join search download watch come",
        r"\b(?:check\s*(?:out|me|my|us|it|this)|look\s+(?:at|up)|visit|go\s+to|"
        r"click|follow\s+(?:me|us)|sign\s*up|join|search|download|watch\s+my|"
        r"come\s+(?:and\s+)?(?:see|watch|check))\b",
    ),
    _cue(
        "subscribe",
        "sub subs subscribe subscribers subscriber suscribe suscribete subscribed subscribing",
        r"\b(?:sub(?:scribe|scribers?|s)?|suscri\w*|subscri\w*)\b",
    ),
    _cue(
        "engagement_bait",
        "like likes thumbs thumb share",
        r"\b(?:like|thumbs?\s*up|share)\b.{0,40}\b(?:comment|if|this)\b|"
        r"\b(?:like|share)\s+(?:this|my|it)\b",
    ),
    _cue(
        "money_offer",
        "free earn make cash prize won win winner claim gift offer discount deal bonus reward "
        "guaranteed income invest investment investing bitcoin crypto paypal pay",
        r"\b(?:free|earn|make\s+money|cash|prize|won|win|winner|claim|gift\s*cards?|"
        r"offer|discount|deal|bonus|reward|guaranteed|income|invest\w*|bitcoin|crypto|"
        r"paypal|pay\s*pal)\b",
    ),
    _cue(
        "reply_code",
        "txt text reply send call",
        r"\b(?:txt|text|reply|send|call)\b.{0,30}(?:\b\d{4,}\b|\b[a-z]+\d+\b)",
    ),
    _cue(
        "violence_call",
        None,
        r"\b(?:should|must|need\s+to|needs\s+to|deserves?\s+to|ought\s+to|gonna|going\s+to|"
        r"will|i'?ll|i\s+would|i'?d|let'?s|hope|wish|time\s+to|start|go|please)\b"
        r"(?:\W+\w+){0,4}?\W+(?:be\s+|get\s+)?(?:" + _VIOLENT + r")",
    ),
    _cue(
        "violence_self_harm",
        None,
        r"\b(?:kill|hang|shoot|cut)\s+(?:yo)?ur\s*sel(?:f|ves)|\bkys\b|\bsuicide\b|"
        r"\bdrink\s+bleach|\bcut\s+your\s+(?:veins|wrists)",
    ),
    _cue(
        "violence_all_of_them",
        None,
        r"\b(?:all|every|those|these|them|they)\b(?:\W+\w+){0,5}?\W+(?:" + _VIOLENT + r")"
        r"|\b(?:" + _VIOLENT + r")\w*\W+(?:\w+\W+){0,2}(?:all|every|them)\b",
    ),
)
_WORDS = re.compile(r"[a-z]+")


def _cue_tokens(lower: str, words: set[str], possible: frozenset[int] | None = None) -> list[str]:
    """The cue families present in the lower-cased text (`words`: its set of words).

    `possible`: the shape gate's answer for the text (None: every pattern may match)."""
    violent = (
        (possible is None or _VIOLENT_ID in possible)
        and not _VIOLENT_PREFIXES.isdisjoint(w[:4] for w in words)
        and _VIOLENT_ANY.search(lower) is not None
    )
    toks = ["cue_violence_act"] if violent else []
    for k, cue in enumerate(_CUES):
        if possible is not None and _CUE_IDS[k] not in possible:
            continue
        if cue.triggers is None:
            if violent and cue.pattern.search(lower):
                toks.append("cue_" + cue.name)
        elif not cue.triggers.isdisjoint(words) and cue.pattern.search(lower):
            toks.append("cue_" + cue.name)
    return toks


#: A YouTube timestamp, which the site renders as a link to the same video ("2:19").
_TIMESTAMP_LINK = re.compile(
    r"<a\s+href=\"[^\"]{0,200}?[?&](?:amp;)?t=\d+(?:m\d+)?s?\"[^>]{0,100}>\s*\d{1,2}(?::\d{2}){1,2}\s*</a>",
    re.IGNORECASE,
)
#: Characters that show nothing (byte-order mark, zero-width spaces and joiners, soft hyphen):
#: YouTube's export ends most comments with a byte-order mark, which must not be a feature.
_INVISIBLE_CHARS = "\ufeff\u200b\u200c\u200d\u2060\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
#: A character repeated three or more times ("wowwwww", "!!!!!"), kept twice: a long run
#: otherwise fills the text's n-grams with one pair ("ww", which "www." links also make).
_REPEATS = re.compile(r"(.)\1{2,}")


def clean(text: str) -> str:
    """Unescape HTML, drop tags and invisible characters, fold long repeats, apply NFKC and
    lower-case: the text every block reads."""
    text = html.unescape(_TAG.sub(" ", text)).translate(_INVISIBLE)
    return _REPEATS.sub(r"\1\1", unicodedata.normalize("NFKC", text).lower())


def _without_timestamps(text: str) -> str:
    if "t=" not in text:
        return text
    return _TIMESTAMP_LINK.sub(" ", text)


def shape_tokens(text: str, *, gated: bool = True) -> list[str]:
    """Tokens naming what kinds of things the raw text contains (links, numbers, money...).

    Cheap substring tests guard each pattern: most comments have no digit, no "@" and no
    link. With `gated` (the default), one Hyperscan scan of the text first says which of the
    patterns may match (`_SHAPE_GATE`), and the others are not run: the tokens are the same.
    """
    text = _without_timestamps(text)
    if not text.isascii():  # the invisible characters are none of them ASCII
        text = text.translate(_INVISIBLE)
    possible = _SHAPE_GATE.possible(text) if gated else None
    toks: list[str] = []
    lower = text.lower()
    if possible is not None and possible.isdisjoint(_NEEDS_WORDS):
        words: set[str] = set()  # no pattern that reads the words can match: none needed
    else:
        words = set(_WORDS.findall(lower))
    if (
        (possible is None or _URL_ID in possible)
        and ("http" in words or "www" in words or not _TLDS.isdisjoint(words))
        and _URL.search(lower)
    ):
        toks.append("has_url")
    if any(marker in lower for marker in _YT_MARKERS):
        toks.append("has_video_link")
    if (possible is None or _EMAIL_ID in possible) and "@" in text and _EMAIL.search(text):
        toks.append("has_email")
    numbers = _NUMBER.findall(text) if possible is None or _DIGIT_ID in possible else []
    if numbers:
        if (possible is None or _PHONE_ID in possible) and _PHONE.search(text):
            toks.append("has_phone")
        if (possible is None or _MONEY_ID in possible) and _MONEY.search(lower):
            toks.append("has_money")
        if (possible is None or _SHORTCODE_ID in possible) and _SHORTCODE.search(text):
            toks.append("has_shortcode")
    toks.append(f"numbers_{min(len(numbers), 4)}")
    caps = len(_CAPS_WORD.findall(text)) if possible is None or _CAPS_ID in possible else 0
    toks.append(f"caps_words_{min(caps, 3)}")
    if (
        (possible is None or _PUNCT_ID in possible)
        and ("!" in text or "?" in text)
        and _REPEAT_PUNCT.search(text)
    ):
        toks.append("repeat_punct")
    toks.extend(_cue_tokens(lower, words, possible))
    n = len(text)
    toks.append("len_" + ("s" if n < 40 else "m" if n < 120 else "l" if n < 300 else "xl"))
    return toks


# The shape gate's patterns: (id, pattern, whether it reads the lower-cased text).
_URL_ID, _EMAIL_ID, _DIGIT_ID, _PHONE_ID, _MONEY_ID, _SHORTCODE_ID = range(6)
_CAPS_ID, _PUNCT_ID, _VIOLENT_ID = 6, 7, 8
_CUE_IDS = tuple(range(9, 9 + len(_CUES)))
_SHAPE_PATTERNS: tuple[tuple[int, re.Pattern[str], bool], ...] = (
    (_URL_ID, _URL, True),
    (_EMAIL_ID, _EMAIL, False),
    (_DIGIT_ID, re.compile(r"\d"), False),
    (_PHONE_ID, _PHONE, False),
    (_MONEY_ID, _MONEY, True),
    (_SHORTCODE_ID, _SHORTCODE, False),
    (_CAPS_ID, _CAPS_WORD, False),
    (_PUNCT_ID, _REPEAT_PUNCT, False),
    (_VIOLENT_ID, _VIOLENT_ANY, True),
    *((i, cue.pattern, True) for i, cue in zip(_CUE_IDS, _CUES, strict=True)),
)
#: The patterns whose test also reads the text's word set.
_NEEDS_WORDS = frozenset({_URL_ID, _VIOLENT_ID, *_CUE_IDS})


def _shape_gate() -> SmallGate:
    from piodesk.screening.detectors import multimatch  # (the engine's regex rewriting)

    return SmallGate(
        "shape-gate",
        [
            # a pattern over the lower-cased text, with case ignored: a superset, on ASCII
            (i, multimatch._widen(multimatch._edges(rx.pattern)), lower)
            for i, rx, lower in _SHAPE_PATTERNS
        ],
    )


#: Which shape patterns may match a text (one Hyperscan scan; see screening/smallgate.py).
_SHAPE_GATE = _shape_gate()


def wait_for_shape_gate(timeout: float | None = None) -> bool:
    """Block until the shape tokens' gate is ready (benchmarks); True when it is in use."""
    return _SHAPE_GATE.wait(timeout)


class Featurizer:
    """Hashes texts into one sparse matrix (rows = texts, N_FEATURES columns)."""

    def __init__(self) -> None:
        # The last batch, as ONE attribute replaced whole: screening threads that share this
        # featurizer never see one batch's texts paired with another batch's matrix.
        self._last: _Last | None = None
        _SHAPE_GATE.start()  # compiles in the background; the shape tokens are the same

    @staticmethod
    def wait(timeout: float | None = None) -> bool:
        """Block until the shape tokens' gate is ready (benchmarks); True when it is in use."""
        return _SHAPE_GATE.wait(timeout)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the feature matrix; the last batch is remembered so models share one pass."""
        key = tuple(texts)
        last = self._last
        if last is not None and last.key == key:
            return last.matrix
        grams = _BatchGrams.of(_padded_many(key))
        shapes = [shape_tokens(t) for t in key]
        matrix = self._assemble(len(key), grams, shapes)
        self._last = _Last(key, matrix, grams, {}, shapes)
        return matrix

    @staticmethod
    def _assemble(n_rows: int, grams: _BatchGrams, shapes: list[list[str]]) -> sp.csr_matrix:
        shape_rows: list[int] = []
        shape_cols: list[int] = []
        column = _SHAPE_COLUMNS.__getitem__
        for row, tokens in enumerate(shapes):
            shape_rows.extend([row] * len(tokens))
            shape_cols.extend(map(column, tokens))
        return hashing.build_matrix(
            n_rows,
            N_FEATURES,
            [
                (grams.words.rows, grams.word_cols),
                (grams.chars.rows, grams.char_cols),
                (np.array(shape_rows, dtype=np.int64), np.array(shape_cols, dtype=np.int64)),
            ],
        )

    def _cached(self, text: str) -> tuple[_Last, int] | None:
        """The last batch and the row of `text` in it, when `text` was in it."""
        last = self._last
        if last is None:
            return None
        if not last.index:
            last.index.update((t, i) for i, t in enumerate(last.key))
        row = last.index.get(text)
        return None if row is None else (last, row)

    def row_of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one text's feature row; from the last batch when it was in it."""
        hit = self._cached(text)
        if hit is not None:
            m, row = hit[0].matrix, hit[1]
            lo, hi = m.indptr[row], m.indptr[row + 1]
            return m.indices[lo:hi], m.data[lo:hi]
        single = self._assemble(1, _BatchGrams.of([_padded(text)]), [shape_tokens(text)])
        return single.indices, single.data

    def feature_names(self, text: str, columns: Iterable[int] | None = None) -> dict[int, str]:
        """Name the feature columns that `text` sets (all, or only `columns`), for explanations."""
        wanted = None if columns is None else {int(c) for c in columns}
        hit = self._cached(text)
        shapes: list[str] | None = None
        if hit is not None:
            grams, row = hit[0].grams, hit[1]
            shapes = hit[0].shapes[row]
        else:
            grams, row = _BatchGrams.of([_padded(text)]), 0
        names: dict[int, str] = {}
        wanted_cols = None if wanted is None else np.fromiter(wanted, dtype=np.int64)
        for part, cols, fmt in (
            (grams.words, grams.word_cols, '"{}"'),
            (grams.chars, grams.char_cols, "'{}'"),
        ):
            pos = grams.position_array(part, row)
            if wanted_cols is not None:
                # only the n-grams of the wanted columns, in the same order (the first names it);
                # a few wanted columns, so one comparison table beats np.isin's set-up
                pos = pos[(cols[pos][:, None] == wanted_cols[None, :]).any(axis=1)]
            for i in pos.tolist():
                col = int(cols[i])
                if col not in names:
                    gram = grams.batch.joined[int(part.starts[i]) : int(part.ends[i])]
                    names[col] = fmt.format(gram.strip() if fmt.startswith('"') else gram)
        if wanted is None or any(c >= _SHAPE_OFFSET for c in wanted):
            for token in shape_tokens(text) if shapes is None else shapes:
                names.setdefault(_SHAPE_OFFSET + _shape_column(token), f"[{token}]")
        return names


@dataclass(frozen=True, slots=True)
class _Last:
    """The featurizer's last batch: its texts, matrix, n-grams, a text -> row index and each
    text's shape tokens."""

    key: tuple[str, ...]
    matrix: sp.csr_matrix
    grams: _BatchGrams
    index: dict[str, int]
    shapes: list[list[str]]


@dataclass(slots=True)
class _BatchGrams:
    """The hashed word and character n-grams of one batch, with their feature columns."""

    batch: hashing.Batch
    words: hashing.Grams
    chars: hashing.Grams
    word_cols: np.ndarray
    char_cols: np.ndarray
    _by_row: dict[int, tuple[list[list[int]], int]] = field(default_factory=dict)

    def positions(self, part: hashing.Grams, row: int) -> list[int]:
        """Indexes of `part`'s n-grams that belong to text `row` (sorted once per batch)."""
        return self.position_array(part, row).tolist()

    def position_array(self, part: hashing.Grams, row: int) -> np.ndarray:
        """`positions` as an array of int64: the indexes of `row`'s n-grams, ascending.

        `part.rows` is a few sorted runs one after another (unigrams then pairs; one run per
        n-gram size), so within each run a row's n-grams are one slice, found by binary
        search once per batch; the slices, run by run, are the row's indexes in order (what
        a stable sort of all the rows would give, for a fraction of its cost)."""
        cached = self._by_row.get(id(part))
        if cached is None:
            rows = part.rows
            n_bounds = int(rows.max(initial=0)) + 2
            cuts = (np.flatnonzero(rows[1:] < rows[:-1]) + 1).tolist()
            edges = [0, *cuts, len(rows)]
            wanted = np.arange(n_bounds)
            runs = [
                (np.searchsorted(rows[a:b], wanted) + a).tolist()
                for a, b in itertools.pairwise(edges)
            ]
            cached = self._by_row[id(part)] = (runs, n_bounds)
        runs, n_bounds = cached
        if row + 1 >= n_bounds:
            return np.zeros(0, dtype=np.int64)
        pieces = [
            np.arange(r[row], r[row + 1], dtype=np.int64) for r in runs if r[row + 1] > r[row]
        ]
        if not pieces:
            return np.zeros(0, dtype=np.int64)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    @classmethod
    def of(cls, padded: list[str]) -> _BatchGrams:
        batch = hashing.Batch.of(padded)
        words, chars = batch.word_grams(), batch.char_grams(CHAR_SIZES)
        return cls(
            batch,
            words,
            chars,
            hashing.columns(words, WORD_BITS),
            hashing.columns(chars, CHAR_BITS) + 2**WORD_BITS,
        )


#: Character n-gram sizes (the text is padded with a space, so word edges are n-grams too).
CHAR_SIZES = (2, 3, 4, 5)
_SHAPE_OFFSET = 2**WORD_BITS + 2**CHAR_BITS
_SPACES = re.compile(r"\s+")


# The same steps as `clean` and `_padded`, for a whole batch joined by NUL: neither pattern
# may run across a NUL (no text holds one: such a batch is cleaned text by text).
_TAG_IN_BATCH = re.compile(r"<[^>\x00]{0,200}>")
_REPEATS_IN_BATCH = re.compile(r"([^\n\x00])\1{2,}")


def _padded_many(texts: Sequence[str]) -> list[str]:
    """`[_padded(t) for t in texts]`, with most steps run once over the joined batch.

    Every step reads the text character by character or through a pattern that stops at NUL:
    HTML character references hold no NUL, and what they unescape to is none (NUL itself
    becomes U+FFFD); lower-casing treats NUL as the end of a word ("Σ" stays final). NFKC
    runs text by text (only on texts that are not ASCII, which it leaves as they are), and
    `" ".join(t.split())` is `_SPACES.sub(" ", t).strip()` (both split on str.isspace).
    """
    if len(texts) < 2:
        return [_padded(t) for t in texts]
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return [_padded(t) for t in texts]  # a text holds NUL
    joined = html.unescape(_TAG_IN_BATCH.sub(" ", joined))
    if not joined.isascii():
        for c in _INVISIBLE_CHARS:
            if c in joined:
                joined = joined.replace(c, "")
        nfkc = unicodedata.normalize
        joined = "\x00".join(p if p.isascii() else nfkc("NFKC", p) for p in joined.split("\x00"))
    joined = fold_repeats(joined.lower())
    parts = joined.split("\x00")
    if len(parts) != len(texts):  # cannot happen (see above); the safe way if it does
        return [_padded(t) for t in texts]
    return [" " + " ".join(p.split()) + " " for p in parts]


def fold_repeats(joined: str) -> str:
    r"""`_REPEATS_IN_BATCH.sub(r"\1\1", joined)` over code points with numpy (the regex, with its
    back-reference tried at every character, took 3.5 µs a comment): a character is dropped
    when the two before it are the same character and it is neither a newline nor NUL. The
    pattern matches each run of three or more from its first character (greedily, to its
    end) and keeps two, so these are the characters it drops."""
    try:
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    except UnicodeError:  # (cannot happen: every str encodes with surrogatepass)
        return _REPEATS_IN_BATCH.sub(r"\1\1", joined)
    if len(codes) < 3:
        return joined
    drop = codes[2:] == codes[1:-1]
    drop &= codes[1:-1] == codes[:-2]
    drop &= codes[2:] != 0x0A
    drop &= codes[2:] != 0
    if not drop.any():
        return joined
    keep = np.ones(len(codes), dtype=bool)
    keep[2:] = ~drop
    return codes[keep].tobytes().decode("utf-32-le", "surrogatepass")


def _padded(text: str) -> str:
    # NUL joins the texts of a batch (hashing.Batch): one inside a text would split it in two
    return " " + _SPACES.sub(" ", clean(text).replace("\x00", "")).strip() + " "


def shape_column(token: str) -> int:
    """The matrix column of a shape token (what a trainer masks to keep a model off it)."""
    return _SHAPE_OFFSET + _shape_column(token)


#: The cue families (their names are the shape tokens "cue_<name>").
CUES = _CUES


class _ShapeColumns(dict[str, int]):
    """token -> matrix column (`shape_column`), filled on first use; a plain dict read is
    cheaper than an lru_cache call, and there are a few dozen tokens."""

    def __missing__(self, token: str) -> int:
        col = self[token] = _SHAPE_OFFSET + _shape_column(token)
        return col


_SHAPE_COLUMNS = _ShapeColumns()


@lru_cache(maxsize=4096)
def _shape_column(token: str) -> int:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 2**SHAPE_BITS
