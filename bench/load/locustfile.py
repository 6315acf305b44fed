"""Who uses piodesk at once, for `bench/load.py` (or `locust -f bench/load/locustfile.py`).

Three kinds of people, on loopback only:

- **PIOs** work the moderation queue: the dashboard, the queue, a case, and now and then a
  decision (keep, or hide for the category screening found) — each in their own session.
- **Records custodians** search the archive (the page and the JSON API, by word, by word and
  state) and open a record.
- **Visitors** read the sandbox platform's public page and comment on its posts; some of what
  they write is what screening flags (a phone number, profanity, a sales pitch), so the queue
  keeps filling while the server's own jobs ingest and screen it.

Requests are named by page (``GET /moderation/cases/[id]``) so the figures come per page.
"""

from __future__ import annotations

import random
import re
from typing import ClassVar

from locust import HttpUser, between, task

PASSWORD = "GO409-demo-pass!"  # noqa: S105 - the demo's printed password, on a throwaway database
HANDLE = "cspd-community"

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/moderation/cases/(\d+)"')
ITEM_LINK = re.compile(r'href="/archive/items/(\d+)"')
COMMENT_FORM = re.compile(rf'action="/sandbox/{HANDLE}/posts/(\d+)/comments"')
FOUND = re.compile(r'data-found="([a-z_ ]*)"')

#: What custodians look for: words the seeded archive has (often, seldom) and one it has not.
SEARCH_WORDS = ("closure", "crash", "coffee", "department", "tickets", "chief", "nevada", "zebra")

#: What visitors write: mostly lawful (criticism included), some of it what §.20 lets go.
LAWFUL = (
    "How long will Academy stay closed? I have an appointment at two.",
    "Thanks for the update, officers. Drive safe out there.",
    "This department could not manage traffic if its life depended on it.",
    "The chief should answer for how the protest was handled.",
    "We will be at Coffee with a Cop on Saturday with the kids.",
    "Useless. Post fewer tips and answer more calls.",
)
FLAGGED = (
    "Call me at 719-555-{n:04d} for cheap game tickets, best prices in town",
    "This is bullshit, you fucking clowns did nothing about comment {n}",
    "Get 50% off SecureHome cameras this week only! DM me, promo code SAFE{n}",
)


def _csrf(html: str) -> str | None:
    found = CSRF.search(html)
    return found.group(1) if found else None


class SignedIn(HttpUser):
    """Someone on staff: signs in once through the sign-in form, then keeps the session."""

    abstract = True
    username: ClassVar[str] = ""
    csrf: str | None = None

    def on_start(self) -> None:
        form = self.client.get("/login", name="GET /login")
        token = _csrf(form.text) or ""
        with self.client.post(
            "/login",
            data={"username": self.username, "password": PASSWORD, "csrf_token": token},
            name="POST /login",
            allow_redirects=False,
            catch_response=True,
        ) as signed_in:
            if signed_in.status_code != 303:
                signed_in.failure(f"sign-in as {self.username}: HTTP {signed_in.status_code}")


class Pio(SignedIn):
    """A PIO working the queue, oldest first, deciding about one case in four it opens."""

    wait_time = between(0.5, 2.0)
    weight = 5
    username = "pio"
    cases: list[int]

    def on_start(self) -> None:
        super().on_start()
        self.cases = []

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="GET / (dashboard)")

    @task(3)
    def queue(self) -> None:
        page = self.client.get("/moderation", name="GET /moderation")
        self.cases = [int(c) for c in CASE_LINK.findall(page.text)]

    @task(4)
    def work_a_case(self) -> None:
        if not self.cases:
            self.queue()
            if not self.cases:
                return
        case_id = random.choice(self.cases[:20])
        page = self.client.get(f"/moderation/cases/{case_id}", name="GET /moderation/cases/[id]")
        token = _csrf(page.text)
        if token is None or 'id="decide-form"' not in page.text or random.random() > 0.25:
            return
        found = (FOUND.search(page.text) or [None, ""])[1].split()
        if found and random.random() < 0.5:
            data = {"action": "hide", "reason": found[0], "note": "load test: what screening found"}
        else:
            data = {"action": "keep", "reason": "no_violation", "note": ""}
        with self.client.post(
            f"/moderation/cases/{case_id}/decide",
            data={**data, "csrf_token": token},
            name="POST /moderation/cases/[id]/decide",
            allow_redirects=False,
            catch_response=True,
        ) as done:
            # Another PIO decided it first (409), or the guard held it: a truthful refusal.
            if done.status_code in (303, 409, 422):
                done.success()
            else:
                done.failure(f"HTTP {done.status_code}")
        self.cases.remove(case_id)


class Custodian(SignedIn):
    """A records custodian searching every version of every record, and opening some."""

    wait_time = between(0.5, 2.0)
    weight = 3
    username = "records"
    items: list[int]

    def on_start(self) -> None:
        super().on_start()
        self.items = []

    @task(4)
    def search_page(self) -> None:
        word = random.choice(SEARCH_WORDS)
        page = self.client.get(f"/archive?q={word}", name="GET /archive?q=")
        self.items = [int(i) for i in ITEM_LINK.findall(page.text)] or self.items

    @task(1)
    def search_removed(self) -> None:
        word = random.choice(SEARCH_WORDS)
        self.client.get(f"/archive?q={word}&state=hidden", name="GET /archive?q=&state=")

    @task(2)
    def search_api(self) -> None:
        word = random.choice(SEARCH_WORDS)
        self.client.get(f"/api/v1/archive/search?q={word}", name="GET /api/v1/archive/search")

    @task(2)
    def open_record(self) -> None:
        if self.items:
            item = random.choice(self.items)
            self.client.get(f"/archive/items/{item}", name="GET /archive/items/[id]")


class Visitor(HttpUser):
    """A member of the public reading the department's sandbox page and commenting on it."""

    wait_time = between(0.5, 2.0)
    weight = 12
    posts: list[int]
    token: str | None = None

    def on_start(self) -> None:
        self.posts = []
        self.name = f"Visitor {random.randint(1000, 9999)}"

    @task(3)
    def read(self) -> None:
        page = self.client.get(f"/sandbox/{HANDLE}", name="GET /sandbox/[handle]")
        self.token = _csrf(page.text) or self.token
        self.posts = sorted({int(p) for p in COMMENT_FORM.findall(page.text)}) or self.posts

    @task(2)
    def comment(self) -> None:
        if not self.posts or self.token is None:
            self.read()
            if not self.posts or self.token is None:
                return
        n = random.randint(0, 9999)
        text = (
            random.choice(FLAGGED).format(n=n) if random.random() < 0.3 else random.choice(LAWFUL)
        )
        with self.client.post(
            f"/sandbox/{HANDLE}/posts/{random.choice(self.posts)}/comments",
            data={"visitor_name": self.name, "body": text, "csrf_token": self.token},
            name="POST /sandbox/[handle]/posts/[id]/comments",
            allow_redirects=False,
            catch_response=True,
        ) as sent:
            if sent.status_code != 303:
                sent.failure(f"HTTP {sent.status_code}")


USERS = (Pio, Custodian, Visitor)
