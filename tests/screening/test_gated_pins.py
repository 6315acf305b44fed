"""The pinned findings (pinned_findings.json) hold on every fast path of the engine.

test_pinned_findings.py screens with a fresh screener, whose compiled gate may still be
compiling in the background (it screens ungated until then, with the same findings). Here the
same corpora are screened with the gate up, in batches of odd sizes (so the batch paths see
batches that are not the benchmark's 256), and one text at a time for a stride of them.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from piodesk.screening.engine import Screener
from piodesk.screening.model import TextKind

HERE = Path(__file__).resolve().parent


def _pins_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_pinned", HERE / "test_pinned_findings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pins = _pins_module()


@pytest.fixture(scope="module")
def gated() -> Screener:
    pytest.importorskip("hyperscan")
    s = Screener.load()
    assert s.wait_for_gate(600), "the compiled gate did not come up"
    return s


@pytest.fixture(scope="module")
def pinned() -> dict[str, object]:
    return json.loads(pins.PINNED.read_text("utf-8"))  # type: ignore[no-any-return]


def _expected(pinned: dict[str, object], name: str) -> list[str]:
    per_text = pinned["corpora"][name]["per_text"]  # type: ignore[index]
    return [per_text[i : i + 10] for i in range(0, len(per_text), 10)]


@pytest.mark.parametrize("name", ["own.comment", "own.draft", "shared.sms_spam", "shared.olid"])
@pytest.mark.parametrize("size", [1, 97, 1000])
def test_gated_batches_keep_every_pinned_finding(
    gated: Screener, pinned: dict[str, object], name: str, size: int
) -> None:
    corpora = pins.corpora()
    if name not in corpora:
        pytest.skip(f"{name}: shared data not on this machine")
    texts, kind = corpora[name]
    if size == 1:  # one at a time: a stride, to keep the test short
        idx = list(range(0, len(texts), 7))
        got = [pins.text_digest(gated.screen_many([texts[i]], kind)[0]) for i in idx]
        want = [_expected(pinned, name)[i] for i in idx]
    else:
        got = []
        for i in range(0, len(texts), size):
            got += [pins.text_digest(r) for r in gated.screen_many(texts[i : i + size], kind)]
        want = _expected(pinned, name)
        idx = list(range(len(texts)))
    changed = [idx[k] for k, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
    assert not changed, [texts[i][:80] for i in changed[:5]]


def test_empty_and_blank_texts_in_a_batch(gated: Screener) -> None:
    texts = ["", "   ", "I will kill you", "\x00", "call me at 303-555-0142", ""]
    batch = gated.screen_many(texts, TextKind.COMMENT)
    single = [gated.screen_comment(t) for t in texts]
    assert [r.findings for r in batch] == [r.findings for r in single]
    assert not batch[0].findings and not batch[1].findings
    assert batch[2].findings and batch[4].findings
