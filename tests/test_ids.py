"""The id table: a set of ids while it is small, the compact table beyond, the same answers."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from slacheck._ids import SMALL_IDS, SeenIds

# ids as a reader may give them: any text, lone surrogates (from `\ud800` escapes) included
_IDS = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=6)


@given(st.lists(_IDS, max_size=60), st.integers(min_value=0, max_value=30))
def test_seen_ids_answer_as_a_set_does_whenever_they_move_to_the_table(
    ids: list[str], small: int
) -> None:
    seen = SeenIds(small_ids=small)
    kept: set[str] = set()
    for identifier in ids:
        assert seen.add(identifier) is (identifier not in kept)
        kept.add(identifier)
        assert len(seen) == len(kept)
    assert seen.compact is (len(kept) > small)
    assert not any(seen.add(identifier) for identifier in kept)


def test_seen_ids_move_to_the_table_past_the_threshold_with_every_id() -> None:
    seen = SeenIds(small_ids=4)
    ids = [f"MOT-25-{number:06d}" for number in range(10)]
    assert all(seen.add(identifier) for identifier in ids[:4])
    assert not seen.compact
    assert seen.add(ids[4])  # the fifth id is more than the set keeps
    assert seen.compact
    assert all(seen.add(identifier) for identifier in ids[5:])
    assert not any(seen.add(identifier) for identifier in ids)
    assert len(seen) == 10


def test_seen_ids_sized_past_the_threshold_move_to_the_table_at_once() -> None:
    seen = SeenIds(small_ids=100)
    assert seen.add("a")
    assert seen.add("b")
    seen.reserve(100)
    assert not seen.compact
    seen.reserve(101)
    assert seen.compact
    assert not seen.add("a")
    assert not seen.add("b")
    assert seen.add("c")
    assert len(seen) == 3


def test_seen_ids_sized_past_the_threshold_from_the_start_never_keep_a_set() -> None:
    seen = SeenIds(capacity=SMALL_IDS + 1)
    assert seen.compact
    assert seen.add("a")
    assert not seen.add("a")


def test_seen_ids_count_the_set_and_its_ids_in_their_bytes() -> None:
    seen = SeenIds()
    ids = [f"MOT-25-{number:06d}" for number in range(10_000)]
    for identifier in ids:
        seen.add(identifier)
    assert not seen.compact
    own = sys.getsizeof(ids[0])  # 49 bytes of a str object and its 13 characters
    # a slot of 16 bytes in a set filled to between 15% and 60%, and each id's object
    assert own + 16 / 0.6 < seen.nbytes / len(seen) < own + 16 / 0.15


def test_seen_ids_in_a_set_hold_no_table_sized_for_them() -> None:
    # a table sized ahead for ids a set keeps would be memory held for nothing
    seen = SeenIds(capacity=SMALL_IDS)
    assert not seen.compact
    assert len(seen._table) <= 2048
    seen.reserve(SMALL_IDS + 1)
    assert seen.compact
    assert len(seen._table) >= 2 * (SMALL_IDS + 1)
