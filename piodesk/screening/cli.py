"""`piodesk screening ...`: screen text from the command line (JSON lines in, JSON lines out).

    echo '{"id": 1, "text": "call me 719-555-0134", "kind": "comment"}' | piodesk screening check

The main `piodesk` CLI mounts `app` as `piodesk screening`; `python -m piodesk.screening.cli`
runs it alone. Other screening commands register themselves at the bottom of this file
(part of the screening package, e.g. `eval` from piodesk.screening.evaluate): add one guarded
import-and-register block per command module there.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import typer

from piodesk.screening.drafts import DraftInput, MediaItem
from piodesk.screening.model import Finding, ScreeningResult, TextKind

app = typer.Typer(help="Screen text against GO 409", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Screen text against GO 409 (§.12 staff drafts, §.20 public comments)."""


#: How many lines are screened together (one model call per batch).
BATCH = 256


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding as a JSON object (spans as [start, end] pairs in the original text)."""
    return {
        "category": f.category,
        "label": f.label,
        "rule": f.rule,
        "spans": [[s.start, s.end] for s in f.spans],
        "evidence": f.evidence,
        "score": f.score,
        "section": f.section,
        "explanation": f.explanation,
        "suggestion": f.suggestion,
        "at_risk": f.at_risk,
    }


def result_json(item_id: Any, result: ScreeningResult) -> dict[str, Any]:
    """One output line: the input's id, its findings, and the versions that made them."""
    return {
        "id": item_id,
        "kind": result.kind.value,
        "flagged": result.flagged,
        "categories": sorted(result.categories),
        "findings": [finding_json(f) for f in result.findings],
        "ruleset_version": result.ruleset_version,
        "model_version": result.model_version,
    }


def _parse(line: str, lineno: int) -> tuple[Any, TextKind, DraftInput]:
    """One input line; raises ValueError with a reason a person can act on."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError('"text" is missing or not a string')
    kind_raw = obj.get("kind", "comment")
    try:
        kind = TextKind(kind_raw)
    except ValueError:
        raise ValueError(f'"kind" must be "comment" or "draft", not {kind_raw!r}') from None
    media: list[MediaItem] = []
    raw_media = obj.get("media", [])
    if not isinstance(raw_media, list):
        raise ValueError('"media" must be a list')
    for m in raw_media:
        if not isinstance(m, dict) or not isinstance(m.get("name"), str):
            raise ValueError('each "media" item must be an object with a "name"')
        media.append(
            MediaItem(
                name=m["name"],
                kind=str(m.get("kind", "photo")),
                consent_recorded=bool(m.get("consent_recorded", False)),
                rights_recorded=bool(m.get("rights_recorded", False)),
                depicts_training_or_operations=bool(m.get("depicts_training_or_operations", False)),
            )
        )
    return obj.get("id"), kind, DraftInput(text, tuple(media))


def run_check(stdin: TextIO, stdout: TextIO, rules: Path | None = None) -> int:
    """Screen every line of `stdin`; write one JSON line per input line, in order.

    Returns the number of lines that could not be read (each gets an "error" line).
    """
    from piodesk.screening.engine import Screener, default_screener

    screener = default_screener() if rules is None else Screener.load(rules)
    errors = 0
    pending: list[tuple[int, Any, TextKind | None, DraftInput | None, str | None]] = []

    def flush() -> None:
        # Screen comments and drafts of this batch in two calls, then write in input order.
        results: dict[int, ScreeningResult] = {}
        for kind in (TextKind.COMMENT, TextKind.DRAFT):
            idx = [i for i, p in enumerate(pending) if p[2] is kind]
            if idx:
                items = [pending[i][3] for i in idx]
                out = screener.screen_many([d for d in items if d is not None], kind)
                results.update(zip(idx, out, strict=True))
        for i, (lineno, item_id, _kind, _d, err) in enumerate(pending):
            if err is not None:
                obj: dict[str, Any] = {"id": item_id, "line": lineno, "error": err}
            else:
                obj = result_json(item_id, results[i])
            stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        stdout.flush()
        pending.clear()

    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item_id, kind, draft = _parse(line, lineno)
            pending.append((lineno, item_id, kind, draft, None))
        except ValueError as exc:
            errors += 1
            item_id = None
            try:
                maybe = json.loads(line)
                if isinstance(maybe, dict):
                    item_id = maybe.get("id")
            except json.JSONDecodeError:
                pass
            pending.append((lineno, item_id, None, None, f"line {lineno}: {exc}"))
        if len(pending) >= BATCH:
            flush()
    flush()
    return errors


@app.command()
def check(
    rules: Path | None = typer.Option(
        None, "--rules", help="An agency rules file (YAML); the shipped rules by default."
    ),
    fail_on_error: bool = typer.Option(
        False, "--strict", help="Exit with status 1 if any input line could not be read."
    ),
) -> None:
    """Screen JSON lines from standard input: {"id": ..., "text": ..., "kind": "comment"|"draft"}.

    Writes one JSON line per input line, in order, with the findings (category, rule, spans,
    score, section, explanation, suggestion, at_risk: what the text puts at risk) and the
    ruleset and model versions. A line that cannot be read gets {"error": "line N: ..."} and
    the rest go on.
    """
    from piodesk.screening.rules import RulesError

    try:
        errors = run_check(sys.stdin, sys.stdout, rules)
    except RulesError as exc:
        typer.echo(f"rules refused: {exc}", err=True)
        raise typer.Exit(2) from None
    if errors and fail_on_error:
        raise typer.Exit(1)


# --- commands from other screening modules ----------------------------------------------------
# `eval` lives in piodesk/screening/evaluate.py; it is registered here when that module exists
# (an import error inside it is a real error and is not hidden).
if importlib.util.find_spec("piodesk.screening.evaluate") is not None:
    from piodesk.screening.evaluate import eval_command

    app.command("eval")(eval_command)


if __name__ == "__main__":
    app()
