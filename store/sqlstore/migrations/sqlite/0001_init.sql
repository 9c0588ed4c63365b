-- apicred schema version 1 for SQLite.
--
-- {prefix} is replaced by the Store's table prefix. Statements end with a
-- semicolon at the end of a line. Times are INTEGER microseconds since the
-- Unix epoch in UTC, NULL for "none"; IDs are 16-byte BLOBs, which SQLite
-- compares with memcmp, so ORDER BY id is the order of the canonical UUID
-- text; scopes and metadata are JSON text, NULL when the slice or map was nil.

CREATE TABLE {prefix}credentials (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    tenant_id     TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    contact_email TEXT    NOT NULL,
    access        TEXT    NOT NULL,
    scopes        TEXT,
    metadata      TEXT,
    environment   TEXT    NOT NULL,
    secret_hash   BLOB    NOT NULL,
    hasher_id     TEXT    NOT NULL,
    secret_hint   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    revoke_reason TEXT    NOT NULL,
    rotated_at    INTEGER,
    last_used_at  INTEGER,
    version       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE UNIQUE INDEX {prefix}credentials_client_id_key ON {prefix}credentials (client_id);

CREATE INDEX {prefix}credentials_tenant_idx ON {prefix}credentials (tenant_id, id);

CREATE TABLE {prefix}events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             BLOB    NOT NULL CHECK (length(id) = 16),
    type           TEXT    NOT NULL,
    tenant_id      TEXT    NOT NULL,
    credential_id  BLOB    NOT NULL CHECK (length(credential_id) = 16),
    actor          TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    old_expires_at INTEGER,
    new_expires_at INTEGER
);

CREATE INDEX {prefix}events_tenant_idx ON {prefix}events (tenant_id, seq);

CREATE INDEX {prefix}events_credential_idx ON {prefix}events (tenant_id, credential_id, seq);
