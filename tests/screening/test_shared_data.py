"""The rule detectors measured on the shared public labeled data (skipped when it is absent).

These are floors for the rules alone; the trained models add recall on top (part of
`piodesk screening eval`). Each floor is below what the rules measure today, so a test fails
only when a change makes the rules clearly worse.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from piodesk.screening.engine import Screener


def _pr(
    screener: Screener, texts: list[str], gold: list[bool], category: str
) -> tuple[float, float]:
    results = screener.screen_many(texts)
    pred = [category in r.categories for r in results]
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


DataFile = Callable[..., Path]


def test_presidio_pii_spans(rules_only: Screener, data_file: DataFile) -> None:
    records = json.loads(data_file("presidio_synth", "synth_dataset_v2_dev.json").read_text())
    want = {
        "PHONE_NUMBER": ("pii.phone", 0.95),
        "EMAIL_ADDRESS": ("pii.email", 0.95),
        "US_SSN": ("pii.ssn", 0.95),
        "CREDIT_CARD": ("pii.card", 0.95),
        "IP_ADDRESS": ("pii.ip", 0.95),
        "STREET_ADDRESS": ("pii.address", 0.90),  # measures 0.96 by overlap today
    }
    found = dict.fromkeys(want, 0)
    total = dict.fromkeys(want, 0)
    findings = on_gold = 0
    results = rules_only.screen_many([r["full_text"] for r in records])
    for rec, res in zip(records, results, strict=True):
        spans = [(f, s) for f in res.findings if f.category == "pii" for s in f.spans]
        for g in rec["spans"]:
            etype = g["entity_type"]
            if etype not in want:
                continue
            total[etype] += 1
            rule = want[etype][0]
            if any(
                (f.rule == rule or rule in f.evidence)
                and s.start < g["end_position"]
                and g["start_position"] < s.end
                for f, s in spans
            ):
                found[etype] += 1
        for f in res.findings:
            if f.category != "pii":
                continue
            findings += 1
            on_gold += any(
                s.start < g["end_position"] and g["start_position"] < s.end
                for s in f.spans
                for g in rec["spans"]
            )
    for etype, (_rule, floor) in want.items():
        assert found[etype] / total[etype] >= floor, (etype, found[etype], total[etype])
    assert on_gold / findings >= 0.9, (on_gold, findings)


def test_davidson_profanity(rules_only: Screener, data_file: DataFile) -> None:
    with data_file("davidson", "labeled_data_dev.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    precision, recall = _pr(
        rules_only, [r["tweet"] for r in rows], [r["class"] != "2" for r in rows], "profanity"
    )
    assert precision >= 0.95 and recall >= 0.93, (precision, recall)


def test_olid_insults_alone_are_not_profanity(rules_only: Screener, data_file: DataFile) -> None:
    """Tweets OLID marks not offensive must come through without a profanity finding."""
    path = data_file("olid", "olid-training-v1.0.tsv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    clean = [r["tweet"] for r in rows if r["subtask_a"] == "NOT"]
    flagged = sum("profanity" in r.categories for r in rules_only.screen_many(clean))
    assert flagged / len(clean) < 0.05, (flagged, len(clean))


@pytest.mark.parametrize("which", ["youtube", "sms"])
def test_solicitation_rules_are_precise(
    rules_only: Screener, data_file: DataFile, which: str
) -> None:
    if which == "youtube":
        texts, gold = [], []
        for path in sorted(data_file("youtube_spam").glob("Youtube0*.csv")):
            with path.open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    texts.append(row["CONTENT"])
                    gold.append(row["CLASS"] == "1")
    else:
        with data_file("sms_spam", "SMSSpamCollection_dev").open(encoding="utf-8") as f:
            pairs = [ln.rstrip("\n").split("\t", 1) for ln in f]
        texts, gold = [t for _l, t in pairs], [lab == "spam" for lab, _t in pairs]
    precision, recall = _pr(rules_only, texts, gold, "solicitation")
    assert precision >= 0.95, (precision, recall)
    assert recall >= 0.2, (precision, recall)


def test_ethos_threat_rules_are_precise(rules_only: Screener, data_file: DataFile) -> None:
    with data_file("ethos", "Ethos_Dataset_Multi_Label.csv").open(encoding="utf-8") as f:
        violence = {r["comment"]: float(r["violence"]) for r in csv.DictReader(f, delimiter=";")}
    with data_file("ethos", "Ethos_Dataset_Binary.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    texts = [r["comment"] for r in rows]
    gold = [violence.get(t, 0.0) >= 0.5 for t in texts]
    precision, recall = _pr(rules_only, texts, gold, "threat")
    assert precision >= 0.75 and recall >= 0.2, (precision, recall)
