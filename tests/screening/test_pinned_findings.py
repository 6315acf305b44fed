"""Every finding the whole engine makes on a fixed corpus, pinned (a speed-up changes none).

The corpus is piodesk's development sets and protected-speech file (screened as comments and
as drafts) plus a fixed stride of the shared public labeled data (skipped when absent). For
each text the complete findings (category, rule, spans, score, evidence, explanation,
suggestion, at_risk) are reduced to a short hash; `pinned_findings.json` holds the hashes the engine
produced before its speed work. A change to the rules or models that is meant to change
findings regenerates the file on purpose:

    .venv/bin/python tests/screening/test_pinned_findings.py --write
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from piodesk.screening import devsets
from piodesk.screening.engine import Screener
from piodesk.screening.model import ScreeningResult, TextKind

HERE = Path(__file__).resolve().parent
PINNED = HERE / "pinned_findings.json"
DATA = HERE.parents[1].parent / "shared" / "data"
#: Every STRIDE-th row of each shared set: a few thousand texts, a few seconds to screen.
STRIDE = 4


def own_texts() -> list[str]:
    """The development sets' lines and the protected-speech comments, in file order."""
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)]
    for line in (HERE / "protected_speech.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(line.strip())
    return texts


def _csv(path: Path, column: str, delimiter: str = ",", **kw: object) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row[column] for row in csv.DictReader(f, delimiter=delimiter, **kw)]  # type: ignore[arg-type]


#: Each shared set by path, and how to read its texts.
SHARED: dict[str, tuple[tuple[str, ...], Callable[[Path], list[str]]]] = {
    "davidson": (("davidson", "labeled_data_dev.csv"), lambda p: _csv(p, "tweet")),
    "olid": (
        ("olid", "olid-training-v1.0.tsv"),
        lambda p: _csv(p, "tweet", "\t", quoting=csv.QUOTE_NONE),
    ),
    "ethos": (("ethos", "Ethos_Dataset_Binary.csv"), lambda p: _csv(p, "comment", ";")),
    "sms_spam": (
        ("sms_spam", "SMSSpamCollection_dev"),
        lambda p: [
            ln.rstrip("\n").split("\t", 1)[1]
            for ln in p.read_text("utf-8").splitlines()
            if "\t" in ln
        ],
    ),
    "youtube_spam": (
        ("youtube_spam",),
        lambda p: [t for f in sorted(p.glob("Youtube*.csv")) for t in _csv(f, "CONTENT")],
    ),
    "presidio_synth": (
        ("presidio_synth", "synth_dataset_v2_dev.json"),
        lambda p: [r["full_text"] for r in json.loads(p.read_text("utf-8"))],
    ),
}


def shared_texts(name: str) -> list[str] | None:
    """Every STRIDE-th text of one shared set, or None when the file is not on this machine."""
    parts, read = SHARED[name]
    path = DATA.joinpath(*parts)
    if not path.exists():
        return None
    return read(path)[::STRIDE]


def text_digest(result: ScreeningResult) -> str:
    """A short hash of one text's complete findings, in the engine's order."""
    rows = [
        [
            f.category,
            f.rule,
            [[s.start, s.end] for s in f.spans],
            f.score,
            f.evidence,
            f.section,
            f.explanation,
            f.suggestion,
            # what the finding puts at risk, only when it names something (older pins hold)
            *([f.at_risk] if f.at_risk else []),
        ]
        for f in result.findings
    ]
    blob = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:10]


def corpus_digests(screener: Screener, texts: list[str], kind: TextKind) -> list[str]:
    """One digest per text, screened in batches of 256 as the benchmark does."""
    out: list[str] = []
    for i in range(0, len(texts), 256):
        out += [text_digest(r) for r in screener.screen_many(texts[i : i + 256], kind)]
    return out


def corpora() -> dict[str, tuple[list[str], TextKind]]:
    """The corpora this machine has: name -> (texts, kind)."""
    own = own_texts()
    out = {"own.comment": (own, TextKind.COMMENT), "own.draft": (own, TextKind.DRAFT)}
    for name in SHARED:
        texts = shared_texts(name)
        if texts is not None:
            out[f"shared.{name}"] = (texts, TextKind.COMMENT)
    return out


@pytest.fixture(scope="module")
def pinned() -> dict[str, object]:
    return json.loads(PINNED.read_text("utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


def _check(screener: Screener, pinned: dict[str, object], name: str) -> None:
    got_corpora = corpora()
    if name not in got_corpora:
        pytest.skip(f"shared data not present under {DATA} (the corpus {name} reads it by path)")
    texts, kind = got_corpora[name]
    assert pinned["ruleset_version"] == screener.ruleset_version, "rules changed: --write"
    assert pinned["model_version"] == screener.model_version, "models changed: --write"
    want = pinned["corpora"][name]  # type: ignore[index]
    assert want["texts"] == len(texts), "the corpus itself changed"
    got = corpus_digests(screener, texts, kind)
    expected = [want["per_text"][i : i + 10] for i in range(0, len(want["per_text"]), 10)]
    changed = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
    detail = [
        (texts[i][:80], [(f.category, f.rule, f.spans) for f in r.findings])
        for i in changed[:5]
        for r in screener.screen_many([texts[i]], kind)
    ]
    assert not changed, f"{len(changed)} texts' findings changed, e.g. {detail}"


@pytest.mark.parametrize("name", ["own.comment", "own.draft"])
def test_own_corpus_findings_are_unchanged(
    screener: Screener, pinned: dict[str, object], name: str
) -> None:
    _check(screener, pinned, name)


@pytest.mark.parametrize("name", [f"shared.{n}" for n in SHARED])
def test_shared_data_findings_are_unchanged(
    screener: Screener, pinned: dict[str, object], name: str
) -> None:
    _check(screener, pinned, name)


def test_one_at_a_time_equals_batches(screener: Screener) -> None:
    """The batch path (models over the whole batch) finds what single comments find."""
    texts = own_texts()[::3]
    for name in ("davidson", "sms_spam", "youtube_spam"):
        texts += (shared_texts(name) or [])[::20]
    batch = corpus_digests(screener, texts, TextKind.COMMENT)
    single = [text_digest(screener.screen_comment(t)) for t in texts]
    assert single == batch


def write() -> None:
    """Regenerate pinned_findings.json from the engine as it is now."""
    screener = Screener.load()
    data: dict[str, object] = {
        "ruleset_version": screener.ruleset_version,
        "model_version": screener.model_version,
        "corpora": {},
    }
    for name, (texts, kind) in corpora().items():
        digests = corpus_digests(screener, texts, kind)
        data["corpora"][name] = {  # type: ignore[index]
            "texts": len(texts),
            "flagged": sum(d != text_digest_empty() for d in digests),
            "per_text": "".join(digests),
        }
    PINNED.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def text_digest_empty() -> str:
    """The digest of a text with no finding."""
    return hashlib.sha256(b"[]").hexdigest()[:10]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
