package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests drive every failure point of every write through go-sqlmock:
// the error must surface (mapped to the store's sentinel where one
// applies, otherwise wrapped with the operation's name), the transaction
// must be rolled back, and nothing may run after the failure.

var (
	errDriver   = errors.New("driver: connection reset by peer")
	errRollback = errors.New("driver: rollback on a dead connection")
)

// mockStore returns a Store of dialect d over a go-sqlmock database that
// matches queries by their exact text.
func mockStore(t *testing.T, d Dialect) (*Store, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	s, err := New(db, d)
	require.NoError(t, err)
	return s, mock
}

// mockCredential returns a credential with a secret hash, and its event.
func mockCredential() (credential.Credential, credential.Event) {
	id := uuid.MustParse("0192f0c4-7d2a-7cc1-9a4e-3b1f6c2d8e90")
	hash := sha256.Sum256([]byte("ms_live_not-a-real-secret"))
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	c := credential.Credential{
		ID: id, TenantID: "brand-secret-tenant", ClientID: "mk_live_clientidclientidclient",
		Name: "ERP Sync", Access: credential.AccessFineGrained, Scopes: []string{"orders:read"},
		Metadata: map[string]string{"team": "billing"}, Environment: credential.EnvironmentLive,
		SecretHash: credential.Hash(hash[:]), HasherID: "sha256", SecretHint: "ms_live_…x7Qa",
		CreatedAt: at, Version: 1,
	}
	e := credential.Event{
		ID: uuid.MustParse("0192f0c4-7d2a-7cc1-9a4e-3b1f6c2d8e91"), Type: credential.EventCreated,
		TenantID: c.TenantID, CredentialID: id, Actor: "actor-alice", At: at,
	}
	return c, e
}

// writeCase is one failure point of a write.
type writeCase struct {
	name string
	// expect scripts the database, up to and including the failure.
	expect func(m sqlmock.Sqlmock, q *queries)
	// wantIs is the error the result must match; wantOp the text it must
	// contain.
	wantIs error
	wantOp string
}

// checkWrite runs one case of a write and checks the outcome.
func checkWrite(t *testing.T, d Dialect, c writeCase, write func(*Store) error) {
	t.Helper()
	s, mock := mockStore(t, d)
	c.expect(mock, &s.q)
	err := write(s)
	if c.wantIs == nil {
		require.NoError(t, err)
	} else {
		require.ErrorIs(t, err, c.wantIs)
		assert.Contains(t, err.Error(), c.wantOp)
		cred, ev := mockCredential()
		for _, arg := range []string{cred.TenantID, cred.ClientID, cred.Name, ev.Actor, string(cred.SecretHash)} {
			assert.NotContains(t, err.Error(), arg, "an error must not carry query arguments")
		}
	}
	require.NoError(t, mock.ExpectationsWereMet(), "every scripted call must have happened, the rollback included")
}

func TestCreateFailurePoints(t *testing.T) {
	cases := []writeCase{
		{
			name:   "a failed BEGIN is returned wrapped and nothing runs",
			expect: func(m sqlmock.Sqlmock, q *queries) { m.ExpectBegin().WillReturnError(errDriver) },
			wantIs: errDriver, wantOp: "sqlstore: create: begin: ",
		},
		{
			name: "a failed credential INSERT is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: create: insert credential: ",
		},
		{
			name: "a unique violation (SQLSTATE 23505) is ErrDuplicate and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnError(&pgconn.PgError{
					Code: "23505", Message: "duplicate key value violates unique constraint",
					Detail: "Key (client_id)=(mk_live_clientidclientidclient) already exists.",
				})
				m.ExpectRollback()
			},
			wantIs: store.ErrDuplicate, wantOp: "sqlstore: create: ",
		},
		{
			name: "a failed event lock is wrapped and rolled back, and no event is inserted",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: create: lock events: ",
		},
		{
			name: "a failed event INSERT is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: create: insert event: ",
		},
		{
			name: "a failed rollback does not hide the error that caused it",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnError(errDriver)
				m.ExpectRollback().WillReturnError(errRollback)
			},
			wantIs: errDriver, wantOp: "sqlstore: create: insert event: ",
		},
		{
			name: "a failed COMMIT is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(1, 1))
				m.ExpectCommit().WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: create: commit: ",
		},
		{
			name: "success commits both inserts",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(1, 1))
				m.ExpectCommit()
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, PostgreSQL, c, func(s *Store) error {
				cred, ev := mockCredential()
				return s.Create(t.Context(), cred, ev)
			})
		})
	}
}

func TestUpdateFailurePoints(t *testing.T) {
	version := func(rows ...int64) *sqlmock.Rows {
		r := sqlmock.NewRows([]string{"version"})
		for _, v := range rows {
			r.AddRow(v)
		}
		return r
	}
	cases := []writeCase{
		{
			name:   "a failed BEGIN is returned wrapped and nothing runs",
			expect: func(m sqlmock.Sqlmock, q *queries) { m.ExpectBegin().WillReturnError(errDriver) },
			wantIs: errDriver, wantOp: "sqlstore: update: begin: ",
		},
		{
			name: "a failed UPDATE is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: update: update credential: ",
		},
		{
			name: "a failed count of affected rows is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewErrorResult(errDriver))
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: update: rows affected: ",
		},
		{
			name: "no row updated and a failed version read is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.version).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: update: read version: ",
		},
		{
			name: "no row updated and no row found is ErrNotFound, rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.version).WillReturnRows(version())
				m.ExpectRollback()
			},
			wantIs: store.ErrNotFound, wantOp: "sqlstore: update: ",
		},
		{
			name: "no row updated but the credential exists is ErrConflict, rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.version).WillReturnRows(version(3))
				m.ExpectRollback()
			},
			wantIs: store.ErrConflict, wantOp: "sqlstore: update: ",
		},
		{
			name: "a failed event lock is wrapped and rolled back, and no event is inserted",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: update: lock events: ",
		},
		{
			name: "a failed event INSERT is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: update: insert event: ",
		},
		{
			name: "a failed rollback does not hide the error that caused it",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnError(errDriver)
				m.ExpectRollback().WillReturnError(errRollback)
			},
			wantIs: errDriver, wantOp: "sqlstore: update: insert event: ",
		},
		{
			name: "a failed COMMIT is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(2, 1))
				m.ExpectCommit().WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: update: commit: ",
		},
		{
			name: "success commits the update and the event",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
				m.ExpectExec(q.lockEvents).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(2, 1))
				m.ExpectCommit()
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, PostgreSQL, c, func(s *Store) error {
				cred, ev := mockCredential()
				ev.Type = credential.EventRotated
				return s.Update(t.Context(), cred, ev)
			})
		})
	}
}

func TestRecordUseFailurePoints(t *testing.T) {
	exists := func(found bool) *sqlmock.Rows {
		r := sqlmock.NewRows([]string{"1"})
		if found {
			r.AddRow(1)
		}
		return r
	}
	cases := []writeCase{
		{
			name:   "a failed PREPARE is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) { m.ExpectPrepare(q.recordUse).WillReturnError(errDriver) },
			wantIs: errDriver, wantOp: "sqlstore: record use: prepare: ",
		},
		{
			name: "a failed UPDATE is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: record use: ",
		},
		{
			name: "a failed count of affected rows is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnResult(sqlmock.NewErrorResult(errDriver))
			},
			wantIs: errDriver, wantOp: "sqlstore: record use: rows affected: ",
		},
		{
			name: "no row updated and a failed existence check is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.exists).WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: record use: exists: ",
		},
		{
			name: "no row updated and no credential is ErrNotFound",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.exists).WillReturnRows(exists(false))
			},
			wantIs: store.ErrNotFound, wantOp: "sqlstore: record use: ",
		},
		{
			name: "no row updated because a later use is stored is success",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.exists).WillReturnRows(exists(true))
			},
		},
		{
			name: "one row updated is success with a single statement",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectPrepare(q.recordUse).ExpectExec().WillReturnResult(sqlmock.NewResult(0, 1))
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, PostgreSQL, c, func(s *Store) error {
				cred, _ := mockCredential()
				return s.RecordUse(t.Context(), cred.TenantID, cred.ID, cred.CreatedAt.Add(time.Hour))
			})
		})
	}
}

// Create and Update lock their tenant's events, with the dialect's
// statement and argument, after every other statement and right before
// the event's INSERT; an Update that loses its compare-and-swap takes no
// lock. SQLite, with one writer at a time, takes none.
func TestWritesLockTheirTenantsEvents(t *testing.T) {
	cred, ev := mockCredential()
	for _, d := range []Dialect{SQLite, PostgreSQL, MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			s, mock := mockStore(t, d)
			q := &s.q
			lockEvents := func() {
				switch d {
				case PostgreSQL:
					mock.ExpectExec(q.lockEvents).WithArgs(eventLockKey(DefaultTablePrefix, cred.TenantID)).
						WillReturnResult(sqlmock.NewResult(0, 0))
				case MySQL:
					mock.ExpectExec(q.lockEvents).WithArgs(cred.TenantID).WillReturnResult(sqlmock.NewResult(0, 1))
				}
			}
			mock.ExpectBegin()
			mock.ExpectExec(q.insertCredential).WillReturnResult(sqlmock.NewResult(0, 1))
			lockEvents()
			mock.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(1, 1))
			mock.ExpectCommit()
			require.NoError(t, s.Create(t.Context(), cred, ev))

			mock.ExpectBegin()
			mock.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 1))
			lockEvents()
			mock.ExpectExec(q.insertEvent).WillReturnResult(sqlmock.NewResult(2, 1))
			mock.ExpectCommit()
			require.NoError(t, s.Update(t.Context(), cred, ev))

			mock.ExpectBegin()
			mock.ExpectExec(q.update).WillReturnResult(sqlmock.NewResult(0, 0))
			mock.ExpectQuery(q.version).WillReturnRows(sqlmock.NewRows([]string{"version"}).AddRow(int64(3)))
			mock.ExpectRollback()
			require.ErrorIs(t, s.Update(t.Context(), cred, ev), store.ErrConflict)
			require.NoError(t, mock.ExpectationsWereMet())
		})
	}
}

// A done context stops every method before it reaches the database: the
// mock has no expectations, so any call would fail differently.
func TestDoneContextTouchesNothing(t *testing.T) {
	s, mock := mockStore(t, SQLite)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cred, ev := mockCredential()
	calls := map[string]func() error{
		"Create":        func() error { return s.Create(ctx, cred, ev) },
		"Update":        func() error { return s.Update(ctx, cred, ev) },
		"Get":           func() error { _, err := s.Get(ctx, cred.TenantID, cred.ID); return err },
		"GetByClientID": func() error { _, err := s.GetByClientID(ctx, cred.ClientID); return err },
		"List":          func() error { _, err := s.List(ctx, store.ListQuery{TenantID: "t", Limit: 1}); return err },
		"ListEvents":    func() error { _, err := s.ListEvents(ctx, store.EventQuery{TenantID: "t", Limit: 1}); return err },
		"RecordUse":     func() error { return s.RecordUse(ctx, cred.TenantID, cred.ID, cred.CreatedAt) },
		"Migrate":       func() error { return s.Migrate(ctx) },
	}
	for name, call := range calls {
		assert.ErrorIs(t, call(), context.Canceled, name)
	}
	require.NoError(t, mock.ExpectationsWereMet())
}

func TestGetByClientIDFailurePoints(t *testing.T) {
	cred, _ := mockCredential()
	cols := []string{"id", "tenant_id", "client_id", "name", "contact_email", "access", "scopes", "metadata",
		"environment", "secret_hash", "hasher_id", "secret_hint", "created_at", "expires_at", "revoked_at",
		"revoke_reason", "rotated_at", "last_used_at", "version"}
	row := func(id []byte) *sqlmock.Rows {
		return sqlmock.NewRows(cols).AddRow(id, cred.TenantID, cred.ClientID, cred.Name, "", "fine_grained",
			`["orders:read"]`, `{"team":"billing"}`, "live", []byte(cred.SecretHash), "sha256", cred.SecretHint,
			cred.CreatedAt.UnixMicro(), nil, nil, "", nil, nil, int64(1))
	}
	cases := []struct {
		name   string
		expect func(m sqlmock.Sqlmock, q *queries)
		wantIs error
	}{
		{"a failed PREPARE is returned wrapped", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).WillReturnError(errDriver)
		}, errDriver},
		{"a failed query is returned wrapped", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).ExpectQuery().WillReturnError(errDriver)
		}, errDriver},
		{"a failure while reading rows is returned wrapped", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).ExpectQuery().WillReturnRows(row(cred.ID[:]).RowError(0, errDriver))
		}, errDriver},
		{"a stored ID of the wrong length is an error, not a credential", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).ExpectQuery().WillReturnRows(row(cred.ID[:8]))
		}, errBadID},
		{"no row is ErrNotFound", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).ExpectQuery().WillReturnRows(sqlmock.NewRows(cols))
		}, store.ErrNotFound},
		{"a row is the credential", func(m sqlmock.Sqlmock, q *queries) {
			m.ExpectPrepare(q.getByClientID).ExpectQuery().WillReturnRows(row(cred.ID[:]))
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, mock := mockStore(t, PostgreSQL)
			c.expect(mock, &s.q)
			got, err := s.GetByClientID(t.Context(), cred.ClientID)
			if c.wantIs == nil {
				require.NoError(t, err)
				want := cred
				want.ContactEmail = ""
				assert.Equal(t, want, got)
			} else {
				require.ErrorIs(t, err, c.wantIs)
				assert.NotContains(t, err.Error(), string(cred.SecretHash))
			}
			require.NoError(t, mock.ExpectationsWereMet())
		})
	}
}

// The statement of the authentication path is prepared once per Store.
func TestGetByClientIDPreparesOnce(t *testing.T) {
	s, mock := mockStore(t, SQLite)
	prep := mock.ExpectPrepare(s.q.getByClientID)
	for range 3 {
		prep.ExpectQuery().WillReturnRows(sqlmock.NewRows([]string{"id"}))
	}
	prep.WillBeClosed()
	for range 3 {
		_, err := s.GetByClientID(t.Context(), "mk_live_x")
		require.ErrorIs(t, err, store.ErrNotFound)
	}
	require.NoError(t, s.Close())
	require.NoError(t, mock.ExpectationsWereMet())
}

func TestMigrateFailurePointsPostgreSQL(t *testing.T) {
	versionRows := func(v int) *sqlmock.Rows {
		return sqlmock.NewRows([]string{"coalesce"}).AddRow(v)
	}
	const lock = "SELECT pg_advisory_xact_lock($1)"
	cases := []writeCase{
		{
			name:   "a failed BEGIN is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) { m.ExpectBegin().WillReturnError(errDriver) },
			wantIs: errDriver, wantOp: "sqlstore: migrate: begin: ",
		},
		{
			name: "a failed advisory lock is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: lock: ",
		},
		{
			name: "a failed version table creation is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: create version table: ",
		},
		{
			name: "a failed version read is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: read version: ",
		},
		{
			name: "a schema newer than the code is refused and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(SchemaVersion + 1))
				m.ExpectRollback()
			},
			wantIs: ErrSchemaTooNew, wantOp: fmt.Sprintf("is newer than version %d of this code", SchemaVersion),
		},
		{
			name: "a failed schema statement is wrapped with its migration and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(0))
				m.ExpectExec(migrationsOf(t, PostgreSQL)[0].statements[0]).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: 0001_init.sql, statement 1: ",
		},
		{
			name: "a failed version record is wrapped and rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(0))
				for _, st := range migrationsOf(t, PostgreSQL)[0].statements {
					m.ExpectExec(st).WillReturnResult(sqlmock.NewResult(0, 0))
				}
				m.ExpectExec(q.insertVersion).WillReturnError(errDriver)
				m.ExpectRollback()
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: record version 1: ",
		},
		{
			name: "a failed COMMIT is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(SchemaVersion))
				m.ExpectCommit().WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: commit: ",
		},
		{
			name: "a version 1 schema gets the later migrations only, each recorded",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(1))
				for _, mg := range migrationsOf(t, PostgreSQL)[1:] {
					for _, st := range mg.statements {
						m.ExpectExec(st).WillReturnResult(sqlmock.NewResult(0, 0))
					}
					m.ExpectExec(q.insertVersion).WithArgs(mg.version).WillReturnResult(sqlmock.NewResult(0, 1))
				}
				m.ExpectCommit()
			},
		},
		{
			name: "an up-to-date schema runs no migration",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectBegin()
				m.ExpectExec(lock).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(versionRows(SchemaVersion))
				m.ExpectCommit()
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, PostgreSQL, c, func(s *Store) error { return s.Migrate(t.Context()) })
		})
	}
}

func TestMigrateFailurePointsMySQL(t *testing.T) {
	lockRows := func(v any) *sqlmock.Rows { return sqlmock.NewRows([]string{"GET_LOCK"}).AddRow(v) }
	released := func() *sqlmock.Rows { return sqlmock.NewRows([]string{"RELEASE_LOCK"}).AddRow(1) }
	cases := []writeCase{
		{
			name:   "a failed GET_LOCK is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) { m.ExpectQuery(mysqlGetLock).WillReturnError(errDriver) },
			wantIs: errDriver, wantOp: "sqlstore: migrate: lock: ",
		},
		{
			name: "a GET_LOCK that gave up is an error, and nothing runs",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectQuery(mysqlGetLock).WillReturnRows(lockRows(0))
			},
			wantIs: errLockWait, wantOp: "sqlstore: migrate: lock: GET_LOCK gave up",
		},
		{
			name: "a failed migration step releases the lock",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectQuery(mysqlGetLock).WillReturnRows(lockRows(1))
				m.ExpectExec(q.createVersionTable).WillReturnError(errDriver)
				m.ExpectQuery(mysqlReleaseLock).WillReturnRows(released())
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: create version table: ",
		},
		{
			name: "a failed release after success is reported",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectQuery(mysqlGetLock).WillReturnRows(lockRows(1))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(SchemaVersion))
				m.ExpectQuery(mysqlReleaseLock).WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: unlock: ",
		},
		{
			name: "a fresh database gets every statement, the version, and the lock released",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectQuery(mysqlGetLock).WillReturnRows(lockRows(1))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(0))
				for _, mg := range migrationsOf(t, MySQL) {
					for _, st := range mg.statements {
						m.ExpectExec(st).WillReturnResult(sqlmock.NewResult(0, 0))
					}
					m.ExpectExec(q.insertVersion).WithArgs(mg.version).WillReturnResult(sqlmock.NewResult(1, 1))
				}
				m.ExpectQuery(mysqlReleaseLock).WillReturnRows(released())
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, MySQL, c, func(s *Store) error { return s.Migrate(t.Context()) })
		})
	}
}

func TestMigrateFailurePointsSQLite(t *testing.T) {
	cases := []writeCase{
		{
			name: "a failed BEGIN IMMEDIATE is returned wrapped",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectExec("BEGIN IMMEDIATE").WillReturnError(errDriver)
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: begin: ",
		},
		{
			name: "a failed schema statement is rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectExec("BEGIN IMMEDIATE").WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(0))
				m.ExpectExec(migrationsOf(t, SQLite)[0].statements[0]).WillReturnError(errDriver)
				m.ExpectExec("ROLLBACK").WillReturnResult(sqlmock.NewResult(0, 0))
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: 0001_init.sql, statement 1: ",
		},
		{
			name: "a failed COMMIT is rolled back",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectExec("BEGIN IMMEDIATE").WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectQuery(q.schemaVersion).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(SchemaVersion))
				m.ExpectExec("COMMIT").WillReturnError(errDriver)
				m.ExpectExec("ROLLBACK").WillReturnResult(sqlmock.NewResult(0, 0))
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: commit: ",
		},
		{
			name: "a failed ROLLBACK does not hide the error that caused it",
			expect: func(m sqlmock.Sqlmock, q *queries) {
				m.ExpectExec("BEGIN IMMEDIATE").WillReturnResult(sqlmock.NewResult(0, 0))
				m.ExpectExec(q.createVersionTable).WillReturnError(errDriver)
				m.ExpectExec("ROLLBACK").WillReturnError(errRollback)
			},
			wantIs: errDriver, wantOp: "sqlstore: migrate: create version table: ",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkWrite(t, SQLite, c, func(s *Store) error { return s.Migrate(t.Context()) })
		})
	}
}

// migrationsOf returns the migrations of dialect d with the default
// prefix.
func migrationsOf(t *testing.T, d Dialect) []migration {
	t.Helper()
	ms, err := loadMigrations(dialects[d].name, DefaultTablePrefix)
	require.NoError(t, err)
	return ms
}

// sql.ErrNoRows must never escape: an absent row is ErrNotFound.
func TestGetNoRowsIsNotFound(t *testing.T) {
	s, mock := mockStore(t, MySQL)
	mock.ExpectQuery(s.q.get).WillReturnRows(sqlmock.NewRows([]string{"id"}))
	_, err := s.Get(t.Context(), "t", uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NotErrorIs(t, err, sql.ErrNoRows)
	require.NoError(t, mock.ExpectationsWereMet())
}
