-- apicred schema version 2 for PostgreSQL: events in commit order.
--
-- An event's seq (an identity column) is drawn when its row is inserted,
-- not when its transaction commits, so two writes of one tenant could
-- commit in the other order than their seqs, and a reader paging by seq
-- would skip the one that committed last. From this version on, every write
-- takes a transaction-level advisory lock on a key derived from the table
-- prefix and its tenant, pg_advisory_xact_lock(key), right before it
-- inserts its event, so the writes of one tenant draw their seqs in the
-- order they commit.
--
-- That needs no new table: this version records that the writers of the
-- schema follow that rule, and says so on the column, for whoever writes
-- events by other means. Code older than this version does not take the
-- lock, and refuses the schema because of this version number. seq's
-- sequence must keep its default CACHE 1: with a cache, connections would
-- draw seqs from ranges of their own, out of order.

COMMENT ON COLUMN {prefix}events.seq IS 'Commit order per tenant: apicred writers hold pg_advisory_xact_lock on the key of their tenant from before the INSERT of an event to its COMMIT (schema version 2).';
