"""The hostile-input matrix: every write operation x every argument x every bad value kind.

Each :class:`Case` breaks exactly one argument of one write; the others are
valid and point at rows :func:`seed` created, so an adapter that lets the bad
value through would overwrite, delete or add a row the raw snapshot shows.
Seeded keys sit exactly at their length limits: a truncating engine would turn
the "one past the limit" value into the seeded key and overwrite that row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.adapters.validation import check_email
from adapter_contracts.contracts.support import T0, unique_email
from adapter_contracts.strategies import hostile_payload_examples

Kinds = list[tuple[str, object]]


def _at_limit(stem: str, limit: int) -> str:
    return (stem + "-" + stem[0] * limit)[:limit]


U = _at_limit("seed-user", limits.USER_ID_MAX)
U2 = _at_limit("seed-admin", limits.USER_ID_MAX)
C = _at_limit("seed-client", limits.ENTITY_ID_MAX)
M = _at_limit("seed-campaign", limits.ENTITY_ID_MAX)
K = _at_limit("seed-kampaign", limits.ENTITY_ID_MAX)
CAT = _at_limit("seed-category", limits.CATEGORY_MAX)
PROV = _at_limit("seed-provider", limits.PROVIDER_MAX)
PLAT = _at_limit("seed-platform", limits.PLATFORM_MAX)
DOMAIN = "@example.com"
SEED_EMAIL = _at_limit("seed-email", limits.EMAIL_MAX - len(DOMAIN)) + DOMAIN
# One-character decoys: a LIKE pattern "_" or "%", or an operator document,
# used as a lookup key would match them.
DECOY = "x"
HUGE = "x" * (1 << 20)


def seed(adapter: Adapter) -> None:
    """Pre-existing rows in every table, so an accidental overwrite, delete or truncate shows."""
    adapter.create_user(id=U, email=SEED_EMAIL, password_hash="seed-hash", name="Seed", created_at=T0)
    adapter.create_user(id=U2, email="admin@example.com", password_hash="seed-hash", created_at=T0)
    adapter.create_user(id=DECOY, email=DECOY + DOMAIN, password_hash="seed-hash", created_at=T0)
    adapter.save_user_setup(U, is_setup_complete=False, setup_data={"step": 1})
    adapter.save_user_workspace(U, {"theme": "dark"})
    adapter.save_integration(U, CAT, PROV, {"token": "t"})
    adapter.save_integration(U, DECOY, DECOY, {"token": "d"})
    adapter.create_campaign(user_id=U, payload={"name": "seed"}, id=M, created_at=T0)
    adapter.create_campaign(user_id=U, payload={}, id=DECOY, created_at=T0)
    adapter.create_client(payload={"name": "seed"}, id=C, created_at=T0)
    adapter.create_client(payload={}, id=DECOY, created_at=T0)
    adapter.link_admin(U, C)
    adapter.save_oauth(C, PLAT, {"access": "a"})
    adapter.save_oauth(C, DECOY, {"access": "d"})
    adapter.save_client_campaign(K, client_id=C, payload={"name": "seed"})
    adapter.save_client_campaign(DECOY, client_id=C, payload={})
    adapter.record_usage(C, timestamp=T0, tokens_used=10, cost=Decimal("0.5"), admin_id=U)
    adapter.record_usage(C, timestamp=T0 + timedelta(seconds=1), tokens_used=3, cost=1)


# -- value kinds per argument type --------------------------------------------

_WRONG_TYPES: Kinds = [("int", 1), ("dict-operator", {"$gt": ""}), ("list", ["a"])]


def key_kinds(near: str, limit: int, *, required: bool = True) -> Kinds:
    """Bad identifiers.  ``near`` is a seeded key at the limit: truncating ``near + "x"``
    gives it back."""
    assert len(near) == limit, "over-long values must truncate onto a seeded key"
    kinds: Kinds = [
        ("nul", "a\x00b"),
        ("lone-surrogate", "\ud800"),
        ("embedded-surrogate", "a\udfffb"),
        ("over-long", near + "x"),
        ("huge-1mb", HUGE),
        ("empty", ""),
        ("bytes", near.encode()),
        *_WRONG_TYPES,
    ]
    return [("none", None), *kinds] if required else kinds


def name_kinds() -> Kinds:
    """Bad display names: None and "" are valid, so neither appears."""
    return [
        ("nul", "a\x00b"),
        ("lone-surrogate", "\ud800"),
        ("embedded-surrogate", "a\udfffb"),
        ("over-long", "n" * (limits.NAME_MAX + 1)),
        ("huge-1mb", HUGE),
        ("bytes", b"name"),
        *_WRONG_TYPES,
    ]


def password_hash_kinds() -> Kinds:
    return [
        ("none", None),
        ("nul", "a\x00b"),
        ("lone-surrogate", "\ud800"),
        ("embedded-surrogate", "a\udfffb"),
        ("over-long", "h" * (limits.PASSWORD_HASH_MAX_BYTES + 1)),
        # Within the limit in characters, one byte over it in UTF-8.
        ("over-long-in-bytes", "é" * (limits.PASSWORD_HASH_MAX_BYTES // 2 + 1)),
        ("huge-1mb", HUGE),
        ("empty", ""),
        ("bytes", b"hash"),
        *_WRONG_TYPES,
    ]


def email_kinds() -> Kinds:
    over = "X" * (limits.EMAIL_MAX - len(DOMAIN) + 1) + DOMAIN.upper()
    assert len(over) == limits.EMAIL_MAX + 1
    return [
        ("none", None),
        ("no-at", "user.example.com"),
        ("two-at", "a@b@example.com"),
        ("space-inside", "a b@example.com"),
        ("tab-inside", "a\tb@example.com"),
        ("empty-local", DOMAIN),
        ("empty", ""),
        # Trimmed and lowercased it is one character too long.
        ("over-long-after-normalising", f"  {over}  "),
        ("nul", "a\x00b@example.com"),
        ("lone-surrogate", "a\ud800@example.com"),
        ("bytes", b"a@example.com"),
        *_WRONG_TYPES,
    ]


def time_kinds(*, required: bool) -> Kinds:
    plus1, minus1 = timezone(timedelta(hours=1)), timezone(timedelta(hours=-1))
    kinds: Kinds = [
        ("naive", datetime(2024, 5, 1, 12)),
        ("year-1969", datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
        ("year-1969-via-offset", datetime(1970, 1, 1, 0, 30, tzinfo=plus1)),
        ("year-1-via-offset", datetime(1, 1, 1, 0, 30, tzinfo=plus1)),
        ("after-9999-via-offset", datetime(9999, 12, 31, 23, 0, tzinfo=minus1)),
        ("date", date(2024, 5, 1)),
        ("iso-string", "2024-05-01T12:00:00+00:00"),
        ("epoch-int", 1_714_564_800),
    ]
    return [("none", None), *kinds] if required else kinds


def amount_kinds() -> Kinds:
    return [
        ("none", None),
        ("nan", Decimal("NaN")),
        ("snan", Decimal("sNaN")),
        ("inf", Decimal("Infinity")),
        ("minus-inf", Decimal("-Infinity")),
        ("negative", -1),
        ("tiny-negative", Decimal("-0.00001")),
        ("five-places", Decimal("1.00001")),
        ("ten-to-14", 10**14),
        ("float", 0.1),
        ("bool", True),
        ("str", "1"),
    ]


def payload_kinds(*, required: bool = True) -> Kinds:
    kinds = list(hostile_payload_examples().items())
    return kinds if required else [(k, v) for k, v in kinds if v is not None]


def bool_kinds() -> Kinds:
    return [("none", None), ("int", 1), ("str", "true")]


# -- the operations -----------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """A write operation: which arguments are positional, and valid values for all of them."""

    name: str
    positional: tuple[str, ...]
    base: Mapping[str, object]
    hostile: Mapping[str, Kinds]
    capability: str | None = None

    def invoke(self, adapter: Adapter, args: Mapping[str, object]) -> object:
        method: Callable[..., object] = getattr(adapter, self.name)
        keywords = {k: v for k, v in args.items() if k not in self.positional}
        return method(*(args[p] for p in self.positional), **keywords)


def _keys(**near: tuple[str, int]) -> dict[str, Kinds]:
    return {arg: key_kinds(value, limit) for arg, (value, limit) in near.items()}


_USER = (U, limits.USER_ID_MAX)
_ADMIN = (U2, limits.USER_ID_MAX)
_CLIENT = (C, limits.ENTITY_ID_MAX)
_CAMPAIGN = (M, limits.ENTITY_ID_MAX)
_KAMPAIGN = (K, limits.ENTITY_ID_MAX)
_CATEGORY = (CAT, limits.CATEGORY_MAX)
_PROVIDER = (PROV, limits.PROVIDER_MAX)
_PLATFORM = (PLAT, limits.PLATFORM_MAX)
_PAYLOAD = {"new": True}

OPS: list[Op] = [
    Op("create_user", (),
       {"email": "new@example.com", "password_hash": "hash", "name": "New", "id": "new-user", "created_at": T0},
       {"email": email_kinds(), "password_hash": password_hash_kinds(), "name": name_kinds(),
        "id": key_kinds(U, limits.USER_ID_MAX, required=False), "created_at": time_kinds(required=False)}),
    Op("update_user", ("user_id",), {"user_id": U, "name": "Renamed"},
       {**_keys(user_id=_USER), "email": email_kinds(), "password_hash": password_hash_kinds(),
        "name": name_kinds()}),
    Op("save_user_setup", ("user_id",),
       {"user_id": U, "is_setup_complete": True, "completed_at": T0, "setup_data": _PAYLOAD},
       {**_keys(user_id=_USER), "is_setup_complete": bool_kinds(), "completed_at": time_kinds(required=False),
        "setup_data": payload_kinds(required=False)}),
    Op("save_user_workspace", ("user_id", "workspace"), {"user_id": U, "workspace": _PAYLOAD},
       {**_keys(user_id=_USER), "workspace": payload_kinds()}),
    Op("save_integration", ("user_id", "category", "provider", "data"),
       {"user_id": U, "category": CAT, "provider": PROV, "data": _PAYLOAD},
       {**_keys(user_id=_USER, category=_CATEGORY, provider=_PROVIDER), "data": payload_kinds()}),
    Op("create_campaign", (), {"user_id": U, "payload": _PAYLOAD, "id": "new-campaign", "created_at": T0},
       {**_keys(user_id=_USER), "payload": payload_kinds(),
        "id": key_kinds(M, limits.ENTITY_ID_MAX, required=False), "created_at": time_kinds(required=False)}),
    Op("update_campaign", ("campaign_id", "payload"), {"campaign_id": M, "payload": _PAYLOAD},
       {**_keys(campaign_id=_CAMPAIGN), "payload": payload_kinds()}),
    Op("create_client", (), {"payload": _PAYLOAD, "id": "new-client", "created_at": T0},
       {"payload": payload_kinds(), "id": key_kinds(C, limits.ENTITY_ID_MAX, required=False),
        "created_at": time_kinds(required=False)}),
    Op("update_client", ("client_id", "payload"), {"client_id": C, "payload": _PAYLOAD},
       {**_keys(client_id=_CLIENT), "payload": payload_kinds()}),
    # U2 is not linked yet: a write that slipped through would add the link.
    Op("link_admin", ("admin_id", "client_id"), {"admin_id": U2, "client_id": C},
       _keys(admin_id=_ADMIN, client_id=_CLIENT)),
    # U is linked: a delete that matched too much would remove that link.
    Op("unlink_admin", ("admin_id", "client_id"), {"admin_id": U, "client_id": C},
       _keys(admin_id=_USER, client_id=_CLIENT)),
    Op("save_oauth", ("client_id", "platform", "data"), {"client_id": C, "platform": PLAT, "data": _PAYLOAD},
       {**_keys(client_id=_CLIENT, platform=_PLATFORM), "data": payload_kinds()}),
    Op("save_client_campaign", ("id",), {"id": K, "client_id": C, "payload": _PAYLOAD},
       {**_keys(id=_KAMPAIGN, client_id=_CLIENT), "payload": payload_kinds()}),
    Op("record_usage", ("client_id",),
       {"client_id": C, "timestamp": T0, "tokens_used": 1, "cost": Decimal("0.25"), "admin_id": U},
       {**_keys(client_id=_CLIENT), "timestamp": time_kinds(required=True), "tokens_used": amount_kinds(),
        "cost": amount_kinds(), "admin_id": key_kinds(U, limits.USER_ID_MAX, required=False)}),
    Op("delete_user", ("user_id",), {"user_id": U}, _keys(user_id=_USER)),
    Op("delete_integration", ("user_id", "category", "provider"),
       {"user_id": U, "category": CAT, "provider": PROV},
       _keys(user_id=_USER, category=_CATEGORY, provider=_PROVIDER)),
    Op("delete_campaign", ("campaign_id",), {"campaign_id": M}, _keys(campaign_id=_CAMPAIGN)),
    Op("delete_client", ("client_id",), {"client_id": C}, _keys(client_id=_CLIENT)),
    Op("delete_oauth", ("client_id", "platform"), {"client_id": C, "platform": PLAT},
       _keys(client_id=_CLIENT, platform=_PLATFORM)),
    Op("delete_client_campaign", ("campaign_id",), {"campaign_id": K}, _keys(campaign_id=_KAMPAIGN)),
]


@dataclass(frozen=True)
class Case:
    """One hostile call: ``op`` with ``args`` must raise ValidationError naming ``field``."""

    id: str
    op: Op
    field: str
    args: Mapping[str, object]

    def run(self, adapter: Adapter) -> object:
        return self.op.invoke(adapter, self.args)


def _cases(op: Op) -> list[Case]:
    return [
        Case(f"{op.name}-{arg}-{kind}", op, arg, {**op.base, arg: value})
        for arg, kinds in op.hostile.items()
        for kind, value in kinds
    ]


HOSTILE_CASES: list[Case] = [case for op in OPS for case in _cases(op)]


# -- record_usage_batch (optional capability) ----------------------------------

_VALID_ENTRY = UsageInput(T0, 1, Decimal("0.25"), U)
_BATCH = Op("record_usage_batch", ("client_id", "entries"),
            {"client_id": C, "entries": [_VALID_ENTRY, _VALID_ENTRY]},
            {**_keys(client_id=_CLIENT),
             "entries": [("none", None), ("dict-operator", {"$gt": ""}), ("str", "entries"),
                         ("over-batch-max", [_VALID_ENTRY] * (limits.BATCH_MAX + 1))]},
            capability="usage_batch")


def _bad_entry(**field: object) -> list[UsageInput]:
    """Two entries, the second one broken: the index in the reported field must be 1."""
    values: dict[str, Any] = {"timestamp": T0, "tokens_used": 1, "cost": Decimal("0.25"), "admin_id": U}
    return [_VALID_ENTRY, UsageInput(**{**values, **field})]


def _batch_entry_cases() -> list[Case]:
    fields: dict[str, Kinds] = {
        "timestamp": time_kinds(required=True),
        "tokens_used": amount_kinds(),
        "cost": amount_kinds(),
        "admin_id": key_kinds(U, limits.USER_ID_MAX, required=False),
    }
    cases = [
        Case(f"record_usage_batch-entries.1.{name}-{kind}", _BATCH, f"entries[1].{name}",
             {**_BATCH.base, "entries": _bad_entry(**{name: value})})
        for name, kinds in fields.items()
        for kind, value in kinds
    ]
    not_an_entry = {"timestamp": T0, "tokens_used": 1, "cost": 1}
    cases.append(Case("record_usage_batch-entries.1-dict-not-usage-input", _BATCH, "entries[1]",
                      {**_BATCH.base, "entries": [_VALID_ENTRY, not_an_entry]}))
    return cases


BATCH_CASES: list[Case] = _cases(_BATCH) + _batch_entry_cases()


# -- valid values that look like injections -----------------------------------

INJECTION_LOOKALIKES: list[tuple[str, str]] = [
    ("sql-or", "' OR '1'='1"),
    ("sql-drop", "'; DROP TABLE users; --"),
    ("backslash", "\\"),
    ("percent", "%"),
    ("underscore", "_"),
    ("mongo-where", "$where"),
    ("mongo-operator-json", '{"$gt": ""}'),
    ("dotted", "a.b"),
    ("dollar", "$x"),
    ("backtick", "`backtick`"),
    ("double-quoted", '"quoted"'),
    ("c-comment", "/* comment */"),
    ("sql-comment", "-- comment"),
    ("rtl-override", "\u202e"),
    ("e-acute-composed", "\u00e9"),
    ("e-acute-decomposed", "e\u0301"),
    ("emoji", "\U0001f984"),
]
UNICORN = "\U0001f984"  # four UTF-8 bytes, one code point


def as_email(value: str) -> str:
    """An injection look-alike made into a valid, already-normalised email."""
    email = value.replace(" ", "").lower() + DOMAIN
    assert check_email(email) == email, email
    return email


def _one(items: list[str]) -> str | None:
    assert len(items) <= 1, f"one row expected, got {items!r}"
    return items[0] if items else None


def _attr(row: object, name: str) -> Any:
    return None if row is None else getattr(row, name)


def _link(adapter: Adapter, value: str) -> None:
    adapter.create_user(id=value, email=unique_email(), password_hash="h")
    adapter.create_client(id=value, payload={})
    adapter.link_admin(value, value)


def _linked(adapter: Adapter, key: str) -> str | None:
    clients, admins = adapter.list_admin_clients(key), adapter.list_client_admins(key)
    assert clients == admins, (clients, admins)
    return _one(clients)


def _bill(adapter: Adapter, value: str) -> None:
    adapter.create_user(id=value, email=unique_email(), password_hash="h")
    adapter.create_client(id=value, payload={})
    adapter.record_usage(value, timestamp=T0, tokens_used=1, cost=1, admin_id=value)


def _billed(adapter: Adapter, key: str) -> str | None:
    entries = adapter.list_usage(key).items
    assert len(entries) <= 1
    if not entries:
        return None
    assert entries[0].admin_id == entries[0].client_id, "client and admin ids differ"
    return entries[0].client_id


def _unlink(adapter: Adapter, value: str) -> None:
    assert adapter.unlink_admin(value, value)
    assert adapter.delete_user(value)
    assert adapter.delete_client(value)


def _unbill(adapter: Adapter, value: str) -> None:
    assert adapter.delete_client(value)  # cascades to the billing entry
    assert adapter.delete_user(value)


def _delete_by_email(adapter: Adapter, email: str) -> bool:
    user = adapter.get_user_by_email(email)
    assert user is not None
    return adapter.delete_user(user.id)


@dataclass(frozen=True)
class TextSink:
    """Store ``value`` in one text or key field; read it back by ``key`` (keyed sinks) or from
    the row just written; ``remove`` deletes what ``store`` wrote, by ``value``.  Keyed sinks
    compare exactly, so near variants must find nothing."""

    name: str
    limit: int
    store: Callable[[Adapter, str], object]
    read: Callable[[Adapter, str], str | None]
    remove: Callable[[Adapter, str], object]
    keyed: bool = True
    email: bool = False


RT_USER = "rt-user"

TEXT_SINKS: list[TextSink] = [
    TextSink("user-id", limits.USER_ID_MAX,
             lambda a, v: a.create_user(id=v, email=unique_email(), password_hash="h"),
             lambda a, k: _attr(a.get_user(k), "id"), lambda a, v: a.delete_user(v)),
    TextSink("email", limits.EMAIL_MAX,
             lambda a, v: a.create_user(email=v, password_hash="h"),
             lambda a, k: _attr(a.get_user_by_email(k), "email"), _delete_by_email, email=True),
    TextSink("campaign-id", limits.ENTITY_ID_MAX,
             lambda a, v: a.create_campaign(user_id=U, payload={}, id=v),
             lambda a, k: _attr(a.get_campaign(k), "id"), lambda a, v: a.delete_campaign(v)),
    TextSink("client-id", limits.ENTITY_ID_MAX,
             lambda a, v: a.create_client(payload={}, id=v),
             lambda a, k: _attr(a.get_client(k), "id"), lambda a, v: a.delete_client(v)),
    TextSink("client-campaign-id", limits.ENTITY_ID_MAX,
             lambda a, v: a.save_client_campaign(v, client_id=C, payload={}),
             lambda a, k: _attr(a.get_client_campaign(k), "id"), lambda a, v: a.delete_client_campaign(v)),
    TextSink("category", limits.CATEGORY_MAX,
             lambda a, v: a.save_integration(U, v, DECOY, {}),
             lambda a, k: _attr(a.get_integration(U, k, DECOY), "category"),
             lambda a, v: a.delete_integration(U, v, DECOY)),
    TextSink("provider", limits.PROVIDER_MAX,
             lambda a, v: a.save_integration(U, DECOY, v, {}),
             lambda a, k: _attr(a.get_integration(U, DECOY, k), "provider"),
             lambda a, v: a.delete_integration(U, DECOY, v)),
    TextSink("platform", limits.PLATFORM_MAX,
             lambda a, v: a.save_oauth(C, v, {}),
             lambda a, k: _attr(a.get_oauth(C, k), "platform"), lambda a, v: a.delete_oauth(C, v)),
    TextSink("admin-link", limits.USER_ID_MAX, _link, _linked, _unlink),
    TextSink("billing-ids", limits.USER_ID_MAX, _bill, _billed, _unbill),
    TextSink("name", limits.NAME_MAX,
             lambda a, v: a.create_user(id=RT_USER, email="rt@example.com", password_hash="h", name=v),
             lambda a, _: _attr(a.get_user(RT_USER), "name"), lambda a, _: a.delete_user(RT_USER), keyed=False),
    TextSink("password-hash", limits.PASSWORD_HASH_MAX_BYTES // 4,
             lambda a, v: a.create_user(id=RT_USER, email="rt@example.com", password_hash=v),
             lambda a, _: _attr(a.get_user(RT_USER), "password_hash"), lambda a, _: a.delete_user(RT_USER),
             keyed=False),
]


@dataclass(frozen=True)
class RoundTrip:
    id: str
    sink: TextSink
    value: str


def _max_length(sink: TextSink) -> str:
    if sink.email:
        return UNICORN * (sink.limit - len(DOMAIN)) + DOMAIN
    return UNICORN * sink.limit


ROUNDTRIPS: list[RoundTrip] = [
    *(RoundTrip(f"{sink.name}-{kind}", sink, as_email(value) if sink.email else value)
      for sink in TEXT_SINKS for kind, value in INJECTION_LOOKALIKES),
    *(RoundTrip(f"{sink.name}-max-length-4-byte", sink, _max_length(sink)) for sink in TEXT_SINKS),
]


def near_variants(sink: TextSink, value: str) -> list[str]:
    """Keys that differ from ``value`` but that a case-, accent-, pad- or normalisation-insensitive
    comparison would treat as equal (emails: only forms the contract does not normalise)."""
    candidates = [unicodedata.normalize(form, value) for form in ("NFC", "NFD", "NFKC", "NFKD")]
    if not sink.email:
        candidates += [value.upper(), value.lower(), value.swapcase(), value + " ", " " + value]
    seen: list[str] = []
    for candidate in candidates:
        if candidate != value and candidate not in seen and len(candidate) <= sink.limit:
            seen.append(candidate)
    return seen


@dataclass(frozen=True)
class PayloadSink:
    name: str
    write: Callable[[Adapter, dict[str, Any]], object]
    read: Callable[[Adapter], object]


PAYLOAD_SINKS: list[PayloadSink] = [
    PayloadSink("setup_data", lambda a, p: a.save_user_setup(U, is_setup_complete=True, setup_data=p),
                lambda a: _attr(a.get_user_setup(U), "setup_data")),
    PayloadSink("workspace", lambda a, p: a.save_user_workspace(U, p),
                lambda a: _attr(a.get_user_workspace(U), "workspace")),
    PayloadSink("integration-data", lambda a, p: a.save_integration(U, CAT, PROV, p),
                lambda a: _attr(a.get_integration(U, CAT, PROV), "data")),
    PayloadSink("create-campaign", lambda a, p: a.create_campaign(user_id=U, payload=p, id="rt-campaign"),
                lambda a: _attr(a.get_campaign("rt-campaign"), "payload")),
    PayloadSink("update-campaign", lambda a, p: a.update_campaign(M, p),
                lambda a: _attr(a.get_campaign(M), "payload")),
    PayloadSink("create-client", lambda a, p: a.create_client(payload=p, id="rt-client"),
                lambda a: _attr(a.get_client("rt-client"), "payload")),
    PayloadSink("update-client", lambda a, p: a.update_client(C, p),
                lambda a: _attr(a.get_client(C), "payload")),
    PayloadSink("oauth-data", lambda a, p: a.save_oauth(C, PLAT, p),
                lambda a: _attr(a.get_oauth(C, PLAT), "data")),
    PayloadSink("client-campaign", lambda a, p: a.save_client_campaign(K, client_id=C, payload=p),
                lambda a: _attr(a.get_client_campaign(K), "payload")),
]


def lookalike_payload(values: list[str]) -> dict[str, Any]:
    """Every value as a key and as a value, at the top and nested in objects and lists."""
    flat = {value: value for value in values}
    return {**flat, "nested": {value: [value, {value: value}] for value in values}, "list": list(values)}
