-- apicred schema version 2 for MySQL and MariaDB: events in commit order.
--
-- An event's seq (AUTO_INCREMENT) is drawn when its row is inserted, not
-- when its transaction commits, so two writes of one tenant could commit in
-- the other order than their seqs, and a reader paging by seq would skip
-- the one that committed last. From this version on, every write locks its
-- tenant's row of event_locks right before it inserts its event, and holds
-- the lock until it commits or rolls back:
--
--   INSERT INTO {prefix}event_locks (tenant_id, writes) VALUES (?, 1)
--       ON DUPLICATE KEY UPDATE writes = writes + 1
--
-- so the writes of one tenant draw their seqs in the order they commit.
-- That statement makes the row of a tenant's first event; this migration
-- makes the rows of the tenants that exist already, so that their writes
-- only ever lock a row, never insert one. writes counts the events written
-- under the lock; it is there so that every write changes the row, which
-- keeps the row's lock until the end of the transaction at any isolation
-- level.
--
-- Code older than this version takes no lock, and refuses the schema
-- because of this version number. Like version 1, every statement is
-- idempotent, so a migration cut short is completed by the next Migrate.

CREATE TABLE IF NOT EXISTS {prefix}event_locks (
    tenant_id VARBINARY(512) NOT NULL,
    writes    BIGINT         NOT NULL,
    PRIMARY KEY (tenant_id)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  COMMENT = 'apicred: locked by every event write until it commits, so that events.seq follows commit order per tenant';

INSERT INTO {prefix}event_locks (tenant_id, writes)
    SELECT tenant_id, 0 FROM {prefix}credentials GROUP BY tenant_id
    ON DUPLICATE KEY UPDATE writes = {prefix}event_locks.writes;
