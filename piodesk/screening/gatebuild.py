"""Compiles the screening gate's Hyperscan databases, in a child process when it can.

Compiling a few hundred regexes in Hyperscan's prefilter mode takes seconds and, for the
long threat phrases, tens of megabytes that are given back only to the allocator, not to the
system: done inside a screening process it would keep that peak for its whole life. The
engine's gate (detectors/multimatch.py) therefore hands the prepared expressions to

    python -m piodesk.screening.gatebuild

which compiles them and writes back the serialized databases (`hyperscan.dumpb`): one line of
JSON naming each view's ids and byte count, then the databases' bytes one after another (no
base64 and no JSON around 10 MB of bytes: the screening process reads and loads one database
at a time, so loading adds little more than the databases themselves to its peak). The
screening process only loads them (`hyperscan.loadb`). When the child cannot run (no
interpreter path, a sandbox that forbids it, a timeout) the databases are compiled in
process, as before. Either way the same expressions give the same databases.

Imports nothing of piodesk, so the child starts fast.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

#: (id, expression, Hyperscan flags) of one regex, ready to compile.
Item = tuple[int, str, int]

#: Seconds the child may take for one ruleset's databases.
CHILD_TIMEOUT = 600


def _hs() -> Any:
    import hyperscan

    return hyperscan


def compile_items(items: list[Item]) -> tuple[Any, list[int]]:
    """One database of the items and the ids it holds; a regex Hyperscan refuses is left out
    (None when it refuses them all)."""
    hs = _hs()

    def build(part: list[Item]) -> Any:
        db = hs.Database()
        db.compile(
            expressions=[rx.encode("utf-8") for _i, rx, _f in part],
            ids=[i for i, _rx, _f in part],
            elements=len(part),
            flags=[f for _i, _rx, f in part],
        )
        return db

    try:
        return build(items), [i for i, _rx, _f in items]
    except Exception:  # noqa: BLE001 - one regex Hyperscan refuses: find it, leave it out
        ok = []
        for item in items:
            try:
                build([item])
            except Exception:  # noqa: BLE001
                log.debug("screening gate: regex left ungated: %r", item[1][:60])
                continue
            ok.append(item)
        if not ok:
            return None, []
        return build(ok), [i for i, _rx, _f in ok]


def compile_views(by_view: dict[str, list[Item]]) -> dict[str, tuple[Any, frozenset[int]]]:
    """Every view's database, from a child process if one runs, else here."""
    got = _in_child(by_view)
    if got is not None:
        return got
    out: dict[str, tuple[Any, frozenset[int]]] = {}
    for view, items in by_view.items():
        db, ids = compile_items(items)
        if db is not None:
            out[view] = (db, frozenset(ids))
    return out


def cache_dir() -> Path | None:
    """Where compiled gates are kept between processes (None: not kept).

    ``PIODESK_GATE_CACHE`` names the folder ("" turns the cache off); by default the user's
    cache folder. Every worker of a deployment compiles the same expressions, so the first one
    to start compiles and the others (and the next restarts) only load: a gate takes about
    ten CPU-seconds to compile and milliseconds to load. What is kept is derived from the
    rules alone, under the digest of the expressions and of Hyperscan's version, so a changed
    ruleset or library never loads an old gate; a file that does not load is compiled again.
    """
    named = os.environ.get("PIODESK_GATE_CACHE")
    if named is not None:
        return Path(named) if named else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "piodesk" / "screening-gate"


def _cache_file(request: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        version = str(getattr(_hs(), "__version__", ""))
    except ImportError:
        return None
    key = hashlib.sha256(f"{version}\n{platform.machine()}\n{request}".encode()).hexdigest()
    return folder / f"{key}.hsdb"


def _serialize(dbs: dict[str, tuple[bytes, list[int]]]) -> bytes:
    """The header line, then each view's database bytes in the header's order."""
    header = {view: {"ids": ids, "size": len(data)} for view, (data, ids) in dbs.items()}
    return json.dumps(header).encode("ascii") + b"\n" + b"".join(d for d, _ids in dbs.values())


def _load(stream: BinaryIO) -> dict[str, tuple[Any, frozenset[int]]]:
    """The databases written by `_serialize`, read and loaded one at a time."""
    hs = _hs()
    header = json.loads(stream.readline())
    out = {}
    for view, got in header.items():
        data = stream.read(int(got["size"]))
        if len(data) != int(got["size"]):
            raise ValueError(f"screening gate: the {view} database is cut short")
        out[view] = (hs.loadb(data, hs.HS_MODE_BLOCK), frozenset(got["ids"]))
        del data
    return out


def _from_cache(path: Path | None) -> dict[str, tuple[Any, frozenset[int]]] | None:
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            return _load(f)
    except Exception:  # noqa: BLE001 - unreadable or foreign: compile again, replace it
        log.info("screening gate: cached gate %s did not load; compiling", path.name)
        return None


def write_cache(path: Path | None, answer: bytes) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(answer)
        tmp.replace(path)  # atomic: a reader sees the whole file or none
    except OSError as exc:
        log.info("screening gate: not cached (%s)", exc)


def _in_child(by_view: dict[str, list[Item]]) -> dict[str, tuple[Any, frozenset[int]]] | None:
    if not sys.executable or os.environ.get("PIODESK_GATE_IN_PROCESS"):
        return None
    request = json.dumps({v: [list(item) for item in items] for v, items in by_view.items()})
    cached = _cache_file(request)
    found = _from_cache(cached)
    if found is not None:
        return found
    # Workers started together would each compile the same gate: the first holds the cache's
    # lock while it compiles and the others, waiting on it, then load what it wrote.
    with _compile_lock(cached):
        found = _from_cache(cached)
        if found is not None:
            return found
        return _compile_in_child(request, cached)


@contextlib.contextmanager
def _compile_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = (path.parent / ".lock").open("a")
    except OSError:
        yield  # no cache folder to write: compile without the lock
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_module_in_child(module: str, request: str, timeout: float, what: str) -> bytes | None:
    """Run `python -m module` with `request` on stdin, in a short-lived child; its stdout.

    The child imports piodesk from where this process found it, so a checkout that is not
    installed works too. None (after a log line naming `what`) when the child cannot start,
    times out or fails: the caller then does the work in process.
    """
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    try:
        proc = subprocess.run(  # noqa: S603 - one of piodesk's own modules, named by its caller
            [sys.executable, "-m", module],
            input=request.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("%s: in process (%s)", what, exc)
        return None
    if proc.returncode != 0:
        log.info("%s: in process (%s)", what, proc.stderr[-300:])
        return None
    return proc.stdout


def _compile_in_child(
    request: str, cached: Path | None
) -> dict[str, tuple[Any, frozenset[int]]] | None:
    out = run_module_in_child(
        "piodesk.screening.gatebuild", request, CHILD_TIMEOUT, "screening gate"
    )
    if out is None:
        return None
    try:
        loaded = _load(io.BytesIO(out))
    except Exception:  # noqa: BLE001 - a database that does not load is compiled here
        log.info("screening gate: the child's databases did not load; compiling in process")
        return None
    write_cache(cached, out)
    return loaded


def main() -> int:
    """Read {view: [[id, expression, flags], ...]} on stdin; write the databases (`_serialize`)."""
    hs = _hs()
    request = json.loads(sys.stdin.buffer.read())
    answer = {}
    for view, items in request.items():
        db, ids = compile_items([(int(i), str(rx), int(f)) for i, rx, f in items])
        if db is not None:
            answer[view] = (hs.dumpb(db), ids)
    sys.stdout.buffer.write(_serialize(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
