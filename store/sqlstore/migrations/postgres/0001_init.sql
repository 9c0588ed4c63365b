-- apicred schema version 1 for PostgreSQL.
--
-- {prefix} is replaced by the Store's table prefix. Statements end with a
-- semicolon at the end of a line. Times are BIGINT microseconds since the
-- Unix epoch in UTC, NULL for "none"; IDs are 16-byte bytea, which
-- PostgreSQL compares bytewise, so ORDER BY id is the order of the
-- canonical UUID text; scopes and metadata are JSON text, NULL when the
-- slice or map was nil. The whole migration runs in one transaction.

CREATE TABLE {prefix}credentials (
    id            bytea  NOT NULL PRIMARY KEY CHECK (octet_length(id) = 16),
    tenant_id     text   NOT NULL,
    client_id     text   NOT NULL,
    name          text   NOT NULL,
    contact_email text   NOT NULL,
    access        text   NOT NULL,
    scopes        text,
    metadata      text,
    environment   text   NOT NULL,
    secret_hash   bytea  NOT NULL,
    hasher_id     text   NOT NULL,
    secret_hint   text   NOT NULL,
    created_at    bigint NOT NULL,
    expires_at    bigint,
    revoked_at    bigint,
    revoke_reason text   NOT NULL,
    rotated_at    bigint,
    last_used_at  bigint,
    version       bigint NOT NULL
);

CREATE UNIQUE INDEX {prefix}credentials_client_id_key ON {prefix}credentials (client_id);

CREATE INDEX {prefix}credentials_tenant_idx ON {prefix}credentials (tenant_id, id);

CREATE TABLE {prefix}events (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             bytea  NOT NULL CHECK (octet_length(id) = 16),
    type           text   NOT NULL,
    tenant_id      text   NOT NULL,
    credential_id  bytea  NOT NULL CHECK (octet_length(credential_id) = 16),
    actor          text   NOT NULL,
    reason         text   NOT NULL,
    at             bigint NOT NULL,
    old_expires_at bigint,
    new_expires_at bigint
);

CREATE INDEX {prefix}events_tenant_idx ON {prefix}events (tenant_id, seq);

CREATE INDEX {prefix}events_credential_idx ON {prefix}events (tenant_id, credential_id, seq);
