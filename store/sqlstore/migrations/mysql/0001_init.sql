-- apicred schema version 1 for MySQL and MariaDB.
--
-- {prefix} is replaced by the Store's table prefix. Statements end with a
-- semicolon at the end of a line. DDL is not transactional here, so every
-- statement is idempotent (IF NOT EXISTS, indexes inside CREATE TABLE): a
-- migration cut short is completed by the next Migrate.
--
-- Times are BIGINT microseconds since the Unix epoch in UTC, NULL for
-- "none"; IDs are BINARY(16), compared bytewise, so ORDER BY id is the order
-- of the canonical UUID text. Tenant and client IDs are VARBINARY so that
-- they compare byte for byte: a case-insensitive or PAD SPACE collation
-- would let "Acme" find "acme " or one client ID find another. Text
-- columns use utf8mb4_bin for the same reason. Scopes and metadata are JSON
-- text, NULL when the slice or map was nil.

CREATE TABLE IF NOT EXISTS {prefix}credentials (
    id            BINARY(16)      NOT NULL,
    tenant_id     VARBINARY(512)  NOT NULL,
    client_id     VARBINARY(255)  NOT NULL,
    name          TEXT            NOT NULL,
    contact_email TEXT            NOT NULL,
    access        VARCHAR(32)     NOT NULL,
    scopes        MEDIUMTEXT,
    metadata      MEDIUMTEXT,
    environment   VARCHAR(32)     NOT NULL,
    secret_hash   VARBINARY(1024) NOT NULL,
    hasher_id     VARCHAR(128)    NOT NULL,
    secret_hint   VARCHAR(255)    NOT NULL,
    created_at    BIGINT          NOT NULL,
    expires_at    BIGINT,
    revoked_at    BIGINT,
    revoke_reason TEXT            NOT NULL,
    rotated_at    BIGINT,
    last_used_at  BIGINT,
    version       BIGINT          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY {prefix}credentials_client_id_key (client_id),
    KEY {prefix}credentials_tenant_idx (tenant_id, id)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {prefix}events (
    seq            BIGINT         NOT NULL AUTO_INCREMENT,
    id             BINARY(16)     NOT NULL,
    type           VARCHAR(32)    NOT NULL,
    tenant_id      VARBINARY(512) NOT NULL,
    credential_id  BINARY(16)     NOT NULL,
    actor          TEXT           NOT NULL,
    reason         TEXT           NOT NULL,
    at             BIGINT         NOT NULL,
    old_expires_at BIGINT,
    new_expires_at BIGINT,
    PRIMARY KEY (seq),
    KEY {prefix}events_tenant_idx (tenant_id, seq),
    KEY {prefix}events_credential_idx (tenant_id, credential_id, seq)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
