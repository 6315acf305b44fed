"""A linear classifier over the shared hashed features, stored as a small compressed file.

Only the weights are stored (non-zero hashed columns as int32 indices and float16 values, in
a compressed `.npz`), never a pickled scikit-learn object: a file written today loads with any
later numpy and scikit-learn, and loading it cannot run code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from piodesk.screening.models.features import N_FEATURES, Featurizer


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """Sparse weights of one logistic model, and what the training script recorded about it."""

    indices: np.ndarray  # int32 columns with a non-zero weight
    values: np.ndarray  # float16 weights of those columns
    bias: float
    meta: dict[str, object] = field(default_factory=dict)

    def dense(self) -> np.ndarray:
        """The weights as one float32 vector over all hashed columns."""
        w = np.zeros(N_FEATURES, dtype=np.float32)
        w[self.indices] = self.values.astype(np.float32)
        return w

    def digest(self) -> str:
        """A short fingerprint of the weights: part of the model version."""
        h = hashlib.sha256()
        h.update(self.indices.tobytes())
        h.update(self.values.tobytes())
        h.update(np.float64(self.bias).tobytes())
        return h.hexdigest()[:10]


def from_dense(
    weights: np.ndarray, bias: float, keep: int, meta: dict[str, object]
) -> LinearWeights:
    """Keep the `keep` largest weights by magnitude (the rest add little and cost bytes)."""
    nonzero = np.flatnonzero(weights)
    if len(nonzero) > keep:
        order = np.argsort(-np.abs(weights[nonzero]), kind="stable")[:keep]
        nonzero = np.sort(nonzero[order])
    return LinearWeights(
        nonzero.astype(np.int32), weights[nonzero].astype(np.float16), float(bias), meta
    )


def save(path: Path, weights: LinearWeights) -> None:
    """Write the weights as a compressed .npz (metadata as a JSON string inside)."""
    with path.open("wb") as f:
        np.savez_compressed(
            f,
            indices=weights.indices,
            values=weights.values,
            bias=np.array([weights.bias], dtype=np.float64),
            meta=np.array(json.dumps(weights.meta, sort_keys=True)),
        )


def load(path: Path) -> LinearWeights:
    """Read weights written by `save` (no pickle: plain arrays only)."""
    with np.load(path, allow_pickle=False) as z:
        return LinearWeights(
            z["indices"].astype(np.int32),
            z["values"].astype(np.float16),
            float(z["bias"][0]),
            json.loads(str(z["meta"])),
        )


def decision(featurizer: Featurizer, w: np.ndarray, bias: float, texts: list[str]) -> np.ndarray:
    """The linear score (log-odds) of each text."""
    matrix: sp.csr_matrix = featurizer.transform(texts)
    return np.asarray(matrix @ w, dtype=np.float64) + bias


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Log-odds to probability, without overflow warnings."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)
