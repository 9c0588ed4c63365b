package evidence

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The environment variables that name the database servers. Without them
// the tests of those engines are skipped.
const (
	postgresDSNEnv = "APICRED_TEST_POSTGRES_DSN"
	mysqlDSNEnv    = "APICRED_TEST_MYSQL_DSN"
)

// engineKind is one store engine the evidence is gathered on.
type engineKind int

const (
	engineMemory engineKind = iota + 1
	engineSQLiteFile
	enginePostgres
	engineMySQL
)

// engine names an engine for subtests.
type engine struct {
	name string
	kind engineKind
}

// engines are every engine, in the order the tests run them.
var engines = []engine{
	{"memory", engineMemory},
	{"sqlite_file", engineSQLiteFile},
	{"postgresql", enginePostgres},
	{"mysql", engineMySQL},
}

// forEachEngine runs f in a subtest per engine, on a store opened for it.
func forEachEngine(t *testing.T, f func(t *testing.T, o *openedStore)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { f(t, e.open(t)) })
	}
}

// openedStore is a migrated, empty store opened for one test, with what
// made it. Everything is released when the test ends.
type openedStore struct {
	kind engineKind
	// store is the store itself.
	store store.Store
	// sql, db, prefix and dsn are those of an SQL store; sql is nil for the
	// memory store.
	sql    *sqlstore.Store
	db     *sql.DB
	prefix string
	dsn    string
	// path is the SQLite database file.
	path string

	closeOnce sync.Once
}

// open opens a new store of e for t, or skips t with one line naming the
// environment variable a server engine needs.
func (e engine) open(t *testing.T) *openedStore {
	t.Helper()
	switch e.kind {
	case engineMemory:
		return &openedStore{kind: e.kind, store: memstore.New()}
	case engineSQLiteFile:
		path := filepath.Join(t.TempDir(), "apicred.db")
		dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
		return openSQL(t, e.kind, "sqlite", sqlstore.SQLite, dsn, path)
	case enginePostgres:
		dsn := os.Getenv(postgresDSNEnv)
		if dsn == "" {
			t.Skipf("PostgreSQL skipped: set %s to the DSN of a PostgreSQL test database to run it (.ci/run starts a server and sets it)", postgresDSNEnv)
		}
		return openSQL(t, e.kind, "pgx", sqlstore.PostgreSQL, dsn, "")
	case engineMySQL:
		dsn := os.Getenv(mysqlDSNEnv)
		if dsn == "" {
			t.Skipf("MySQL/MariaDB skipped: set %s to the DSN of a MySQL or MariaDB test database to run it (.ci/run starts a server and sets it)", mysqlDSNEnv)
		}
		return openSQL(t, e.kind, "mysql", sqlstore.MySQL, dsn, "")
	}
	t.Fatalf("unknown engine %v", e.kind)
	return nil
}

// openSQL opens, migrates and registers the cleanup of an SQL store. On
// the servers its tables get a random prefix of their own, and every table
// whose name starts with it is dropped when t ends.
func openSQL(t *testing.T, kind engineKind, driver string, d sqlstore.Dialect, dsn, path string) *openedStore {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		t.Fatalf("%s: cannot reach the database: %v", d, err)
	}
	prefix := uniquePrefix(t)
	s, err := sqlstore.New(db, d, sqlstore.WithTablePrefix(prefix))
	if err != nil {
		_ = db.Close()
		t.Fatalf("sqlstore.New: %v", err)
	}
	o := &openedStore{kind: kind, store: s, sql: s, db: db, prefix: prefix, dsn: dsn, path: path}
	t.Cleanup(func() { o.close(t) })
	require.NoError(t, s.Migrate(ctx), "migrating %s", d)
	return o
}

// server reports whether o is on a shared database server.
func (o *openedStore) server() bool { return o.kind == enginePostgres || o.kind == engineMySQL }

// close releases the store and, on a server, drops its tables, once.
func (o *openedStore) close(t *testing.T) {
	if o.db == nil {
		return
	}
	o.closeOnce.Do(func() {
		if err := o.sql.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
		if o.server() {
			o.dropTables(t)
		}
		if err := o.db.Close(); err != nil {
			t.Errorf("closing the database: %v", err)
		}
	})
}

// uniquePrefix returns a table prefix no other test uses.
func uniquePrefix(t *testing.T) string {
	t.Helper()
	var b [5]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "ev" + hex.EncodeToString(b[:]) + "_"
}

// tables returns the names of the tables of o's prefix, found through
// information_schema (or sqlite_master), so that a table added by a later
// migration is found too.
func (o *openedStore) tables(ctx context.Context) ([]string, error) {
	var q string
	switch o.kind {
	case enginePostgres:
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	case engineMySQL:
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name`
	case engineSQLiteFile:
		q = `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	default:
		return nil, errors.New("no tables in the memory store")
	}
	rows, err := o.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		// The prefix is compared here rather than with LIKE, where its '_'
		// would be a wildcard.
		if strings.HasPrefix(name, o.prefix) {
			names = append(names, name)
		}
	}
	return names, rows.Err()
}

// quote quotes a table name for o's engine.
func (o *openedStore) quote(name string) string {
	if o.kind == engineMySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// dropTables drops every table of o's prefix.
func (o *openedStore) dropTables(t *testing.T) {
	// t.Context() is already cancelled while cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names, err := o.tables(ctx)
	if err != nil {
		t.Errorf("listing the tables of prefix %s to drop them: %v", o.prefix, err)
		return
	}
	for _, name := range names {
		if _, err := o.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+o.quote(name)); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	}
}

// rowCounts returns the number of credentials and events an SQL store
// holds, straight from its tables.
func (o *openedStore) rowCounts(ctx context.Context) (credentials, events int64, err error) {
	q := "SELECT (SELECT COUNT(*) FROM " + o.quote(o.prefix+"credentials") + "), (SELECT COUNT(*) FROM " + o.quote(o.prefix+"events") + ")"
	err = o.db.QueryRowContext(ctx, q).Scan(&credentials, &events)
	return credentials, events, err
}

// errStoreDown is the failure a probeStore injects.
var errStoreDown = errors.New("evidence: injected store failure: the database is unreachable")

// probeStore wraps a store to count its successful writes and, when fail
// is set, to fail every call as a store that is down would.
type probeStore struct {
	store.Store
	fail    atomic.Bool
	creates atomic.Int64
	updates atomic.Int64
}

func (p *probeStore) down(op string) error {
	if p.fail.Load() {
		return fmt.Errorf("%s: %w", op, errStoreDown)
	}
	return nil
}

func (p *probeStore) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := p.down("create"); err != nil {
		return err
	}
	err := p.Store.Create(ctx, c, e)
	if err == nil {
		p.creates.Add(1)
	}
	return err
}

func (p *probeStore) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := p.down("update"); err != nil {
		return err
	}
	err := p.Store.Update(ctx, c, e)
	if err == nil {
		p.updates.Add(1)
	}
	return err
}

func (p *probeStore) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	if err := p.down("get"); err != nil {
		return credential.Credential{}, err
	}
	return p.Store.Get(ctx, tenantID, id)
}

func (p *probeStore) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	if err := p.down("get by client ID"); err != nil {
		return credential.Credential{}, err
	}
	return p.Store.GetByClientID(ctx, clientID)
}

func (p *probeStore) List(ctx context.Context, q store.ListQuery) ([]credential.Credential, error) {
	if err := p.down("list"); err != nil {
		return nil, err
	}
	return p.Store.List(ctx, q)
}

func (p *probeStore) ListEvents(ctx context.Context, q store.EventQuery) ([]credential.Event, error) {
	if err := p.down("list events"); err != nil {
		return nil, err
	}
	return p.Store.ListEvents(ctx, q)
}

// testClock is a settable clock for the Manager.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock(t time.Time) *testClock { return &testClock{now: t} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
