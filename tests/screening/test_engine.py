"""The Screener: original offsets, merging, thresholds, batches, versions and models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piodesk.screening.engine import Screener, _merge, default_screener
from piodesk.screening.model import Finding, ScreeningResult, Span, TextKind
from piodesk.screening.rules import load_rules, parse_rules


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


_SAMPLES = [
    "call me at (719) 555-0134 after 5",
    "his SSN is 078-05-1121, born on 04/12/1987",
    "John Smith lives at 1234 North Academy Blvd, Colorado Springs, CO 80909",
    "plate number ABC-1234 and driver's license number D1234567",
    "card 4111 1111 1111 1111, ip 203.0.113.45, mail a@b.org",
    "I will shoot you",
    "I hope someone kills the chief",
    "kill all cops",
    "I know where you live",
    "check out my channel and subscribe",
    "DM me to buy, promo code SAVE20",
    "I make $500 a day, invest in bitcoin for guaranteed profit",
    "You have won! Text CLAIM to 87121. T&C apply",
    "iphone 13 $300 call 719-555-0134",
    "selling xans and percs hmu",
    "guns for sale no background check",
    "selling stolen iphones cheap",
    "lets loot the mall tonight",
    "DUI checkpoint at 5th and Main right now, avoid",
    "the password for the city traffic system is admin123",
    "there's a bomb at the mall",
    "The witness is Tanya Morales",
    "cops are coming to your house tomorrow",
    "the DNA came back to the neighbor",
    "watch it free at putlocker.to/movie123",
    "f u c k you, sh1t head",
]


def test_prefilter_never_changes_findings() -> None:
    """The trigger-word prefilter only skips detectors that could not have matched."""
    from pathlib import Path

    protected = [
        ln
        for ln in (Path(__file__).parent / "protected_speech.txt").read_text("utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    texts = _SAMPLES + protected
    fast = Screener(load_rules(), models=[])
    slow = Screener(load_rules(), models=[], prefilter=False)
    assert fast.screen_many(texts) == slow.screen_many(texts)
    assert sum(r.flagged for r in fast.screen_many(_SAMPLES)) == len(_SAMPLES)


def test_prefilter_on_real_comments(data_file) -> None:  # type: ignore[no-untyped-def]
    """Same check on 3,150 real comments from the shared data (skipped when absent)."""
    import csv

    texts: list[str] = []
    with data_file("davidson", "labeled_data_dev.csv").open(encoding="utf-8") as f:
        texts += [row["tweet"] for row in csv.DictReader(f)][:600]
    with data_file("sms_spam", "SMSSpamCollection_dev").open(encoding="utf-8") as f:
        texts += [ln.split("\t", 1)[1] for ln in f][:600]
    with data_file("olid", "olid-training-v1.0.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        texts += [row["tweet"] for row in rows][:600]
    with data_file("ethos", "Ethos_Dataset_Binary.csv").open(encoding="utf-8") as f:
        texts += [row["comment"] for row in csv.DictReader(f, delimiter=";")]  # threats
    with data_file("youtube_spam", "Youtube01-Psy.csv").open(encoding="utf-8") as f:
        texts += [row["CONTENT"] for row in csv.DictReader(f)]  # channel promotion
    fast = Screener(load_rules(), models=[])
    slow = Screener(load_rules(), models=[], prefilter=False)
    assert fast.screen_many(texts) == slow.screen_many(texts)


def test_a_model_that_agrees_with_a_rule_joins_its_finding() -> None:
    model = FakeModel()
    s = Screener(load_rules(), models=[model])
    (f,) = s.screen_comment("check out my channel zzbuy").findings
    assert f.rule == "solicitation.channel_promo"
    assert f.spans
    assert "(also solicitation.fake 0.93)" in f.evidence
    assert f.score == pytest.approx(0.93)


def test_models_that_fail_to_load_leave_rules_working(monkeypatch: pytest.MonkeyPatch) -> None:
    import piodesk.screening.models as models_pkg

    def broken() -> list[object]:
        raise OSError("weights file unreadable")

    monkeypatch.setattr(models_pkg, "load_models", broken)
    s = Screener(load_rules())
    assert s.model_version == "none"
    assert s.screen_comment("call 719-555-0134").categories == frozenset({"pii"})


_ENGINE = Screener(load_rules(), models=[])


@settings(max_examples=300, deadline=None)
@given(
    st.text()
    | st.text(alphabet=st.sampled_from(list("fuck shit 0134578@$*!.-_ \nAaIiKkLl")))
    | st.lists(st.sampled_from(_SAMPLES), max_size=4).map(" ".join)
)
def test_any_text_screens_and_spans_are_in_bounds(text: str) -> None:
    for kind in (TextKind.COMMENT, TextKind.DRAFT):
        (r,) = _ENGINE.screen_many([text], kind)
        for f in r.findings:
            assert f.category and f.rule and f.section in ("§.12", "§.20")
            assert 0.0 <= f.score <= 1.0
            for s in f.spans:
                assert 0 <= s.start <= s.end <= len(text)


def test_names_count_only_beside_personal_details(rules_only: Screener) -> None:
    """A named person's private details (§.20): the name is marked only next to the details."""
    pytest.importorskip("piodesk.screening.models.names")
    text = "Name: Maria Lopez\nPhone: 719-555-0134"
    r = rules_only.screen_comment(text)
    names = [f for f in r.findings if f.rule == "pii.person_name"]
    assert [text[s.start : s.end] for f in names for s in f.spans] == ["Maria Lopez"]
    assert rules_only.screen_comment("Maria Lopez should resign").findings == ()
    shouting = rules_only.screen_comment("STOP texting 719-555-0134")
    assert all(f.rule != "pii.person_name" for f in shouting.findings)


@pytest.mark.parametrize(
    ("mode", "names"),
    [("with_details", []), ("all", ["Officer Smith"]), ("off", [])],
)
def test_person_names_setting(mode: str, names: list[str]) -> None:
    """`categories.pii.person_names`: a bare name is a finding only when the agency says "all"."""
    pytest.importorskip("piodesk.screening.models.names")
    rules = parse_rules(
        f'version: "t"\ncategories:\n  pii:\n    person_names: "{mode}"\n', "t.yaml"
    )
    screener = Screener(rules, models=[])
    text = "Officer Smith was rude to my son"
    found = [
        text[s.start : s.end]
        for f in screener.screen_comment(text).findings
        if f.rule == "pii.person_name"
        for s in f.spans
    ]
    assert found == [n.removeprefix("Officer ") for n in names]
    detailed = screener.screen_comment("Name: Maria Lopez\nPhone: 719-555-0134")
    with_name = any(f.rule == "pii.person_name" for f in detailed.findings)
    assert with_name is (mode != "off")
