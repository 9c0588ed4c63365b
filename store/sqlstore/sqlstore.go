package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apicred/apicred/store"
)

// Store is a [store.Store] and [store.UsageRecorder] over a *sql.DB. It
// is safe for concurrent use by multiple goroutines.
type Store struct {
	db         *sql.DB
	dialect    Dialect
	d          *dialect
	prefix     string
	q          queries
	migrations []migration

	// Statements of the authentication path, prepared on first use; mu
	// serialises preparing them.
	mu            sync.Mutex
	getByClientID atomic.Pointer[sql.Stmt]
	recordUse     atomic.Pointer[sql.Stmt]

	// beforeCommit, when not nil, is called by Create and Update between
	// the INSERT of their event and their COMMIT. Only tests set it
	// (SetBeforeCommit in export_test.go), to hold a write's transaction
	// open at that point.
	beforeCommit func()
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.UsageRecorder = (*Store)(nil)
)

// DefaultTablePrefix is the prefix of the Store's table names unless
// [WithTablePrefix] says otherwise: its tables are apicred_credentials,
// apicred_events and apicred_schema_version, and on MySQL/MariaDB
// apicred_event_locks.
const DefaultTablePrefix = "apicred_"

// MaxTablePrefixLen bounds a table prefix so that every table and index
// name stays within the shortest identifier limit of the three engines
// (63 bytes on PostgreSQL).
const MaxTablePrefixLen = 24

// ErrInvalidOption reports an argument or option of [New] that cannot be
// used.
var ErrInvalidOption = errors.New("sqlstore: invalid option")

// Option configures a Store in [New].
type Option func(*config) error

type config struct {
	prefix string
}

// WithTablePrefix names the Store's tables <prefix>credentials,
// <prefix>events, <prefix>schema_version and, on MySQL/MariaDB,
// <prefix>event_locks (and prefixes its index names, and derives its
// PostgreSQL advisory lock keys from it), so that several stores, or a
// store and other applications, can share one database or schema. The
// prefix must be at most [MaxTablePrefixLen] ASCII letters, digits and
// underscores, not starting with a digit; it may be empty. The default is
// [DefaultTablePrefix].
func WithTablePrefix(prefix string) Option {
	return func(c *config) error {
		if !validPrefix(prefix) {
			return fmt.Errorf("%w: table prefix %q: want at most %d ASCII letters, digits or '_', not starting with a digit",
				ErrInvalidOption, prefix, MaxTablePrefixLen)
		}
		c.prefix = prefix
		return nil
	}
}

func validPrefix(p string) bool {
	if len(p) > MaxTablePrefixLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && !(i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// New returns a Store that keeps credentials in db, speaking dialect. It
// does not touch the database: call [Store.Migrate] to create or upgrade
// the schema before use (it is idempotent, so calling it at every start is
// the intended use). The caller keeps ownership of db and closes it after
// [Store.Close].
func New(db *sql.DB, dialect Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: nil *sql.DB", ErrInvalidOption)
	}
	if !dialect.valid() {
		return nil, fmt.Errorf("%w: unknown dialect %v", ErrInvalidOption, dialect)
	}
	cfg := config{prefix: DefaultTablePrefix}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil Option", ErrInvalidOption)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	d := &dialects[dialect]
	migrations, err := loadMigrations(d.name, cfg.prefix)
	if err != nil {
		return nil, err
	}
	return &Store{
		db:         db,
		dialect:    dialect,
		d:          d,
		prefix:     cfg.prefix,
		q:          buildQueries(d, cfg.prefix),
		migrations: migrations,
	}, nil
}

// Dialect returns the dialect the Store was built with.
func (s *Store) Dialect() Dialect { return s.dialect }

// TablePrefix returns the prefix of the Store's table names.
func (s *Store) TablePrefix() string { return s.prefix }

// Close releases the Store's prepared statements. It does not close the
// *sql.DB, which belongs to the caller. A Store used after Close prepares
// its statements again.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, p := range []*atomic.Pointer[sql.Stmt]{&s.getByClientID, &s.recordUse} {
		if st := p.Swap(nil); st != nil {
			if err := st.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// prepared returns the statement in p, preparing query on first use. A
// failed preparation is not remembered: the next call tries again.
func (s *Store) prepared(ctx context.Context, p *atomic.Pointer[sql.Stmt], query string) (*sql.Stmt, error) {
	if st := p.Load(); st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := p.Load(); st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.Store(st)
	return st, nil
}

// wrap adds the operation's name to an error of the database. The
// driver's error stays reachable with errors.Is and errors.As; no query
// argument is ever added to the text. When the context ended, the error
// matches ctx.Err() whatever the driver made of the cancellation.
func wrap(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// rollback ends a failed transaction and returns err. The transaction's
// own error matters, not the rollback's: a rollback fails mostly because
// the connection is gone, which aborts the transaction just the same.
func rollback(tx *sql.Tx, err error) error {
	_ = tx.Rollback()
	return err
}
