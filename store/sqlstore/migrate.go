package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// SchemaVersion is the version of the schema this code creates and
// expects: the number of its migrations, the same on every engine.
//
// Version 2 keeps events in commit order (see [Store.ListEvents]): on
// MySQL/MariaDB it adds the event_locks table, on PostgreSQL it records
// that writers take an advisory lock per tenant, and on SQLite, whose
// writers are serialised already, it changes nothing. It exists on every
// engine so that code older than that guarantee refuses a schema migrated
// by newer code, with [ErrSchemaTooNew], instead of writing events out of
// order.
const SchemaVersion = 2

// ErrSchemaTooNew reports a database whose schema was migrated by a newer
// version of this package. Every error of that kind is a
// [*SchemaVersionError] and matches ErrSchemaTooNew with [errors.Is].
var ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this code")

// SchemaVersionError reports that [Store.Migrate] found a schema newer
// than [SchemaVersion]. It changes nothing then: running older code
// against a newer schema could lose what the newer code wrote, so the
// code must be upgraded, never the schema downgraded.
type SchemaVersionError struct {
	// Database is the schema version recorded in the database.
	Database int
	// Code is the newest version this code knows, [SchemaVersion].
	Code int
}

// Error says which versions were found and what to do.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("sqlstore: database schema version %d is newer than version %d of this code: upgrade the code",
		e.Database, e.Code)
}

// Is reports whether target is [ErrSchemaTooNew].
func (e *SchemaVersionError) Is(target error) bool { return target == ErrSchemaTooNew }

// migrationFiles holds the versioned schema of each dialect:
// migrations/<dialect>/<version>_<name>.sql, versions 1, 2, … without gaps,
// the same versions for every dialect. A migration that an engine needs no
// statement for holds only comments that say why: it is still recorded.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one versioned step of a dialect's schema.
type migration struct {
	version    int
	name       string
	statements []string
}

// loadMigrations reads the migrations of one dialect, with the table
// prefix filled in, and checks that they are numbered 1 to SchemaVersion.
func loadMigrations(dir, prefix string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, path.Join("migrations", dir))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: migration %s/%s: want <version>_<name>.sql", dir, name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("sqlstore: migration %s/%s: want version %d", dir, name, len(out)+1)
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: reading migration %s/%s: %w", dir, name, err)
		}
		out = append(out, migration{version: v, name: name, statements: splitStatements(withPrefix(string(b), prefix))})
	}
	if len(out) != SchemaVersion {
		return nil, fmt.Errorf("sqlstore: %d %s migrations embedded, want %d", len(out), dir, SchemaVersion)
	}
	return out, nil
}

// splitStatements splits a migration file into statements, each ending
// with a semicolon at the end of a line. Lines that are only a "--"
// comment are dropped.
func splitStatements(src string) []string {
	var (
		out []string
		cur strings.Builder
	)
	for line := range strings.Lines(src) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// Migrate creates the schema, or brings it up to [SchemaVersion], and
// records the version applied. It is idempotent: on an up-to-date schema
// it changes nothing, so a service may call it at every start. It is safe
// when several processes start at once, each taking the database's own
// lock first:
//
//   - PostgreSQL: one transaction holding pg_advisory_xact_lock; its DDL
//     is transactional, so a failed migration leaves nothing behind.
//   - MySQL/MariaDB: GET_LOCK on a name derived from the database and the
//     table prefix. DDL commits implicitly there, so every statement is
//     idempotent and a migration cut short is completed by the next call.
//   - SQLite: BEGIN IMMEDIATE, which holds the database's write lock;
//     another process waits as long as its busy_timeout allows.
//
// A schema newer than this code gives a [*SchemaVersionError] (matching
// [ErrSchemaTooNew]) and changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return wrap(ctx, "migrate", err)
	}
	switch s.dialect {
	case PostgreSQL:
		return s.migratePostgres(ctx)
	case MySQL:
		return s.migrateMySQL(ctx)
	default:
		return s.migrateSQLite(ctx)
	}
}

// execQuerier is what applying migrations needs: a *sql.Tx or a *sql.Conn.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// apply runs the migrations the database lacks, under a lock the caller
// holds.
func (s *Store) apply(ctx context.Context, x execQuerier) error {
	if _, err := x.ExecContext(ctx, s.q.createVersionTable); err != nil {
		return wrap(ctx, "migrate: create version table", err)
	}
	var current int
	if err := x.QueryRowContext(ctx, s.q.schemaVersion).Scan(&current); err != nil {
		return wrap(ctx, "migrate: read version", err)
	}
	if current > len(s.migrations) {
		return &SchemaVersionError{Database: current, Code: len(s.migrations)}
	}
	for _, m := range s.migrations[current:] {
		for i, stmt := range m.statements {
			if _, err := x.ExecContext(ctx, stmt); err != nil {
				return wrap(ctx, fmt.Sprintf("migrate: %s, statement %d", m.name, i+1), err)
			}
		}
		if _, err := x.ExecContext(ctx, s.q.insertVersion, m.version); err != nil {
			return wrap(ctx, "migrate: record version "+strconv.Itoa(m.version), err)
		}
	}
	return nil
}

// migrationLockKey is the PostgreSQL advisory lock key of a table prefix.
func migrationLockKey(prefix string) int64 {
	h := fnv.New64a()
	h.Write([]byte("apicred/sqlstore migrate " + prefix))
	return int64(h.Sum64())
}

func (s *Store) migratePostgres(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(ctx, "migrate: begin", err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey(s.prefix)); err != nil {
		return rollback(tx, wrap(ctx, "migrate: lock", err))
	}
	if err := s.apply(ctx, tx); err != nil {
		return rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(ctx, "migrate: commit", err)
	}
	return nil
}

// MySQL's user-level lock is server-wide, so its name includes the
// database; hashing keeps it within the 64 characters allowed.
const (
	mysqlLockName    = `CONCAT('apicred_', SHA1(CONCAT(COALESCE(DATABASE(), ''), '.', ?)))`
	mysqlGetLock     = `SELECT GET_LOCK(` + mysqlLockName + `, ?)`
	mysqlReleaseLock = `SELECT RELEASE_LOCK(` + mysqlLockName + `)`
	// mysqlLockWait is how long GET_LOCK waits, in seconds, unless the
	// context ends first.
	mysqlLockWait = 600
)

// errLockWait reports that another process held the migration lock for
// longer than mysqlLockWait.
var errLockWait = fmt.Errorf("GET_LOCK gave up after %d seconds: another process is migrating", mysqlLockWait)

func (s *Store) migrateMySQL(ctx context.Context) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrap(ctx, "migrate: connect", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, mysqlGetLock, s.prefix, mysqlLockWait).Scan(&got); err != nil {
		return wrap(ctx, "migrate: lock", err)
	}
	if got.Int64 != 1 {
		return fmt.Errorf("sqlstore: migrate: lock: %w", errLockWait)
	}
	defer func() {
		var released sql.NullInt64
		rerr := conn.QueryRowContext(context.WithoutCancel(ctx), mysqlReleaseLock, s.prefix).Scan(&released)
		if rerr != nil {
			// The lock lives as long as the session: drop the connection.
			discard(conn)
			if err == nil {
				err = wrap(ctx, "migrate: unlock", rerr)
			}
		}
	}()
	return s.apply(ctx, conn)
}

func (s *Store) migrateSQLite(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrap(ctx, "migrate: connect", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return wrap(ctx, "migrate: begin", err)
	}
	if err := s.apply(ctx, conn); err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			// Never hand a connection inside a transaction back to the pool.
			discard(conn)
		}
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			discard(conn)
		}
		return wrap(ctx, "migrate: commit", err)
	}
	return nil
}

// discard makes database/sql close conn instead of returning it to the
// pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
