-- The seed's PostgreSQL schema, idempotent.  Deviations from the seed, each forced by a contract:
--  * Key columns are COLLATE "C": listings and keyset cursors order ids, categories, providers and
--    platforms in code-point order, whatever the database's default collation is.  Foreign keys
--    need the same collation on both sides, so referencing columns are "C" too.
--  * Amounts are NUMERIC(18, 4), the contract's domain (>= 0, < 10^14, 4 places), as in the MySQL
--    seed; unconstrained NUMERIC would also store NaN, Infinity and extra places written by others.
--  * Indexes on the foreign-key columns the listings, totals and cascades filter by: Postgres does
--    not index referencing columns, so each of those would be a sequential scan.
-- Lengths are enforced by the adapter (adapters.limits), so TEXT stays as in the seed.

CREATE TABLE IF NOT EXISTS users (
  id TEXT COLLATE "C" PRIMARY KEY,
  email TEXT COLLATE "C" NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS user_setup (
  user_id TEXT COLLATE "C" PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  is_setup_complete BOOLEAN NOT NULL,
  completed_at TIMESTAMPTZ,
  setup_data JSONB
);

CREATE TABLE IF NOT EXISTS user_workspace (
  user_id TEXT COLLATE "C" PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  workspace JSONB NOT NULL
);

CREATE TABLE IF NOT EXISTS user_integrations (
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  category TEXT COLLATE "C" NOT NULL,
  provider TEXT COLLATE "C" NOT NULL,
  data JSONB NOT NULL,
  PRIMARY KEY (user_id, category, provider)
);

CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  payload JSONB NOT NULL
);

-- list_campaigns' keyset order; also serves the cascade from users.
CREATE INDEX IF NOT EXISTS idx_campaigns_user_created ON campaigns (user_id, created_at, id);

CREATE TABLE IF NOT EXISTS clients (
  id TEXT COLLATE "C" PRIMARY KEY,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  payload JSONB NOT NULL
);

-- list_clients' keyset order.
CREATE INDEX IF NOT EXISTS idx_clients_created ON clients (created_at, id);

CREATE TABLE IF NOT EXISTS admin_clients (
  admin_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (admin_id, client_id)
);

-- list_client_admins' order; also serves the cascade from clients.
CREATE INDEX IF NOT EXISTS idx_admin_clients_client ON admin_clients (client_id, admin_id);

CREATE TABLE IF NOT EXISTS client_oauth (
  client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  platform TEXT COLLATE "C" NOT NULL,
  data JSONB NOT NULL,
  PRIMARY KEY (client_id, platform)
);

CREATE TABLE IF NOT EXISTS client_campaigns (
  id TEXT COLLATE "C" PRIMARY KEY,
  client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  payload JSONB NOT NULL
);

-- list_client_campaigns' order; also serves the cascade from clients.
CREATE INDEX IF NOT EXISTS idx_client_campaigns_client ON client_campaigns (client_id, id);

CREATE TABLE IF NOT EXISTS client_billing (
  id BIGSERIAL PRIMARY KEY,
  client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  timestamp TIMESTAMPTZ NOT NULL,
  tokens_used NUMERIC(18, 4) NOT NULL,
  cost NUMERIC(18, 4) NOT NULL,
  admin_id TEXT COLLATE "C" REFERENCES users(id) ON DELETE SET NULL
);

-- list_usage's keyset order (id is the insertion order) and usage_totals' window; the seed's
-- MySQL idx_client_billing_client, extended by id.  Also serves the cascade from clients.
CREATE INDEX IF NOT EXISTS idx_client_billing_client ON client_billing (client_id, "timestamp", id);

-- The ON DELETE SET NULL from users.
CREATE INDEX IF NOT EXISTS idx_client_billing_admin ON client_billing (admin_id);
