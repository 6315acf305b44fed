"""Pages show stored codes in words: record kinds, case and page states, platforms, decisions
and §.20 reasons (web/labels.py's template filters), never "subscriber_list", "needs_second",
"with_counsel" or "sandbox" as stored."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.permissions import Role
from piodesk.moderation.model import CASE_STATE_LABELS, REASONS
from piodesk.pages.model import PLATFORM_LABELS, Agency, Platform
from piodesk.web import labels
from piodesk.web.context import TEMPLATES
from tests.conftest import PASSWORD, registered_sandbox_page
from tests.web.conftest import sign_in

TEMPLATE_DIR = Path(labels.__file__).parent / "templates"


def test_filters_say_codes_in_words() -> None:
    assert labels.kind_words("subscriber_list") == "subscriber list"
    assert labels.kind_words("profile") == "page profile"
    assert labels.kind_words("new_kind") == "new kind"  # a kind added later still reads
    assert labels.case_state_words("needs_second") == CASE_STATE_LABELS["needs_second"]
    assert labels.case_state_words("with_counsel") == "with legal counsel"
    assert labels.page_state_words("returned") == "Sent back for fixes"
    assert labels.platform_words("sandbox") == PLATFORM_LABELS[Platform.SANDBOX]
    assert labels.platform_words("x") == "X (Twitter)"
    assert labels.decision_words("remove") == "Removed"
    assert labels.reason_words("no_violation") == REASONS["no_violation"]
    assert labels.target_label("subscriber_list") == "Subscriber list"
    for name in labels.TEMPLATE_FILTERS:
        assert name in TEMPLATES.env.filters


#: Expressions that print a stored code as it is (the grep the issue asked for).
RAW = re.compile(
    r"\{\{\s*(?:[\w.]+\.)?(?:case\.state|c\.state|p\.state|d\.action|item\.kind|"
    r"h\.item\.kind|v\.item\.kind|c\.kind|\w+\.platform|b\.category)\s*\}\}"
)


def test_no_template_prints_these_codes_raw() -> None:
    found = []
    for path in TEMPLATE_DIR.rglob("*.html"):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for m in RAW.finditer(line):
                if line[m.start() - 1 : m.start()] in ("-", '"', "/"):
                    continue  # a CSS class, an attribute or a link: not text a person reads
                found.append(f"{path.relative_to(TEMPLATE_DIR)}:{n}: {m[0]}")
    assert not found, "\n".join(found)


def test_dashboard_names_platform_and_state(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    # A page with an empty profile fails §.10: the dashboard lists it among the non-compliant.
    registered_sandbox_page(sessions, staff, agency, "words-page", name="Words Page")
    sign_in(client, staff[Role.CHIEF].username, PASSWORD)
    home = client.get("/").text
    assert "Words Page</a> (Sandbox (built-in), approved)" in home
    assert "(sandbox, approved)" not in home


#: A person as the program's and the role grants' records name them: "Name (username)".
RECORDED_PERSON = re.compile(r"\{\{\s*\w+\.(?!display_name)\w+_name\s*\}\}")


def test_program_and_grant_pages_print_names_through_person_name() -> None:
    found = [
        f"{path.relative_to(TEMPLATE_DIR)}:{n}: {m[0]}"
        for folder in ("program", "people")
        for path in (TEMPLATE_DIR / folder).rglob("*.html")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        for m in RECORDED_PERSON.finditer(line)
    ]
    assert not found, "\n".join(found)


def test_the_archive_search_names_record_kinds_in_words(
    client: TestClient, sessions: sessionmaker[Session], staff
) -> None:
    sign_in(client, staff[Role.RECORDS].username, PASSWORD)
    page = client.get("/archive?q=").text
    kinds = page[page.index('name="kind"') :].split("</select>")[0]
    assert '<option value="subscriber_list">subscriber list</option>' in kinds
    assert ">subscriber_list<" not in kinds
    assert 'class="grid results stack-on-phone"' in page  # a card per record on a phone
