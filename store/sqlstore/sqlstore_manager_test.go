package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testManager runs the Manager over a store on e: racing changes on every
// engine, and on PostgreSQL connections killed in the middle of a change.
func testManager(t *testing.T, e engine) {
	t.Run("R17 racing rotations: each success is one event, the last secret alone works", func(t *testing.T) {
		testRacingRotations(t, e, false)
	})
	t.Run("R17 racing rotations and a revocation: each success is one event, no secret works", func(t *testing.T) {
		testRacingRotations(t, e, true)
	})
	if e.dialect == sqlstore.PostgreSQL {
		t.Run("R16 a connection terminated in the middle of a store Update changes nothing", func(t *testing.T) {
			testTerminatedUpdate(t, e)
		})
		t.Run("R16 a connection terminated in the middle of a rotation changes nothing", func(t *testing.T) {
			testTerminatedRotation(t, e)
		})
	}
}

const tenant = "brand-7"

// newManager returns a Manager over a new store on e, and the store.
func newManager(t testing.TB, e engine, opts ...apicred.Option) (*apicred.Manager, fixture) {
	t.Helper()
	f := e.newFixture(t)
	m, err := apicred.New(f.store, opts...)
	require.NoError(t, err)
	return m, f
}

// issue issues a credential through m.
func issue(t testing.TB, m *apicred.Manager, name string) apicred.Issued {
	t.Helper()
	iss, err := m.Issue(t.Context(), apicred.IssueRequest{
		TenantID:    tenant,
		Name:        name,
		Access:      credential.AccessFineGrained,
		Scopes:      []string{"orders:read", "orders:write"},
		Metadata:    map[string]string{"team": "billing"},
		Environment: credential.EnvironmentLive,
		Actor:       "alice@example.com",
	})
	require.NoError(t, err)
	return iss
}

// events returns every event of credential id, oldest first.
func events(t *testing.T, m *apicred.Manager, id uuid.UUID) []credential.Event {
	t.Helper()
	var out []credential.Event
	req := apicred.EventsRequest{TenantID: tenant, CredentialID: id}
	for {
		page, err := m.Events(t.Context(), req)
		require.NoError(t, err)
		out = append(out, page.Events...)
		if page.NextCursor == "" {
			return out
		}
		req.Cursor = page.NextCursor
	}
}

func eventTypes(es []credential.Event) []credential.EventType {
	out := make([]credential.EventType, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

// authenticates reports whether secret authenticates clientID, failing
// the test on any error other than an authentication failure.
func authenticates(t *testing.T, m *apicred.Manager, clientID, secret string) bool {
	t.Helper()
	_, err := m.Authenticate(t.Context(), clientID, []byte(secret))
	if err != nil && !errors.Is(err, apicred.ErrAuthenticationFailed) {
		t.Fatalf("Authenticate failed with a store error, not an authentication failure: %v", err)
	}
	return err == nil
}

// testRacingRotations has several goroutines rotate one credential at
// once, and with revoke one of them revoke it midway (retrying on
// conflicts until the revocation succeeds). Every successful change must
// be exactly one event and one version step; the last rotation's secret
// must be the only one that works, or none after a revocation.
func testRacingRotations(t *testing.T, e engine, revoke bool) {
	m, _ := newManager(t, e)
	iss := issue(t, m, "Racing rotations")
	id := iss.Credential.ID
	ctx := t.Context()

	const workers, rounds = 6, 5
	type success struct {
		version int64
		secret  string // empty for the revocation
	}
	var (
		mu        sync.Mutex
		successes []success
		revokes   int
		wg        sync.WaitGroup
	)
	record := func(s success) {
		mu.Lock()
		defer mu.Unlock()
		successes = append(successes, s)
	}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				if revoke && w == 0 && r == rounds/2 {
					for {
						c, err := m.Revoke(ctx, apicred.RevokeRequest{TenantID: tenant, ID: id, Actor: "sec@example.com", Reason: "Leaked in a log"})
						if errors.Is(err, apicred.ErrConflict) {
							continue
						}
						if !assert.NoError(t, err, "Revoke may only lose races") {
							return
						}
						mu.Lock()
						revokes++
						mu.Unlock()
						record(success{version: c.Version})
						break
					}
					continue
				}
				got, err := m.Rotate(ctx, apicred.RotateRequest{TenantID: tenant, ID: id, Actor: "ops@example.com"})
				switch {
				case err == nil:
					record(success{version: got.Credential.Version, secret: got.Secret.Reveal()})
				case errors.Is(err, apicred.ErrConflict), revoke && errors.Is(err, apicred.ErrRevoked):
				default:
					t.Errorf("Rotate failed with %v; a racing rotation may only conflict (or find the credential revoked)", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	t.Logf("%d of %d changes succeeded; the others lost a race", len(successes), workers*rounds)
	slices.SortFunc(successes, func(a, b success) int { return int(a.version - b.version) })
	for i, s := range successes {
		require.Equal(t, int64(i+2), s.version,
			"R17: the successful changes must have taken versions 2, 3, … one each, none lost or shared")
	}
	got, err := m.Get(ctx, tenant, id)
	require.NoError(t, err)
	require.Equal(t, int64(len(successes)+1), got.Version, "R17: the stored version must count every successful change")

	want := []credential.EventType{credential.EventCreated}
	for _, s := range successes {
		if s.secret == "" {
			want = append(want, credential.EventRevoked)
		} else {
			want = append(want, credential.EventRotated)
		}
	}
	require.Equal(t, want, eventTypes(events(t, m, id)),
		"R16: the events must be exactly the successful changes, in the order of their versions")

	last := successes[len(successes)-1]
	if revoke {
		require.Equal(t, 1, revokes)
		require.Empty(t, last.secret, "no rotation may succeed after the revocation")
		assert.Equal(t, credential.StateRevoked, got.State(time.Now()))
	}
	secrets := []string{iss.Secret.Reveal()}
	for _, s := range successes {
		if s.secret != "" {
			secrets = append(secrets, s.secret)
		}
	}
	for i, secret := range secrets {
		works := authenticates(t, m, iss.ClientID, secret)
		isLast := !revoke && i == len(secrets)-1
		assert.Equal(t, isLast, works, "R17: secret %d of %d: only the secret of the last successful rotation may work (none after a revocation)", i+1, len(secrets))
	}
}

// waitingBackend polls pg_stat_activity for the backend whose statement,
// starting with queryPrefix, waits for a lock, and returns its pid.
func waitingBackend(t *testing.T, admin *sql.DB, queryPrefix string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := admin.QueryRowContext(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE $1 || '%'`, queryPrefix).Scan(&pid)
		if err == nil {
			return pid
		}
		require.ErrorIs(t, err, sql.ErrNoRows)
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no backend waited on a lock with a statement starting %q", queryPrefix)
	return 0
}

// killMidUpdate makes change (an Update of credential id run in a
// goroutine) stop in the middle of its transaction, and kills its
// connection there with pg_terminate_backend from a second connection. A
// transaction of that second connection holds a lock the change waits
// for: the credential's row, so the change stops at its first statement,
// or the events table, so it stops after its UPDATE succeeded, at the
// INSERT of the event. It returns the change's error.
func killMidUpdate(t *testing.T, f fixture, e engine, id uuid.UUID, atEvent bool, change func(context.Context) error) error {
	t.Helper()
	admin := e.open(t, f.dsn)
	tx, err := admin.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	waitFor := "UPDATE " + f.prefix + "credentials"
	if atEvent {
		_, err = tx.ExecContext(t.Context(), "LOCK TABLE "+f.prefix+"events IN EXCLUSIVE MODE")
		waitFor = "INSERT INTO " + f.prefix + "events"
	} else {
		_, err = tx.ExecContext(t.Context(), "SELECT 1 FROM "+f.prefix+"credentials WHERE id = $1 FOR UPDATE", id[:])
	}
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() { done <- change(t.Context()) }()
	pid := waitingBackend(t, admin, waitFor)
	var killed bool
	require.NoError(t, admin.QueryRowContext(t.Context(), "SELECT pg_terminate_backend($1)", pid).Scan(&killed))
	require.True(t, killed, "pg_terminate_backend must terminate the waiting backend")
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the change did not return after its connection was terminated")
	}
	require.NoError(t, tx.Rollback())
	t.Logf("the change failed with: %v", err)
	return err
}

func testTerminatedUpdate(t *testing.T, e engine) {
	for _, atEvent := range []bool{false, true} {
		name := "while the UPDATE waits"
		if atEvent {
			name = "after the UPDATE, while the event INSERT waits"
		}
		t.Run(name, func(t *testing.T) {
			f := e.newFixture(t)
			s := f.store
			c, ev := newCredential(tenant)
			require.NoError(t, s.Create(t.Context(), c, ev))

			next := c.Clone()
			next.SecretHash = credential.Hash(make([]byte, 32))
			next.RotatedAt = baseTime.Add(time.Hour)
			err := killMidUpdate(t, f, e, c.ID, atEvent, func(ctx context.Context) error {
				return s.Update(ctx, next, changeEvent(next, credential.EventRotated))
			})
			require.Error(t, err, "an Update whose connection died must fail")
			assert.NotErrorIs(t, err, store.ErrConflict)
			assert.NotErrorIs(t, err, store.ErrNotFound)

			got, err := s.Get(t.Context(), tenant, c.ID)
			require.NoError(t, err, "the store must be usable after a connection was killed")
			assert.Equal(t, c.Version, got.Version, "R16: the credential must be unchanged")
			assert.Equal(t, []byte(c.SecretHash), []byte(got.SecretHash), "R16: the secret hash must be unchanged")
			assert.True(t, got.RotatedAt.IsZero(), "R16: RotatedAt must be unchanged")
			es, err := s.ListEvents(t.Context(), store.EventQuery{TenantID: tenant, CredentialID: c.ID, Limit: 10})
			require.NoError(t, err)
			require.Len(t, es, 1, "R16: no event may be written by the failed Update")

			require.NoError(t, s.Update(t.Context(), next, changeEvent(next, credential.EventRotated)),
				"the same Update must succeed afterwards")
			es, err = s.ListEvents(t.Context(), store.EventQuery{TenantID: tenant, CredentialID: c.ID, Limit: 10})
			require.NoError(t, err)
			assert.Len(t, es, 2)
		})
	}
}

func testTerminatedRotation(t *testing.T, e engine) {
	for _, atEvent := range []bool{false, true} {
		name := "while the UPDATE waits"
		if atEvent {
			name = "after the UPDATE, while the event INSERT waits"
		}
		t.Run(name, func(t *testing.T) {
			m, f := newManager(t, e)
			iss := issue(t, m, "Terminated rotation")
			id := iss.Credential.ID
			rotate := func(ctx context.Context) (apicred.Issued, error) {
				return m.Rotate(ctx, apicred.RotateRequest{TenantID: tenant, ID: id, Actor: "ops@example.com"})
			}
			err := killMidUpdate(t, f, e, id, atEvent, func(ctx context.Context) error {
				_, err := rotate(ctx)
				return err
			})
			require.Error(t, err, "a rotation whose connection died must fail")
			assert.NotErrorIs(t, err, apicred.ErrConflict)

			assert.True(t, authenticates(t, m, iss.ClientID, iss.Secret.Reveal()),
				"R16: the old secret must still work after the failed rotation")
			got, err := m.Get(t.Context(), tenant, id)
			require.NoError(t, err)
			assert.Equal(t, iss.Credential.Version, got.Version, "R16: the credential must be unchanged")
			assert.True(t, got.RotatedAt.IsZero(), "R16: RotatedAt must be unchanged")
			assert.Equal(t, []credential.EventType{credential.EventCreated}, eventTypes(events(t, m, id)),
				"R16: the failed rotation must write no event")

			again, err := rotate(t.Context())
			require.NoError(t, err, "the store must be usable after a connection was killed")
			assert.False(t, authenticates(t, m, iss.ClientID, iss.Secret.Reveal()), "R4: the old secret must fail after a rotation")
			assert.True(t, authenticates(t, m, iss.ClientID, again.Secret.Reveal()), "the new secret must work")
			assert.Equal(t, []credential.EventType{credential.EventCreated, credential.EventRotated}, eventTypes(events(t, m, id)))
		})
	}
}
