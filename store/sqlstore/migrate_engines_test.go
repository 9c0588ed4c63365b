package sqlstore_test

import (
	"database/sql"
	"errors"
	"sync"
	"testing"

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

func testMigrations(t *testing.T, e engine) {
	t.Run("Migrate again changes nothing and the version stays recorded once", func(t *testing.T) {
		f := e.newFixture(t)
		c, ev := newCredential("tenant-a")
		require.NoError(t, f.store.Create(t.Context(), c, ev))
		require.NoError(t, f.store.Migrate(t.Context()))
		require.NoError(t, f.store.Migrate(t.Context()))
		assert.Equal(t, []int{sqlstore.SchemaVersion}, schemaVersions(t, f.db, f.prefix))
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
		assert.Equal(t, []int{sqlstore.SchemaVersion, newer}, schemaVersions(t, f.db, f.prefix))
	})

	t.Run("processes migrating at once create the schema exactly once", func(t *testing.T) {
		if !e.shared && e.oneConn {
			t.Skip("an in-memory database cannot be opened by a second process")
		}
		dsn := e.dsn(t)
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
		assert.Equal(t, []int{sqlstore.SchemaVersion}, schemaVersions(t, db, prefix))
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
