"""The SQL text of every statement the adapter runs, apart from the connection that runs it.

Placeholders are ``%s``, as PyMySQL, aiomysql and asyncmy all take them.
Statements built from their parts are the functions at the end.  Parent
checks take shared locks (``LOCK IN SHARE MODE``), updates and cascades
exclusive ones (``FOR UPDATE``): the schema has no foreign keys (PlanetScale),
so these locks are what keeps a child from outliving its parent.
"""

from __future__ import annotations

from collections.abc import Iterable

USER_COLUMNS = "id, email, password_hash, name, created_at"
CAMPAIGN_COLUMNS = "id, user_id, created_at, payload"
BILLING_COLUMNS = "id, client_id, `timestamp`, tokens_used, cost, admin_id"

# -- users and what they own

INSERT_USER = "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (%s, %s, %s, %s, %s)"
SELECT_USER = f"SELECT {USER_COLUMNS} FROM users WHERE id = %s"
SELECT_USER_BY_EMAIL = f"SELECT {USER_COLUMNS} FROM users WHERE email = %s"
LOCK_USER_ROW = f"SELECT {USER_COLUMNS} FROM users WHERE id = %s FOR UPDATE"
LOCK_USER = "SELECT 1 FROM users WHERE id = %s FOR UPDATE"
#: The cascade of delete_user, children first (no foreign keys do it).
DELETE_USER_CHILDREN = tuple(
    f"DELETE FROM {table} WHERE {column} = %s"
    for table, column in (
        ("user_setup", "user_id"), ("user_workspace", "user_id"), ("user_integrations", "user_id"),
        ("campaigns", "user_id"), ("admin_clients", "admin_id"),
    )
)
CLEAR_BILLING_ADMIN = "UPDATE client_billing SET admin_id = NULL WHERE admin_id = %s"
DELETE_USER = "DELETE FROM users WHERE id = %s"
SELECT_SETUP = "SELECT user_id, is_setup_complete, completed_at, setup_data FROM user_setup WHERE user_id = %s"
UPSERT_SETUP = (
    "INSERT INTO user_setup (user_id, is_setup_complete, completed_at, setup_data) "
    "VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE is_setup_complete = VALUES(is_setup_complete), "
    "completed_at = VALUES(completed_at), setup_data = VALUES(setup_data)"
)
SELECT_WORKSPACE = "SELECT user_id, workspace FROM user_workspace WHERE user_id = %s"
UPSERT_WORKSPACE = (
    "INSERT INTO user_workspace (user_id, workspace) VALUES (%s, %s) "
    "ON DUPLICATE KEY UPDATE workspace = VALUES(workspace)"
)
UPSERT_INTEGRATION = (
    "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s) "
    "ON DUPLICATE KEY UPDATE data = VALUES(data)"
)
SELECT_INTEGRATION_DATA = "SELECT data FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s"
SELECT_USER_INTEGRATIONS = "SELECT user_id, category, provider, data FROM user_integrations WHERE user_id = %s"
DELETE_INTEGRATION = "DELETE FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s"
SELECT_CAMPAIGN = f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = %s"
#: The campaign, inserted only while its user exists, under the shared lock SHARE_USER takes: one
#: autocommitted statement instead of BEGIN, SHARE_USER, an INSERT, COMMIT (no row: no user).
#: MariaDB 10.11 and MySQL 9.7 both honour the lock inside INSERT ... SELECT (checked: a delete of
#: the user in flight holds it back, then it inserts nothing); without it, READ COMMITTED would read
#: the user without waiting and leave a campaign behind a deleted user.
INSERT_CAMPAIGN_IF_USER = (
    "INSERT INTO campaigns (id, user_id, created_at, payload) "
    "SELECT %s, %s, %s, %s FROM users WHERE id = %s LOCK IN SHARE MODE"
)
LOCK_CAMPAIGN = "SELECT id, user_id, created_at FROM campaigns WHERE id = %s FOR UPDATE"
UPDATE_CAMPAIGN = "UPDATE campaigns SET payload = %s WHERE id = %s"
DELETE_CAMPAIGN = "DELETE FROM campaigns WHERE id = %s"

# -- clients and what they own

INSERT_CLIENT = "INSERT INTO clients (id, created_at, payload) VALUES (%s, %s, %s)"
SELECT_CLIENT = "SELECT id, created_at, payload FROM clients WHERE id = %s"
LOCK_CLIENT_ROW = "SELECT id, created_at FROM clients WHERE id = %s FOR UPDATE"
UPDATE_CLIENT = "UPDATE clients SET payload = %s WHERE id = %s"
LOCK_CLIENT = "SELECT 1 FROM clients WHERE id = %s FOR UPDATE"
#: The cascade of delete_client (no foreign keys do it).
DELETE_CLIENT_CHILDREN = tuple(
    f"DELETE FROM {table} WHERE client_id = %s"
    for table in ("admin_clients", "client_oauth", "client_campaigns", "client_billing")
)
DELETE_CLIENT = "DELETE FROM clients WHERE id = %s"
LINK_ADMIN = "INSERT INTO admin_clients (admin_id, client_id) VALUES (%s, %s)"
UNLINK_ADMIN = "DELETE FROM admin_clients WHERE admin_id = %s AND client_id = %s"
SELECT_ADMIN_CLIENTS = "SELECT client_id FROM admin_clients WHERE admin_id = %s ORDER BY client_id"
SELECT_CLIENT_ADMINS = "SELECT admin_id FROM admin_clients WHERE client_id = %s ORDER BY admin_id"
UPSERT_OAUTH = (
    "INSERT INTO client_oauth (client_id, platform, data) VALUES (%s, %s, %s) "
    "ON DUPLICATE KEY UPDATE data = VALUES(data)"
)
SELECT_OAUTH_DATA = "SELECT data FROM client_oauth WHERE client_id = %s AND platform = %s"
SELECT_CLIENT_OAUTH = "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s ORDER BY platform"
DELETE_OAUTH = "DELETE FROM client_oauth WHERE client_id = %s AND platform = %s"
UPSERT_CLIENT_CAMPAIGN = (
    "INSERT INTO client_campaigns (id, client_id, payload) VALUES (%s, %s, %s) "
    "ON DUPLICATE KEY UPDATE client_id = VALUES(client_id), payload = VALUES(payload)"
)
SELECT_CLIENT_CAMPAIGN = "SELECT id, client_id, payload FROM client_campaigns WHERE id = %s"
SELECT_CLIENT_CAMPAIGNS = "SELECT id, client_id, payload FROM client_campaigns WHERE client_id = %s ORDER BY id"
DELETE_CLIENT_CAMPAIGN = "DELETE FROM client_campaigns WHERE id = %s"

# -- billing

INSERT_ENTRY = (
    "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) "
    "VALUES (%s, %s, %s, %s, %s)"
)
#: An entry without an admin, inserted only while its client exists (as INSERT_CAMPAIGN_IF_USER).
INSERT_ENTRY_IF_CLIENT = (
    "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) "
    "SELECT %s, %s, %s, %s, NULL FROM clients WHERE id = %s LOCK IN SHARE MODE"
)
SELECT_AUTOINC_SETTINGS = "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment"

# -- sessions and parent checks

SET_SESSION = "SET SESSION time_zone = '+00:00', SESSION sql_mode = %s, SESSION innodb_lock_wait_timeout = %s"
SET_READ_COMMITTED = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"
SHARE_USER = "SELECT 1 FROM users WHERE id = %s LOCK IN SHARE MODE"
SHARE_CLIENT = "SELECT 1 FROM clients WHERE id = %s LOCK IN SHARE MODE"


def update_user(columns: Iterable[str]) -> str:
    """Set ``columns`` (fixed names, never input) of one user."""
    assignments = ", ".join(f"{column} = %s" for column in columns)
    return f"UPDATE users SET {assignments} WHERE id = %s"


def share_users(count: int) -> str:
    """The locking read of ``count`` users that record_usage_batch takes at once (SHARE_USER takes one)."""
    return f"SELECT id FROM users WHERE id IN ({', '.join(['%s'] * count)}) LOCK IN SHARE MODE"


def insert_entries(count: int) -> str:
    """One INSERT of ``count`` billing entries."""
    return (
        "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) VALUES "
        + ", ".join(["(%s, %s, %s, %s, %s)"] * count)
    )


def usage_totals(window: str) -> str:
    """Count and sums of one client's entries; ``window`` is paging.window_sql's condition."""
    return f"SELECT COUNT(*), SUM(tokens_used), SUM(cost) FROM client_billing WHERE client_id = %s{window}"


def select_collations(count: int) -> str:
    """Which of ``count`` collation names the server has."""
    marks = ", ".join(["%s"] * count)
    return f"SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ({marks})"
