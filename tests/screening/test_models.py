"""The trained screening models: they load offline, score plain examples sensibly, explain
themselves, hash deterministically, and rebuild from the training script."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from piodesk.screening.model import Category
from piodesk.screening.models import (
    ARTIFACT_DIR,
    SHIPPED,
    hashing,
    linear,
    load_models,
    models_version,
)
from piodesk.screening.models.features import N_FEATURES, Featurizer, shape_tokens


@pytest.fixture(scope="module")
def models() -> dict[str, object]:
    loaded = load_models()
    return {m.category: m for m in loaded}


def test_every_shipped_model_loads_with_the_contract(models: dict[str, object]) -> None:
    assert set(models) == {Category.SOLICITATION, Category.PROFANITY, Category.THREAT}
    for m in load_models():
        assert m.id and m.version.startswith(m.id + "@")
        assert m.category in {c.value for c in Category}
        assert 0.0 < m.threshold < 1.0
        assert (ARTIFACT_DIR / {i: f for i, _c, f in SHIPPED}[m.id]).stat().st_size < 1_000_000
    assert models_version(load_models()).count("@") == 3


def test_artifacts_are_small() -> None:
    total = sum((ARTIFACT_DIR / f).stat().st_size for _i, _c, f in SHIPPED)
    assert total < 3_000_000


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("solicitation", "check out my channel, subscribe!"),
        ("solicitation", "Hey guys check out my new website www.bestdeals4u.com for cheap stuff"),
        ("solicitation", "WINNER!! You have won a £1000 prize. Txt CLAIM to 81010 now"),
        ("profanity", "this is some fucking bullshit"),
        ("profanity", "shut up you stupid bitch"),
    ],
)
def test_flags_plain_examples(models: dict[str, object], category: str, text: str) -> None:
    model = models[category]
    assert model.predict_proba([text])[0] >= model.threshold  # type: ignore[attr-defined]


CLEAN = [
    "the chief should resign",
    "I can't stand cops.",
    "I don't hate anyone, I just want accountability.",
    "Your officers failed that family and the department keeps covering it up.",
    "Thanks for the road closure update, is Main Street open again?",
    "Worst police department in the state. Absolutely useless.",
    "Nobody should be shot over a traffic stop.",
    "Defund the police and fund mental health responders instead.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_criticism_and_everyday_text_stay_low(models: dict[str, object], text: str) -> None:
    for m in models.values():
        p = m.predict_proba([text])[0]  # type: ignore[attr-defined]
        assert p < m.threshold, (m.id, text, p)  # type: ignore[attr-defined]


def test_batch_equals_single(models: dict[str, object]) -> None:
    texts = [*CLEAN, "check out my channel, subscribe!", "", "🙂 " * 50]
    for m in models.values():
        batch = m.predict_proba(texts)  # type: ignore[attr-defined]
        single = np.array([m.predict_proba([t])[0] for t in texts])  # type: ignore[attr-defined]
        np.testing.assert_allclose(batch, single, rtol=1e-5, atol=1e-6)
        assert m.predict_proba([]).shape == (0,)  # type: ignore[attr-defined]


def test_explain_names_the_features_that_fired(models: dict[str, object]) -> None:
    text = "check out my channel, subscribe!"
    why = models["solicitation"].explain(text)  # type: ignore[attr-defined]
    assert "subscribe" in why or "channel" in why
    assert "+" in why
    assert isinstance(models["profanity"].explain(""), str)  # type: ignore[attr-defined]


def test_hashing_is_position_independent_and_deterministic() -> None:
    batch = hashing.Batch.of([" abc xyz ", " xyz abc "])
    grams = batch.char_grams((3,))
    names = {
        batch.joined[s:e]: h for s, e, h in zip(grams.starts, grams.ends, grams.hashes, strict=True)
    }
    again = hashing.Batch.of([" zzz abc "]).char_grams((3,))
    other = {
        hashing.Batch.of([" zzz abc "]).joined[s:e]: h
        for s, e, h in zip(again.starts, again.ends, again.hashes, strict=True)
    }
    assert names["abc"] == other["abc"]
    # no n-gram straddles two texts of a batch
    assert all(
        "\x00" not in batch.joined[s:e] for s, e in zip(grams.starts, grams.ends, strict=True)
    )


def test_featurizer_rows_are_unit_length_per_block() -> None:
    f = Featurizer()
    m = f.transform(["Check out my channel!! http://x.com", "", "ok"])
    assert m.shape == (3, N_FEATURES)
    dense = m.toarray()
    for row in (0, 2):
        assert dense[row].sum() > 0
    assert dense[1, : 2**18].sum() == 0  # empty text: no words


def test_shape_tokens_name_kinds_not_values() -> None:
    tokens = shape_tokens("Call 0800 123 4567 or visit www.example.com for £5 off")
    assert {"has_url", "has_phone", "has_money"} <= set(tokens)
    assert "cue_violence_act" in shape_tokens("they should all be shot")


def test_weights_round_trip(tmp_path: Path) -> None:
    dense = np.zeros(N_FEATURES, dtype=np.float32)
    dense[[3, 70, 500]] = [0.5, -2.0, 1.25]
    w = linear.from_dense(dense, 0.25, keep=2, meta={"threshold": 0.7})
    assert sorted(w.indices.tolist()) == [70, 500]  # the two largest by magnitude
    path = tmp_path / "m.npz"
    linear.save(path, w)
    back = linear.load(path)
    assert back.digest() == w.digest() and back.meta == {"threshold": 0.7} and back.bias == 0.25


def test_threads_sharing_the_models_get_their_own_batch(models: dict[str, object]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    model = models["solicitation"]
    batches = [[f"check out my channel number {i}!", f"plain comment {i}"] for i in range(40)]
    expected = [model.predict_proba(b) for b in batches]  # type: ignore[attr-defined]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(model.predict_proba, batches))  # type: ignore[attr-defined]
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_allclose(e, g)


@pytest.mark.parametrize(
    "text",
    [
        "My neighbor saw the whole crash. Call her at 719-555-0147, her name is Linda Marsh.",
        "Email me at dana.k@example.org or visit https://example.org/lost-dog for the flyer",
        "The shelter on 3rd St takes donations, $20 buys a blanket. Text 55555 to give.",
    ],
)
def test_contact_details_and_links_are_not_profanity(models: dict[str, object], text: str) -> None:
    # The profanity model is trained without the contact and commerce shape features
    # (train.CONTACT_AND_COMMERCE): a phone number or a link says nothing about language.
    m = models[Category.PROFANITY]
    assert m.predict_proba([text])[0] < m.threshold  # type: ignore[attr-defined]
