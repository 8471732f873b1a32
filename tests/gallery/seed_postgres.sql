-- The seed's PostgreSQL DDL, verbatim (shared/seed/000_727cf1ef76696baf.txt, section "Postgres").
-- tests/gallery/schemas.py lays it out as an adapter's create_schema() would; it must not be certified.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE user_setup (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  is_setup_complete BOOLEAN NOT NULL,
  completed_at TIMESTAMPTZ,
  setup_data JSONB
);

CREATE TABLE user_workspace (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  workspace JSONB NOT NULL
);

CREATE TABLE user_integrations (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  provider TEXT NOT NULL,
  data JSONB NOT NULL,
  PRIMARY KEY (user_id, category, provider)
);

CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  payload JSONB NOT NULL
);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  payload JSONB NOT NULL
);

CREATE TABLE admin_clients (
  admin_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (admin_id, client_id)
);

CREATE TABLE client_oauth (
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  data JSONB NOT NULL,
  PRIMARY KEY (client_id, platform)
);

CREATE TABLE client_campaigns (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  payload JSONB NOT NULL
);

CREATE TABLE client_billing (
  id BIGSERIAL PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  timestamp TIMESTAMPTZ NOT NULL,
  tokens_used NUMERIC NOT NULL,
  cost NUMERIC NOT NULL,
  admin_id TEXT REFERENCES users(id) ON DELETE SET NULL
);
