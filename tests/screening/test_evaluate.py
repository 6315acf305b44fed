"""`piodesk screening eval`: it runs on the shared data, writes JSON with the expected keys,
and the figures that meet issue 3's targets today keep meeting them (regressions fail).

Skipped with the reason when ../shared/data is absent. The full eval takes minutes, so these
tests score a capped number of rows, or the models alone on the held-out split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from piodesk.screening import labeled_data as ld
from piodesk.screening.cli import app
from piodesk.screening.evaluate import LABELS, binary_scores, check_targets
from piodesk.screening.models import load_models

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

needs_data = pytest.mark.skipif(
    not ld.available(DATA), reason=f"shared labeled data not present at {DATA}"
)


def test_binary_scores() -> None:
    s = binary_scores([1, 1, 0, 0, 1], [True, False, True, False, True])
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (2, 1, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert binary_scores([0, 0], [False, False])["f1"] == 0.0


def test_label_table_covers_every_scored_data_set() -> None:
    assert {spec.dataset for spec in LABELS} == {
        "youtube_spam",
        "sms_spam",
        "davidson",
        "olid",
        "ethos",
        "presidio_synth",
    }


def test_targets_are_read_from_the_figures() -> None:
    figures = {
        "engine": {
            "davidson": {"categories": {"profanity": {"precision": 0.99, "recall": 0.9}}},
            "presidio_synth": {"recall": {"phone": 1.0}, "precision": 0.5},
        }
    }
    rows = {(r["dataset"], r["category"], r["metric"]): r["met"] for r in check_targets(figures)}
    assert rows[("davidson", "profanity", "precision")] is True
    assert rows[("davidson", "profanity", "recall")] is False
    assert rows[("presidio_synth", "phone", "recall")] is True
    assert rows[("presidio_synth", "pii", "precision")] is False


@needs_data
def test_eval_command_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        app, ["eval", str(DATA), "--json", str(out), "--no-cv", "--limit", "150"]
    )
    assert result.exit_code == 0, result.output
    assert "Targets of issue 3" in result.output
    figures = json.loads(out.read_text("utf-8"))
    assert {"versions", "labels", "engine", "comparison", "targets"} <= set(figures)
    engine = figures["engine"]
    for name, category in [
        ("youtube_spam", "solicitation"),
        ("sms_spam", "solicitation"),
        ("davidson", "profanity"),
        ("ethos", "threat"),
    ]:
        scores = engine[name]["categories"][category]
        assert {"precision", "recall", "f1", "tp", "fp", "fn"} <= set(scores)
        assert 0.0 <= engine[name]["false_finding_rate"] <= 1.0
    assert "NOT: profanity finding" in engine["olid"]["shares"]
    assert {"phone", "email", "ssn", "card", "ip", "street_address", "person"} <= set(
        engine["presidio_synth"]["recall"]
    )
    assert "alt-profanity-check" in figures["comparison"]


def _held_out_scores(category: str, rows: list[ld.Example]) -> dict[str, float | int]:
    model = next(m for m in load_models() if m.category == category)
    p = model.predict_proba([r.text for r in rows]) >= model.threshold
    return binary_scores([r.label for r in rows], p.tolist())


@needs_data
def test_profanity_model_alone_meets_davidson_precision_on_held_out_rows() -> None:
    # The engine adds the lexicon rules (recall 0.971 there); the model alone must keep
    # precision >= 0.95 and recall >= 0.94 on rows it never saw.
    s = _held_out_scores("profanity", ld.davidson(DATA, "test"))
    assert s["precision"] >= 0.95
    assert s["recall"] >= 0.94


@needs_data
def test_profanity_model_does_not_call_insults_profanity() -> None:
    rows = ld.olid(DATA, "test")
    model = next(m for m in load_models() if m.category == "profanity")
    p = model.predict_proba([r.text for r in rows]) >= model.threshold
    not_offensive = np.mean([x for x, r in zip(p, rows, strict=True) if r.group == "NOT"])
    insults = np.mean(
        [
            x
            for x, r in zip(p, rows, strict=True)
            if r.group == "TIN" and not ld.has_profane_word(r.text)
        ]
    )
    assert not_offensive < 0.03
    assert insults < 0.03


@needs_data
def test_solicitation_model_on_unseen_video_and_sms() -> None:
    # Measured 0.916 (unseen video) and 0.962 (SMS); targets 0.95 and 0.97 are not met yet:
    # these floors catch regressions, the eval command prints the gap.
    assert _held_out_scores("solicitation", ld.youtube_spam(DATA, "test"))["f1"] >= 0.90
    assert _held_out_scores("solicitation", ld.sms_spam(DATA, "test"))["f1"] >= 0.95


@needs_data
def test_threat_model_is_precise_when_it_speaks() -> None:
    # The engine lets the threat model speak alone only where the text shows evidence
    # (threat.model_only_is_evidence); scored the same way here.
    from piodesk.screening.detectors.threat import model_only_is_evidence

    rows = ld.ethos_violence(DATA, "test")
    model = next(m for m in load_models() if m.category == "threat")
    p = model.predict_proba([r.text for r in rows]) >= model.threshold
    spoken = [bool(x) and model_only_is_evidence(r.text) for x, r in zip(p, rows, strict=True)]
    s = binary_scores([r.label for r in rows], spoken)
    assert s["tp"] + s["fp"] > 0
    assert s["precision"] >= 0.8
