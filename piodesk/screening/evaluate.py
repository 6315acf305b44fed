"""`piodesk screening eval DATA_DIR`: score the whole screening engine on public labeled data.

Every figure comes from rows that no shipped model was trained on: the fixed held-out side of
each data set (`labeled_data.split_of`; for YouTube a whole video the models never saw).
Because the engine is one fixed artifact, these are the figures a department gets. Next to
them, `--cv` (on by default) retrains the linear models per fold to show the held-out figures
are not one lucky split: leave-one-video-out on YouTube, five folds on ETHOS.

The LABELS table below is the one place that says how each data set's labels map to the
GO 409 categories. `docs/screening-data.md` describes the same in prose.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from piodesk.screening import labeled_data as ld
from piodesk.screening.model import Category, ScreeningResult, TextKind

# --- how each data set's labels map to categories ------------------------------------------


@dataclass(frozen=True)
class Labels:
    """One data set: which category its positive label means, and what the rest means."""

    dataset: str
    category: str
    positive: str  # which rows should get a finding of `category`
    negative: str  # which rows should get no finding at all
    held_out: str  # which rows are scored


#: How each data set's labels map to GO 409 §.20 categories (read with labeled_data.py).
LABELS: tuple[Labels, ...] = (
    Labels(
        "youtube_spam",
        Category.SOLICITATION,
        positive="CLASS 1 (spam: channel promotion, links, offers)",
        negative="CLASS 0 (ordinary comments)",
        held_out=f"every comment of the video(s) {', '.join(sorted(ld.YOUTUBE_TEST_VIDEOS))}",
    ),
    Labels(
        "sms_spam",
        Category.SOLICITATION,
        positive="spam (prizes, premium numbers, 'txt STOP')",
        negative="ham",
        held_out=f"the fixed {ld.TEST_SHARE:.0%} split by text hash",
    ),
    Labels(
        "davidson",
        Category.PROFANITY,
        positive="class 0 hate speech or 1 offensive language",
        negative="class 2 neither",
        held_out=f"the fixed {ld.TEST_SHARE:.0%} split by text hash",
    ),
    Labels(
        "olid",
        Category.PROFANITY,
        positive="(none scored as positive: OLID marks insults, not profanity)",
        negative="NOT (not offensive); TIN insults with no profane word must not be profanity",
        held_out=f"the fixed {ld.TEST_SHARE:.0%} split by text hash",
    ),
    Labels(
        "ethos",
        Category.THREAT,
        positive="violence share >= 0.5",
        negative="hateful but violence < 0.5, and every non-hateful comment",
        held_out=f"the fixed {ld.TEST_SHARE:.0%} split by text hash",
    ),
    Labels(
        "presidio_synth",
        Category.PII,
        positive="spans of PERSON, PHONE_NUMBER, EMAIL_ADDRESS, US_SSN, CREDIT_CARD, "
        "IP_ADDRESS, STREET_ADDRESS (recall per type)",
        negative="-- (precision: a pii span must overlap a gold span of a PII_TYPES type)",
        held_out="all 1,000 sentences (nothing is trained on them)",
    ),
)

#: Presidio entity types whose recall is reported, with the name shown.
PII_RECALL_TYPES: dict[str, str] = {
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "US_SSN": "ssn",
    "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
    "STREET_ADDRESS": "street_address",
    "PERSON": "person",
}
#: Gold types that are personal identifying information for precision: the recall types plus
#: the other kinds the issue names (dates of birth, driver's licences) and parts or kin of
#: them (ZIP codes of addresses, bank account numbers). ORGANIZATION, GPE, TITLE, NRP are not.
PII_TYPES = frozenset(PII_RECALL_TYPES) | {
    "DATE_TIME",
    "US_DRIVER_LICENSE",
    "ZIP_CODE",
    "IBAN_CODE",
}

#: The targets of issue 3 that eval checks: (dataset, category or entity, metric, minimum).
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("youtube_spam", "solicitation", "f1", 0.95),
    ("sms_spam", "solicitation", "f1", 0.97),
    ("davidson", "profanity", "precision", 0.95),
    ("davidson", "profanity", "recall", 0.95),
    ("ethos", "threat", "precision", 0.85),
    ("ethos", "threat", "recall", 0.85),
    *(
        ("presidio_synth", name, "recall", 0.85 if name == "person" else 0.95)
        for name in PII_RECALL_TYPES.values()
    ),
    ("presidio_synth", "pii", "precision", 0.85),
)

Screen = Callable[[list[str]], list[ScreeningResult]]

# --- scoring -------------------------------------------------------------------------------


def binary_scores(labels: Sequence[int], flagged: Sequence[bool]) -> dict[str, float | int]:
    """Precision, recall, F1 and the confusion counts of one category on one data set."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(flagged, dtype=bool)
    tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": int((~y & ~p).sum()),
    }


def _binary_dataset(
    screen: Screen, rows: list[ld.Example], category: str, held_out: str
) -> dict[str, Any]:
    results = screen([r.text for r in rows])
    flagged = [category in r.categories for r in results]
    labels = [r.label for r in rows]
    negatives = [res for res, r in zip(results, rows, strict=True) if r.label == 0]
    any_finding = sum(1 for res in negatives if res.findings)
    return {
        "held_out": held_out,
        "rows": len(rows),
        "positives": sum(labels),
        "categories": {category: binary_scores(labels, flagged)},
        # negatives flagged for this data set's category (a false finding for certain)
        "false_finding_rate": round(
            sum(1 for f, r in zip(flagged, rows, strict=True) if f and r.label == 0)
            / max(len(negatives), 1),
            4,
        ),
        # negatives with any finding at all (some may be right: hate without violence in
        # ETHOS can be profane)
        "any_finding_on_negatives": round(any_finding / len(negatives), 4) if negatives else 0.0,
    }


def _olid(screen: Screen, rows: list[ld.Example], held_out: str) -> dict[str, Any]:
    results = screen([r.text for r in rows])
    groups: dict[str, list[ScreeningResult]] = {"NOT": [], "TIN_no_profane_word": [], "UNT": []}
    for r, res in zip(rows, results, strict=True):
        if r.group == "NOT":
            groups["NOT"].append(res)
        elif r.group == "TIN" and not ld.has_profane_word(r.text):
            groups["TIN_no_profane_word"].append(res)
        elif r.group == "UNT":
            groups["UNT"].append(res)

    def share(items: list[ScreeningResult], category: str | None) -> float:
        if not items:
            return 0.0
        hits = sum(
            1 for x in items if (x.findings if category is None else category in x.categories)
        )
        return round(hits / len(items), 4)

    profanity = Category.PROFANITY.value
    return {
        "held_out": held_out,
        "rows": len(rows),
        "shares": {
            "NOT: profanity finding": share(groups["NOT"], profanity),
            "NOT: any finding": share(groups["NOT"], None),
            "TIN insult without profane word: profanity finding": share(
                groups["TIN_no_profane_word"], profanity
            ),
            "UNT (untargeted profanity): profanity finding": share(groups["UNT"], profanity),
        },
        "counts": {name: len(items) for name, items in groups.items()},
        "false_finding_rate": share(groups["NOT"], None),
    }


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _presidio(screen: Screen, rows: list[ld.PiiExample]) -> dict[str, Any]:
    results = screen([r.text for r in rows])
    found = dict.fromkeys(PII_RECALL_TYPES, 0)
    gold = dict.fromkeys(PII_RECALL_TYPES, 0)
    predicted = correct = 0
    pii = Category.PII.value
    for row, res in zip(rows, results, strict=True):
        spans = [(s.start, s.end) for f in res.findings if f.category == pii for s in f.spans]
        for g in row.spans:
            if g.entity_type in gold:
                gold[g.entity_type] += 1
                if any(_overlaps((g.start, g.end), s) for s in spans):
                    found[g.entity_type] += 1
        pii_gold = [(g.start, g.end) for g in row.spans if g.entity_type in PII_TYPES]
        predicted += len(spans)
        correct += sum(1 for s in spans if any(_overlaps(s, g) for g in pii_gold))
    recall = {PII_RECALL_TYPES[t]: round(found[t] / gold[t], 4) if gold[t] else 0.0 for t in gold}
    return {
        "held_out": "all sentences",
        "rows": len(rows),
        "recall": recall,
        "gold_spans": {PII_RECALL_TYPES[t]: n for t, n in gold.items()},
        "precision": round(correct / predicted, 4) if predicted else 0.0,
        "predicted_spans": predicted,
        "matching": "a gold span is found when a pii finding's span overlaps it",
    }


def engine_figures(
    data_dir: Path, screen: Screen, limit: int | None = None, names_screen: Screen | None = None
) -> dict[str, Any]:
    """Score `screen` on the held-out rows of every data set present in `data_dir`.

    `names_screen`, when given, scores the Presidio sentences (whose PERSON spans are bare
    names): the engine under the all-names rules, in which every name is a pii finding. The
    shipped rules' figures on the same sentences are kept beside it ("shipped_rules").
    """

    def cap(rows: list[Any]) -> list[Any]:
        return rows if limit is None else rows[:limit]

    out: dict[str, Any] = {}
    held = {spec.dataset: spec.held_out for spec in LABELS}
    binary: tuple[tuple[str, Callable[[Path, ld.Split], list[ld.Example]], str], ...] = (
        ("youtube_spam", ld.youtube_spam, Category.SOLICITATION.value),
        ("sms_spam", ld.sms_spam, Category.SOLICITATION.value),
        ("davidson", ld.davidson, Category.PROFANITY.value),
        ("ethos", ld.ethos_violence, Category.THREAT.value),
    )
    folders = {"ethos": "ethos"}
    for name, loader, category in binary:
        if (data_dir / folders.get(name, name)).is_dir():
            out[name] = _binary_dataset(screen, cap(loader(data_dir, "test")), category, held[name])
    if (data_dir / "olid").is_dir():
        out["olid"] = _olid(screen, cap(ld.olid(data_dir, "test")), held["olid"])
    if (data_dir / "presidio_synth").is_dir():
        rows = cap(ld.presidio_synth(data_dir))
        out["presidio_synth"] = _presidio(names_screen or screen, rows)
        if names_screen is not None:
            # the same sentences under the shipped rules (names only beside personal details)
            out["presidio_synth"]["shipped_rules"] = _presidio(screen, rows)
    return out


def devset_figures(screen: Screen) -> dict[str, Any]:
    """piodesk's own written sets (screening.devsets), dev and held-out sides apart.

    Per category file: recall on its "+" lines, the share of its "-" lines with a finding of
    the category, and the share of every "-" line of every file (lawful.txt included) with a
    finding of the category. For lawful.txt: the share with any finding at all.
    """
    from piodesk.screening import devsets

    out: dict[str, Any] = {}
    for side in ("dev", "held_out"):
        negatives = [e for f in devsets.FILES for e in devsets.load(f, side) if not e.positive]
        neg_results = screen([e.text for e in negatives])
        rows: dict[str, Any] = {}
        for name in devsets.FILES:
            examples = devsets.load(name, side)
            results = screen([e.text for e in examples])
            if name == "lawful":
                rows[name] = {
                    "rows": len(examples),
                    "any_finding": round(
                        sum(1 for r in results if r.findings) / max(len(results), 1), 4
                    ),
                }
                continue
            pos = [r for e, r in zip(examples, results, strict=True) if e.positive]
            neg = [r for e, r in zip(examples, results, strict=True) if not e.positive]
            rows[name] = {
                "positives": len(pos),
                "negatives": len(neg),
                "recall": round(sum(name in r.categories for r in pos) / max(len(pos), 1), 4),
                "false_finding_rate": round(
                    sum(name in r.categories for r in neg) / max(len(neg), 1), 4
                ),
                "false_finding_rate_all_negatives": round(
                    sum(name in r.categories for r in neg_results) / max(len(neg_results), 1), 4
                ),
            }
        out[side] = rows
    return out


def cross_validation(data_dir: Path) -> dict[str, Any]:
    """Retrain the linear models per fold: leave-one-video-out (YouTube), 5 folds (ETHOS)."""
    from sklearn.model_selection import StratifiedKFold

    from piodesk.screening.models import linear
    from piodesk.screening.models import train as tr
    from piodesk.screening.models.features import Featurizer

    featurizer = Featurizer()

    def probs(weights: linear.LinearWeights, rows: list[ld.Example]) -> np.ndarray:
        texts = [r.text for r in rows]
        return linear.sigmoid(linear.decision(featurizer, weights.dense(), weights.bias, texts))

    out: dict[str, Any] = {}
    recipe = tr.RECIPES["solicitation"]
    youtube = ld.youtube_spam(data_dir)
    others = [
        (r, w)
        for r, w in tr.training_rows("solicitation", data_dir)
        if not r.group.startswith("Youtube")
    ]
    labels: list[int] = []
    flagged: list[bool] = []
    per_video: dict[str, float] = {}
    for video in sorted({r.group for r in youtube}):
        train_rows = [(r, 1.0) for r in youtube if r.group != video] + others
        test_rows = [r for r in youtube if r.group == video]
        p = probs(tr.fit(recipe, train_rows, featurizer), test_rows) >= recipe.threshold
        labels += [r.label for r in test_rows]
        flagged += p.tolist()
        per_video[video] = binary_scores([r.label for r in test_rows], p.tolist())["f1"]
    out["youtube_spam leave-one-video-out"] = {
        **binary_scores(labels, flagged),
        "per_video_f1": per_video,
        "trained_on": "the other videos + SMS train split + everyday negatives",
    }

    recipe = tr.RECIPES["threat"]
    ethos = ld.ethos_violence(data_dir)
    extra = [(r, w) for r, w in tr.training_rows("threat", data_dir) if r.group == "everyday"]
    y = np.array([r.label for r in ethos])
    scores = np.zeros(len(ethos))
    folds = StratifiedKFold(5, shuffle=True, random_state=tr.SEED)
    for train_idx, test_idx in folds.split(np.zeros(len(y)), y):
        train_rows = [(ethos[i], 1.0) for i in train_idx] + extra
        weights = tr.fit(recipe, train_rows, featurizer)
        scores[test_idx] = probs(weights, [ethos[i] for i in test_idx])
    out["ethos 5-fold"] = {
        **binary_scores(y.tolist(), (scores >= recipe.threshold).tolist()),
        "trained_on": "four fifths of ETHOS + everyday negatives, per fold",
    }
    # The threat rules carry the category: the whole threat screen per fold is the rules
    # (fixed, not trained) or the fold's model, on every ETHOS comment.
    from piodesk.screening.engine import Screener
    from piodesk.screening.rules import load_rules

    rules_only = Screener(load_rules(), models=[])
    ruled = [
        Category.THREAT.value in r.categories
        for r in rules_only.screen_many([r.text for r in ethos], TextKind.COMMENT)
    ]
    out["ethos 5-fold, rules + fold model"] = {
        **binary_scores(
            y.tolist(), [a or b for a, b in zip(ruled, scores >= recipe.threshold, strict=True)]
        ),
        "trained_on": "the threat rules, or the fold's model (every ETHOS comment)",
    }
    return out


def alt_profanity_check(data_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """alt-profanity-check's own figures on the same Davidson held-out rows, if installed."""
    try:
        from profanity_check import predict_prob  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return {"status": "not installed (pip install 'piodesk[eval]')"}
    if not (data_dir / "davidson").is_dir():
        return {"status": "no davidson data"}
    rows = ld.davidson(data_dir, "test")
    rows = rows if limit is None else rows[:limit]
    p = np.asarray(predict_prob([r.text for r in rows])) >= 0.5
    return {"status": "ok", "davidson": binary_scores([r.label for r in rows], p.tolist())}


def check_targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 3 with the measured value and whether it is met."""
    rows: list[dict[str, Any]] = []
    engine = figures.get("engine", {})
    for dataset, name, metric, minimum in TARGETS:
        data = engine.get(dataset)
        if data is None:
            continue
        if dataset == "presidio_synth":
            value = data["precision"] if metric == "precision" else data["recall"].get(name)
        else:
            value = data["categories"].get(name, {}).get(metric)
        if value is None:
            continue
        rows.append(
            {
                "dataset": dataset,
                "category": name,
                "metric": metric,
                "target": minimum,
                "value": value,
                "met": bool(value >= minimum),
            }
        )
    return rows


def evaluate(
    data_dir: Path,
    *,
    cv: bool = True,
    limit: int | None = None,
    screener: Any = None,
    names_screener: Any = None,
) -> dict[str, Any]:
    """Every figure `eval` prints, as one JSON-ready dict.

    `screener` (the shipped rules and models by default) scores every data set; the Presidio
    sentences are scored by `names_screener` (the all-names rules by default), and under the
    shipped rules too, for comparison.
    """
    from piodesk.screening.engine import Screener
    from piodesk.screening.rules import ALL_NAMES_RULES_NAME, load_shipped_rules

    screener = screener or Screener.load()
    names_screener = names_screener or Screener(load_shipped_rules(ALL_NAMES_RULES_NAME))

    def batched(s: Any) -> Screen:
        def screen(texts: list[str]) -> list[ScreeningResult]:
            results: list[ScreeningResult] = []
            for i in range(0, len(texts), 256):
                results += s.screen_many(texts[i : i + 256], TextKind.COMMENT)
            return results

        return screen

    started = time.perf_counter()
    figures: dict[str, Any] = {
        "data_dir": str(data_dir),
        "versions": {
            "ruleset": screener.ruleset_version,
            "models": screener.model_version,
            "presidio_ruleset": names_screener.ruleset_version,
        },
        "labels": [spec.__dict__ | {"category": str(spec.category)} for spec in LABELS],
        "engine": engine_figures(data_dir, batched(screener), limit, batched(names_screener)),
        "comparison": {"alt-profanity-check": alt_profanity_check(data_dir, limit)},
        "devsets": devset_figures(batched(screener)),
    }
    if cv and ld.available(data_dir):
        figures["cross_validation"] = cross_validation(data_dir)
    figures["targets"] = check_targets(figures)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


# --- output --------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_figures(figures: dict[str, Any], console: Console) -> None:
    """The figures as Rich tables, one per kind of measurement."""
    engine = figures["engine"]
    console.print(
        f"[bold]piodesk screening eval[/] on {figures['data_dir']}  "
        f"(ruleset {figures['versions']['ruleset']}; models {figures['versions']['models']})"
    )
    table = Table(title="Whole engine on held-out rows: per data set and category")
    for col in ("data set", "category", "rows", "pos", "prec", "recall", "F1", "FFR", "any"):
        table.add_column(col, justify="left" if col in ("data set", "category") else "right")
    for name, data in engine.items():
        if "categories" not in data:
            continue
        for category, s in data["categories"].items():
            table.add_row(
                name,
                category,
                str(data["rows"]),
                str(data["positives"]),
                _pct(s["precision"]),
                _pct(s["recall"]),
                _pct(s["f1"]),
                _pct(data["false_finding_rate"]),
                _pct(data["any_finding_on_negatives"]),
            )
    apc = figures["comparison"]["alt-profanity-check"]
    if apc.get("status") == "ok":
        s = apc["davidson"]
        table.add_row(
            "davidson",
            "alt-profanity-check",
            str(s["tp"] + s["fp"] + s["fn"] + s.get("tn", 0)),
            "",
            _pct(s["precision"]),
            _pct(s["recall"]),
            _pct(s["f1"]),
            "",
            "",
        )
    else:
        table.add_row("davidson", "alt-profanity-check: " + apc["status"], *[""] * 7)
    console.print(table)
    console.print(
        "FFR: share of texts that should have no finding of the category but got one; "
        "any: share of those texts with any finding at all. Held out: "
        + "; ".join(f"{spec.dataset}: {spec.held_out}" for spec in LABELS)
    )

    if "olid" in engine:
        olid = Table(title="OLID held-out: insults are not profanity (share of texts)")
        olid.add_column("group")
        olid.add_column("share", justify="right")
        for label, value in engine["olid"]["shares"].items():
            olid.add_row(label, _pct(value))
        console.print(olid)

    if "presidio_synth" in engine:
        pii = engine["presidio_synth"]
        shipped = pii.get("shipped_rules")
        t = Table(title="Presidio synthetic PII: span recall per type (overlap), precision overall")
        t.add_column("entity")
        t.add_column("gold spans", justify="right")
        t.add_column("recall", justify="right")
        if shipped is not None:
            t.add_column("shipped rules", justify="right")
        for name, value in pii["recall"].items():
            extra = [_pct(shipped["recall"][name])] if shipped is not None else []
            t.add_row(name, str(pii["gold_spans"][name]), _pct(value), *extra)
        extra = [_pct(shipped["precision"])] if shipped is not None else []
        t.add_row(
            "all pii spans: precision", str(pii["predicted_spans"]), _pct(pii["precision"]), *extra
        )
        console.print(t)
        if shipped is not None:
            console.print(
                f"recall column: ruleset {figures['versions']['presidio_ruleset']} (every person's "
                "name is a pii finding; the sentences' PERSON spans are bare names); shipped "
                "rules column: names count only beside personal details (categories.pii."
                "person_names)"
            )

    if "devsets" in figures:
        t = Table(title="piodesk's own written sets (screening/devsets): dev side / held-out side")
        for col in ("set", "pos", "recall", "FFR own", "FFR all", "lawful: any"):
            t.add_column(col, justify="left" if col == "set" else "right")
        dev, held = figures["devsets"]["dev"], figures["devsets"]["held_out"]
        for name, d in dev.items():
            h = held[name]
            if name == "lawful":
                t.add_row(
                    name,
                    f"{d['rows']}/{h['rows']}",
                    "",
                    "",
                    "",
                    f"{d['any_finding']:.3f} / {h['any_finding']:.3f}",
                )
                continue
            t.add_row(
                name,
                f"{d['positives']}/{h['positives']}",
                f"{d['recall']:.3f} / {h['recall']:.3f}",
                f"{d['false_finding_rate']:.3f} / {h['false_finding_rate']:.3f}",
                f"{d['false_finding_rate_all_negatives']:.3f} / "
                f"{h['false_finding_rate_all_negatives']:.3f}",
                "",
            )
        console.print(t)
        console.print(
            "FFR own: share of the set's '-' lines with a finding of its category; FFR all: the "
            "same over every '-' line of every set. Rules were tuned reading the dev side only."
        )

    if "cross_validation" in figures:
        t = Table(
            title="Linear models retrained per fold (model only; last row: with the threat rules)"
        )
        for col in ("protocol", "precision", "recall", "F1", "detail"):
            t.add_column(col)
        for name, s in figures["cross_validation"].items():
            detail = ", ".join(f"{k} {v:.3f}" for k, v in s.get("per_video_f1", {}).items())
            t.add_row(
                name,
                _pct(s["precision"]),
                _pct(s["recall"]),
                _pct(s["f1"]),
                detail or s["trained_on"],
            )
        console.print(t)

    t = Table(title="Targets of issue 3")
    for col in ("data set", "category", "metric", "target", "measured", "met"):
        t.add_column(col)
    for row in figures["targets"]:
        met = "[green]yes[/]" if row["met"] else f"[red]no ({row['value'] - row['target']:+.3f})[/]"
        t.add_row(
            row["dataset"],
            row["category"],
            row["metric"],
            f"{row['target']:.2f}",
            _pct(row["value"]),
            met,
        )
    console.print(t)
    console.print(f"{figures['seconds']} s")


def eval_command(
    data_dir: Annotated[Path, typer.Argument(help="the shared labeled data, e.g. ../shared/data")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write every figure to this JSON file")
    ] = None,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv/--no-cv", help="also retrain per fold (leave-one-video-out, ETHOS 5-fold)"
        ),
    ] = True,
    limit: Annotated[
        int | None, typer.Option(help="score at most this many rows per data set (quick runs)")
    ] = None,
) -> None:
    """Score the engine on the labeled public data: precision, recall, F1, false findings."""
    if not data_dir.is_dir():
        typer.echo(f"no data folder at {data_dir}", err=True)
        raise typer.Exit(2)
    figures = evaluate(data_dir, cv=cv, limit=limit)
    print_figures(figures, Console())
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
