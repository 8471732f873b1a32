"""The in-memory reference adapter: the executable specification of the contract.

Plain Python over dicts, guarded by one lock so that several instances (and
threads) can share a :class:`MemoryStore`, the way several connections share a
database.  Every other adapter must be observably equivalent to this one.

Its parts, one concern each: ``store`` (the shared dicts and an adapter's
handle on them), ``codecs`` (returned records are copies), ``paging``
(listings), and the entity methods in ``users``, ``clients`` and ``billing``,
assembled in ``adapter``.
"""

from __future__ import annotations

from adapter_contracts.adapters.memory.adapter import MemoryAdapter
from adapter_contracts.adapters.memory.store import MemoryStore

__all__ = ["MemoryAdapter", "MemoryStore"]
