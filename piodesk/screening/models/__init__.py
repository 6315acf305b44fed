"""Trained screening models: solicitation, profanity and threat (GO 409 §.20).

Each model is a logistic classifier over hashed word and character n-grams
(`features.py`), trained by `python -m piodesk.screening.models.train --data ../shared/data`
from the public labeled data and committed beside this file as a small `.npz` of weights.
Nothing is downloaded at run time.

The engine calls `load_models()` once and, per batch, `predict_proba(texts)` on each model;
a probability at or above the model's `threshold` becomes a finding, and `explain(text)`
gives the n-grams that pushed the score up, for the PIO to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from piodesk.screening.model import Category
from piodesk.screening.models import linear
from piodesk.screening.models.features import N_FEATURES, Featurizer

#: Where the committed weights live.
ARTIFACT_DIR = Path(__file__).resolve().parent

#: The models piodesk ships, in the order the engine runs them: (id, category, file).
SHIPPED: tuple[tuple[str, Category, str], ...] = (
    ("solicitation.linear", Category.SOLICITATION, "solicitation.npz"),
    ("profanity.linear", Category.PROFANITY, "profanity.npz"),
    ("threat.linear", Category.THREAT, "threat.npz"),
)


@dataclass(frozen=True, eq=False)
class WeightTable:
    """The weights of several models over the hashed columns, stored compactly.

    Each model keeps a few tens of thousands of its 787,456 columns: one dense float32 vector
    per model (and their stack for the shared product) took 19 MB for 4 MB of weights. Here
    `slot` maps every column to a row of `values` (row 0 is all zeros: every column no model
    keeps), and `values` holds one column per model. A product over the slots adds, entry by
    entry and in the same order, the same float32 terms as one over the dense vectors (a column
    no model keeps adds data * 0.0 there and here), so the scores are the same bit for bit.
    """

    slot: np.ndarray  # int32, one per hashed column
    values: np.ndarray  # float32, (1 + columns kept by any model, models), C-ordered

    @classmethod
    def of(cls, stored: Sequence[linear.LinearWeights]) -> WeightTable:
        kept = np.unique(np.concatenate([w.indices for w in stored] or [np.zeros(0, np.int32)]))
        slot = np.zeros(N_FEATURES, dtype=np.int32)
        slot[kept] = np.arange(1, len(kept) + 1, dtype=np.int32)
        values = np.zeros((len(kept) + 1, len(stored)), dtype=np.float32)
        for k, w in enumerate(stored):
            values[slot[w.indices], k] = w.values.astype(np.float32)
        return cls(slot, values)

    def weights_at(self, columns: np.ndarray, model: int) -> np.ndarray:
        """Model `model`'s weight of each of the hashed `columns`."""
        return np.asarray(self.values[self.slot[columns], model])

    def product(self, matrix: sp.csr_matrix, models: Sequence[int]) -> np.ndarray:
        """`matrix @ dense weights` of the models (one column each), over the slots."""
        compact = sp.csr_matrix(
            (matrix.data, self.slot[matrix.indices], matrix.indptr),
            shape=(matrix.shape[0], len(self.values)),
        )
        if list(models) == list(range(self.values.shape[1])):
            weights = self.values
        else:
            weights = np.ascontiguousarray(self.values[:, list(models)])
        return np.asarray(compact @ weights)


@dataclass(eq=False)
class ModelDetector:
    """One trained model: gives each text a probability that it belongs to `category`."""

    id: str
    category: str
    version: str
    threshold: float
    table: WeightTable = field(repr=False)  # the weights, shared with the other shipped models
    column: int  # this model's column of `table.values`
    bias: float
    featurizer: Featurizer = field(repr=False)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability, per text, that the text belongs to this model's category."""
        return self.predict_proba_many([self], texts)[0]

    @staticmethod
    def predict_proba_many(models: Sequence[ModelDetector], texts: list[str]) -> list[np.ndarray]:
        """`predict_proba` of every model in one product per featurizer and weight table: the
        models that read the same features have their weights side by side (one column each),
        so the batch's feature matrix is walked once for all of them. Each column's sums are
        the ones a product with that model's weights alone makes, in the same order."""
        out: list[np.ndarray | None] = [None] * len(models)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, m in enumerate(models):
            groups.setdefault((id(m.featurizer), id(m.table)), []).append(i)
        for idx in groups.values():
            if not texts:
                for i in idx:
                    out[i] = np.zeros(0, dtype=np.float64)
                continue
            group = tuple(models[i] for i in idx)
            matrix = group[0].featurizer.transform(texts)
            scores = group[0].table.product(matrix, [m.column for m in group])
            for k, i in enumerate(idx):
                z = np.asarray(scores[:, k], dtype=np.float64) + group[k].bias
                out[i] = linear.sigmoid(z)
        return [p if p is not None else np.zeros(0) for p in out]

    def contributions(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The features of `text` that pushed its score up most, with their share of log-odds."""
        indices, data = self.featurizer.row_of(text)
        values = data * self.table.weights_at(indices, self.column)
        best = [int(i) for i in _top(values, top) if values[i] > 0]
        if not best:
            return []
        cols = indices[best]
        names = self.featurizer.feature_names(text, cols.tolist())
        merged: dict[str, float] = {}
        for col, i in zip(cols.tolist(), best, strict=True):
            name = names.get(col, f"#{col}")
            merged[name] = merged.get(name, 0.0) + float(values[i])
        return sorted(merged.items(), key=lambda item: -item[1])

    def explain(self, text: str) -> str:
        """The top contributing features, readable by a PIO: `"subscribe" +0.84, ...`."""
        parts = [f"{name} +{value:.2f}" for name, value in self.contributions(text)]
        return ", ".join(parts) if parts else "no single feature stands out"


def _top(values: np.ndarray, top: int) -> np.ndarray:
    """`np.argsort(-values, kind="stable")[:top]` without sorting the whole row: only the
    values at or above the top-th largest can be in it, and a stable sort of those (kept in
    index order) orders them as the full sort does, ties by index."""
    if top <= 0:
        return np.zeros(0, dtype=np.int64)
    if len(values) <= top or np.isnan(values).any():  # (NaN would shift the partition)
        return np.argsort(-values, kind="stable")[:top]
    kth = np.partition(values, len(values) - top)[len(values) - top]
    candidates = np.flatnonzero(values >= kth)
    return candidates[np.argsort(-values[candidates], kind="stable")][:top]


@lru_cache(maxsize=1)
def _load_all(artifact_dir: Path) -> tuple[ModelDetector, ...]:
    featurizer = Featurizer()  # shared, so a batch is featurized once for all models
    found = [
        (model_id, category, linear.load(artifact_dir / filename))
        for model_id, category, filename in SHIPPED
        if (artifact_dir / filename).is_file()
    ]
    table = WeightTable.of([stored for _id, _cat, stored in found])
    return tuple(
        ModelDetector(
            id=model_id,
            category=category.value,
            version=f"{model_id}@{stored.digest()}",
            threshold=float(stored.meta.get("threshold", 0.5)),  # type: ignore[arg-type]
            table=table,
            column=k,
            bias=stored.bias,
            featurizer=featurizer,
        )
        for k, (model_id, category, stored) in enumerate(found)
    )


def load_models(artifact_dir: Path | None = None) -> list[ModelDetector]:
    """Load every shipped model from its committed weights (offline; cached per process)."""
    return list(_load_all((artifact_dir or ARTIFACT_DIR).resolve()))


def models_version(models: list[ModelDetector]) -> str:
    """One string naming every model and its weights, for `ScreeningResult.model_version`."""
    return "+".join(m.version for m in models) or "none"
