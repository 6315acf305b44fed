"""`piodesk screening check`: JSON lines in, one JSON line out per input, in order."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from piodesk.screening.cli import app

runner = CliRunner()


def _run(stdin: str, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["check", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_check_writes_one_line_per_input_in_order() -> None:
    lines = [
        {"id": "a", "text": "call me 719-555-0134", "kind": "comment"},
        {"id": "b", "text": "what a lovely parade", "kind": "comment"},
        {"id": "c", "text": "The killer is guilty.", "kind": "draft"},
        {"id": 4, "text": "I will shoot you"},
    ]
    out = _run("\n".join(json.dumps(x) for x in lines) + "\n")
    assert [o["id"] for o in out] == ["a", "b", "c", 4]
    phone = next(f for f in out[0]["findings"] if f["rule"] == "pii.phone")
    assert phone["spans"] == [[8, 20]]
    assert phone["section"] == "§.20"
    assert set(phone) >= {"category", "rule", "spans", "score", "section", "explanation"}
    assert out[1]["findings"] == [] or all(f["spans"] == [] for f in out[1]["findings"])
    guilt = [f for f in out[2]["findings"] if f["category"] == "guilt"]
    assert guilt and guilt[0]["suggestion"]
    assert out[2]["kind"] == "draft"
    assert "threat" in out[3]["categories"]
    for o in out:
        assert o["ruleset_version"].startswith("default-")
        assert o["model_version"]


def test_bad_lines_get_an_error_naming_the_line_and_the_rest_go_on() -> None:
    stdin = (
        '{"id": 1, "text": "hello"}\n'
        "this is not json\n"
        '{"id": 3, "kind": "letter", "text": "x"}\n'
        '{"id": 4}\n'
        "[1, 2]\n"
        '{"id": 6, "text": "fuck"}\n'
    )
    out = _run(stdin)
    assert len(out) == 6
    assert "error" not in out[0]
    assert out[1]["error"].startswith("line 2:")
    assert out[2]["error"].startswith("line 3:") and out[2]["id"] == 3
    assert "text" in out[3]["error"]
    assert out[4]["error"].startswith("line 5:")
    assert "profanity" in out[5]["categories"]


def test_strict_exits_non_zero_on_bad_lines() -> None:
    result = runner.invoke(app, ["check", "--strict"], input="nope\n")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"].startswith("line 1:")


def test_rules_option_and_refused_rules(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "r.yaml"
    good.write_text('version: "county-3"\n', "utf-8")
    out = _run('{"id": 1, "text": "hi"}\n', "--rules", str(good))
    assert out[0]["ruleset_version"].startswith("county-3+sha256:")
    bad = tmp_path / "bad.yaml"
    bad.write_text('version: "x"\ncategories:\n  nope: {}\n', "utf-8")
    result = runner.invoke(app, ["check", "--rules", str(bad)], input="{}\n")
    assert result.exit_code == 2
    assert "line 3" in result.output


def test_media_items_in_drafts() -> None:
    line = {
        "id": 1,
        "kind": "draft",
        "text": "Range day",
        "media": [{"name": "range.jpg", "depicts_training_or_operations": True}],
    }
    (out,) = _run(json.dumps(line) + "\n")
    assert "media_consent" in out["categories"]


def test_python_dash_m() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "piodesk.screening.cli", "check"],
        input='{"id": 1, "text": "email me at a@b.org"}\n',
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pii.email" in proc.stdout
