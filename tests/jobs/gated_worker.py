"""A real `piodesk worker` whose sandbox polls wait at a gate the test opens (a file).

The test needs an ingest job that is in the middle of its run, deterministically: each poll of
a page marks that it started (``<handle>.<pid>.started``) and then blocks until ``open``
exists in the gate folder. Everything else is the shipped worker.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from piodesk.connectors import base
from piodesk.connectors.model import Cursor, FetchResult
from piodesk.connectors.sandbox.connector import SandboxConnector

GATE = Path(os.environ["PIODESK_TEST_GATE"])


class GatedSandbox(SandboxConnector):
    """The sandbox connector, held at the gate before it reads a page's posts."""

    def fetch_posts(self, since: Cursor | None = None) -> FetchResult:
        (GATE / f"{self.handle}.{os.getpid()}.started").touch()
        while not (GATE / "open").exists():  # until the test opens the gate; not a timing guess
            time.sleep(0.02)
        return super().fetch_posts(since)


base.REGISTRY["sandbox"] = GatedSandbox

if __name__ == "__main__":
    from piodesk.cli import main

    sys.argv = ["piodesk", "worker", *sys.argv[1:]]
    main()
