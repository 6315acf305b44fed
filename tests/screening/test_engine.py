"""The Screener: original offsets, merging, thresholds, batches, versions and models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from piodesk.screening.engine import Screener, _merge, default_screener
from piodesk.screening.model import Finding, ScreeningResult, Span, TextKind
from piodesk.screening.rules import load_rules


@dataclass
class FakeModel:
    """A stand-in with the screening.models interface: scores texts containing a word."""

    id: str = "solicitation.fake"
    category: str = "solicitation"
    version: str = "solicitation.fake@1234"
    threshold: float = 0.5
    word: str = "zzbuy"
    calls: int = 0

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([0.93 if self.word in t else 0.02 for t in texts])

    def explain(self, text: str) -> str:
        return f'"{self.word}" +2.10'


def test_result_carries_versions(rules_only: Screener) -> None:
    r = rules_only.screen_comment("call 719-555-0134")
    assert isinstance(r, ScreeningResult)
    assert r.ruleset_version == rules_only.ruleset_version
    assert r.ruleset_version.startswith("default-2026.11.1+sha256:")
    assert r.model_version == "none"
    assert r.kind is TextKind.COMMENT
    assert r.categories == frozenset({"pii"})
    assert r.flagged


def test_empty_and_blank_text(rules_only: Screener) -> None:
    assert rules_only.screen_comment("").findings == ()
    assert rules_only.screen_comment("   \n").findings == ()


def test_spans_are_in_original_offsets_after_folding(rules_only: Screener) -> None:
    text = "ｈｅｙ\u200b\u200b you are a Ｂ1ＴＣＨ and I will k1ll you"
    r = rules_only.screen_comment(text)
    got = {f.category: [text[s.start : s.end] for s in f.spans] for f in r.findings}
    assert got["profanity"] == ["Ｂ1ＴＣＨ"]
    assert got["threat"] == ["I will k1ll you"]


def test_overlapping_findings_of_a_category_merge() -> None:
    a = Finding("pii", "pii.address", (Span(10, 30),), "12 Main St", 0.85, "§.20", "x")
    b = Finding(
        "pii", "pii.person_details", (Span(0, 8), Span(20, 40)), "J lives", 0.8, "§.20", "y"
    )
    c = Finding("pii", "pii.phone", (Span(50, 62),), "719", 0.9, "§.20", "z")
    d = Finding("threat", "threat.direct", (Span(12, 20),), "kill", 0.8, "§.20", "t")
    merged = _merge([a, b, c, d])
    pii = [f for f in merged if f.category == "pii"]
    assert len(pii) == 2
    big = next(f for f in pii if f.rule == "pii.address")
    assert big.spans == (Span(0, 8), Span(10, 40))
    assert "pii.person_details" in big.evidence
    assert any(f.category == "threat" for f in merged)


def test_category_threshold_drops_weak_findings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.yaml"
    path.write_text('version: "t"\ncategories:\n  profanity:\n    threshold: 0.9\n', "utf-8")
    s = Screener.load(path, models=[])
    assert "profanity" not in s.screen_comment("you ass").categories  # "ass" scores 0.8
    assert "profanity" in s.screen_comment("fuck off").categories  # 0.95


def test_models_run_once_per_batch_and_make_whole_text_findings() -> None:
    model = FakeModel()
    s = Screener(load_rules(), models=[model])
    texts = ["hello there", "zzbuy my stuff", "nothing here", "zzbuy again"]
    results = s.screen_many(texts)
    assert model.calls == 1
    assert [r.flagged for r in results] == [False, True, False, True]
    (f,) = results[1].findings
    assert f.rule == "solicitation.fake" and f.spans == () and f.score == pytest.approx(0.93)
    assert f.evidence == '"zzbuy" +2.10'
    assert f.section == "§.20"
    assert results[0].model_version == "solicitation.fake@1234"


def test_rules_file_can_override_a_model_threshold_or_switch_models_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.yaml"
    path.write_text('version: "t"\nmodels:\n  thresholds:\n    solicitation.fake: 0.95\n', "utf-8")
    s = Screener.load(path, models=[FakeModel()])
    assert not s.screen_comment("zzbuy").flagged
    path.write_text('version: "t"\nmodels:\n  enabled: false\n', "utf-8")
    s = Screener.load(path, models=[FakeModel()])
    assert s.model_version == "none"
    path.write_text('version: "t"\ncategories:\n  solicitation:\n    enabled: false\n', "utf-8")
    s = Screener.load(path, models=[FakeModel()])
    assert not s.screen_comment("zzbuy check out my channel").flagged


def test_a_failing_model_does_not_lose_rule_findings() -> None:
    class Broken(FakeModel):
        def predict_proba(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("weights corrupted")

    s = Screener(load_rules(), models=[Broken()])
    r = s.screen_comment("call 719-555-0134")
    assert r.categories == frozenset({"pii"})


def test_span_models_add_span_findings() -> None:
    class Names(FakeModel):
        id = "pii.names"
        category = "pii"
        version = "pii.names@1"

        def predict_proba(self, texts: list[str]) -> np.ndarray:
            return np.zeros(len(texts))

        def find_spans(self, text: str) -> list[tuple[int, int, float]]:
            i = text.find("Quentin")
            return [(i, i + 7, 0.9)] if i >= 0 else []

    s = Screener(load_rules(), models=[Names()])
    (f,) = s.screen_comment("ask Quentin about it").findings
    assert f.spans == (Span(4, 11),) and f.evidence == "Quentin"


def test_screen_many_matches_single_calls(rules_only: Screener) -> None:
    texts = ["fuck", "call 719-555-0134", "fine day", "I will shoot you"]
    batch = rules_only.screen_many(texts)
    single = [rules_only.screen_comment(t) for t in texts]
    assert batch == single


def test_drafts_in_batches(rules_only: Screener) -> None:
    (r,) = rules_only.screen_many(["The killer is guilty."], kind=TextKind.DRAFT)
    assert r.kind is TextKind.DRAFT
    assert "guilt" in r.categories


def test_default_screener_is_cached() -> None:
    assert default_screener() is default_screener()


def test_no_web_or_storage_imports() -> None:
    import subprocess
    import sys

    code = (
        "import sys, piodesk.screening.engine, piodesk.screening.cli;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('fastapi','sqlalchemy','starlette')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
