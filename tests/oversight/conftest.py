"""The report scenario's fixtures (defined in test_reports.py), for the roll-up tests too."""

from tests.oversight.test_reports import now, site, story  # noqa: F401 (fixtures)
