"""The cue-class threat scorer (detectors/threat_scored.py): evidence first, spans are cues."""

from __future__ import annotations

import re

import numpy as np
import pytest

from piodesk.screening.detectors import threat_scored as ts
from piodesk.screening.detectors.base import ScanContext
from piodesk.screening.engine import Screener
from piodesk.screening.model import TextKind

# dev-side lines of threat.txt that no rule finds and the scorer does
SCORED = (
    "Nice little daycare on Fairview. Officer Grant's twins look happy there. For now.",
    "Officer Dunn has a wife who works at the pharmacy on 3rd. Small town. Everybody knows "
    "everybody.",
)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


@pytest.fixture(scope="module")
def detector() -> ts.ScoredThreatDetector:
    built = ts.build()
    assert built, "threat_cues.npz is missing or was trained for other features: retrain"
    d = built[0]
    assert isinstance(d, ts.ScoredThreatDetector)
    return d


def _scored(d: ts.ScoredThreatDetector, text: str) -> list[object]:
    return list(d.detect(ScanContext(text, TextKind.COMMENT)))


def test_the_artifact_is_small_and_names_its_features() -> None:
    assert ts.ARTIFACT.stat().st_size < 20_000
    w = ts.load_weights()
    assert w is not None and w.weights.shape == (len(ts.feature_names()),)
    assert 0.5 < w.threshold < 1.0
    cv = w.meta["cv"]
    assert isinstance(cv, dict) and cv["threshold"] == w.threshold


@pytest.mark.parametrize("text", SCORED)
def test_a_scored_finding_is_labelled_ranked_below_rules_and_points_at_cues(
    screener: Screener, detector: ts.ScoredThreatDetector, text: str
) -> None:
    findings = [f for f in screener.screen_comment(text).findings if f.category == "threat"]
    assert [f.rule for f in findings] == [ts.RULE]
    f = findings[0]
    assert f.explanation.startswith("Cue classes scored together, no single rule")
    assert 0.5 <= f.score < 0.7  # every rule scores 0.7 or more
    low = text.lower()
    hits = ts.class_hits(low)
    for span in f.spans:
        # each span is made of the class hits that raised the score
        every = [h for name in ts.CLASSES for h in hits[name]]
        inside = [h for h in every if span.start <= h[0] < span.end]
        assert inside and min(h[0] for h in inside) == span.start
        assert max(h[1] for h in inside if h[0] < span.end) >= span.end


@pytest.mark.parametrize(
    "frame",
    (
        'Someone wrote "{t}" under the chief\'s photo. Reported it.',
        "He yelled that {t}",
        "I would never say this, but {t}",
    ),
)
def test_a_reported_or_quoted_threat_gets_no_scored_finding(
    detector: ts.ScoredThreatDetector, frame: str
) -> None:
    text = "I'm going to shoot Officer Lyle the next time he pulls me over"
    assert detector.score(ScanContext(text, TextKind.COMMENT))[1].eligible
    framed = frame.format(t=text[0].lower() + text[1:])
    assert _scored(detector, framed) == []


@pytest.mark.parametrize(
    "text",
    (
        "The mayor shot down the proposal again.",  # an idiom
        "I could strangle my printer, officer",  # violence at a thing
        "There is no excuse for hurting officers.",  # harm spoken against
        "Police say the suspect shot at officers before fleeing on foot.",  # news told
    ),
)
def test_menace_that_is_not_live_is_no_evidence(text: str) -> None:
    low = text.lower()
    hits = ts.class_hits(low)
    live = ts.live_menace(low, hits)
    assert not live["violent"], live["violent"]


def test_without_an_aim_there_is_no_finding(detector: ts.ScoredThreatDetector) -> None:
    scored = ts.score_features("Burn it all down tonight, just saying.")
    assert not scored.eligible
    assert _scored(detector, "Burn it all down tonight, just saying.") == []


def test_features_are_a_fixed_function_of_the_text() -> None:
    a = ts.score_features(SCORED[0]).vector
    b = ts.score_features(SCORED[0]).vector
    assert np.array_equal(a, b) and a.shape == (len(ts.feature_names()),)
    assert re.fullmatch(r"[a-z_:+]+", " ".join(ts.feature_names()).replace(" ", "")) is not None


def test_the_best_case_bound_never_drops_a_finding() -> None:
    # the cancelling classes are skipped only when no value of theirs could reach the threshold
    from piodesk.screening import devsets

    w = ts.load_weights()
    assert w is not None
    skipped = 0
    for e in devsets.load("threat", "dev"):
        full = ts.score_features(e.text)
        part = ts.score_features(e.text, weights=w)
        assert full.eligible == part.eligible
        if full.eligible and w.probability(full.vector) >= w.threshold:
            assert part.complete and np.array_equal(full.vector, part.vector)
        skipped += part.eligible and not part.complete
    assert skipped > 0  # the bound does spare work on some lines


def test_no_protected_comment_gets_a_scored_finding(detector: ts.ScoredThreatDetector) -> None:
    from pathlib import Path

    lines = (Path(__file__).parent / "protected_speech.txt").read_text("utf-8").splitlines()
    texts = [t.strip() for t in lines if t.strip() and not t.startswith("#")]
    flagged = [t for t in texts if _scored(detector, t)]
    assert flagged == []


def test_weights_for_other_features_are_refused(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    w = ts.load_weights()
    assert w is not None
    ts.save_weights(tmp_path / "w.npz", w)
    assert ts.load_weights(tmp_path / "w.npz") is not None
    with np.load(tmp_path / "w.npz", allow_pickle=False) as z:
        arrays = dict(z)
    arrays["names"] = np.array('["has:target"]')
    np.savez_compressed(tmp_path / "other.npz", **arrays)
    assert ts.load_weights(tmp_path / "other.npz") is None
