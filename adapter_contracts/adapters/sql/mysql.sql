-- The seed's MySQL/PlanetScale schema, adapted where a contract requires it.
-- Idempotent: every statement is CREATE TABLE IF NOT EXISTS (MySQL 8 has no
-- CREATE INDEX IF NOT EXISTS, so indexes are declared inside the tables).
--
-- __EXACT__ is replaced by the adapter with the server's binary NO PAD utf8mb4
-- collation (utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL 8):
-- keys and emails compare exactly (case, accent and trailing space count) and
-- sort in code-point order.  utf8mb4_bin is PAD SPACE, so 'a' = 'a ' there.
--
-- Timestamps are DATETIME(3) holding UTC: TIMESTAMP(0) dropped milliseconds
-- and stopped at 2038-01-19; the contract needs ms precision up to 9999.
--
-- Foreign keys: none, not even the seed's three (user_setup, user_workspace,
-- campaigns): PlanetScale rejects FK DDL unless enabled per database.  Parent
-- checks and cascades for every table are done by the adapter in one
-- transaction with locking reads, which the cascade and concurrency
-- contracts verify.

CREATE TABLE IF NOT EXISTS users (
  id VARCHAR(36) NOT NULL PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name VARCHAR(255),
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS user_setup (
  user_id VARCHAR(36) NOT NULL PRIMARY KEY,
  is_setup_complete TINYINT(1) NOT NULL,
  completed_at DATETIME(3) NULL,
  setup_data JSON
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS user_workspace (
  user_id VARCHAR(36) NOT NULL PRIMARY KEY,
  workspace JSON NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS user_integrations (
  user_id VARCHAR(36) NOT NULL,
  category VARCHAR(128) NOT NULL,
  provider VARCHAR(128) NOT NULL,
  data JSON NOT NULL,
  PRIMARY KEY (user_id, category, provider)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS campaigns (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  user_id VARCHAR(36) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  payload JSON NOT NULL,
  INDEX idx_campaigns_user_created (user_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS clients (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  payload JSON NOT NULL,
  INDEX idx_clients_created (created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS admin_clients (
  admin_id VARCHAR(36) NOT NULL,
  client_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (admin_id, client_id),
  INDEX idx_admin_clients_client (client_id, admin_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS client_oauth (
  client_id VARCHAR(64) NOT NULL,
  platform VARCHAR(64) NOT NULL,
  data JSON NOT NULL,
  PRIMARY KEY (client_id, platform)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

CREATE TABLE IF NOT EXISTS client_campaigns (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  client_id VARCHAR(64) NOT NULL,
  payload JSON NOT NULL,
  INDEX idx_client_campaigns_client (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;

-- admin_id is NULL-able: deleting a user keeps its billing entries with no admin.
CREATE TABLE IF NOT EXISTS client_billing (
  id BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
  client_id VARCHAR(64) NOT NULL,
  `timestamp` DATETIME(3) NOT NULL,
  tokens_used DECIMAL(18, 4) NOT NULL,
  cost DECIMAL(18, 4) NOT NULL,
  admin_id VARCHAR(36) NULL,
  INDEX idx_client_billing_client (client_id, `timestamp`, id),
  INDEX idx_client_billing_admin (admin_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=__EXACT__;
