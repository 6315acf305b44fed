"""Turn texts into sparse hashed features shared by every screening model.

One featurizer serves all models, so a batch of comments is read once however many models
score it. The features are hashed (no vocabulary to ship): word unigrams and bigrams,
character 2-5-grams inside word boundaries (robust to misspellings and look-alike
spellings), and a few "shape" tokens that say what kind of thing the text contains — a link,
a phone number, an amount of money — without caring which one. Hashing is a fixed function
of the text, so weights trained today read the same features on any machine.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

#: Number of hashed feature slots per block; collisions at this size cost < 0.1 F1 point.
WORD_BITS = 18
CHAR_BITS = 19
SHAPE_BITS = 10
N_FEATURES = 2**WORD_BITS + 2**CHAR_BITS + 2**SHAPE_BITS

_TAG = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\s?\.\s?)(?:com|net|org|ly|co|info|biz|tk|io|me|tv)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\s().-]?){7,}\d(?!\w)")
_MONEY = re.compile(r"[£$€¥]\s?\d|\d\s?(?:p|pence|usd|dollars?|pounds?|gbp)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_SHORTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_YT_LINK = re.compile(r"watch\?v=|youtu\.?be|/channel/|/user/", re.IGNORECASE)
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_REPEAT_PUNCT = re.compile(r"[!?]{2,}")


def clean(text: str) -> str:
    """Unescape HTML, drop tags, apply NFKC and lower-case: the text every block reads."""
    text = html.unescape(_TAG.sub(" ", text))
    return unicodedata.normalize("NFKC", text).lower()


def shape_tokens(text: str) -> list[str]:
    """Tokens naming what kinds of things the raw text contains (links, numbers, money...)."""
    toks: list[str] = []
    if _URL.search(text):
        toks.append("has_url")
    if _YT_LINK.search(text):
        toks.append("has_video_link")
    if _EMAIL.search(text):
        toks.append("has_email")
    if _PHONE.search(text):
        toks.append("has_phone")
    if _MONEY.search(text):
        toks.append("has_money")
    if _SHORTCODE.search(text):
        toks.append("has_shortcode")
    digits = len(_NUMBER.findall(text))
    toks.append(f"numbers_{min(digits, 4)}")
    caps = len(_CAPS_WORD.findall(text))
    toks.append(f"caps_words_{min(caps, 3)}")
    if _REPEAT_PUNCT.search(text):
        toks.append("repeat_punct")
    n = len(text)
    toks.append("len_" + ("s" if n < 40 else "m" if n < 120 else "l" if n < 300 else "xl"))
    return toks


class Featurizer:
    """Hashes texts into one sparse matrix (rows = texts, N_FEATURES columns)."""

    def __init__(self) -> None:
        common = {"alternate_sign": False, "norm": "l2", "dtype": np.float32}
        self._word = HashingVectorizer(
            n_features=2**WORD_BITS,
            ngram_range=(1, 2),
            token_pattern=r"(?u)\b\w+\b|[!?$£€]",  # noqa: S106 (a regex, not a password)
            lowercase=False,
            preprocessor=None,
            **common,
        )
        self._char = HashingVectorizer(
            n_features=2**CHAR_BITS,
            analyzer="char_wb",
            ngram_range=(2, 5),
            lowercase=False,
            **common,
        )
        self._shape = HashingVectorizer(
            n_features=2**SHAPE_BITS,
            analyzer=_identity,
            **common,
        )
        self._cache_key: tuple[str, ...] | None = None
        self._cache_value: sp.csr_matrix | None = None

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the feature matrix; the last batch is remembered so models share one pass."""
        key = tuple(texts)
        if key == self._cache_key and self._cache_value is not None:
            return self._cache_value
        cleaned = [clean(t) for t in key]
        blocks = [
            self._word.transform(cleaned),
            self._char.transform(cleaned),
            self._shape.transform([shape_tokens(t) for t in key]),
        ]
        matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
        self._cache_key, self._cache_value = key, matrix
        return matrix

    def feature_names(self, text: str) -> dict[int, str]:
        """Map each feature column that `text` sets to a readable name (for explanations)."""
        cleaned = clean(text)
        names: dict[int, str] = {}
        blocks = (
            (self._word.build_analyzer()(cleaned), 0, WORD_BITS, '"{}"'),
            (self._char.build_analyzer()(cleaned), 2**WORD_BITS, CHAR_BITS, "'{}'"),
            (shape_tokens(text), 2**WORD_BITS + 2**CHAR_BITS, SHAPE_BITS, "[{}]"),
        )
        for grams, offset, bits, fmt in blocks:
            for gram in grams:
                names.setdefault(offset + _hash_column(gram, 2**bits), fmt.format(gram.strip()))
        return names


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _hash_column(token: str, n_features: int) -> int:
    """The column HashingVectorizer gives a token (same murmurhash3, seed 0)."""
    return int(abs(murmurhash3_32(token, seed=0, positive=False)) % n_features)
