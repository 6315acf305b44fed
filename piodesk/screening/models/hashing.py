"""Vectorized hashing of words, word pairs and character n-grams for a whole batch at once.

scikit-learn's HashingVectorizer builds every n-gram as a Python string (about 600 µs for a
120-character comment); screening needs thousands of comments a second on one core. Here a
batch is joined into one array of code points and every n-gram is hashed with numpy, using a
polynomial hash read off prefix sums: the hash of text[s:e] is (G[e] - G[s]) * P**e (mod 2**64),
which depends only on the characters, not on where they stand. Same text, same columns, on
any machine: nothing here is salted or random.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_P = np.uint64(0x100000001B3)  # an odd multiplier (the FNV-64 prime), invertible mod 2**64
_P_INV = np.uint64(pow(int(_P), -1, 2**64))
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finalizer constants
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEP = 0  # code point that joins the texts of a batch (NUL never survives `clean`)

#: Punctuation that is a token of its own (as in "FREE!!!" or "$$$"); emoji and other
#: characters outside the Basic Multilingual Plane are single tokens too.
_SINGLE = "!?$£€"

_WORD_TABLE = np.array([chr(i).isalnum() or chr(i) == "_" for i in range(0x10000)], dtype=bool)
_SINGLE_TABLE = np.zeros(0x10000, dtype=bool)
_SINGLE_TABLE[[ord(c) for c in _SINGLE]] = True

_powers = np.ones(1, dtype=np.uint64)
_inv_powers = np.ones(1, dtype=np.uint64)


def _ensure_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k (mod 2**64) for k = 0..n, grown on demand and kept."""
    global _powers, _inv_powers
    if len(_powers) <= n:
        size = max(n + 1, 2 * len(_powers))
        with np.errstate(over="ignore"):
            _powers = np.cumprod(np.full(size, _P, dtype=np.uint64), dtype=np.uint64)
            _powers = np.concatenate([np.ones(1, dtype=np.uint64), _powers[:-1]])
            _inv_powers = np.cumprod(np.full(size, _P_INV, dtype=np.uint64), dtype=np.uint64)
            _inv_powers = np.concatenate([np.ones(1, dtype=np.uint64), _inv_powers[:-1]])
    return _powers, _inv_powers


_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def _mix(x: np.ndarray, salt: int) -> np.ndarray:
    """Spread a polynomial hash over all 64 bits (splitmix64), salted by feature kind.

    Array arithmetic on uint64 wraps modulo 2**64 silently, which is what a hash wants. The
    steps run in place on one new array (a fraction of the time of a temporary per step)."""
    x = x + np.uint64(salt * 0x9E3779B97F4A7C15 % 2**64)
    t = np.empty_like(x)
    np.right_shift(x, _S30, out=t)
    x ^= t
    x *= _MIX1
    np.right_shift(x, _S27, out=t)
    x ^= t
    x *= _MIX2
    np.right_shift(x, _S31, out=t)
    x ^= t
    return x


@dataclass(frozen=True, slots=True)
class Grams:
    """The hashed n-grams of a batch: which text each came from, its hash and where it is."""

    rows: np.ndarray  # int64 index of the text in the batch
    hashes: np.ndarray  # uint64 mixed hash
    starts: np.ndarray  # int64 start offset in the joined batch string
    ends: np.ndarray  # int64 end offset (exclusive)


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch joined into one code-point array, with prefix hashes over it."""

    joined: str
    codes: np.ndarray  # uint64 code points; _SEP between texts
    prefix: np.ndarray  # G, length len(codes) + 1
    row_of: np.ndarray  # int64 text index of each position
    seps_before: np.ndarray  # int64 number of separators in codes[:k], length len(codes) + 1

    @classmethod
    def of(cls, texts: Sequence[str]) -> Batch:
        """Join `texts` (already cleaned) and precompute what every n-gram hash needs."""
        joined = "\x00".join(texts) + "\x00"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        powers, inv_powers = _ensure_powers(len(codes) + 1)
        with np.errstate(over="ignore"):
            terms = codes * inv_powers[1 : len(codes) + 1]
            prefix = np.concatenate(
                [np.zeros(1, dtype=np.uint64), np.cumsum(terms, dtype=np.uint64)]
            )
        is_sep = codes == _SEP
        seps_before = np.concatenate(
            [np.zeros(1, dtype=np.int64), np.cumsum(is_sep, dtype=np.int64)]
        )
        del powers
        return cls(joined, codes, prefix, seps_before[:-1], seps_before)

    def substring_hash(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Polynomial hash of joined[s:e] for each pair, independent of position."""
        powers, _ = _ensure_powers(len(self.codes) + 1)
        return np.asarray((self.prefix[ends] - self.prefix[starts]) * powers[ends])

    def char_grams(self, sizes: Sequence[int]) -> Grams:
        """Every character n-gram of the given sizes that lies inside one text.

        An n-gram starting at s lies inside one text when the next separator at or after s is
        n or more characters away; the hashes of every start are read off contiguous slices
        of the prefix sums (the same values `substring_hash` gives), then the n-grams that
        cross a separator are left out. The arrays are written in place, size by size, in the
        order `_concat` of one part per size would give."""
        n_codes = len(self.codes)
        seps = np.flatnonzero(self.codes == _SEP)
        if not len(seps) or not sizes:
            return _concat([])
        # distance from each position to the next separator (the batch ends with one)
        distance = seps[self.seps_before[:-1]] - np.arange(n_codes)
        powers, _ = _ensure_powers(n_codes + 1)
        keep = [np.flatnonzero(distance[: max(n_codes - n + 1, 0)] >= n) for n in sizes]
        total = sum(len(k) for k in keep)
        rows = np.empty(total, dtype=np.int64)
        hashes = np.empty(total, dtype=np.uint64)
        starts = np.empty(total, dtype=np.int64)
        ends = np.empty(total, dtype=np.int64)
        at = 0
        prefix = self.prefix
        for n, k in zip(sizes, keep, strict=True):
            m = n_codes - n + 1
            if m <= 0:
                continue
            raw = (prefix[n : n + m] - prefix[:m]) * powers[n : n + m]
            part = slice(at, at + len(k))
            starts[part] = k
            ends[part] = k + n
            rows[part] = self.row_of[k]
            hashes[part] = _mix(raw[k], 100 + n)
            at += len(k)
        return Grams(rows, hashes, starts, ends)

    def word_grams(self) -> Grams:
        """Word tokens (runs of letters and digits, and single punctuation/emoji) and pairs."""
        codes = self.codes
        bmp = codes < 0x10000
        idx = np.where(bmp, codes, 0).astype(np.int64)
        is_word = _WORD_TABLE[idx] & bmp
        is_single = (_SINGLE_TABLE[idx] & bmp) | ~bmp
        prev = np.concatenate([[False], is_word[:-1]])
        nxt = np.concatenate([is_word[1:], [False]])
        word_starts = np.flatnonzero(is_word & ~prev)
        word_ends = np.flatnonzero(is_word & ~nxt) + 1
        single = np.flatnonzero(is_single)
        starts = np.concatenate([word_starts, single])
        ends = np.concatenate([word_ends, single + 1])
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order].astype(np.int64), ends[order].astype(np.int64)
        rows = self.row_of[starts]
        raw = self.substring_hash(starts, ends)
        unigrams = Grams(rows, _mix(raw, 1), starts, ends)
        same = rows[1:] == rows[:-1]
        pair = raw[:-1][same] * np.uint64(0x9E3779B1) + _mix(raw[1:][same], 3)
        bigrams = Grams(rows[:-1][same], _mix(pair, 2), starts[:-1][same], ends[1:][same])
        return _concat([unigrams, bigrams])


def _concat(parts: list[Grams]) -> Grams:
    if not parts:
        empty_i = np.zeros(0, dtype=np.int64)
        return Grams(empty_i, np.zeros(0, dtype=np.uint64), empty_i, empty_i)
    return Grams(
        np.concatenate([p.rows for p in parts]),
        np.concatenate([p.hashes for p in parts]),
        np.concatenate([p.starts for p in parts]),
        np.concatenate([p.ends for p in parts]),
    )


def columns(grams: Grams, bits: int) -> np.ndarray:
    """The hashed column (0 .. 2**bits - 1) of each n-gram."""
    return (grams.hashes & np.uint64(2**bits - 1)).astype(np.int64)


def stable_order(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """`np.argsort(rows, kind="stable")` for row numbers 0 .. n_rows - 1: with fewer than
    2**16 rows they are sorted as uint16, which numpy radix-sorts (the same permutation, since
    the keys keep their order, about twice as fast as a merge of int64)."""
    if n_rows <= 2**16:
        return np.argsort(rows.astype(np.uint16), kind="stable")
    return np.argsort(rows, kind="stable")


def build_matrix(
    n_rows: int, n_cols: int, blocks: Sequence[tuple[np.ndarray, np.ndarray]]
) -> sp.csr_matrix:
    """One CSR matrix of n-gram hits; in each block of each row every hit weighs
    1/sqrt(hits), so no block drowns the others and long texts do not outweigh short ones.

    Repeated n-grams stay as repeated entries (a product with weights sums them), which spares
    a sort of every entry; training calls `sum_duplicates()` on the result."""
    rows_parts, cols_parts, data_parts = [], [], []
    for rows, cols in blocks:
        hits = np.bincount(rows, minlength=n_rows)
        scale = (1.0 / np.sqrt(np.maximum(hits, 1))).astype(np.float32)
        rows_parts.append(rows)
        cols_parts.append(cols)
        data_parts.append(scale[rows])
    rows = np.concatenate(rows_parts)
    order = stable_order(rows, n_rows)  # blocks are each sorted: a merge of sorted runs
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix(
        (np.concatenate(data_parts)[order], np.concatenate(cols_parts)[order], indptr),
        shape=(n_rows, n_cols),
    )


def column_names(grams: Grams, joined: str, bits: int, offset: int) -> dict[int, str]:
    """Name each column by (one of) the n-grams that hashed to it, for explanations."""
    cols = columns(grams, bits) + offset
    names: dict[int, str] = {}
    for col, start, end in zip(
        cols.tolist(), grams.starts.tolist(), grams.ends.tolist(), strict=True
    ):
        names.setdefault(col, joined[start:end])
    return names
