"""MongoDB raw access (real server and stand-in alike): reset and snapshot of the canonical collections."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Layout

__all__ = ["PRESERVED", "reset", "snapshot"]

#: Canonical collections a reset keeps: the billing sequence's counters, so that seq keeps growing
#: across resets as it does across a real deployment's lifetime.  Snapshots leave them out too.
PRESERVED: tuple[str, ...] = ("counters",)
#: One encoder for every document of a snapshot (json.dumps with options builds one per call).
_DOCUMENT_TEXT = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


def _collections(layout: Layout | None) -> list[str]:
    assert layout is not None
    return [name for name in layout.tables() if name not in PRESERVED]


def reset(db: Any, layout: Layout | None) -> None:
    # delete_many keeps the indexes the adapter made.
    for name in _collections(layout):
        db[name].delete_many({})


def snapshot(db: Any, layout: Layout | None) -> dict[str, list[tuple[Any, ...]]]:
    """Every document of every canonical collection, as canonical JSON text, whatever its fields hold."""
    return {
        name: sorted((_DOCUMENT_TEXT.encode(doc),) for doc in db[name].find())
        for name in _collections(layout)
    }
