"""Screening benchmark: 10,000 real comments on one core, one at a time and in batches.

    .venv/bin/python bench/screening.py [--data ../shared/data] [-n 10000] [--batch 256]

Reads the public labeled sets by path (YouTube spam, SMS spam, Davidson, OLID, ETHOS), screens
them with the shipped rules and models, and prints comments per second, p50/p99 latency per
single comment, and peak memory. Targets (issue 3): >= 3,000 comments/s in batches, p99 < 10 ms
for a single comment, peak < 500 MB. Issue 13's aims: >= 15,000 comments per CPU-second in
batches, single-comment p99 < 3 ms, peak < 200 MB. It also times alt-profanity-check (one
category, no spans) on the same comments in the same run and prints the ratio.
"""

from __future__ import annotations

import os

# One core: pin BLAS/OpenMP pools before numpy loads, and the process to one CPU.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _csv(path: Path, column: str, delimiter: str = ",", **kw: object) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row[column] for row in csv.DictReader(f, delimiter=delimiter, **kw)]  # type: ignore[arg-type]


def load_comments(data: Path, n: int, seed: int = 409) -> tuple[list[str], dict[str, int]]:
    """n comments drawn from every available set (by path, never copied into the repo)."""
    pools: dict[str, list[str]] = {}
    yt = sorted((data / "youtube_spam").glob("Youtube*.csv"))
    if yt:
        pools["youtube_spam"] = [t for p in yt for t in _csv(p, "CONTENT")]
    sms = data / "sms_spam" / "SMSSpamCollection_dev"
    if sms.exists():
        with sms.open(encoding="utf-8") as f:
            pools["sms_spam"] = [ln.rstrip("\n").split("\t", 1)[1] for ln in f if "\t" in ln]
    dav = data / "davidson" / "labeled_data_dev.csv"
    if dav.exists():
        pools["davidson"] = _csv(dav, "tweet")
    olid = data / "olid" / "olid-training-v1.0.tsv"
    if olid.exists():
        pools["olid"] = _csv(olid, "tweet", "\t", quoting=csv.QUOTE_NONE)
    ethos = data / "ethos" / "Ethos_Dataset_Binary.csv"
    if ethos.exists():
        pools["ethos"] = _csv(ethos, "comment", ";")
    if not pools:
        sys.exit(f"no data under {data}; pass --data PATH to ../shared/data")
    rng = random.Random(seed)
    # An even share from each set, topped up from the big ones, then shuffled.
    share = n // len(pools)
    picked: list[str] = []
    counts: dict[str, int] = {}
    for name, texts in pools.items():
        take = rng.sample(texts, min(share, len(texts)))
        picked += take
        counts[name] = len(take)
    rest = [t for texts in pools.values() for t in texts]
    while len(picked) < n:
        picked.append(rng.choice(rest))
    rng.shuffle(picked)
    return picked[:n], counts


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--rules-only", action="store_true", help="without the trained models")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from piodesk.screening.engine import Screener
    from piodesk.screening.rules import load_rules

    comments, counts = load_comments(args.data, args.n)
    t0 = time.perf_counter()
    screener = Screener(load_rules(), models=[] if args.rules_only else None)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    gate_on = screener.wait_for_gate()  # the compiled gate builds in the background
    gate_s = time.perf_counter() - t0
    screener.screen_many(comments[:200])  # warm caches (lexicon, regexes, model features)

    # One at a time. Wall-clock time and this thread's CPU time are both kept: on a shared
    # machine the wall clock also counts time the scheduler gave to other processes.
    lat: list[float] = []
    cpu_lat: list[float] = []
    flagged = 0
    t_single, c_single = time.perf_counter(), time.process_time()
    for text in comments:
        t, c = time.perf_counter(), time.thread_time()
        r = screener.screen_comment(text)
        cpu_lat.append((time.thread_time() - c) * 1000)
        lat.append((time.perf_counter() - t) * 1000)
        flagged += r.flagged
    single_s = time.perf_counter() - t_single
    single_cpu = time.process_time() - c_single

    # In batches.
    t_batch, c_batch = time.perf_counter(), time.process_time()
    for i in range(0, len(comments), args.batch):
        screener.screen_many(comments[i : i + args.batch])
    batch_s = time.perf_counter() - t_batch
    batch_cpu = time.process_time() - c_batch

    piodesk_peak_mb = _peak_mb()  # before alt-profanity-check (scikit-learn) loads
    apc_cpu_s: float | None = None
    try:
        from profanity_check import predict_prob  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        predict_prob = None
    if predict_prob is not None:
        predict_prob(comments[:200])  # warm
        c_apc = time.process_time()
        for i in range(0, len(comments), args.batch):
            predict_prob(comments[i : i + args.batch])
        apc_cpu_s = time.process_time() - c_apc

    figures = {
        "comments": len(comments),
        "sources": counts,
        "mean_chars": round(statistics.mean(len(c) for c in comments), 1),
        "ruleset_version": screener.ruleset_version,
        "model_version": screener.model_version,
        "load_s": round(load_s, 2),
        "gate_compile_s": round(gate_s, 2),
        "gate_on": gate_on,
        "single_comments_per_s": round(len(comments) / single_s),
        "single_p50_ms": round(_pct(lat, 0.50), 3),
        "single_p99_ms": round(_pct(lat, 0.99), 3),
        "single_max_ms": round(max(lat), 3),
        "single_comments_per_cpu_s": round(len(comments) / single_cpu),
        "single_cpu_p50_ms": round(_pct(cpu_lat, 0.50), 3),
        "single_cpu_p99_ms": round(_pct(cpu_lat, 0.99), 3),
        "batch_size": args.batch,
        "batch_comments_per_s": round(len(comments) / batch_s),
        "batch_comments_per_cpu_s": round(len(comments) / batch_cpu),
        "alt_profanity_check_per_cpu_s": round(len(comments) / apc_cpu_s) if apc_cpu_s else None,
        "ratio_to_alt_profanity_check": round(apc_cpu_s / batch_cpu, 3) if apc_cpu_s else None,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(_peak_mb(), 1),
        "peak_rss_before_alt_profanity_check_mb": round(piodesk_peak_mb, 1),
        # the compiled gate is built by a short-lived child process (screening/gatebuild.py)
        "gate_build_child_peak_rss_mb": round(_children_peak_mb(), 1),
        "flagged_share": round(flagged / len(comments), 3),
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"screening benchmark: {figures['comments']} comments {counts}")
    print(f"  rules {figures['ruleset_version']}  models {figures['model_version']}")
    print(f"  load            {figures['load_s']} s")
    print(
        f"  compiled gate   {'on' if gate_on else 'off'}, ready {figures['gate_compile_s']} s "
        "after load (built in the background)"
    )
    print(
        f"  one at a time   {figures['single_comments_per_s']} comments/s   "
        f"p50 {figures['single_p50_ms']} ms   p99 {figures['single_p99_ms']} ms   "
        f"max {figures['single_max_ms']} ms"
    )
    print(
        f"  (CPU time)      {figures['single_comments_per_cpu_s']} comments/CPU-s   "
        f"p50 {figures['single_cpu_p50_ms']} ms   p99 {figures['single_cpu_p99_ms']} ms"
    )
    print(
        f"  batches of {args.batch}  {figures['batch_comments_per_s']} comments/s   "
        f"({figures['batch_comments_per_cpu_s']} comments/CPU-s)"
    )
    if figures["alt_profanity_check_per_cpu_s"] is not None:
        print(
            f"  alt-profanity-check, same batches  {figures['alt_profanity_check_per_cpu_s']} "
            f"comments/CPU-s; piodesk runs at {figures['ratio_to_alt_profanity_check']}x its speed"
        )
    else:
        print("  alt-profanity-check: not installed (pip install 'piodesk[eval]')")
    print(f"  machine load    {figures['load_average_1m']} (1-minute load average)")
    print(
        f"  peak memory     {figures['peak_rss_mb']} MB (max RSS; "
        f"{figures['peak_rss_before_alt_profanity_check_mb']} MB before alt-profanity-check "
        f"loaded; the gate's build child, gone after load: "
        f"{figures['gate_build_child_peak_rss_mb']} MB)"
    )
    print(f"  flagged         {figures['flagged_share']:.1%} of the comments")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
