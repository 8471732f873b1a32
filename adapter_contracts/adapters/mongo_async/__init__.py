"""The asyncio MongoDB adapter on pymongo's own ``AsyncMongoClient`` (pymongo >= 4.10; Motor is deprecated).

The sync adapter's design and parts (``adapters/mongo/``: codecs, paging,
translation, the indexes), with the collections' calls awaited.  Its own:
``connection`` (the async collections, and :func:`~.connection.shielded`:
every write runs to its end once begun, since a standalone server has no
transaction to roll a half-done cascade back) and the entity methods as
coroutines in ``users``, ``clients`` and ``billing``.
"""

from __future__ import annotations

from adapter_contracts.adapters.mongo_async.adapter import WRITES, AsyncMongoAdapter

__all__ = ["WRITES", "AsyncMongoAdapter"]
