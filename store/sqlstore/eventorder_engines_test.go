package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// storeWrite is a change made through a store: the Update of a stored
// credential or the Create of a new one, and the ID of its event.
type storeWrite struct {
	event uuid.UUID
	do    func(ctx context.Context, s *sqlstore.Store) error
}

// rotation is the Update of c (as stored at version c.Version) that
// rotates its secret.
func rotation(c credential.Credential) storeWrite {
	next := c.Clone()
	hash := make([]byte, 32)
	copy(hash, next.ID[:])
	next.SecretHash = credential.Hash(hash)
	next.RotatedAt = baseTime.Add(time.Hour)
	ev := changeEvent(next, credential.EventRotated)
	return storeWrite{event: ev.ID, do: func(ctx context.Context, s *sqlstore.Store) error {
		return s.Update(ctx, next, ev)
	}}
}

// creation is the Create of a new credential of tenant.
func creation(tenant string) storeWrite {
	c, ev := newCredential(tenant)
	return storeWrite{event: ev.ID, do: func(ctx context.Context, s *sqlstore.Store) error {
		return s.Create(ctx, c, ev)
	}}
}

// eventReader pages through the events of one tenant as an audit log
// consumer does: from the Seq of the last event it has seen.
type eventReader struct {
	s      *sqlstore.Store
	tenant string
	after  int64
	seen   []credential.Event
}

// catchUp reads every event committed after the last one seen, in small
// pages.
func (r *eventReader) catchUp(t *testing.T) {
	t.Helper()
	for {
		page, err := r.s.ListEvents(t.Context(), store.EventQuery{TenantID: r.tenant, AfterSeq: r.after, Limit: 2})
		require.NoError(t, err)
		if len(page) == 0 {
			return
		}
		r.seen = append(r.seen, page...)
		r.after = page[len(page)-1].Seq
	}
}

// lockWaitProbe returns a function that reports whether the one connection
// of db (whose pool must be limited to one connection) is blocked on a
// lock, asking through observer.
//
// PostgreSQL reports lock waits in pg_stat_activity. MariaDB reports them
// only to accounts with the PROCESS privilege, which the test account need
// not have; its process list, which shows an account its own connections,
// gives the statement a connection is executing instead. There the probe
// reports the connection inside the statement that locks a tenant's events
// (event_locks), which returns at once unless another transaction holds
// that lock.
func lockWaitProbe(t *testing.T, e engine, db, observer *sql.DB, prefix string) func() bool {
	t.Helper()
	ctx := t.Context()
	switch e.dialect {
	case sqlstore.PostgreSQL:
		var pid int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid))
		return func() bool {
			var waiting bool
			require.NoError(t, observer.QueryRowContext(ctx,
				"SELECT COALESCE(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&waiting))
			return waiting
		}
	case sqlstore.MySQL:
		var id int64
		require.NoError(t, db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id))
		return func() bool {
			var info sql.NullString
			require.NoError(t, observer.QueryRowContext(ctx,
				"SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&info))
			return strings.HasPrefix(info.String, "INSERT INTO "+prefix+"event_locks")
		}
	}
	t.Fatalf("no lock wait probe for %s", e.name)
	return nil
}

// testEventOrder checks that events are numbered in commit order within a
// tenant, so that a reader paging by AfterSeq skips none, on an engine that
// runs writers concurrently.
//
// Write A holds its transaction open between the INSERT of its event and
// its COMMIT (through the store's test hook). Write B, of another
// credential of the same tenant, from a second *sql.DB as another process
// would, then runs until it completes or is seen blocked on a lock. A
// reader pages through the tenant's events at that point, when B may have
// committed and A has not, and again after both committed. A's event got
// its seq before B started, so if B could commit first, B's event would
// have the greater seq, the reader would move past A's seq on seeing B's,
// and it would never see A's event: B must wait for A.
//
// A write of another tenant must not wait.
func testEventOrder(t *testing.T, e engine) {
	const otherTenant = "brand-8"
	cases := []struct {
		name string
		// a and b make writes A and B from the tenant's stored credentials
		// c1 and c2, and the other tenant's c3.
		a, b func(c1, c2, c3 credential.Credential) storeWrite
		// independent tells that B is of another tenant than A.
		independent bool
	}{
		{
			name: "an Update of another credential of the tenant waits for an Update to commit",
			a:    func(c1, _, _ credential.Credential) storeWrite { return rotation(c1) },
			b:    func(_, c2, _ credential.Credential) storeWrite { return rotation(c2) },
		},
		{
			name: "a Create in the tenant waits for an Update to commit",
			a:    func(c1, _, _ credential.Credential) storeWrite { return rotation(c1) },
			b:    func(_, _, _ credential.Credential) storeWrite { return creation(tenant) },
		},
		{
			name: "an Update in the tenant waits for a Create to commit",
			a:    func(_, _, _ credential.Credential) storeWrite { return creation(tenant) },
			b:    func(_, c2, _ credential.Credential) storeWrite { return rotation(c2) },
		},
		{
			name:        "an Update in another tenant does not wait",
			a:           func(c1, _, _ credential.Credential) storeWrite { return rotation(c1) },
			b:           func(_, _, c3 credential.Credential) storeWrite { return rotation(c3) },
			independent: true,
		},
		{
			name:        "the first Create of a new tenant does not wait",
			a:           func(c1, _, _ credential.Credential) storeWrite { return rotation(c1) },
			b:           func(_, _, _ credential.Credential) storeWrite { return creation("brand-new") },
			independent: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			f := e.newFixture(t)
			var stored [3]credential.Credential
			for i, tn := range []string{tenant, tenant, otherTenant} {
				c, ev := newCredential(tn)
				require.NoError(t, f.store.Create(ctx, c, ev))
				stored[i] = c
			}
			a, b := tc.a(stored[0], stored[1], stored[2]), tc.b(stored[0], stored[1], stored[2])

			// B writes through a store of its own on one connection, whose
			// lock waits the probe can see.
			dbB := e.open(t, f.dsn)
			dbB.SetMaxOpenConns(1)
			storeB, err := sqlstore.New(dbB, e.dialect, sqlstore.WithTablePrefix(f.prefix))
			require.NoError(t, err)
			t.Cleanup(func() { _ = storeB.Close() })
			require.NoError(t, storeB.Migrate(ctx))
			bWaits := lockWaitProbe(t, e, dbB, f.db, f.prefix)

			reader := eventReader{s: f.store, tenant: tenant}
			reader.catchUp(t)

			aInserted, release := make(chan struct{}), make(chan struct{})
			var releaseOnce sync.Once
			releaseA := func() { releaseOnce.Do(func() { close(release) }) }
			sqlstore.SetBeforeCommit(f.store, func() {
				close(aInserted)
				<-release
			})
			aDone, bDone := make(chan error, 1), make(chan error, 1)
			var wg sync.WaitGroup
			defer func() {
				// On a failure, let A commit and wait for both writes, so
				// that none outlives the test's tables.
				releaseA()
				wg.Wait()
			}()
			wg.Go(func() { aDone <- a.do(ctx, f.store) })
			select {
			case <-aInserted:
			case err := <-aDone:
				t.Fatalf("write A returned before its COMMIT: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("write A did not reach its COMMIT in 30 s")
			}

			wg.Go(func() { bDone <- b.do(ctx, storeB) })
			var (
				bFirst bool // B completed while A's transaction was open
				bErr   error
			)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			deadline := time.After(30 * time.Second)
		wait:
			for {
				select {
				case bErr = <-bDone:
					bFirst = true
					break wait
				case <-tick.C:
					// Only a write expected to wait is probed: on MariaDB
					// the probe may see any write inside the locking
					// statement, blocked or not.
					if !tc.independent && bWaits() {
						break wait
					}
				case <-deadline:
					t.Fatal("write B neither completed nor was seen waiting for a lock in 30 s")
				}
			}
			// A reader pages now: after B committed if B could, before A
			// commits.
			reader.catchUp(t)

			releaseA()
			require.NoError(t, <-aDone, "write A")
			sqlstore.SetBeforeCommit(f.store, nil)
			if !bFirst {
				bErr = <-bDone
			}
			require.NoError(t, bErr, "write B")
			reader.catchUp(t)

			all, err := f.store.ListEvents(ctx, store.EventQuery{TenantID: tenant, Limit: store.MaxLimit})
			require.NoError(t, err)
			seqA := seqOf(t, all, a.event)
			require.Equal(t, seqs(all), seqs(reader.seen),
				"a reader paging by AfterSeq must see every event of the tenant exactly once, in seq order "+
					"(A's event has seq %d; B completed before A committed: %v)", seqA, bFirst)
			if tc.independent {
				require.True(t, bFirst, "a write of another tenant must not wait for A's transaction")
				t.Logf("B, of another tenant, committed while A's transaction was open; the reader saw all %d events of A's tenant",
					len(reader.seen))
				return
			}
			seqB := seqOf(t, all, b.event)
			require.False(t, bFirst, "B (seq %d) committed while A (seq %d) had not: seq order is not commit order", seqB, seqA)
			require.Greater(t, seqB, seqA, "B committed after A, so its seq must be greater")
			t.Logf("B waited for A's COMMIT: A's event seq %d, then B's seq %d; the reader saw all %d events, none twice",
				seqA, seqB, len(reader.seen))
		})
	}
}

// testConcurrentWritesAndReader runs writers of one tenant, each creating
// and rotating credentials of its own, through stores of their own, while
// a reader pages through the tenant's events all along. Every write must
// succeed (the event lock adds no deadlock with the credentials' row
// locks), and the reader must have seen every event exactly once.
func testConcurrentWritesAndReader(t *testing.T, e engine) {
	const writers, rounds = 4, 8
	f := e.newFixture(t)
	ctx := t.Context()
	stores := make([]*sqlstore.Store, writers)
	for i := range stores {
		s, err := sqlstore.New(e.open(t, f.dsn), e.dialect, sqlstore.WithTablePrefix(f.prefix))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	reader := eventReader{s: f.store, tenant: tenant}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for _, s := range stores {
		wg.Go(func() {
			for range rounds {
				c, ev := newCredential(tenant)
				if !assertNoError(t, s.Create(ctx, c, ev), "Create") {
					return
				}
				if !assertNoError(t, rotation(c).do(ctx, s), "Update") {
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	pages := 0
	for running := true; running; pages++ {
		select {
		case <-done:
			running = false
		default:
		}
		reader.catchUp(t)
	}
	all, err := f.store.ListEvents(ctx, store.EventQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, all, writers*rounds*2)
	require.Equal(t, seqs(all), seqs(reader.seen),
		"a reader paging by AfterSeq while the writes ran must have seen every event exactly once")
	t.Logf("%d writers made %d events; a reader paging all along (%d catch-ups) saw each once", writers, len(all), pages)
}

// assertNoError reports err as a failure of the test, from any goroutine,
// and whether there was none.
func assertNoError(t *testing.T, err error, what string) bool {
	if err != nil {
		t.Errorf("%s failed while writes of the tenant ran concurrently: %v", what, err)
		return false
	}
	return true
}

// seqs returns the Seq of each event of es, in order.
func seqs(es []credential.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// seqOf returns the Seq of the event with id in es.
func seqOf(t *testing.T, es []credential.Event, id uuid.UUID) int64 {
	t.Helper()
	for _, e := range es {
		if e.ID == id {
			return e.Seq
		}
	}
	t.Fatalf("event %v is not stored", id)
	return 0
}
