"""riia.heap.settle: what a process keeps to its end is frozen out of the collector's way,
and garbage is freed first, never frozen."""

from __future__ import annotations

import gc
import weakref

from riia import heap


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_settle_frees_garbage_then_freezes_what_is_alive() -> None:
    kept, dropped = Node(), Node()
    gone = weakref.ref(dropped)
    del dropped
    assert gone() is not None  # a cycle: still there until a collection
    try:
        frozen = heap.settle()
        assert gone() is None  # collected, not frozen where it would never be freed
        assert frozen == gc.get_freeze_count() > 0
        # frozen: in no generation, so no collection walks it again
        assert gc.is_tracked(kept) and not any(o is kept for o in gc.get_objects())
    finally:
        gc.unfreeze()  # the rest of the test run as it was
    assert any(o is kept for o in gc.get_objects())
