"""The batch featurizer's per-row lookups give what a full stable sort of the rows gives.

`_BatchGrams.position_array` finds a text's n-grams run by run (binary search) instead of
sorting every n-gram of the batch; explanations name features from it, so it must return the
same indexes in the same order. `hashing.stable_order` sorts row numbers as uint16.
"""

from __future__ import annotations

import numpy as np
import pytest

from piodesk.screening.models import features, hashing

TEXTS = [
    "Check out my channel!!! https://youtu.be/x",
    "",
    "FREE entry: txt WIN to 80086 now",
    "   ",
    "you are all going to regret this",
    "caf\u00e9 \U0001f600 ok",
    "a",
]


@pytest.mark.parametrize("texts", [TEXTS, TEXTS[:1], TEXTS[1:2], TEXTS * 5])
def test_positions_match_a_stable_sort(texts: list[str]) -> None:
    grams = features._BatchGrams.of(features._padded_many(texts))
    for part in (grams.words, grams.chars):
        order = np.argsort(part.rows, kind="stable")
        bounds = np.searchsorted(part.rows[order], np.arange(int(part.rows.max(initial=0)) + 2))
        for row in range(len(texts) + 2):
            expected = order[bounds[row] : bounds[row + 1]] if row + 1 < len(bounds) else []
            got = grams.position_array(part, row)
            assert got.dtype == np.int64
            assert got.tolist() == list(expected), (row, texts[row % len(texts)])


def test_stable_order_is_argsort() -> None:
    rng = np.random.default_rng(7)
    for n_rows in (1, 3, 300, 2**16, 2**16 + 5):
        rows = rng.integers(0, n_rows, size=5000)
        assert (
            hashing.stable_order(rows, n_rows).tolist() == np.argsort(rows, kind="stable").tolist()
        )
