package sqlstore_test

import (
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaVersions returns the versions recorded in a store's version table.
func schemaVersions(t *testing.T, db *sql.DB, prefix string) []int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT version FROM "+prefix+"schema_version ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

// allVersions lists the versions a fully migrated schema records: 1 to
// SchemaVersion.
func allVersions() []int {
	out := make([]int, sqlstore.SchemaVersion)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func testMigrations(t *testing.T, e engine) {
	t.Run("Migrate again changes nothing and each version stays recorded once", func(t *testing.T) {
		f := e.newFixture(t)
		c, ev := newCredential("tenant-a")
		require.NoError(t, f.store.Create(t.Context(), c, ev))
		require.NoError(t, f.store.Migrate(t.Context()))
		require.NoError(t, f.store.Migrate(t.Context()))
		assert.Equal(t, allVersions(), schemaVersions(t, f.db, f.prefix))
		_, err := f.store.Get(t.Context(), "tenant-a", c.ID)
		require.NoError(t, err, "a credential must survive a repeated Migrate")
	})

	t.Run("Migrate refuses a schema newer than the code and changes nothing", func(t *testing.T) {
		f := e.newFixture(t)
		newer := sqlstore.SchemaVersion + 1
		_, err := f.db.ExecContext(t.Context(), "INSERT INTO "+f.prefix+"schema_version (version) VALUES "+e.placeholders(1), newer)
		require.NoError(t, err)
		err = f.store.Migrate(t.Context())
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
		var sv *sqlstore.SchemaVersionError
		require.ErrorAs(t, err, &sv)
		assert.Equal(t, sqlstore.SchemaVersionError{Database: newer, Code: sqlstore.SchemaVersion}, *sv)
		assert.Contains(t, err.Error(), "upgrade the code")
		assert.Equal(t, append(allVersions(), newer), schemaVersions(t, f.db, f.prefix))
	})

	t.Run("a version 1 schema is upgraded, keeping its credentials and events", func(t *testing.T) {
		f := e.newFixture(t)
		ctx := t.Context()
		c, ev := newCredential("tenant-a")
		require.NoError(t, f.store.Create(ctx, c, ev))
		// Take the schema back to what version 1 made.
		undo := map[sqlstore.Dialect]string{
			sqlstore.PostgreSQL: "COMMENT ON COLUMN " + f.prefix + "events.seq IS NULL",
			sqlstore.MySQL:      "DROP TABLE " + f.prefix + "event_locks",
		}
		if q := undo[e.dialect]; q != "" {
			_, err := f.db.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		_, err := f.db.ExecContext(ctx, "DELETE FROM "+f.prefix+"schema_version WHERE version > 1")
		require.NoError(t, err)
		require.Equal(t, []int{1}, schemaVersions(t, f.db, f.prefix))

		require.NoError(t, f.store.Migrate(ctx))
		assert.Equal(t, allVersions(), schemaVersions(t, f.db, f.prefix))
		lockWrites := func() int64 {
			var n int64
			require.NoError(t, f.db.QueryRowContext(ctx, "SELECT writes FROM "+f.prefix+"event_locks WHERE tenant_id = ?",
				"tenant-a").Scan(&n), "the migration must make the event lock row of every existing tenant")
			return n
		}
		if e.dialect == sqlstore.MySQL {
			assert.Equal(t, int64(0), lockWrites())
		}
		require.NoError(t, f.store.Update(ctx, c, changeEvent(c, credential.EventRotated)),
			"a write must work on the upgraded schema")
		if e.dialect == sqlstore.MySQL {
			assert.Equal(t, int64(1), lockWrites(), "the write must have locked its tenant's row")
			require.NoError(t, f.store.Migrate(ctx))
			assert.Equal(t, int64(1), lockWrites(), "Migrate again must leave the rows as they are")
		}
		es, err := f.store.ListEvents(ctx, store.EventQuery{TenantID: "tenant-a", Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, []credential.EventType{credential.EventCreated, credential.EventRotated}, eventTypes(es))
	})

	t.Run("processes migrating at once create the schema exactly once", func(t *testing.T) {
		if !e.shared && e.oneConn {
			t.Skip("an in-memory database cannot be opened by a second process")
		}
		dsn := e.dsn(t)
		// The database exists before the processes start, as in any
		// deployment: switching a brand-new SQLite file to WAL is a step
		// that SQLite does not wait for (see the package doc), and it is
		// not what this case is about.
		require.NoError(t, e.open(t, dsn).PingContext(t.Context()))
		prefix := uniquePrefix(t)
		const processes = 4
		stores := make([]*sqlstore.Store, processes)
		for i := range stores {
			db := e.open(t, dsn)
			s, err := sqlstore.New(db, e.dialect, sqlstore.WithTablePrefix(prefix))
			require.NoError(t, err)
			stores[i] = s
			if i == 0 && e.shared {
				t.Cleanup(func() { dropTables(t, db, prefix) })
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, processes)
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...), "every concurrent Migrate must succeed")
		db := e.open(t, dsn)
		assert.Equal(t, allVersions(), schemaVersions(t, db, prefix))
		c, ev := newCredential("tenant-a")
		require.NoError(t, stores[0].Create(t.Context(), c, ev))
		got, err := stores[processes-1].GetByClientID(t.Context(), c.ClientID)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ID)
	})

	t.Run("stores with different table prefixes in one database are apart", func(t *testing.T) {
		dsn := e.dsn(t)
		db := e.open(t, dsn)
		var stores [2]*sqlstore.Store
		for i := range stores {
			prefix := uniquePrefix(t)
			s, err := sqlstore.New(db, e.dialect, sqlstore.WithTablePrefix(prefix))
			require.NoError(t, err)
			if e.shared {
				t.Cleanup(func() { dropTables(t, db, prefix) })
			}
			require.NoError(t, s.Migrate(t.Context()))
			stores[i] = s
		}
		c, ev := newCredential("tenant-a")
		require.NoError(t, stores[0].Create(t.Context(), c, ev))
		_, err := stores[1].GetByClientID(t.Context(), c.ClientID)
		require.ErrorIs(t, err, store.ErrNotFound)
		// The same ID and client ID are free in the other store's tables.
		require.NoError(t, stores[1].Create(t.Context(), c, ev))
		got, err := stores[1].List(t.Context(), store.ListQuery{TenantID: "tenant-a", Limit: 10})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, c.ID, got[0].ID)
	})
}
