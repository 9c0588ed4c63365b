package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/apicred/apicred/storetest"
	"github.com/stretchr/testify/require"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The environment variables that name the real database servers the tests
// run against. Without them those tests are skipped.
const (
	postgresDSNEnv = "APICRED_TEST_POSTGRES_DSN"
	mysqlDSNEnv    = "APICRED_TEST_MYSQL_DSN"
)

// engine is one database engine the tests run against.
type engine struct {
	name    string
	dialect sqlstore.Dialect
	driver  string
	// dsn returns the DSN of the database a test uses: a new, empty one
	// for SQLite, the one shared test database for the servers (where each
	// store gets tables of its own through a unique prefix).
	dsn func(t testing.TB) string
	// shared tells that dsn names one database that several stores and
	// several *sql.DB share, as processes would.
	shared bool
	// oneConn limits the pool to one connection (SQLite :memory:).
	oneConn bool
	// skip, when not empty, is why the engine cannot run here.
	skip string
}

// sqliteFile is SQLite on a file in the test's temporary directory, with
// the settings the package documentation asks for.
var sqliteFile = engine{
	name: "SQLite file", dialect: sqlstore.SQLite, driver: "sqlite",
	dsn: func(t testing.TB) string {
		return "file:" + filepath.Join(t.TempDir(), "apicred.db") +
			"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	},
}

// sqliteMemory is SQLite in memory. Each connection to ":memory:" is a
// database of its own, so the pool is limited to one connection (see the
// package documentation for why not a shared cache).
var sqliteMemory = engine{
	name: "SQLite :memory:", dialect: sqlstore.SQLite, driver: "sqlite",
	dsn:     func(testing.TB) string { return ":memory:" },
	oneConn: true,
}

// server returns the engine of a database server (what) whose DSN is in
// env.
func server(name, what string, d sqlstore.Dialect, driver, env, example string) engine {
	dsn := os.Getenv(env)
	e := engine{name: name, dialect: d, driver: driver, shared: true,
		dsn: func(testing.TB) string { return dsn }}
	if dsn == "" {
		e.skip = fmt.Sprintf("%s tests skipped: set %s to the DSN of %s, such as %q, to run them (.ci/run starts one and sets it)",
			name, env, what, example)
	}
	return e
}

func postgres() engine {
	return server("PostgreSQL", "a PostgreSQL server", sqlstore.PostgreSQL, "pgx", postgresDSNEnv,
		"postgres://user:password@127.0.0.1:5432/apicred_test")
}

func mysql() engine {
	return server("MySQL", "a MySQL or MariaDB server", sqlstore.MySQL, "mysql", mysqlDSNEnv,
		"user:password@tcp(127.0.0.1:3306)/apicred_test")
}

// open opens a *sql.DB on dsn, closed when t ends.
func (e engine) open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(e.driver, dsn)
	require.NoError(t, err)
	if e.oneConn {
		db.SetMaxOpenConns(1)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// uniquePrefix returns a table prefix no other test uses.
func uniquePrefix(t testing.TB) string {
	t.Helper()
	var b [5]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "t" + hex.EncodeToString(b[:]) + "_"
}

// fixture is a migrated store with what made it.
type fixture struct {
	store  *sqlstore.Store
	db     *sql.DB
	dsn    string
	prefix string
}

// newFixture opens a new database (or new tables in the shared one),
// migrates it, and removes it when t ends.
func (e engine) newFixture(t testing.TB) fixture {
	t.Helper()
	dsn := e.dsn(t)
	db := e.open(t, dsn)
	prefix := uniquePrefix(t)
	s, err := sqlstore.New(db, e.dialect, sqlstore.WithTablePrefix(prefix))
	require.NoError(t, err)
	if e.shared {
		t.Cleanup(func() { dropTables(t, db, prefix) })
	}
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	return fixture{store: s, db: db, dsn: dsn, prefix: prefix}
}

// dropTables removes the tables of a store with prefix.
func dropTables(t testing.TB, db *sql.DB, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, table := range []string{"credentials", "events", "event_locks", "schema_version"} {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+table); err != nil {
			t.Errorf("dropping %s%s: %v", prefix, table, err)
		}
	}
}

func TestSQLiteFile(t *testing.T)   { testEngine(t, sqliteFile) }
func TestSQLiteMemory(t *testing.T) { testEngine(t, sqliteMemory) }
func TestPostgreSQL(t *testing.T)   { testEngine(t, postgres()) }
func TestMySQL(t *testing.T)        { testEngine(t, mysql()) }

// testEngine runs everything that needs a real database against e.
func testEngine(t *testing.T, e engine) {
	if e.skip != "" {
		t.Skip(e.skip)
	}
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return e.newFixture(t).store })
	})
	t.Run("migrations", func(t *testing.T) { testMigrations(t, e) })
	t.Run("manager", func(t *testing.T) { testManager(t, e) })
	if e.shared {
		// SQLite runs one writer at a time: there, a second write cannot
		// even start while the first is open, so there is nothing to race.
		t.Run("event order", func(t *testing.T) {
			testEventOrder(t, e)
			t.Run("concurrent writers and a paging reader", func(t *testing.T) { testConcurrentWritesAndReader(t, e) })
		})
	}
}
