-- Schema of the example SQLite adapter (examples/sqlite_adapter.py).
--
-- Deviations from the reference schema, each forced by a contract:
-- * Timestamps are INTEGER epoch milliseconds (UTC): SQLite has no datetime
--   type, and text timestamps compare as strings (trap: '...00Z' > '...00.500Z').
--   Integers order and window exactly and hold 1970..9999 at millisecond precision.
-- * Amounts are INTEGER counts of 0.0001 (tokens_used_units, cost_units):
--   SQLite's NUMERIC affinity turns decimals into 8-byte floats, which breaks
--   exact sums.  One amount is below 10^14 * 10^4 = 10^18 < 2^63.
-- * Payloads are TEXT checked with json_valid (JSON1 is built in).
-- * Every reference has a FOREIGN KEY (the MySQL seed has none on several
--   tables); client_billing.admin_id is nullable with ON DELETE SET NULL, so a
--   deleted admin leaves its billing entries with admin_id = NULL.
-- * Key columns use the default BINARY collation: byte order of UTF-8 is code
--   point order, so comparisons are exact and listings sort by code point.
-- * TEXT PRIMARY KEY columns say NOT NULL: SQLite otherwise allows NULL keys
--   in rowid tables (a documented legacy quirk).
-- STRICT tables reject values of the wrong type instead of coercing them.

CREATE TABLE IF NOT EXISTS users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS user_setup (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  is_setup_complete INTEGER NOT NULL CHECK (is_setup_complete IN (0, 1)),
  completed_at INTEGER,
  setup_data TEXT CHECK (setup_data IS NULL OR json_valid(setup_data))
) STRICT;

CREATE TABLE IF NOT EXISTS user_workspace (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  workspace TEXT NOT NULL CHECK (json_valid(workspace))
) STRICT;

CREATE TABLE IF NOT EXISTS user_integrations (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  provider TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  PRIMARY KEY (user_id, category, provider)
) STRICT;

CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload))
) STRICT;

CREATE INDEX IF NOT EXISTS campaigns_user_created ON campaigns (user_id, created_at, id);

CREATE TABLE IF NOT EXISTS clients (
  id TEXT NOT NULL PRIMARY KEY,
  created_at INTEGER NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload))
) STRICT;

CREATE INDEX IF NOT EXISTS clients_created ON clients (created_at, id);

CREATE TABLE IF NOT EXISTS admin_clients (
  admin_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (admin_id, client_id)
) STRICT;

-- Serves list_client_admins and the cascade from clients.
CREATE INDEX IF NOT EXISTS admin_clients_client ON admin_clients (client_id, admin_id);

CREATE TABLE IF NOT EXISTS client_oauth (
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  PRIMARY KEY (client_id, platform)
) STRICT;

CREATE TABLE IF NOT EXISTS client_campaigns (
  id TEXT NOT NULL PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  payload TEXT NOT NULL CHECK (json_valid(payload))
) STRICT;

CREATE INDEX IF NOT EXISTS client_campaigns_client ON client_campaigns (client_id, id);

-- AUTOINCREMENT: ids are never reused after a delete, so the billing cursor
-- (timestamp, id) keeps following insertion order.
CREATE TABLE IF NOT EXISTS client_billing (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  timestamp INTEGER NOT NULL,
  tokens_used_units INTEGER NOT NULL CHECK (tokens_used_units >= 0),
  cost_units INTEGER NOT NULL CHECK (cost_units >= 0),
  admin_id TEXT REFERENCES users(id) ON DELETE SET NULL
) STRICT;

CREATE INDEX IF NOT EXISTS client_billing_client_time ON client_billing (client_id, timestamp, id);
-- Without it, deleting a user scans every billing row to apply SET NULL.
CREATE INDEX IF NOT EXISTS client_billing_admin ON client_billing (admin_id);
