"""The one chain walker: the same checks for every chain, and the hash format kept."""

from __future__ import annotations

import pytest

from piodesk.core import chain


def links(n: int) -> list[chain.Link]:
    """A well-formed chain of ``n`` links."""
    out, head = [], chain.START
    for seq in range(1, n + 1):
        fields = {"seq": seq, "what": f"thing {seq}"}
        new = chain.extend(head, fields)
        out.append(chain.Link(seq, head.hash, new.hash, fields, f"thing {seq}"))
        head = new
    return out


def walk(items: list[chain.Link], stored: chain.Head | None, **kw) -> chain.ChainResult:
    w = chain.Walk("thing", **kw)
    for link in items:
        w.add(link)
    return w.finish(stored)


def test_hash_format_is_unchanged() -> None:
    # The value the audit log's event_hash gave before core/chain.py existed: old data verifies.
    fields = {
        "seq": 1,
        "actor_name": "Zoë",
        "data": {"b": [1, 2], "a": None},
        "occurred_at": "2026-11-01T12:00:00.000000+00:00",
    }
    assert chain.link_hash(fields, chain.GENESIS) == (
        "d19a2d9ec99970c8b2d6973e523d19ea09b2a92ec8c5799d85c6ad74d9d6cd63"
    )


def test_intact_chain_and_its_recomputed_head() -> None:
    items = links(5)
    result = walk(items, chain.Head(5, items[-1].hash), wanted={2, 5})
    assert result.ok and result.checked == 5
    assert result.head == chain.Head(5, items[-1].hash)
    assert result.hashes == {2: items[1].hash, 5: items[4].hash}


def test_empty_chain_without_a_head_is_fine() -> None:
    assert walk([], None).ok


def _altered(items: list[chain.Link]) -> list[chain.Link]:
    items[2] = chain.Link(3, items[2].prev_hash, items[2].hash, {"seq": 3, "what": "x"}, "thing 3")
    return items


def _reordered(items: list[chain.Link]) -> list[chain.Link]:
    a, b = items[1], items[2]
    items[1] = chain.Link(2, a.prev_hash, a.hash, b.fields, "thing 2")
    items[2] = chain.Link(3, b.prev_hash, b.hash, a.fields, "thing 3")
    return items


@pytest.mark.parametrize(
    ("tamper", "stored_count", "bad", "words"),
    [
        (_altered, 5, 3, "thing 3 was altered"),
        (lambda items: items[:2] + items[3:], 5, 3, "thing 3 is missing from the chain"),
        (_reordered, 5, 2, "thing 2 was altered"),
        (lambda items: items[:4], 5, 5, "things after 4 were removed (the chain head says 5)"),
        (lambda items: items, 4, 5, "things after 4 are past the chain head"),
        (lambda items: items, None, 6, "the chain head is missing"),
    ],
)
def test_every_chain_gets_the_same_checks(tamper, stored_count, bad, words) -> None:
    good = links(5)
    stored = None if stored_count is None else chain.Head(stored_count, good[stored_count - 1].hash)
    result = walk(tamper(list(good)), stored)
    assert not result.ok
    assert result.first_bad_seq == bad
    assert words in result.problem


def test_a_head_that_names_another_hash_is_named() -> None:
    items = links(3)
    result = walk(items, chain.Head(3, "f" * 64))
    assert not result.ok and "does not match thing 3" in result.problem


def test_recomputed_hashes_follow_the_fields_not_the_stored_hashes() -> None:
    # A link rewritten with every later hash recomputed is intact on its own, but the hash
    # recomputed at a later link differs from what a checkpoint signed before the rewrite.
    before = links(4)
    after = list(before)
    after[1] = chain.Link(2, before[0].hash, "", {"seq": 2, "what": "changed"}, "thing 2")
    head = chain.Head(1, before[0].hash)
    fixed = [before[0]]
    for link in after[1:]:
        new = chain.extend(head, link.fields)
        fixed.append(chain.Link(link.seq, head.hash, new.hash, link.fields, link.label))
        head = new
    result = walk(fixed, head, wanted={4})
    assert result.ok
    assert result.hashes[4] != before[3].hash


def test_walk_from_a_trusted_head_checks_only_what_came_after() -> None:
    items = links(5)
    start = chain.Head(3, items[2].hash)
    result = walk(items[3:], chain.Head(5, items[-1].hash), start=start)
    assert result.ok and result.checked == 2
    assert not walk(items[3:], chain.Head(5, items[-1].hash), start=chain.Head(3, "e" * 64)).ok


def test_every_registered_chain_is_covered() -> None:
    assert [c.name for c in chain.chains()] == ["archive", "audit"]
