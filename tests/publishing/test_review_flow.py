"""The whole way: recommendation → vetting → training → active → submission → review with §.12
findings → approval → publish (the outbox), and every refusal on the way writing nothing."""

from __future__ import annotations

import importlib.util
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.sandbox.tables import SandboxPhoto
from piodesk.core import clock, evidence
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.migrate import MIGRATIONS
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.people import actions as people
from piodesk.publishing import approvals, cadre, outbox, review, submissions
from piodesk.publishing.media import metadata_of
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.outbox_tables import Publication
from piodesk.publishing.tables import (
    APPEND_ONLY,
    CadreEvent,
    StoryMedia,
    StoryVersion,
    Submission,
)
from piodesk.publishing.workflow import CadreState, CadreStep, StoryState
from tests.conftest import JUSTIFICATION, PASSWORD
from tests.publishing.review_support import (
    CLEAN_STORY,
    STORY,
    count,
    make_active,
    photo,
    store_for,
)


def _submit(sessions, staff, store, **kw):
    with transaction(sessions) as s:
        return submissions.submit(
            s,
            actor=staff[Role.CADRE],
            title=kw.pop("title", "Burglary arrest on Platte"),
            text=kw.pop("text", STORY),
            sources=kw.pop("sources", ["Case report (Sgt. Diaz)", "Patrol log"]),
            event_date=kw.pop("event_date", "2026-11-30"),
            photos=kw.pop("photos", [photo()]),
            store=store,
            **kw,
        ).id


def _review_ready(sessions, staff, store, sub_id, page_ids, send=True):
    """Resolve every finding (one by editing it out, the rest kept), attest, plan."""
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        sub = submissions.load(s, sub_id)
        for v in review.findings(s, sub):
            if v.finding["category"] != "guilt":
                review.keep_finding(
                    s,
                    sub_id,
                    v.finding["key"],
                    actor=pio,
                    reason="Public record: charges were filed",
                    store=store,
                )
        review.attest(s, sub_id, actor=pio, store=store)
        review.plan(s, sub_id, actor=pio, page_ids=page_ids, category="outreach", store=store)
        if send:
            review.send_for_approval(s, sub_id, actor=pio, store=store)


def test_recommendation_to_publication(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    member_id = make_active(sessions, staff)
    with sessions() as s:
        steps = [e.step for e in cadre.history(s, member_id, actor=staff[Role.PIO])]
        member = cadre.get_member(s, member_id, actor=staff[Role.PIO])
    assert steps == ["recommend", "vet", "train"] and member.state == CadreState.ACTIVE

    sub_id = _submit(sessions, staff, store)
    with sessions() as s:
        sub = submissions.load(s, sub_id)
        views = review.findings(s, sub)
        cats = {v.finding["category"] for v in views}
        # The finding carries where it is in the text, so the page can highlight it.
        guilt = next(v.finding for v in views if v.finding["category"] == "guilt")
        start, end = guilt["spans"][0]
        assert "guilty" in STORY[start:end]
        assert sub.state == StoryState.IN_REVIEW and sub.archive_item_id is not None
        media = submissions.current_media(s, sub)
    assert {"guilt", "prosecution"} <= cats
    # The photo as sent is kept (with its GPS); the copy that goes out has none.
    original = store.path_for(media[0].original_sha256).read_bytes()
    published = store.path_for(media[0].published_sha256).read_bytes()
    assert metadata_of(original)["gps"] and not metadata_of(published)["gps"]
    assert metadata_of(published)["exif_tags"] == []
    assert "GPS location" in media[0].metadata_removed

    pio = staff[Role.PIO]
    # Nothing is sent for approval while findings are unresolved.
    with pytest.raises(Conflict, match="finding not resolved"), transaction(sessions) as s:
        review.send_for_approval(s, sub_id, actor=pio)

    with transaction(sessions) as s:
        v2 = review.edit(
            s,
            sub_id,
            actor=pio,
            text=STORY.replace("The suspect is clearly guilty. ", ""),
            note="no statements on guilt or the case (§.12)",
            store=store,
        )
    assert v2.version == 2
    with sessions() as s:
        left = review.findings(s, submissions.load(s, sub_id))
        resolved = review.resolutions(s, submissions.load(s, sub_id))
    assert all(v.finding["category"] != "guilt" for v in left)
    assert any(r.decision == "changed" and r.category == "guilt" for r in resolved)

    page_ids = [sandbox_pages.ids["north"], sandbox_pages.ids["south"]]
    _review_ready(sessions, staff, store, sub_id, page_ids)
    with transaction(sessions) as s:
        sub = approvals.approve(s, sub_id, actor=pio, note="good to go", store=store)
        assert sub.state == StoryState.APPROVED
        sub = approvals.publish(s, sub_id, actor=pio, store=store)
        publication = int(sub.publication_id or 0)
    # What the outbox's sender job does after the commit: one send per page, never twice.
    report = send_due(sessions, sandbox_pages.connect, media=store)
    assert len(report.sent) == 2 and send_due(sessions, sandbox_pages.connect).sent == []
    for handle in ("north", "south"):
        assert sandbox_pages.posts(handle) == [v2.text]
    assert sandbox_pages.posts("east") == []
    # The platform got the photo without its GPS or camera, with its alt text.
    with sessions() as s:
        photos = list(s.execute(select(SandboxPhoto)).scalars())
    assert len(photos) == 2 and {p.alt_text for p in photos} == {media[0].alt_text}
    assert all(metadata_of(p.data) == {"exif_tags": [], "gps": {}, "xmp": False} for p in photos)
    with sessions() as s:
        st = outbox.status(s, publication)
        pub_text = st.text
        archived = s.execute(
            select(ArchiveItem).where(ArchiveItem.platform_id == f"submission:{sub_id}")
        ).scalar_one()
        texts = [
            v.text
            for v in s.execute(
                select(ArchiveVersion)
                .where(ArchiveVersion.item_id == archived.id)
                .order_by(ArchiveVersion.version)
            ).scalars()
        ]
        assert evidence.verify(s).ok
    assert sorted(p.page_id for p in st.pages) == sorted(page_ids)
    assert st.label == "Published" and all(p.external_id for p in st.pages)
    assert "guilty" not in pub_text and st.source == f"post:{sub_id}"
    assert archived.kind == "submission" and texts[0] == STORY and "guilty" not in texts[-1]
    assert len(texts) >= 5  # sent, edited, kept, attested, planned, approved, published …


def test_a_photo_goes_out_without_its_metadata(sessions, staff, agency, tmp_path):
    store = store_for(tmp_path)
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform="mastodon",
            handle="cspd@police.social",
            name="CSPD on Mastodon",
            administering_unit="Public Affairs",
        )
        pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY)
    _review_ready(sessions, staff, store, sub_id, [page.id])
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=staff[Role.CHIEF], store=store)
        publication = int(approvals.publish(s, sub_id, actor=pio, store=store).publication_id or 0)
    with sessions() as s:
        sent = s.get(Publication, publication)
        photo_row = submissions.current_media(s, submissions.load(s, sub_id))[0]
    assert sent is not None and sent.media[0]["sha256"] == photo_row.published_sha256
    assert sent.media[0]["alt_text"] == photo_row.alt_text
    out = store.path_for(sent.media[0]["sha256"]).read_bytes()
    assert metadata_of(out) == {"exif_tags": [], "gps": {}, "xmp": False}


def test_not_active_cannot_submit_and_nothing_is_written(sessions, staff, tmp_path):
    store = store_for(tmp_path)
    with pytest.raises(PermissionDenied, match="only active cadre members"):
        _submit(sessions, staff, store)
    with transaction(sessions) as s:
        m = cadre.recommend(
            s,
            actor=staff[Role.SUPERVISOR],
            account_id=staff[Role.CADRE].account_id,
            division="Gold Hill",
            reason="volunteered",
        )
    with pytest.raises(PermissionDenied, match="membership is recommended"):
        _submit(sessions, staff, store)
    make_active_id = m.id
    with transaction(sessions) as s:
        cadre.take_step(s, make_active_id, CadreStep.VET, actor=staff[Role.INTERNAL_AFFAIRS])
        cadre.take_step(
            s,
            make_active_id,
            CadreStep.TRAIN,
            actor=staff[Role.PIO],
            training=cadre.Training("Cadre course", clock.now().date()),
        )
        cadre.take_step(
            s, make_active_id, CadreStep.SUSPEND, actor=staff[Role.PIO], reason="on leave"
        )
    with pytest.raises(PermissionDenied, match="membership is suspended"):
        _submit(sessions, staff, store)
    assert count(sessions, Submission) == 0 and count(sessions, StoryVersion) == 0
    assert count(sessions, ArchiveItem) == 0


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"consent_reference": ""}, "no written consent is on file"),
        ({"alt_text": ""}, "needs alt text"),
        ({"source": ""}, "source"),
        ({"rights": "licensed", "licence": ""}, "licence"),
        ({"rights": ""}, "who owns it"),
        ({"data": b"not a picture"}, "not a readable photo"),
        ({"depicts": frozenset({"training"}), "consent_reference": ""}, "department training"),
    ],
)
def test_photo_refusals_name_the_reason_and_write_nothing(
    sessions, staff, tmp_path, override, reason
):
    store = store_for(tmp_path)
    make_active(sessions, staff)
    with pytest.raises(InvalidInput, match=reason):
        _submit(sessions, staff, store, photos=[photo(**override)])
    assert count(sessions, Submission) == 0 and count(sessions, StoryMedia) == 0


def test_photo_without_people_needs_no_consent(sessions, staff, tmp_path):
    make_active(sessions, staff)
    sub_id = _submit(
        sessions,
        staff,
        store_for(tmp_path),
        text=CLEAN_STORY,
        photos=[photo(depicts=frozenset(), consent_reference="")],
    )
    with sessions() as s:
        cats = {v.finding["category"] for v in review.findings(s, submissions.load(s, sub_id))}
    assert "media_consent" not in cats


def test_nobody_approves_their_own_work(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    # A PIO who is also in the cadre: the cadre role bars approving, whatever else they hold.
    with transaction(sessions) as s:
        both = people.actor_for(
            people.seed_account(
                s,
                username="pio-cadre",
                display_name="Ofc. Both Roles",
                password=PASSWORD,
                roles=["pio", "cadre"],
                reason="test",
            )
        )
    make_active(sessions, staff, who=both)
    with transaction(sessions) as s:
        sub_id = submissions.submit(s, actor=both, title="Coffee", text=CLEAN_STORY, store=store).id
    with pytest.raises(PermissionDenied, match="Social Media Cadre"), transaction(sessions) as s:
        review.attest(s, sub_id, actor=both)
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    with pytest.raises(PermissionDenied, match="Social Media Cadre"), transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=both)
    with pytest.raises(PermissionDenied, match="Social Media Cadre"), transaction(sessions) as s:
        approvals.publish(s, sub_id, actor=both)
    with sessions() as s:
        assert approvals.why_not(s, submissions.load(s, sub_id), both)
        assert approvals.current_approvals(s, submissions.load(s, sub_id)) == []


def test_tiers_all_rule_and_expiry_on_text_change(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    pio, chief = staff[Role.PIO], staff[Role.CHIEF]
    with transaction(sessions) as s:
        policy = approvals.parse_tiers([("any", []), ("all", [chief.account_id])])
        approvals.set_policy(s, actor=staff.admin, policy=policy, reason="two tiers")
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY, photos=[])
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    with transaction(sessions) as s:
        assert approvals.approve(s, sub_id, actor=pio).state == StoryState.AWAITING_APPROVAL
    # Tier 2 names the chief: the PIO cannot approve twice, at another tier.
    with pytest.raises(PermissionDenied, match="names"), transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=pio)
    # The text changes: the approval expires and the post goes back to review.
    with transaction(sessions) as s:
        review.edit(s, sub_id, actor=pio, text=CLEAN_STORY + " #CSPD", store=store)
        sub = submissions.load(s, sub_id)
        assert sub.state == StoryState.IN_REVIEW
        assert approvals.current_approvals(s, sub) == []
    with pytest.raises(Conflict, match="not attested"), transaction(sessions) as s:
        review.send_for_approval(s, sub_id, actor=pio)
    with transaction(sessions) as s:
        review.attest(s, sub_id, actor=pio)
        review.send_for_approval(s, sub_id, actor=pio)
        approvals.approve(s, sub_id, actor=pio)
        assert approvals.approve(s, sub_id, actor=chief).state == StoryState.APPROVED


def test_unapproved_posts_past_their_time_expire(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY, photos=[])
    pio = staff[Role.PIO]
    soon = clock.now() + timedelta(minutes=30)
    with transaction(sessions) as s:
        review.plan(
            s,
            sub_id,
            actor=pio,
            page_ids=[sandbox_pages.ids["north"]],
            category="tips",
            scheduled_for=soon,
        )
    later = clock.now() + timedelta(hours=1)
    clock.set_clock(lambda: later)
    try:
        with transaction(sessions) as s:
            assert approvals.expire_overdue(s) == [sub_id]
        with sessions() as s:
            expired = approvals.expired_list(s, actor=pio)
        assert [r.sub.id for r in expired] == [sub_id]
        with pytest.raises(Conflict, match="expired"), transaction(sessions) as s:
            approvals.approve(s, sub_id, actor=staff[Role.CHIEF])
        with transaction(sessions) as s:
            review.reopen(s, sub_id, actor=pio, scheduled_for=None)
            assert submissions.load(s, sub_id).state == StoryState.IN_REVIEW
    finally:
        clock.set_clock(None)


def test_keeping_a_finding_needs_a_reason_and_a_finding(sessions, staff, tmp_path):
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store_for(tmp_path), photos=[])
    with sessions() as s:
        views = review.findings(s, submissions.load(s, sub_id))
    key = views[0].finding["key"]
    with pytest.raises(InvalidInput, match="reason"), transaction(sessions) as s:
        review.keep_finding(s, sub_id, key, actor=staff[Role.PIO], reason="")
    with pytest.raises(NotFound), transaction(sessions) as s:
        review.keep_finding(s, sub_id, "no-such-key", actor=staff[Role.PIO], reason="because so")


def test_cadre_steps_by_the_right_role_only(sessions, staff):
    cand = staff[Role.EMPLOYEE]
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        cadre.recommend(
            s, actor=staff[Role.PIO], account_id=cand.account_id, division="X", reason="r"
        )
    with pytest.raises(PermissionDenied, match="themselves"), transaction(sessions) as s:
        cadre.recommend(
            s,
            actor=staff[Role.SUPERVISOR],
            account_id=staff[Role.SUPERVISOR].account_id,
            division="X",
            reason="me",
        )
    with transaction(sessions) as s:
        m = cadre.recommend(
            s, actor=staff[Role.SUPERVISOR], account_id=cand.account_id, division="X", reason="r"
        )
    # Training before vetting is not a declared move.
    with pytest.raises(Conflict, match="cannot go from"), transaction(sessions) as s:
        cadre.take_step(
            s,
            m.id,
            CadreStep.TRAIN,
            actor=staff[Role.PIO],
            training=cadre.Training("c", clock.now().date()),
        )
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        cadre.take_step(s, m.id, CadreStep.VET, actor=staff[Role.PIO])
    with pytest.raises(PermissionDenied, match="only the member"), transaction(sessions) as s:
        cadre.take_step(s, m.id, CadreStep.LEAVE, actor=staff[Role.PIO])
    with transaction(sessions) as s:
        cadre.take_step(s, m.id, CadreStep.LEAVE, actor=cand, reason="too busy")
    with sessions() as s:
        assert cadre.get_member(s, m.id, actor=cand).state == CadreState.ENDED
    assert count(sessions, CadreEvent) == 2  # the refusals wrote nothing


def test_records_are_append_only(sessions, staff, tmp_path):
    make_active(sessions, staff)
    _submit(sessions, staff, store_for(tmp_path), photos=[photo()])
    for table in ("cadre_events", "story_versions", "story_media"):  # the ones with rows now
        for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET id = id"):
            with pytest.raises(DBAPIError, match="append-only"), transaction(sessions) as s:
                s.execute(text(statement))


def test_migration_and_tables_agree_on_append_only():
    path = next(MIGRATIONS.glob("versions/0014_*.py"))
    spec = importlib.util.spec_from_file_location("m0014", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.APPEND_ONLY) == set(APPEND_ONLY)


def test_rejected_stories_and_notes_stay_in_the_archive(sessions, staff, tmp_path):
    store = store_for(tmp_path)
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, photos=[photo()])
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        review.add_note(
            s, sub_id, actor=pio, text="Checking with the DA's office first.", store=store
        )
        review.reject(
            s, sub_id, actor=pio, reason="The case is still open; not for release.", store=store
        )
    with pytest.raises(Conflict), transaction(sessions) as s:
        review.edit(s, sub_id, actor=pio, text="anything")
    with sessions() as s:
        sub = submissions.load(s, sub_id)
        latest = s.execute(
            select(ArchiveVersion)
            .where(ArchiveVersion.item_id == sub.archive_item_id)
            .order_by(ArchiveVersion.version.desc())
            .limit(1)
        ).scalar_one()
        assert evidence.verify(s).ok
    assert sub.state == StoryState.REJECTED
    assert latest.fields["state"] == "rejected" and latest.text == STORY
    assert [n["kind"] for n in latest.fields["notes"]] == ["note", "rejection"]
    assert latest.fields["notes"][1]["text"] == "The case is still open; not for release."
    assert latest.media and latest.media[0]["sha256"]  # the photo as sent, in the archive


def test_the_author_withdraws_their_own_story_only(sessions, staff, tmp_path):
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store_for(tmp_path), photos=[])
    with (
        pytest.raises(PermissionDenied, match="only the story's author"),
        transaction(sessions) as s,
    ):
        submissions.withdraw(s, sub_id, actor=staff[Role.PIO])
    with transaction(sessions) as s:
        submissions.withdraw(s, sub_id, actor=staff[Role.CADRE], reason="event cancelled")
    with sessions() as s:
        assert submissions.load(s, sub_id).state == StoryState.WITHDRAWN
        assert submissions.get(s, sub_id, actor=staff[Role.CADRE]).id == sub_id
    with pytest.raises(PermissionDenied), sessions() as s:
        submissions.get(s, sub_id, actor=staff[Role.EMPLOYEE])


def test_a_photo_left_out_of_the_post_stays_on_the_record(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY)
    pio = staff[Role.PIO]
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    with sessions() as s:
        photo_row = submissions.current_media(s, submissions.load(s, sub_id))[0]
    with transaction(sessions) as s:
        v2 = review.leave_out_photo(
            s, sub_id, photo_row.id, actor=pio, reason="a better photo is coming", store=store
        )
        sub = submissions.load(s, sub_id)
        # A new version of the post: back to review, its attestation and approvals expired.
        assert v2.version == 2 and sub.state == StoryState.IN_REVIEW
        assert submissions.current_media(s, sub) == []
        assert review.current_attestation(s, sub) is None
        kept = list(s.execute(select(StoryMedia).where(StoryMedia.submission_id == sub_id)))
    assert len(kept) == 2  # the photo as sent, and the record that leaves it out
    with transaction(sessions) as s:
        review.attest(s, sub_id, actor=pio, store=store)
        review.send_for_approval(s, sub_id, actor=pio, store=store)
        approvals.approve(s, sub_id, actor=staff[Role.CHIEF], store=store)
        approvals.publish(s, sub_id, actor=pio, store=store)
    send_due(sessions, sandbox_pages.connect, media=store)
    assert sandbox_pages.posts("north") == [CLEAN_STORY]
    assert count(sessions, SandboxPhoto) == 0
