"""Videos in stories (GO 409 §.12): MP4 and MOV with the same rights and consent rules as
photos, a required description, and a published copy without location or device metadata,
made without re-encoding; a cut-short or broken file is refused and nothing is written.

The videos are real ones made in the test with PyAV (``video_support``), carrying the GPS and
device metadata phones write, each in its own place (``mdta`` keys, ``©xyz``, XMP, ``loci``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from piodesk.archive.tables import ArchiveItem
from piodesk.connectors.base import PlatformError
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.model import MediaRef
from piodesk.connectors.sandbox.tables import SandboxPhoto
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from piodesk.publishing import approvals, submissions
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.tables import StoryMedia, Submission
from piodesk.publishing.video import MOV, MP4, clean_video, metadata_of
from tests.publishing.review_support import CLEAN_STORY, count, make_active, photo, store_for
from tests.publishing.test_review_flow import _review_ready, _submit
from tests.publishing.video_support import (
    DEVICE,
    ISO6709,
    LAT_TEXT,
    android_mp4,
    encode,
    iphone_mp4,
    packets,
    quicktime_mov,
)

DESCRIPTION = (
    "Recruits practise a traffic stop at the academy track; an instructor explains each step. "
    "No one speaks on camera."
)


def video(data: bytes | None = None, **overrides: object) -> submissions.PhotoUpload:
    fields: dict[str, object] = {
        "data": data if data is not None else android_mp4(),
        "filename": "academy-traffic-stop.mp4",
        "source": "Ofc. Riley Chen, on duty",
        "rights": "department",
        "depicts": frozenset({"training"}),
        "consent_reference": "Academy class 26-2 releases, PIO file 2026-131",
        "alt_text": DESCRIPTION,
    }
    fields.update(overrides)
    return submissions.PhotoUpload(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "mime"),
    [(iphone_mp4, MP4), (android_mp4, MP4), (quicktime_mov, MOV)],
    ids=["iphone-mdta", "android-xyz-xmp", "quicktime-mov"],
)
def test_published_copy_loses_location_and_device_but_keeps_every_packet(make, mime):
    original = make()
    before = metadata_of(original)["container"]
    assert LAT_TEXT in original and any("location" in k for k in before)  # the fixture is real
    clean = clean_video(original, name="clip.mp4")
    assert clean.mime_type == mime and (clean.width, clean.height) == (64, 48)
    assert "GPS location" in clean.removed and "camera model" in clean.removed
    after = metadata_of(clean.data)
    assert after["container"] == {} and after["kinds"] == ["video", "audio"]
    for needle in (LAT_TEXT, b"104.8214", DEVICE.encode(), b"Pixel 8", b"Google", b"Lavf"):
        assert needle not in clean.data, needle
    assert b"Core Media Video" not in clean.data  # the source's handler name is not copied
    assert packets(clean.data) == packets(original)  # not re-encoded: the same coded packets
    assert clean_video(clean.data).removed == ()  # nothing left to take out


def test_xmp_is_named_among_what_was_removed():
    clean = clean_video(android_mp4())
    assert "XMP data" in clean.removed and b"GPSLatitude" not in clean.data


@pytest.mark.parametrize("cut", [7, 20, 300, 1200, -400, -60, -1])
def test_a_cut_short_video_is_refused_naming_it(cut):
    data = android_mp4()
    refusal = r"cut short|not a whole|no index|no pictures|not an MP4"
    with pytest.raises(InvalidInput, match=refusal):
        clean_video(data[:cut])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 12, "no index"),
        (
            b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00" + b"\x00\x00\x00\x10zzzz" + b"\x00" * 8,
            "not a whole",
        ),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "not an MP4 or MOV"),
    ],
    ids=["empty", "no-moov", "junk-box", "avi"],
)
def test_broken_or_foreign_files_are_refused(data, reason):
    with pytest.raises(InvalidInput, match=reason):
        clean_video(data)


def test_a_whole_index_with_broken_pictures_is_refused():
    data = bytearray(android_mp4())
    at = data.index(b"mdat")
    data[at + 4 : at + 200] = bytes(196)  # the pictures zeroed, the boxes still whole
    with pytest.raises(InvalidInput, match="not a readable"):
        clean_video(bytes(data))


def test_other_codecs_are_refused_naming_them():
    with pytest.raises(InvalidInput, match=r"coded as mpeg4; piodesk publishes H\.264"):
        clean_video(encode(codec="mpeg4"))


def test_size_limit(monkeypatch):
    from piodesk.publishing import video as video_mod

    monkeypatch.setattr(video_mod, "MAX_VIDEO_BYTES", 1000)
    with pytest.raises(InvalidInput, match="the limit is 1,000"):
        video_mod.clean_video(android_mp4())


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (lambda: video(alt_text=""), "a video needs a description"),
        (lambda: video(consent_reference=""), "department training, and no written consent"),
        (lambda: video(source=""), "source"),
        (lambda: video(rights="licensed"), "licence"),
        (lambda: video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40), "not a whole|cut short"),
    ],
    ids=["no-description", "no-consent", "no-source", "no-licence", "broken"],
)
def test_video_record_refusals_name_the_reason(upload, reason):
    with pytest.raises(InvalidInput, match=reason):
        submissions.clean_upload(upload())


def test_a_cut_short_video_writes_nothing(sessions, staff, tmp_path):
    store = store_for(tmp_path)
    make_active(sessions, staff)
    with pytest.raises(InvalidInput, match="cut short"):
        _submit(sessions, staff, store, text=CLEAN_STORY, photos=[video(android_mp4()[:-500])])
    assert count(sessions, Submission) == 0 and count(sessions, StoryMedia) == 0
    assert count(sessions, ArchiveItem) == 0
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))


def test_one_video_a_story_without_photos(sessions, staff, tmp_path):
    make_active(sessions, staff)
    with pytest.raises(InvalidInput, match="one video"):
        _submit(sessions, staff, store_for(tmp_path), photos=[video(), photo()])
    assert count(sessions, Submission) == 0 and count(sessions, StoryMedia) == 0


def test_a_story_with_a_video_is_kept_as_sent_and_published_without_metadata(
    sessions, staff, sandbox_pages, tmp_path
):
    store = sandbox_pages.media
    assert store is not None
    make_active(sessions, staff)
    original = iphone_mp4()
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY, photos=[video(original)])
    with sessions() as s:
        row = submissions.current_media(s, submissions.load(s, sub_id))[0]
        archived = s.get(ArchiveItem, submissions.load(s, sub_id).archive_item_id)
    assert row.kind == "video" and row.mime_type == MP4 and row.alt_text == DESCRIPTION
    assert store.path_for(row.original_sha256).read_bytes() == original  # the record, as sent
    published = store.path_for(row.published_sha256).read_bytes()
    assert LAT_TEXT not in published and metadata_of(published)["container"] == {}
    assert "GPS location" in row.metadata_removed and archived is not None
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    with transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=staff[Role.CHIEF], store=store)
        approvals.publish(s, sub_id, actor=staff[Role.PIO], store=store)
    report = send_due(sessions, sandbox_pages.connect, media=store)
    assert len(report.sent) == 1, report
    with sessions() as s:
        shown = list(s.execute(select(SandboxPhoto)).scalars())
    assert [(p.mime_type, p.alt_text) for p in shown] == [(MP4, DESCRIPTION)]
    assert shown[0].data == published and ISO6709.encode() not in shown[0].data


# ---- the platforms: a video upload in the documented shapes ---------------------------------


def test_mastodon_waits_for_the_video_to_be_processed(httpserver: Any, monkeypatch) -> None:
    """POST /api/v2/media answers 202 with ``url: null`` while a video is processed; the
    client polls GET /api/v1/media/:id until the url is there, then posts the status
    (https://docs.joinmastodon.org/methods/media/#v2). Mastodon.py waits 5 s between polls;
    the test counts the waits instead of sleeping through them."""
    import mastodon.media

    waits: list[float] = []
    monkeypatch.setattr(mastodon.media.time, "sleep", waits.append)
    polls: list[int] = []
    attachment = {"id": "22348641", "type": "video", "url": None, "description": DESCRIPTION}
    httpserver.expect_request("/api/v1/instance/").respond_with_json({"version": "4.3.0"})
    httpserver.expect_request("/api/v2/instance").respond_with_json({"version": "4.3.0"})
    httpserver.expect_request("/api/v2/media", method="POST").respond_with_json(
        attachment, status=202
    )

    def media(request: Request) -> Response:
        polls.append(1)
        done = len(polls) > 1
        body = {**attachment, "url": "https://files.example/v.mp4" if done else None}
        return Response(
            json.dumps(body), status=200 if done else 206, content_type="application/json"
        )

    posted: list[str] = []

    def status(request: Request) -> Response:
        posted.append(request.get_data(as_text=True))
        return Response(
            json.dumps({"id": "113", "content": "<p>x</p>"}), content_type="application/json"
        )

    httpserver.expect_request("/api/v1/media/22348641").respond_with_handler(media)
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_handler(status)
    conn = MastodonConnector(
        httpserver.url_for("/").rstrip("/"),
        Credential({"access_token": "REDACTED"}),
        account_id="1",
    )
    clip = clean_video(android_mp4())
    made = conn.publish(
        "Academy training.", [MediaRef(data=clip.data, mime_type=MP4, alt_text=DESCRIPTION)]
    )
    assert made == "113" and len(polls) >= 2 and "22348641" in posted[0]
    assert len(waits) == len(polls)  # one wait before each look


def test_facebook_video_goes_to_the_pages_videos_edge(httpserver: Any) -> None:
    seen: list[tuple[str, dict[str, Any], bytes]] = []

    def videos(request: Request) -> Response:
        seen.append((request.path, dict(request.form), request.files["source"].read()))
        return Response(json.dumps({"id": "10153231379946729"}), content_type="application/json")

    httpserver.expect_request("/v19.0/1234/videos", method="POST").respond_with_handler(videos)
    conn = FacebookConnector(
        "1234",
        Credential({"access_token": "REDACTED"}),
        base_url=httpserver.url_for("/").rstrip("/"),
    )
    clip = clean_video(android_mp4())
    made = conn.publish(
        "Academy training.", [MediaRef(data=clip.data, mime_type=MP4, alt_text=DESCRIPTION)]
    )
    assert made == "10153231379946729"
    assert seen[0][1]["description"] == "Academy training." and seen[0][2] == clip.data
    with pytest.raises(PlatformError, match="one video"):
        conn.publish("x", [MediaRef(data=clip.data, mime_type=MP4), MediaRef(data=b"1")])
