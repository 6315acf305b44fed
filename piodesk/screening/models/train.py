"""Rebuild the committed model weights from the public labeled data.

    python -m piodesk.screening.models.train --data ../shared/data

Every model trains only on the "train" side of the fixed split in `labeled_data` (YouTube:
every video but the held-out one), so `piodesk screening eval` can score the committed models
on rows they never saw. Training is deterministic (liblinear with a fixed seed, data in file
order), so the same data gives byte-identical weights.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from piodesk.screening import labeled_data as ld
from piodesk.screening.models import ARTIFACT_DIR, linear
from piodesk.screening.models.features import Featurizer

SEED = 409  # fixed, for reproducible weights


@dataclass(frozen=True)
class Recipe:
    """How one model is trained: its data, regularization, size and decision threshold."""

    name: str
    c: float  # inverse regularization strength of the logistic regression
    threshold: float  # probability at which the engine reports a finding
    keep: int  # how many of the largest weights are stored


RECIPES: dict[str, Recipe] = {
    "solicitation": Recipe("solicitation", c=30.0, threshold=0.5, keep=60_000),
    "profanity": Recipe("profanity", c=10.0, threshold=0.5, keep=60_000),
    "threat": Recipe("threat", c=10.0, threshold=0.5, keep=30_000),
}


def training_rows(name: str, data_dir: Path) -> list[ld.Example]:
    """The labeled rows model `name` learns from (train side of the fixed split only)."""
    if name == "solicitation":
        return ld.youtube_spam(data_dir, "train") + ld.sms_spam(data_dir, "train")
    if name == "profanity":
        return ld.davidson(data_dir, "train")
    if name == "threat":
        return ld.ethos_violence(data_dir, "train")
    raise ValueError(f"unknown model {name!r}")


def fit(
    recipe: Recipe, rows: Sequence[ld.Example], featurizer: Featurizer | None = None
) -> linear.LinearWeights:
    """Fit one logistic model on `rows` and return its (pruned) weights."""
    featurizer = featurizer or Featurizer()
    matrix = featurizer.transform([r.text for r in rows])
    labels = np.array([r.label for r in rows], dtype=np.int8)
    clf = LogisticRegression(
        C=recipe.c, solver="liblinear", max_iter=5000, random_state=SEED, class_weight=None
    )
    clf.fit(matrix, labels)
    meta: dict[str, object] = {
        "model": recipe.name,
        "threshold": recipe.threshold,
        "C": recipe.c,
        "rows": len(rows),
        "positives": int(labels.sum()),
    }
    return linear.from_dense(
        clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), recipe.keep, meta
    )


def main(argv: list[str] | None = None) -> None:
    """Train every model (or those named) and write their .npz files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=ARTIFACT_DIR)
    parser.add_argument("models", nargs="*", default=list(RECIPES))
    args = parser.parse_args(argv)
    featurizer = Featurizer()
    for name in args.models:
        recipe = RECIPES[name]
        weights = fit(recipe, training_rows(name, args.data), featurizer)
        path = args.out / f"{name}.npz"
        linear.save(path, weights)
        print(f"{name}: {len(weights.values)} weights, {path.stat().st_size:,} bytes -> {path}")


if __name__ == "__main__":
    main()
