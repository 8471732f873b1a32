"""The SQL text of every statement the adapter runs, apart from the connection that runs it.

Placeholders are psycopg's ``%s`` (a driver with numbered placeholders, such
as asyncpg's ``$1``, numbers them in order; no statement holds a literal
``%``).  Statements built from their parts are the functions at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

_USER_COLUMNS = "id, email, password_hash, name, created_at"

# -- users and what they own

INSERT_USER = "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (%s, %s, %s, %s, %s)"
SELECT_USER = f"SELECT {_USER_COLUMNS} FROM users WHERE id = %s"
SELECT_USER_BY_EMAIL = f"SELECT {_USER_COLUMNS} FROM users WHERE email = %s"
DELETE_USER = "DELETE FROM users WHERE id = %s"
SELECT_SETUP = "SELECT user_id, is_setup_complete, completed_at, setup_data FROM user_setup WHERE user_id = %s"
UPSERT_SETUP = (
    "INSERT INTO user_setup (user_id, is_setup_complete, completed_at, setup_data)"
    " VALUES (%s, %s, %s, %s::jsonb) ON CONFLICT (user_id) DO UPDATE SET"
    " is_setup_complete = EXCLUDED.is_setup_complete, completed_at = EXCLUDED.completed_at,"
    " setup_data = EXCLUDED.setup_data"
)
SELECT_WORKSPACE = "SELECT user_id, workspace FROM user_workspace WHERE user_id = %s"
UPSERT_WORKSPACE = (
    "INSERT INTO user_workspace (user_id, workspace) VALUES (%s, %s::jsonb)"
    " ON CONFLICT (user_id) DO UPDATE SET workspace = EXCLUDED.workspace"
)
UPSERT_INTEGRATION = (
    "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s::jsonb)"
    " ON CONFLICT (user_id, category, provider) DO UPDATE SET data = EXCLUDED.data"
)
SELECT_INTEGRATION = (
    "SELECT user_id, category, provider, data FROM user_integrations"
    " WHERE user_id = %s AND category = %s AND provider = %s"
)
SELECT_USER_INTEGRATIONS = "SELECT user_id, category, provider, data FROM user_integrations WHERE user_id = %s"
DELETE_INTEGRATION = "DELETE FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s"
INSERT_CAMPAIGN = "INSERT INTO campaigns (id, user_id, created_at, payload) VALUES (%s, %s, %s, %s::jsonb)"
SELECT_CAMPAIGN = "SELECT id, user_id, created_at, payload FROM campaigns WHERE id = %s"
UPDATE_CAMPAIGN = "UPDATE campaigns SET payload = %s::jsonb WHERE id = %s RETURNING user_id, created_at"
DELETE_CAMPAIGN = "DELETE FROM campaigns WHERE id = %s"
SELECT_CAMPAIGNS = "SELECT id, user_id, created_at, payload FROM campaigns"

# -- clients and what they own

INSERT_CLIENT = "INSERT INTO clients (id, created_at, payload) VALUES (%s, %s, %s::jsonb)"
SELECT_CLIENT = "SELECT id, created_at, payload FROM clients WHERE id = %s"
UPDATE_CLIENT = "UPDATE clients SET payload = %s::jsonb WHERE id = %s RETURNING created_at"
DELETE_CLIENT = "DELETE FROM clients WHERE id = %s"
SELECT_CLIENTS = "SELECT id, created_at, payload FROM clients"
LINK_ADMIN = "INSERT INTO admin_clients (admin_id, client_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
UNLINK_ADMIN = "DELETE FROM admin_clients WHERE admin_id = %s AND client_id = %s"
SELECT_ADMIN_CLIENTS = "SELECT client_id FROM admin_clients WHERE admin_id = %s ORDER BY client_id"
SELECT_CLIENT_ADMINS = "SELECT admin_id FROM admin_clients WHERE client_id = %s ORDER BY admin_id"
UPSERT_OAUTH = (
    "INSERT INTO client_oauth (client_id, platform, data) VALUES (%s, %s, %s::jsonb)"
    " ON CONFLICT (client_id, platform) DO UPDATE SET data = EXCLUDED.data"
)
SELECT_OAUTH = "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s AND platform = %s"
SELECT_CLIENT_OAUTH = "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s ORDER BY platform"
DELETE_OAUTH = "DELETE FROM client_oauth WHERE client_id = %s AND platform = %s"
UPSERT_CLIENT_CAMPAIGN = (
    "INSERT INTO client_campaigns (id, client_id, payload) VALUES (%s, %s, %s::jsonb)"
    " ON CONFLICT (id) DO UPDATE SET client_id = EXCLUDED.client_id, payload = EXCLUDED.payload"
)
SELECT_CLIENT_CAMPAIGN = "SELECT id, client_id, payload FROM client_campaigns WHERE id = %s"
SELECT_CLIENT_CAMPAIGNS = "SELECT id, client_id, payload FROM client_campaigns WHERE client_id = %s ORDER BY id"
DELETE_CLIENT_CAMPAIGN = "DELETE FROM client_campaigns WHERE id = %s"

# -- billing

INSERT_ENTRY = (
    'INSERT INTO client_billing (client_id, "timestamp", tokens_used, cost, admin_id)'
    " VALUES (%s, %s, %s, %s, %s) RETURNING id"
)
LOCK_CLIENT = "SELECT 1 FROM clients WHERE id = %s FOR KEY SHARE"
LOCK_ADMINS = "SELECT id FROM users WHERE id = ANY(%s::text[]) ORDER BY id FOR KEY SHARE"
INSERT_ENTRIES = (
    'INSERT INTO client_billing (client_id, "timestamp", tokens_used, cost, admin_id)'
    " SELECT %s, t, k, c, a FROM unnest(%s::timestamptz[], %s::numeric[], %s::numeric[], %s::text[])"
    " WITH ORDINALITY AS u(t, k, c, a, n) ORDER BY n RETURNING id"
)
SELECT_ENTRIES = 'SELECT id, client_id, "timestamp", tokens_used, cost, admin_id FROM client_billing'

# -- sessions and schema

SET_UTC = "SET TIME ZONE 'UTC'"
LOCK_SCHEMA = "SELECT pg_advisory_xact_lock(%s)"


def update_user(columns: Iterable[str]) -> str:
    """Set ``columns`` (fixed names, never input) of one user and return the row; no columns only reads it."""
    assignments = ", ".join(f"{column} = %s" for column in columns)
    if not assignments:
        return SELECT_USER
    return f"UPDATE users SET {assignments} WHERE id = %s RETURNING {_USER_COLUMNS}"


def usage_totals(conditions: Iterable[str]) -> str:
    return (
        "SELECT count(*), COALESCE(sum(tokens_used), 0), COALESCE(sum(cost), 0) FROM client_billing"
        f" WHERE {' AND '.join(conditions)}"
    )


def exists(table: str) -> str:
    return f"SELECT 1 FROM {table} WHERE id = %s"
