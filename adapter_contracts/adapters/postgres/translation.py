"""Driver errors as the contract's errors: which constraint names which field."""

from __future__ import annotations

#: Unique constraint (Postgres default names) -> the Conflict field.
UNIQUE_FIELDS = {
    "users_pkey": "id",
    "users_email_key": "email",
    "campaigns_pkey": "id",
    "clients_pkey": "id",
}

#: Foreign key (Postgres default names) -> the MissingReference field.
FOREIGN_KEY_FIELDS = {
    "user_setup_user_id_fkey": "user_id",
    "user_workspace_user_id_fkey": "user_id",
    "user_integrations_user_id_fkey": "user_id",
    "campaigns_user_id_fkey": "user_id",
    "admin_clients_admin_id_fkey": "admin_id",
    "admin_clients_client_id_fkey": "client_id",
    "client_oauth_client_id_fkey": "client_id",
    "client_campaigns_client_id_fkey": "client_id",
    "client_billing_client_id_fkey": "client_id",
    "client_billing_admin_id_fkey": "admin_id",
}
