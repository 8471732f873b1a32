"""A gallery of adapters the contract suite must judge correctly.

Each broken adapter carries ONE realistic defect, as a small subclass of a
correct adapter, with a factory that plugs it into the harness::

    pytest --adapter tests.gallery.keys:case_insensitive_ids contracts

tests/test_gallery.py runs the suite against every entry: a broken one must
not be certified, a correct one must be.  The first contract that fails on a
broken entry is the one an adapter author with that bug would see first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ASYNC_DEFECTS", "CORRECT", "DEFECTS", "GALLERY_PROPERTY", "RUNS_AN_ENTRY", "Entry"]

#: The user_property that carries one entry's result from tests/test_gallery.py to tests/conftest.py.
GALLERY_PROPERTY = "gallery"
#: The tests of tests/test_gallery.py that start an inner run of the whole suite.
RUNS_AN_ENTRY = ("test_broken_adapter_is_caught", "test_correct_adapter_is_certified",
                 "test_async_defect_passes_the_synchronous_contracts_alone")


@dataclass(frozen=True)
class Entry:
    spec: str  # package.module:factory, as given to --adapter
    what: str
    #: For a correct entry: exactly the optional capabilities it declares unsupported,
    #: which its verdict must list as "with declared limitations: ...".
    declined: tuple[str, ...] = ()
    #: For a broken entry: words its verdict must contain, so that it is refused for its defect.
    expect: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.rpartition(":")[2]


def _g(module_and_factory: str, what: str, *expect: str) -> Entry:
    return Entry(f"tests.gallery.{module_and_factory}", what, expect=expect)


#: Defects only asyncio code has (tests/gallery/async_defects.py): each also passes every synchronous contract
#: (tests/test_gallery.py::test_async_defect_passes_the_synchronous_contracts_alone).
ASYNC_DEFECTS: tuple[Entry, ...] = (
    _g("async_defects:cascade_unsafe_under_cancellation",
       "delete_user awaits between removing the user's rows and the user (cancelled there: half a cascade)",
       "areas: async"),
    _g("async_defects:connection_shared_by_tasks",
       "two tasks sharing the instance interleave on its one in-flight statement", "areas: async"),
    _g("async_defects:blocking_driver_call",
       "get_user calls the synchronous psycopg driver inside a coroutine (PostgreSQL)", "areas: async"),
)

DEFECTS: tuple[Entry, ...] = (
    _g("keys:case_insensitive_ids", "get_user matches ids case-insensitively"),
    _g("keys:email_not_normalised_on_lookup", "get_user_by_email does not trim/lowercase its argument"),
    _g("keys:email_casefolded", "email is normalised with casefold(), not lower(): straße@x is strasse@x"),
    _g("keys:truncates_over_long_ids", "over-long user ids are truncated instead of rejected"),
    _g("keys:strips_nul", "NUL characters are stripped instead of rejected"),
    _g("cascades:delete_user_leaves_integrations", "delete_user leaves the user's integrations"),
    _g("cascades:delete_client_leaves_oauth", "delete_client leaves the client's oauth rows"),
    _g("cascades:billing_admin_not_nulled", "deleting a user leaves billing.admin_id dangling"),
    _g("cascades:cascade_not_atomic", "a cascade killed midway leaves orphans; the retry returns False"),
    _g("on_postgres:cascade_statement_by_statement",
       "delete_user cascades in separate autocommitted statements (PostgreSQL, real link cuts)"),
    _g("numbers_and_time:totals_rounded_to_cents", "usage totals rounded to 2 decimals"),
    _g("numbers_and_time:timestamps_cut_to_seconds", "timestamps stored with second precision"),
    _g("numbers_and_time:timestamps_rounded_to_ms", "timestamps rounded, not truncated, to milliseconds"),
    _g("payloads:drops_dollar_keys", "payload keys starting with '$' are dropped"),
    _g("payloads:update_merges_payload", "payload updates merge instead of replacing"),
    _g("payloads:returns_stored_payload", "returned payloads alias the stored ones"),
    _g("upserts:upsert_appends", "save_integration appends a second row instead of replacing"),
    _g("upserts:racy_upsert", "check-then-insert upsert duplicates rows under concurrent callers"),
    _g("upserts:link_admin_not_idempotent", "link_admin returns True for an existing link"),
    _g("listings:paging_skips_ties", "the cursor keeps only the timestamp: rows tied on it are skipped"),
    _g("listings:window_end_inclusive", "time windows include their end"),
    _g("instances:stale_read_cache", "a per-instance read cache hides other instances' writes"),
    _g("instances:shared_instance", "the stale cache behind a factory that returns one shared instance",
       "one shared instance"),
    _g("instances:switches_class", "a factory that returns the reference first and the stale cache after",
       "call 2 returned tests.gallery.instances.StaleReadCache"),
    _g("instances:lying_declaration", "declares usage_batch unsupported although it works"),
    _g("schemas:creates_nothing", "create_schema() does nothing (PostgreSQL)",
       "did not lay out the canonical table(s)", "users"),
    _g("schemas:seed_ddl_verbatim", "create_schema() runs the seed's PostgreSQL DDL verbatim",
       "areas: schema", "admin_clients.admin_id: collation expected C, found default (en-US-x-icu)",
       "client_billing.cost: type expected numeric(18,4), found numeric"),
    _g("instances:leaks_driver_error", "sqlite3.IntegrityError escapes on a duplicate id (SQLite)"),
    _g("leaks:leaks_a_connection_per_call",
       "leaks a connection per call until the server refuses more (PostgreSQL): the adapter's failure, "
       "not excused as the server's", "failed (areas"),
    *ASYNC_DEFECTS,
)

#: The third-party-style SQLite example is not among them: the packaging step certifies it from the
#: installed wheel, under xdist (tests/test_installed_wheel.py), and certifying it here too cost
#: 10.6 of the gallery's 108 CPU-s.
CORRECT: tuple[Entry, ...] = (
    Entry("tests.gallery.correct:reference", "the in-memory reference adapter", declined=("schema_declaration",)),
    Entry("tests.gallery.correct:declines_usage_batch", "the reference minus usage_batch, declared",
          declined=("schema_declaration", "usage_batch")),
)
