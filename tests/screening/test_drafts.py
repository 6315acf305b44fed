"""Staff-draft rules (§.12): each finding says what to change."""

from __future__ import annotations

import pytest

from piodesk.screening.drafts import DraftInput, MediaItem
from piodesk.screening.engine import Screener
from piodesk.screening.model import DraftRule, TextKind


def _cats(screener: Screener, draft: DraftInput | str) -> set[str]:
    return set(screener.screen_draft(draft).categories)


POSITIVE = [
    (DraftRule.GUILT, "Officers arrested the killer on Tuesday."),
    (DraftRule.GUILT, "The man we arrested is guilty and will answer for it."),
    (DraftRule.GUILT, "We caught the perpetrator within an hour."),
    (DraftRule.PROSECUTION, "He will be convicted, the evidence is overwhelming."),
    (DraftRule.PROSECUTION, "The case against Mr. Ruiz is very strong."),
    (DraftRule.PROSECUTION, "The suspect's trial starts next month and we expect a long sentence."),
    (DraftRule.CONFIDENTIAL, "CONFIDENTIAL: briefing notes for the weekend operation"),
    (DraftRule.CONFIDENTIAL, "LES - do not forward"),
    (DraftRule.CONFIDENTIAL, "Details of case #26-004512 are below."),
    (DraftRule.CONFIDENTIAL, "Do not release until the family is notified."),
    (DraftRule.POLITICAL, "Vote yes on Measure 2A to fund more officers!"),
    (DraftRule.POLITICAL, "Re-elect Sheriff Dunn this November."),
    (DraftRule.POLITICAL, "Vote for Maria Delgado for city council."),
    (DraftRule.POLITICAL, "Join us at the Republican Party picnic."),
    (DraftRule.PRIVATE_BUSINESS, "Show your badge for 20% off at Joe's Diner."),
    (DraftRule.PRIVATE_BUSINESS, "Use promo code BLUE10 at my side business."),
    (DraftRule.EMPLOYEE_PERSONAL, "Officer Jane Smith's home address is on file."),
    (DraftRule.EMPLOYEE_PERSONAL, "Happy birthday to Sgt. Lee's wife and kids!"),
    (DraftRule.EMPLOYEE_PERSONAL, "Officer Dan Price lives on Maple Street."),
    (DraftRule.COPYRIGHT, "Photo: Getty Images"),
    (DraftRule.COPYRIGHT, "© 2025 Associated Press. All rights reserved."),
]

NEGATIVE = [
    (DraftRule.GUILT, "The suspect was found guilty by a jury on Monday."),
    (DraftRule.GUILT, "A 34-year-old man was arrested and charged with burglary."),
    (DraftRule.PROSECUTION, "The next court date is public record at the clerk's office."),
    (DraftRule.CONFIDENTIAL, "Road closure on Highway 24 until 6 p.m."),
    (DraftRule.CONFIDENTIAL, "Access to the park is restricted to residents this weekend."),
    (DraftRule.CONFIDENTIAL, "We are privileged to serve this community."),
    (DraftRule.POLITICAL, "Polling places are busy today; expect traffic near schools."),
    (DraftRule.POLITICAL, "Vote for your favorite name for our new K9!"),
    (DraftRule.POLITICAL, "Officers helped elect a new youth council chair."),
    (DraftRule.PRIVATE_BUSINESS, "Thanks to everyone who came to National Night Out!"),
    (DraftRule.EMPLOYEE_PERSONAL, "Please welcome Officer Jane Smith to the Falcon Division."),
    (DraftRule.COPYRIGHT, "Photo by CSPD Public Affairs."),
]


@pytest.mark.parametrize(("rule", "text"), POSITIVE)
def test_finds(rules_only: Screener, rule: DraftRule, text: str) -> None:
    result = rules_only.screen_draft(text)
    hits = [f for f in result.findings if f.category == rule.value]
    assert hits, [f.category for f in result.findings]
    assert all(f.section == "§.12" and f.suggestion for f in hits)


@pytest.mark.parametrize(("rule", "text"), NEGATIVE)
def test_does_not_find(rules_only: Screener, rule: DraftRule, text: str) -> None:
    assert rule.value not in _cats(rules_only, text)


def test_guilt_suggests_suspect(rules_only: Screener) -> None:
    (f,) = [
        f
        for f in rules_only.screen_draft("We arrested the killer.").findings
        if f.category == "guilt"
    ]
    assert '"the suspect"' in f.suggestion
    assert "alleged" in f.suggestion


def test_media_without_consent_or_rights(rules_only: Screener) -> None:
    draft = DraftInput(
        "Training day at the range.",
        (
            MediaItem("range.jpg", depicts_training_or_operations=True),
            MediaItem("ok.jpg", consent_recorded=True, rights_recorded=True),
            MediaItem("stock.jpg", consent_recorded=True),
        ),
    )
    result = rules_only.screen_draft(draft)
    by_rule = {(f.category, f.evidence) for f in result.findings}
    assert ("media_consent", "range.jpg") in by_rule
    assert ("copyright", "range.jpg") in by_rule
    assert ("copyright", "stock.jpg") in by_rule
    assert not any(ev == "ok.jpg" for _c, ev in by_rule)
    assert result.kind is TextKind.DRAFT


def test_drafts_also_get_comment_categories(rules_only: Screener) -> None:
    cats = _cats(rules_only, "Call the victim's mother at 719-555-0134.")
    assert "pii" in cats


def test_comment_rules_do_not_apply_draft_rules(rules_only: Screener) -> None:
    assert rules_only.screen_comment("The killer is guilty").findings == ()
