"""Neutral types, the connector contract, and credential encryption."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest

from piodesk.connectors.base import (
    REGISTRY,
    AuthExpired,
    Connection,
    Connector,
    PlatformError,
    RateLimited,
    UnsupportedAction,
    UnsupportedPlatform,
    check_capabilities,
    create,
    registered,
)
from piodesk.connectors.credentials import (
    Credential,
    CredentialError,
    decrypt,
    encrypt,
    rotate,
)
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    ItemKind,
    MediaRef,
    PageProfile,
)


def _item(**overrides: object) -> CapturedItem:
    values: dict[str, object] = {
        "kind": ItemKind.COMMENT,
        "platform": "mastodon",
        "platform_id": "42",
        "raw": b'{"id":"42"}',
        "page_platform_id": "7",
        "parent_platform_id": "41",
        "author_platform_id": "9",
        "author_name": "resident",
        "created_at": datetime(2026, 8, 1, 13, 0, tzinfo=UTC),
        "text": "When will the road reopen?",
        "fields": {"visibility": "public", "is_hidden": False},
        "media": (MediaRef(url="https://example.org/a.jpg", mime_type="image/jpeg"),),
    }
    values.update(overrides)
    return CapturedItem(**values)  # type: ignore[arg-type]


def test_identity_is_platform_kind_id() -> None:
    assert _item().identity == ("mastodon", "comment", "42")


def test_items_can_be_hashed_and_compared() -> None:
    assert _item() == _item() and len({_item(), _item()}) == 1
    assert _item(fields={"is_hidden": True}) != _item()
    # Media given as a list (as connectors build it) is frozen into a tuple.
    listed = _item(media=[MediaRef(url="u")])
    assert listed.media == (MediaRef(url="u"),)
    assert hash(listed) == hash(_item(media=(MediaRef(url="u"),)))


def test_fingerprint_is_stable_and_ignores_raw() -> None:
    assert _item().fingerprint == _item().fingerprint
    # The same record with different volatile raw bytes (a new like count) is "same again".
    assert _item(raw=b'{"id":"42","favourites_count":3}').fingerprint == _item().fingerprint
    # The same instant written in another zone is the same record.
    other_zone = datetime(2026, 8, 1, 15, 0, tzinfo=timezone(timedelta(hours=2)))
    assert _item(created_at=other_zone).fingerprint == _item().fingerprint
    # Field order does not matter.
    assert (
        _item(fields={"is_hidden": False, "visibility": "public"}).fingerprint
        == _item().fingerprint
    )


@pytest.mark.parametrize(
    "change",
    [
        {"text": "When will the road reopen??"},
        {"edited_at": datetime(2026, 8, 1, 14, 0, tzinfo=UTC)},
        {"fields": {"visibility": "public", "is_hidden": True}},
        {"media": ()},
        {"media": (MediaRef(data=b"other bytes", mime_type="image/jpeg"),)},
        {"author_name": "someone else"},
        {"parent_platform_id": None},
    ],
)
def test_fingerprint_changes_with_the_record(change: dict[str, object]) -> None:
    assert _item(**change).fingerprint != _item().fingerprint


def test_media_bytes_are_fingerprinted_by_hash() -> None:
    a = _item(media=(MediaRef(data=b"PIXELDATA1", mime_type="image/png"),))
    b = _item(media=(MediaRef(data=b"PIXELDATA2", mime_type="image/png"),))
    assert a.fingerprint != b.fingerprint
    assert "PIXELDATA" not in repr(a.media[0])  # bytes are not dumped into logs


def test_items_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _item(created_at=datetime(2026, 8, 1, 13, 0))
    with pytest.raises(TypeError, match="raw must be the bytes"):
        _item(raw='{"id":"42"}')
    with pytest.raises(ValueError, match="platform id"):
        _item(platform_id="")
    with pytest.raises(TypeError):
        _item(fields={"when": datetime.now(UTC)})  # not JSON: refused at the connector
    with pytest.raises(ValueError, match="needs a url"):
        MediaRef()


def test_profile_as_item() -> None:
    profile = PageProfile(
        platform="facebook",
        page_platform_id="1",
        name="Police Department",
        about="Maintained by the PIO office.",
        raw=b"{}",
        links=("https://example.gov",),
        contact={"phone": "555-0100"},
    )
    item = profile.as_item()
    assert item.kind is ItemKind.PROFILE and item.text == "Maintained by the PIO office."
    assert item.fields["links"] == ["https://example.gov"]


def test_errors_read_well() -> None:
    assert str(UnsupportedAction("mastodon", Capability.HIDE_COMMENT)) == (
        "mastodon does not support hide comment"
    )
    assert "retry after 300 s" in str(RateLimited("facebook", 300))
    assert "rejected the credential" in str(AuthExpired("facebook", "expired"))
    err = PlatformError("mastodon", 422, "Text can't be blank")
    assert (err.status, err.message) == (422, "Text can't be blank")


def test_base_connector_lacks_everything() -> None:
    class Nothing(Connector):
        platform = "nothing"
        capabilities = frozenset()

    check_capabilities(Nothing)
    conn = Nothing()
    for call in (
        conn.read_profile,
        lambda: conn.fetch_posts(None),
        lambda: conn.fetch_comments("1"),
        conn.fetch_subscribers,
        lambda: conn.publish("x"),
        lambda: conn.hide_comment("1"),
        lambda: conn.unhide_comment("1"),
        lambda: conn.delete_comment("1"),
        lambda: conn.delete_post("1"),
        lambda: conn.block("1"),
        lambda: conn.unblock("1"),
    ):
        with pytest.raises(UnsupportedAction, match="nothing does not support"):
            call()


def test_declared_and_implemented_must_agree() -> None:
    class Liar(Connector):
        platform = "liar"
        capabilities = frozenset({Capability.BLOCK})

    with pytest.raises(TypeError, match="does not implement block but declares block"):
        check_capabilities(Liar)

    class Shy(Connector):
        platform = "shy"
        capabilities = frozenset()

        def block(self, person_id: str) -> None:
            pass

    with pytest.raises(TypeError, match="implements block but does not declare block"):
        check_capabilities(Shy)


def test_registry_knows_the_built_in_connectors() -> None:
    assert registered("mastodon") is MastodonConnector
    assert registered("facebook") is FacebookConnector
    assert registered("myspace") is None
    for cls in REGISTRY.values():
        check_capabilities(cls)
    with pytest.raises(UnsupportedPlatform, match="no connector for myspace"):
        create("myspace", Connection("someone"))


def test_create_builds_each_platform_from_its_connection() -> None:
    token = Credential({"access_token": "secret-token-value"})
    mastodon = create("mastodon", Connection("cspd", {"api_base_url": "https://m.example"}, token))
    assert isinstance(mastodon, MastodonConnector)
    assert mastodon.api_base_url == "https://m.example"
    facebook = create("facebook", Connection("cspd", {"graph_page_id": "1234"}, token))
    assert isinstance(facebook, FacebookConnector) and facebook.page_id == "1234"
    with pytest.raises(AuthExpired, match="no credential"):
        create("facebook", Connection("cspd", {"graph_page_id": "1234"}))


def test_credentials_round_trip_and_hide_values() -> None:
    key = "an app secret that is long enough"
    token = encrypt({"access_token": "EAAB-live-token", "app_secret": "s3"}, key)
    assert b"EAAB" not in token
    cred = decrypt(token, key)
    assert cred.secret("access_token") == "EAAB-live-token"
    assert dict(cred) == {"access_token": "EAAB-live-token", "app_secret": "s3"}
    for text in (repr(cred), str(cred), f"{cred}"):
        assert "EAAB" not in text and "s3'" not in text and "app_secret" in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(cred)
    with pytest.raises(KeyError, match="no 'password'"):
        cred.secret("password")


def test_credentials_refuse_wrong_key_and_tampering() -> None:
    token = encrypt({"access_token": "t"}, "the right key, long enough")
    with pytest.raises(CredentialError, match="cannot be decrypted"):
        decrypt(token, "the wrong key, long enough!")
    tampered = token[:-5] + (b"A" if token[-5:-4] != b"A" else b"B") + token[-4:]
    with pytest.raises(CredentialError):
        decrypt(tampered, "the right key, long enough")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        encrypt({"access_token": "t"}, "short")


def test_credential_values_must_be_text() -> None:
    with pytest.raises(TypeError):
        Credential({"access_token": 123})  # type: ignore[dict-item]


def test_key_rotation() -> None:
    old, new = "the old app secret, long enough", "the new app secret, long enough"
    token = encrypt({"access_token": "t"}, old)
    with pytest.raises(CredentialError):
        decrypt(token, new)
    assert decrypt(token, new, old_keys=[old]).secret("access_token") == "t"
    rotated = rotate(token, new, old_keys=[old])
    assert decrypt(rotated, new).secret("access_token") == "t"
    with pytest.raises(CredentialError):
        decrypt(rotated, old)
