package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/store/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
	_ "modernc.org/sqlite"             // the pure-Go SQLite driver, registered as "sqlite"
)

// Tenant is the demo tenant (the seeds' brand ID) of both programs.
const Tenant = "brand-42"

// Scopes are the scopes the demo service knows. The example API needs
// ProductsRead; the others are there to choose from.
var Scopes = []string{"orders:read", "orders:write", "products:read", "products:write"}

// ProductsRead is the scope of GET /v1/products.
const ProductsRead = "products:read"

// StoreConfig says which database holds the credentials: a SQLite file
// (or ":memory:") unless PostgresDSN is set.
type StoreConfig struct {
	// SQLitePath is a SQLite database file, or ":memory:" for a database
	// that lives as long as the program.
	SQLitePath string
	// PostgresDSN, when set, selects PostgreSQL instead of SQLite.
	PostgresDSN string
}

// RegisterFlags registers the -db and -postgres flags on fs, with
// defaultDB as the default SQLite file.
func (c *StoreConfig) RegisterFlags(fs *flag.FlagSet, defaultDB string) {
	fs.StringVar(&c.SQLitePath, "db", defaultDB, `SQLite database file, or ":memory:" for nothing on disk`)
	fs.StringVar(&c.PostgresDSN, "postgres", "", "PostgreSQL DSN (such as postgres://user:pass@127.0.0.1:5432/db?sslmode=disable); replaces -db")
}

// Backend is an open database and the Manager over it.
type Backend struct {
	// Manager issues, rotates, revokes and authenticates the credentials.
	Manager *apicred.Manager
	// Description names the store for people, such as
	// "SQLite apicred-quickstart.db".
	Description string

	db *sql.DB
}

// Close closes the database.
func (b *Backend) Close() error { return b.db.Close() }

// Open opens the database c names, applies the schema migrations and
// returns the Manager over it, configured with the demo's known scopes.
func Open(ctx context.Context, c StoreConfig) (*Backend, error) {
	db, dialect, desc, err := openDB(c)
	if err != nil {
		return nil, err
	}
	b, err := newBackend(ctx, db, dialect, desc)
	if err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

func newBackend(ctx context.Context, db *sql.DB, dialect sqlstore.Dialect, desc string) (*Backend, error) {
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		return nil, fmt.Errorf("cannot reach the %s database: %w", desc, err)
	}
	st, err := sqlstore.New(db, dialect)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrating the %s database: %w", desc, err)
	}
	m, err := apicred.New(st, apicred.WithKnownScopes(Scopes...))
	if err != nil {
		return nil, err
	}
	return &Backend{Manager: m, Description: desc, db: db}, nil
}

func openDB(c StoreConfig) (*sql.DB, sqlstore.Dialect, string, error) {
	if c.PostgresDSN != "" {
		db, err := sql.Open("pgx", c.PostgresDSN)
		if err != nil {
			return nil, 0, "", err
		}
		// Authentication borrows a connection per request; keep enough idle
		// ones that concurrent requests do not open new ones (see the
		// "Connection pool" section of package sqlstore).
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		return db, sqlstore.PostgreSQL, "PostgreSQL", nil
	}
	if c.SQLitePath == "" {
		return nil, 0, "", errors.New(`no store: give -db a SQLite file or ":memory:", or -postgres a DSN`)
	}
	dsn := "file:" + c.SQLitePath + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	memory := c.SQLitePath == ":memory:"
	if memory {
		// A shared-cache URI with a name of its own: every connection of
		// this pool sees the same database, and no other pool in the
		// process (a second server in a test) does.
		dsn = "file:apicred-" + rand.Text() + "?mode=memory&cache=shared&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, 0, "", err
	}
	if memory {
		// Shared-cache locking fails concurrent writers with SQLITE_LOCKED,
		// which no busy timeout waits for: one connection serialises them,
		// and staying open keeps the database alive.
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		return db, sqlstore.SQLite, "SQLite in memory, nothing on disk", nil
	}
	return db, sqlstore.SQLite, "SQLite " + c.SQLitePath, nil
}
