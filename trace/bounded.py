"""A dict for per-process caches that starts afresh when full::

    _FACTS = BoundedCache(1024)
    found = _FACTS.get(key)
    if found is None:
        found = _FACTS.keep(key, compute())

For caches keyed by something that moves on (a content version, the minute: stale
keys are never asked for again) or that anyone can vary (a forged code's key id).
Clearing all at once is simpler than evicting one by one, and a miss only costs
what the cache saves.
"""

from __future__ import annotations

import threading
from typing import Any


class BoundedCache(dict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._lock = threading.Lock()

    def keep(self, key: Any, value: Any) -> Any:
        """Store ``value`` under ``key`` (clearing first when full) and return it."""
        with self._lock:
            if len(self) >= self.size:
                self.clear()
            self[key] = value
        return value
