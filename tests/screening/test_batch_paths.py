"""The batch paths of the screening models give what the text-by-text paths give."""

from __future__ import annotations

import importlib.util

import numpy as np

from piodesk.screening import devsets
from piodesk.screening.models import ModelDetector, features, load_models

#: Texts at the edges of cleaning: entities cut at a text's end, tags left open, combining
#: marks at a text's start, final sigma, runs that empty texts could make, invisible marks.
EDGES = [
    "", "", "", "   ", "&amp", "lt;x", "&", "<b", "c> here", "x&#0;y", "&shy;soft&#65279;",
    "ΣΑΣ", "\u0301abc", "a\u0301", "ǅ", "İstanbul", "ﬁne", "\ufeffBOM", "aaaa\n\n\nbbb",
    "\u1100", "\u1161", "FREE!!!!! $$$", "tab\tand\x1fus", "<a href='x'>2:19</a>",
]  # fmt: skip


def _texts() -> list[str]:
    return EDGES + [e.text for name in devsets.FILES for e in devsets.load(name)][:600] + EDGES


def test_cleaning_a_batch_equals_cleaning_each_text() -> None:
    texts = _texts()
    for size in (2, 3, 7, 256):
        for i in range(0, len(texts), size):
            batch = texts[i : i + size]
            assert features._padded_many(batch) == [features._padded(t) for t in batch]


def test_gated_shape_tokens_equal_ungated() -> None:
    """The shape tokens' Hyperscan gate only skips patterns that cannot match."""
    has_hyperscan = importlib.util.find_spec("hyperscan") is not None
    assert features.wait_for_shape_gate(120) or not has_hyperscan
    texts = _texts()
    texts += [t.upper() for t in texts] + [t + "\x1f12345 WWW.X.COM" for t in texts[:50]]
    texts += ["kill", "12345", "x.com", "https://x.co", "a@b.co", "5 dollars", "ABC!!", "gas them"]
    # inert non-ASCII characters (emoji, curly quotes, dashes) are scanned as NUL
    texts += [t + " \U0001f600 \u201cok\u201d \u2014" for t in texts[:200]]
    texts += ["\u00a35 \U0001f600", "win \u20ac5 \u2019now\u2019", "\ufeffcall 55555 \U0001f525"]
    for t in texts:
        assert features.shape_tokens(t) == features.shape_tokens(t, gated=False), t


def test_repeats_fold_as_the_pattern_folds_them() -> None:
    import random

    rng = random.Random(13)
    alphabet = "aab\n\n!.\x00é\ud800😀 "
    samples = ["", "a", "aa", "aaa", "\n\n\n\n", "wowwwww!!!!", "\ud800\ud800\ud800", "😀😀😀"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(2000)
    ]
    for text in samples:
        assert features.fold_repeats(text) == features._REPEATS_IN_BATCH.sub(r"\1\1", text)


def test_a_text_with_nul_is_cleaned_alone() -> None:
    batch = ["a\x00b", "c"]
    assert features._padded_many(batch) == [features._padded(t) for t in batch]
    assert "\x00" not in features._padded("a\x00b")


def test_one_product_for_all_models_equals_each_model() -> None:
    models = load_models()
    if not models:
        return
    texts = _texts()
    together = ModelDetector.predict_proba_many(models, texts)
    for m, probs in zip(models, together, strict=True):
        assert np.array_equal(probs, m.predict_proba(texts))
    assert all(len(p) == 0 for p in ModelDetector.predict_proba_many(models, []))
