"""Users: create, exact-id lookup, normalised email, update, delete."""

from __future__ import annotations

import uuid

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import Conflict, NotFound, ValidationError
from adapter_contracts.adapters.records import User
from adapter_contracts.contracts.support import T0, Snapshot, assert_unchanged, is_utc, make_user, ms, raises


def test_create_returns_the_record_and_get_reads_it_back(adapter: Adapter) -> None:
    user = adapter.create_user(email="ann@example.com", password_hash="h1", name="Ann", id="u-1",
                               created_at=T0 + ms(7))
    assert (user.id, user.email, user.password_hash, user.name, user.created_at) == (
        "u-1", "ann@example.com", "h1", "Ann", T0 + ms(7))
    assert adapter.get_user("u-1") == user
    assert adapter.get_user_by_email("ann@example.com") == user


def test_generated_ids_are_distinct_uuid4(adapter: Adapter) -> None:
    a, b = make_user(adapter), make_user(adapter)
    assert a.id != b.id
    assert uuid.UUID(a.id).version == 4
    assert adapter.get_user(a.id) == a


def test_created_at_defaults_to_now_in_utc_milliseconds(adapter: Adapter) -> None:
    from adapter_contracts.adapters.validation import now_utc

    before = now_utc()
    user = make_user(adapter)
    after = now_utc()
    assert is_utc(user.created_at)
    assert user.created_at.microsecond % 1000 == 0
    assert before <= user.created_at <= after
    stored = adapter.get_user(user.id)
    assert stored is not None
    assert stored.created_at == user.created_at


def test_name_none_and_empty_are_kept_apart(adapter: Adapter) -> None:
    none = make_user(adapter, name=None)
    empty = make_user(adapter, name="")
    got_none, got_empty = adapter.get_user(none.id), adapter.get_user(empty.id)
    assert got_none is not None
    assert got_none.name is None
    assert got_empty is not None
    assert got_empty.name == ""


def test_unknown_user_reads_as_none(adapter: Adapter) -> None:
    make_user(adapter, id="present")
    assert adapter.get_user("absent") is None
    assert adapter.get_user_by_email("nobody@example.com") is None


@pytest.mark.parametrize(
    ("stored", "probe"),
    [("abc", "ABC"), ("ABC", "abc"), ("a", "a "), ("a ", "a"), ("e", "é"), ("é", "e"), ("ß", "ss")],
    ids=["lower-vs-upper", "upper-vs-lower", "plain-vs-trailing-space", "trailing-space-vs-plain",
         "plain-vs-accent", "accent-vs-plain", "eszett-vs-ss"],
)
def test_user_ids_compare_exactly(adapter: Adapter, stored: str, probe: str) -> None:
    user = make_user(adapter, id=stored)
    assert adapter.get_user(probe) is None
    other = make_user(adapter, id=probe)  # must not collide with ``stored``
    assert adapter.get_user(stored) == user
    assert adapter.get_user(probe) == other


def test_email_is_normalised_on_write(adapter: Adapter) -> None:
    user = make_user(adapter, email="  Ann.Lee@Example.COM\t")
    assert user.email == "ann.lee@example.com"
    stored = adapter.get_user(user.id)
    assert stored is not None
    assert stored.email == "ann.lee@example.com"


@pytest.mark.parametrize("probe", ["ANN@EXAMPLE.COM", "  ann@example.com ", "Ann@Example.Com\n"],
                         ids=["upper", "padded", "mixed-newline"])
def test_email_is_normalised_on_lookup(adapter: Adapter, probe: str) -> None:
    user = make_user(adapter, email="ann@example.com")
    assert adapter.get_user_by_email(probe) == user


def test_email_keeps_accents(adapter: Adapter) -> None:
    accented = make_user(adapter, email="JOSÉ@example.com")
    assert accented.email == "josé@example.com"
    assert adapter.get_user_by_email("jose@example.com") is None
    plain = make_user(adapter, email="jose@example.com")  # no Conflict: accents are significant
    assert adapter.get_user_by_email("José@Example.com") == accented
    assert adapter.get_user_by_email("jose@example.com") == plain


# -- email case across Unicode -------------------------------------------------
# The normative normalisation is Python's str.strip() then str.lower(), nothing else:
# not str.casefold(), not a database's LOWER() or case-insensitive collation, no
# Unicode normalisation form.  These spellings are where those disagree; each
# normalised form is pinned literally.  (spelling, normalised form)
EMAIL_SPELLINGS: list[tuple[str, str]] = [
    ("STRAßE@x.de", "straße@x.de"),  # casefold: strasse
    ("STRA\u1e9eE@x.de", "straße@x.de"),  # capital sharp s; casefold: strasse
    ("STRASSE@x.de", "strasse@x.de"),
    ("\ufb01le@x.de", "\ufb01le@x.de"),  # the fi ligature has no lowercase; casefold: file
    ("FILE@x.de", "file@x.de"),
    ("ΟΔΟΣ@x.gr", "οδος@x.gr"),  # final sigma before "@"; casefold and most LOWER(): οδοσ
    ("οδοσ@x.gr", "οδοσ@x.gr"),
    ("\u0130@x.tr", "i\u0307@x.tr"),  # dotted capital I: two code points; LOWER() in Turkish: i
    ("i\u0307@x.tr", "i\u0307@x.tr"),
    ("\u0131@x.tr", "\u0131@x.tr"),  # dotless i stays; an accent-insensitive collation says i
    ("I@x.tr", "i@x.tr"),
    ("\u212a@x.dk", "k@x.dk"),  # Kelvin sign; an ASCII-only LOWER() keeps it
    ("\u13a0@x.us", "\uab70@x.us"),  # Cherokee: lower() and casefold() go opposite ways
    ("\u01c5@x.hr", "\u01c6@x.hr"),  # titlecase digraph Dž
    ("E\u0301@x.fr", "e\u0301@x.fr"),  # decomposed: not composed to é
    ("\u00e9@x.fr", "\u00e9@x.fr"),
    ("\u00a0Ann@x.io\u3000", "ann@x.io"),  # Unicode whitespace is trimmed, not only ASCII
]


def test_email_case_is_str_lower_across_unicode(adapter: Adapter) -> None:
    """Distinct str.lower() forms are distinct users; each lookup finds exactly its own user."""
    users: dict[str, User] = {}
    for spelling, form in EMAIL_SPELLINGS:
        if form in users:
            raises(Conflict, "email", lambda spelling=spelling: make_user(adapter, email=spelling))
            continue
        users[form] = make_user(adapter, email=spelling)
        assert users[form].email == form, f"{spelling!r} was stored as {users[form].email!r}, not {form!r}"
    for spelling, form in EMAIL_SPELLINGS:
        found = adapter.get_user_by_email(spelling)
        assert found == users[form], (
            f"get_user_by_email({spelling!r}) found {found and found.email!r}, not the user {form!r}")
    for form, user in users.items():
        assert adapter.get_user_by_email(form) == user, f"{form!r} did not find its own user"
        stored = adapter.get_user(user.id)
        assert stored is not None
        assert stored.email == form, f"{form!r} reads back as {stored.email!r}"


def test_email_update_conflicts_on_the_lower_form_only(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    sharp = make_user(adapter, email="straße@x.de")
    double = make_user(adapter, email="strasse@x.de")
    # The same lower form as the user's own email: no conflict with itself.
    assert adapter.update_user(sharp.id, email="STRA\u1e9eE@x.de").email == "straße@x.de"
    kelvin = make_user(adapter, email="\u212a@x.dk")
    # strasse and straße are one email under casefold() only: no conflict with the other user.
    moved = adapter.update_user(double.id, email="STRASSE@x.DE")
    assert moved.email == "strasse@x.de"
    assert_unchanged(raw_snapshot, lambda: adapter.update_user(double.id, email="STRAßE@x.de"), Conflict, "email")
    assert_unchanged(raw_snapshot, lambda: adapter.update_user(double.id, email="K@x.dk"), Conflict, "email")
    assert adapter.get_user_by_email("k@x.dk") == kelvin
    assert adapter.get_user_by_email("STRASSE@x.de") == moved


@pytest.mark.parametrize("second", ["ANN@example.com", " ann@example.com ", "Ann@EXAMPLE.com"],
                         ids=["upper", "padded", "mixed"])
def test_duplicate_normalised_email_conflicts_and_writes_nothing(
    adapter: Adapter, raw_snapshot: Snapshot, second: str
) -> None:
    first = make_user(adapter, email="ann@example.com", password_hash="original", name="Ann")
    assert_unchanged(raw_snapshot, lambda: make_user(adapter, email=second, password_hash="other", name="X"),
                     Conflict, "email")
    assert adapter.get_user(first.id) == first  # the owner of the email was not overwritten


def test_duplicate_id_conflicts_and_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    first = make_user(adapter, id="u1", password_hash="original")
    assert_unchanged(raw_snapshot, lambda: make_user(adapter, id="u1", password_hash="other"), Conflict, "id")
    assert adapter.get_user("u1") == first


def test_taken_id_and_taken_email_report_the_id(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    # Identity first: the spec reports Conflict("id") when both unique fields are taken.
    make_user(adapter, id="u1", email="ann@example.com")
    assert_unchanged(raw_snapshot, lambda: make_user(adapter, id="u1", email="ANN@example.com"), Conflict, "id")


def test_new_id_with_taken_email_does_not_touch_the_owner(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    # MySQL ON DUPLICATE KEY UPDATE fires on the email key and rewrites u1.
    owner = make_user(adapter, id="u1", email="ann@example.com", password_hash="p1", name="One")
    assert_unchanged(raw_snapshot,
                     lambda: make_user(adapter, id="u2", email="ann@example.com", password_hash="p2", name="Two"),
                     Conflict, "email")
    assert adapter.get_user("u1") == owner
    assert adapter.get_user("u2") is None


def test_update_changes_only_given_fields(adapter: Adapter) -> None:
    user = make_user(adapter, email="ann@example.com", password_hash="p1", name="Ann")
    renamed = adapter.update_user(user.id, name="Annie")
    assert (renamed.email, renamed.password_hash, renamed.name) == ("ann@example.com", "p1", "Annie")
    rehashed = adapter.update_user(user.id, password_hash="p2")
    assert (rehashed.email, rehashed.password_hash, rehashed.name) == ("ann@example.com", "p2", "Annie")
    cleared = adapter.update_user(user.id, name=None)
    assert cleared.name is None
    assert (cleared.id, cleared.created_at) == (user.id, user.created_at)
    assert adapter.get_user(user.id) == cleared


def test_update_email_is_normalised_and_found_by_new_email_only(adapter: Adapter) -> None:
    user = make_user(adapter, email="ann@example.com")
    updated = adapter.update_user(user.id, email="  NEW@Example.com ")
    assert updated.email == "new@example.com"
    assert adapter.get_user_by_email("new@example.com") == updated
    assert adapter.get_user_by_email("ann@example.com") is None
    make_user(adapter, email="ann@example.com")  # the old email is free again


def test_update_to_own_email_in_other_case_is_not_a_conflict(adapter: Adapter) -> None:
    user = make_user(adapter, email="ann@example.com")
    assert adapter.update_user(user.id, email="ANN@example.com").email == "ann@example.com"


def test_update_to_taken_email_conflicts_and_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter, email="ann@example.com")
    bob = make_user(adapter, email="bob@example.com", name="Bob")
    assert_unchanged(raw_snapshot, lambda: adapter.update_user(bob.id, email="Ann@example.com", name="changed"),
                     Conflict, "email")
    assert adapter.get_user(bob.id) == bob


@pytest.mark.parametrize("user_id", ["ghost", "U1", "u1 "], ids=["absent", "other-case", "trailing-space"])
def test_update_of_missing_user_is_not_found(adapter: Adapter, raw_snapshot: Snapshot, user_id: str) -> None:
    make_user(adapter, id="u1")
    assert_unchanged(raw_snapshot, lambda: adapter.update_user(user_id, name="x"), NotFound)


def test_update_with_invalid_field_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    user = make_user(adapter, name="Ann")
    assert_unchanged(raw_snapshot, lambda: adapter.update_user(user.id, name="ok", password_hash=""),
                     ValidationError, "password_hash")


def test_delete_user_reports_whether_it_existed(adapter: Adapter) -> None:
    make_user(adapter, id="abc")
    keep = make_user(adapter, id="ABC")
    assert adapter.delete_user("abc") is True
    assert adapter.get_user("abc") is None
    assert adapter.delete_user("abc") is False
    assert adapter.get_user("ABC") == keep


def test_deleted_users_email_is_free_again(adapter: Adapter) -> None:
    user = make_user(adapter, email="ann@example.com")
    adapter.delete_user(user.id)
    assert adapter.get_user_by_email("ann@example.com") is None
    again = make_user(adapter, email="ann@example.com", id=user.id)
    assert adapter.get_user(user.id) == again


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "no-at-sign", "password_hash": "h"}, "email"),
        ({"email": "a@b@c", "password_hash": "h"}, "email"),
        ({"email": "@example.com", "password_hash": "h"}, "email"),
        ({"email": "ann@", "password_hash": "h"}, "email"),
        ({"email": "a nn@example.com", "password_hash": "h"}, "email"),
        ({"email": "", "password_hash": "h"}, "email"),
        ({"email": 5, "password_hash": "h"}, "email"),
        ({"email": "ann@example.com", "password_hash": ""}, "password_hash"),
        ({"email": "ann@example.com", "password_hash": None}, "password_hash"),
        ({"email": "ann@example.com", "password_hash": "h", "name": 3}, "name"),
        ({"email": "ann@example.com", "password_hash": "h", "id": ""}, "id"),
        ({"email": "ann@example.com", "password_hash": "h", "id": 7}, "id"),
        ({"email": "bad", "password_hash": "", "id": ""}, "email"),
        ({"email": "ann@example.com", "password_hash": "", "name": 1}, "password_hash"),
    ],
    ids=["no-at", "two-at", "empty-local", "empty-domain", "inner-space", "empty", "not-str",
         "empty-hash", "none-hash", "name-not-str", "empty-id", "id-not-str", "first-invalid-is-email",
         "first-invalid-is-hash"],
)
def test_invalid_user_input_is_rejected_with_its_field(
    adapter: Adapter, raw_snapshot: Snapshot, kwargs: dict[str, object], field: str
) -> None:
    assert_unchanged(raw_snapshot, lambda: adapter.create_user(**kwargs), ValidationError, field)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, 5, ""], ids=["none", "int", "empty"])
def test_user_lookups_validate_their_argument(adapter: Adapter, bad: object) -> None:
    raises(ValidationError, "user_id", lambda: adapter.get_user(bad))  # type: ignore[arg-type]
    raises(ValidationError, "email", lambda: adapter.get_user_by_email(bad))  # type: ignore[arg-type]
    raises(ValidationError, "user_id", lambda: adapter.delete_user(bad))  # type: ignore[arg-type]


def test_invalid_update_of_missing_user_is_a_validation_error(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter)
    assert_unchanged(raw_snapshot, lambda: adapter.update_user("ghost", email="not-an-email"), ValidationError, "email")
    assert_unchanged(raw_snapshot, lambda: adapter.update_user("ghost", email="a@b.c", password_hash=""),
                     ValidationError, "password_hash")
