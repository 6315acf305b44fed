"""Plain words: every audit action and permission has a label a person would say."""

from piodesk.core import tags
from piodesk.core.permissions import Perm, Role
from piodesk.core.words import PERM_LABELS, TAG_LABELS, perm_label, roles_label, tag_label


def test_every_tag_and_permission_is_translated() -> None:
    for source in tags.SOURCES:
        for member in source:
            assert member.value in TAG_LABELS, member
            assert ":" not in tag_label(member.value)
    for perm in Perm:
        assert perm.value in PERM_LABELS, perm
        assert "." not in perm_label(perm.value)


def test_role_names_not_codes() -> None:
    assert roles_label("legal_counsel,pio") == "Legal counsel, Public Information Office"
    assert roles_label(frozenset({Role.RECORDS})) == "Records custodian"
