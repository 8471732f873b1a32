"""MongoDB adapter (pymongo), written for a standalone server: no multi-document transactions.

Collections and field names follow the reference schema (``users`` with
``passwordHash``/``createdAt``, ``user_setup`` with ``userId``...).  Deviations
from it, each forced by a contract:

* Timestamps stay strings, but always in one fixed-width UTC format
  (``YYYY-MM-DDTHH:MM:SS.mmmZ``): string order must equal time order for the
  window and keyset queries, and ``isoformat()`` output does not sort.
* Amounts are Decimal128, not doubles: sums must be exact (ten times 0.1 is 1).
* ``client_billing`` documents carry ``seq`` from the ``counters`` collection:
  ObjectIds are not monotonic across processes, and entries are ordered by
  (timestamp, insertion order).  The entry id is ``str(seq)``.
* Unique indexes the seed forgot (``user_setup.userId``,
  ``user_workspace.userId``, admin/client pairs, client/platform pairs) exist,
  so that two concurrent upserts cannot insert twice.

Without transactions, parent checks and cascades are sequences of single-
document operations.  A cascade deletes the children, then the parent, then
sweeps the children again; a child write checks its parent before writing and
again after, undoing its write when the parent vanished in between.  Children
first means an interrupted cascade is repaired by retrying the delete (the
first sweep runs even when the parent is already gone).  The second sweep plus
the re-check close the race with a concurrent child write: a write landing
after the final sweep sees the parent gone in its re-check.  What remains: a
reader may observe the intermediate states (children gone, parent still
there; or a child whose write is about to be undone).

Payload keys may contain "." or start with "$" (MongoDB >= 5.0 stores them
when nested, and mongomock stores them too): payloads are always written as
whole values (``{"$set": {"data": payload}}``), never flattened into paths.
Two decoding quirks of pymongo's BSON layer, which mongomock never goes
through, would break the round trip on a real server: integers beyond 32 bits
come back as ``bson.Int64`` (an int subclass: equal, but not the same JSON
type), and any object shaped like a DBRef (``$ref`` string plus ``$id``) comes
back as a ``DBRef``, losing a null ``$db``.  :func:`encode_payload` stores such
objects (and objects shaped like the escape itself) as
``{"$$literal": [k1, v1, k2, v2, ...]}``; :func:`decode_payload` reverses it
and turns Int64 back into int.  Every other payload is stored as is.

Its parts, one concern each, in the manner of Django's database backends:
``connection`` (the collections and the single-document steps: parent checks,
re-checks, upserts, the billing sequence), ``translation`` (driver errors as
the contract's), ``codecs`` (documents as stored, records as returned),
``paging`` (windows and cursors as queries), ``schema`` (the indexes and the
declared layout), and the entity methods in ``users``, ``clients`` and
``billing``, assembled in ``adapter``.
"""

from __future__ import annotations

from adapter_contracts.adapters.mongo.adapter import MongoAdapter
from adapter_contracts.adapters.mongo.codecs import decode_payload, encode_payload, format_timestamp, parse_timestamp
from adapter_contracts.adapters.mongo.connection import COLLECTIONS, COUNTERS

__all__ = [
    "COLLECTIONS", "COUNTERS", "MongoAdapter", "decode_payload", "encode_payload", "format_timestamp",
    "parse_timestamp",
]
