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

from piodesk.screening.model import Category
from piodesk.screening.models import linear
from piodesk.screening.models.features import Featurizer

#: Where the committed weights live.
ARTIFACT_DIR = Path(__file__).resolve().parent

#: The models piodesk ships, in the order the engine runs them: (id, category, file).
SHIPPED: tuple[tuple[str, Category, str], ...] = (
    ("solicitation.linear", Category.SOLICITATION, "solicitation.npz"),
    ("profanity.linear", Category.PROFANITY, "profanity.npz"),
    ("threat.linear", Category.THREAT, "threat.npz"),
)


@dataclass(eq=False)
class ModelDetector:
    """One trained model: gives each text a probability that it belongs to `category`."""

    id: str
    category: str
    version: str
    threshold: float
    weights: np.ndarray = field(repr=False)
    bias: float
    featurizer: Featurizer = field(repr=False)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability, per text, that the text belongs to this model's category."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        return linear.sigmoid(linear.decision(self.featurizer, self.weights, self.bias, texts))

    @staticmethod
    def predict_proba_many(models: Sequence[ModelDetector], texts: list[str]) -> list[np.ndarray]:
        """`predict_proba` of every model in one product per featurizer: the models that read
        the same features have their weights stacked side by side (one column each), so the
        batch's feature matrix is walked once for all of them. Each column's sums are the ones
        `predict_proba` makes, in the same order, so the probabilities are the same."""
        out: list[np.ndarray | None] = [None] * len(models)
        groups: dict[int, list[int]] = {}
        for i, m in enumerate(models):
            groups.setdefault(id(m.featurizer), []).append(i)
        for idx in groups.values():
            if not texts:
                for i in idx:
                    out[i] = np.zeros(0, dtype=np.float64)
                continue
            group = tuple(models[i] for i in idx)
            matrix = group[0].featurizer.transform(texts)
            scores = np.asarray(matrix @ _stacked(group))
            for k, i in enumerate(idx):
                z = np.asarray(scores[:, k], dtype=np.float64) + group[k].bias
                out[i] = linear.sigmoid(z)
        return [p if p is not None else np.zeros(0) for p in out]

    def contributions(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The features of `text` that pushed its score up most, with their share of log-odds."""
        indices, data = self.featurizer.row_of(text)
        values = data * self.weights[indices]
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


@lru_cache(maxsize=8)
def _stacked(models: tuple[ModelDetector, ...]) -> np.ndarray:
    """The models' weight vectors as the columns of one C-ordered matrix."""
    return np.ascontiguousarray(np.stack([m.weights for m in models], axis=1))


def _detector(
    model_id: str, category: Category, path: Path, featurizer: Featurizer
) -> ModelDetector:
    stored = linear.load(path)
    threshold = float(stored.meta.get("threshold", 0.5))  # type: ignore[arg-type]
    return ModelDetector(
        id=model_id,
        category=category.value,
        version=f"{model_id}@{stored.digest()}",
        threshold=threshold,
        weights=stored.dense(),
        bias=stored.bias,
        featurizer=featurizer,
    )


@lru_cache(maxsize=1)
def _load_all(artifact_dir: Path) -> tuple[ModelDetector, ...]:
    featurizer = Featurizer()  # shared, so a batch is featurized once for all models
    return tuple(
        _detector(model_id, category, artifact_dir / filename, featurizer)
        for model_id, category, filename in SHIPPED
        if (artifact_dir / filename).is_file()
    )


def load_models(artifact_dir: Path | None = None) -> list[ModelDetector]:
    """Load every shipped model from its committed weights (offline; cached per process)."""
    return list(_load_all((artifact_dir or ARTIFACT_DIR).resolve()))


def models_version(models: list[ModelDetector]) -> str:
    """One string naming every model and its weights, for `ScreeningResult.model_version`."""
    return "+".join(m.version for m in models) or "none"
