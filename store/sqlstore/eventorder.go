package sqlstore

import (
	"context"
	"database/sql"
	"hash/fnv"
)

// Event order.
//
// [store.Store.ListEvents] pages by seq: a reader asks for the events after
// the last seq it has seen. That never skips an event only if, within a
// tenant, seq order is commit order. An engine assigns seq when the event
// row is inserted, not when its transaction commits, so without more care
// two writes could commit in the other order than their seqs: write A
// inserts seq 10, write B inserts seq 11 and commits, a reader pages past
// 11, then A commits 10 behind the reader's back, and the reader never
// sees it.
//
// Writes to one credential are serialised by its row lock, and SQLite
// serialises all writers: a transaction holds the database's write lock
// from its first write to its commit. Writes to different credentials of
// one tenant on PostgreSQL and MySQL/MariaDB are not, so there every write
// takes a lock on the tenant's events right before it inserts its event
// and keeps it to the end of its transaction (lockEvents). A write of the
// same tenant that comes second waits at that point until the first has
// committed or rolled back, and only then draws its seq, which is
// therefore greater than the seq of every event of the tenant already
// committed, and of none still pending. Writes of other tenants do not
// wait: ListEvents always reads one tenant, so the order only has to hold
// within each tenant.
//
// The lock is the last one a write takes. Taking it, a transaction holds
// its credential's row lock (or has inserted the row); holding it, it only
// inserts its event, which waits for no lock another write holds (seq is
// new and events have no other unique key), and commits. A transaction
// that holds the tenant's lock therefore waits for no other write, and so
// no cycle of waits, no deadlock with the credentials' row locks, can pass
// through it. It is held for one INSERT and the COMMIT, and a write that
// loses its compare-and-swap rolls back before taking it.
//
// PostgreSQL: pg_advisory_xact_lock on a 64-bit key derived from the table
// prefix and the tenant (eventLockKey), released by the engine at commit
// or rollback, so no path (error, cancelled context, killed connection)
// can leave it held. It needs no table and no schema change. The
// alternative, LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE, would
// serialise the writers of every tenant and would also conflict with
// autovacuum's lock on the table, stalling writes behind it. Two tenants
// whose keys collide merely share a lock: slower, never wrong. The identity
// sequence behind seq must keep its default CACHE 1: with a cache, each
// connection would draw from a range of its own, out of order.
//
// MySQL/MariaDB: a row per tenant in the event_locks table (schema version
// 2), written with INSERT … ON DUPLICATE KEY UPDATE, which takes an
// exclusive lock on the tenant's row: a lock on that one record, which
// writes of other tenants do not wait for. It is held until commit or
// rollback at any isolation level, because every write changes the row.
// The migration makes the rows of the tenants that exist; the statement
// makes the row of a new tenant, on its first event, where a SELECT … FOR
// UPDATE of the missing row would take a gap lock, and two new tenants
// sharing a gap would deadlock inserting their rows. One case remains: if
// the write that inserted a new tenant's row rolls back while several
// others of that tenant wait for the row, InnoDB turns their waits into
// gap locks and may report a deadlock (error 1213) to one of them, which
// then fails having written nothing, like any failed write. GET_LOCK was
// the alternative: its lock belongs to the session, not the transaction,
// so every path, errors and lost connections included, would have to
// release it after the COMMIT, on a connection database/sql hands back to
// its pool at the COMMIT. AUTO_INCREMENT draws seq from one counter that
// only grows, whatever innodb_autoinc_lock_mode says, for inserts of one
// row such as these.
//
// Code older than schema version 2 takes no such lock, which is why
// version 2 exists on every engine: that code refuses the schema with
// ErrSchemaTooNew instead of writing out of order. During a rolling upgrade
// processes that still run older code write without the lock; the order is
// guaranteed once they have stopped.

// Event lock statements, with their single argument from eventLockArg.
const (
	postgresLockEvents = `SELECT pg_advisory_xact_lock(?)`
	mysqlLockEvents    = `INSERT INTO {prefix}event_locks (tenant_id, writes) VALUES (?, 1)
    ON DUPLICATE KEY UPDATE writes = writes + 1`
)

// eventLockKey is the PostgreSQL advisory lock key of the events of tenant
// in the store with table prefix. The prefix holds no NUL byte, so
// different pairs hash different strings.
func eventLockKey(prefix, tenant string) int64 {
	h := fnv.New64a()
	h.Write([]byte("apicred/sqlstore events " + prefix + "\x00" + tenant))
	return int64(h.Sum64())
}

// postgresEventLockArg is the argument of postgresLockEvents.
func postgresEventLockArg(prefix, tenant string) any { return eventLockKey(prefix, tenant) }

// mysqlEventLockArg is the argument of mysqlLockEvents.
func mysqlEventLockArg(_, tenant string) any { return tenant }

// lockEvents takes the lock on tenant's events in tx, held until tx ends,
// on the engines that need one (see above). A write calls it after every
// other statement of its transaction, right before it inserts its event.
func (s *Store) lockEvents(ctx context.Context, tx *sql.Tx, tenant string) error {
	if s.q.lockEvents == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q.lockEvents, s.d.eventLockArg(s.prefix, tenant))
	return err
}
