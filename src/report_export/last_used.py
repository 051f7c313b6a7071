"""What a warm process keeps from one render to the next: the entries last used, up to a size.

``functools.lru_cache`` memoises a function of its arguments; what is kept here is looked up
by a key the caller makes from more than its arguments (a face's address, a digest of a
stream, files that may have changed since), and the caller decides whether a kept entry still
holds (``layout_engine.styles`` checks the files a parse read).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LastUsed(Generic[K, V]):
    """A mapping of at most ``size`` entries: putting one more drops the least recently used."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The entry of ``key`` (now the most recently used), or None."""
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> V:
        """``value`` kept for ``key``, as the most recently used; it is returned."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
