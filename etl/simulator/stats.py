"""Request, response and fault counters, readable by tests in-process or over HTTP."""

from __future__ import annotations

import threading
from collections import Counter

# endpoint name -> rate-limit class (None: not limited)
ENDPOINTS: dict[str, str | None] = {
    "images_bbox": "search",  # /images?bbox=
    "images_sequence": "entity",  # /images?sequence_ids=
    "images_ids": "entity",  # /images?image_ids=
    "image_ids": "entity",  # /image_ids?sequence_id=
    "entity": "entity",  # /{id}
    "entities": "entity",  # /?ids=
    "tiles": "tiles",  # /maps/vtp/...
    "thumbs": None,  # /thumbs/... (the CDN)
}


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.responses: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.images = 0

    def request(self, endpoint: str) -> int:
        """Count a request; returns its 1-based number for that endpoint."""
        with self._lock:
            self.requests[endpoint] += 1
            return self.requests[endpoint]

    def response(self, status: int) -> None:
        with self._lock:
            self.responses[str(status)] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def served(self, images: int) -> None:
        with self._lock:
            self.images += images

    def snapshot(self) -> dict:
        """{"requests": {endpoint: n}, "responses": {status: n}, "faults": {kind: n}, "images_served": n}."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "responses": dict(self.responses),
                "faults": dict(self.faults),
                "images_served": self.images,
            }
