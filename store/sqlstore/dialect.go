package sqlstore

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// Dialect names the SQL engine a [Store] speaks to. It chooses the schema,
// the placeholder style, the migration lock, the lock that keeps events in
// commit order and the way a unique-key violation is recognised; it never
// selects a driver, which the caller picks when it opens the *sql.DB.
type Dialect int

// The dialects.
const (
	// SQLite is SQLite 3.35 or later, through any driver; the tests use
	// modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = iota + 1
	// PostgreSQL is PostgreSQL 12 or later (and engines compatible with
	// its wire protocol and SQL), such as through
	// github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL
	// MySQL is MySQL 8 or MariaDB 10.5 or later, through
	// github.com/go-sql-driver/mysql (driver name "mysql").
	MySQL
)

// String returns "sqlite", "postgres" or "mysql".
func (d Dialect) String() string {
	if d.valid() {
		return dialects[d].name
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

func (d Dialect) valid() bool { return d >= SQLite && d <= MySQL }

// dialect is the small set of facts and SQL strings in which the engines
// differ. Everything else is one portable query text per operation.
type dialect struct {
	// name is the dialect's name and the directory of its migrations.
	name string
	// numbered placeholders ($1, $2, …) instead of "?".
	numbered bool
	// createVersionTable creates the schema version table, {prefix}
	// standing for the table prefix; it must be idempotent. The time a
	// version was applied comes from the database's clock: a store reads
	// no clock of its own.
	createVersionTable string
	// isUnique reports whether err is a unique-key violation.
	isUnique func(err error) bool
	// lockEvents locks the events of one tenant until the end of the
	// transaction, with {prefix} standing for the table prefix and one
	// argument, eventLockArg(prefix, tenant); empty when the engine
	// needs no such lock (see eventorder.go).
	lockEvents   string
	eventLockArg func(prefix, tenant string) any
}

var dialects = [...]dialect{
	SQLite: {
		name: "sqlite",
		createVersionTable: `CREATE TABLE IF NOT EXISTS {prefix}schema_version (
    version    INTEGER NOT NULL PRIMARY KEY,
    applied_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
)`,
		isUnique: isSQLiteUnique,
	},
	PostgreSQL: {
		name:     "postgres",
		numbered: true,
		createVersionTable: `CREATE TABLE IF NOT EXISTS {prefix}schema_version (
    version    integer     NOT NULL PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)`,
		isUnique:     isPostgresUnique,
		lockEvents:   postgresLockEvents,
		eventLockArg: postgresEventLockArg,
	},
	MySQL: {
		name: "mysql",
		createVersionTable: `CREATE TABLE IF NOT EXISTS {prefix}schema_version (
    version    INT       NOT NULL PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE = InnoDB`,
		isUnique:     isMySQLUnique,
		lockEvents:   mysqlLockEvents,
		eventLockArg: mysqlEventLockArg,
	},
}

// bind rewrites the "?" placeholders of a query written once for every
// engine into the dialect's own style. It runs when a Store is built, never
// per call. The queries it is given contain no "?" inside literals.
func (d *dialect) bind(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Unique-key violations are recognised without importing any driver:
// through small interfaces that the drivers' error types satisfy, and
// where a driver offers none, through its error's exported fields or the
// engine's own message.

// isPostgresUnique recognises SQLSTATE 23505 (unique_violation) from any
// driver whose error has a SQLState method, such as pgx's *pgconn.PgError.
func isPostgresUnique(err error) bool {
	var e interface{ SQLState() string }
	return errors.As(err, &e) && e.SQLState() == "23505"
}

// SQLite's extended result codes for a violated UNIQUE constraint and a
// violated PRIMARY KEY.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// isSQLiteUnique recognises modernc.org/sqlite's *sqlite.Error, whose Code
// method returns the extended result code, and otherwise SQLite's own
// message, which every driver passes on ("UNIQUE constraint failed: …";
// SQLite words a primary-key violation on a WITHOUT ROWID table the same
// way).
func isSQLiteUnique(err error) bool {
	var e interface{ Code() int }
	if errors.As(err, &e) {
		if c := e.Code(); c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey {
			return true
		}
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// mysqlDuplicateEntry is ER_DUP_ENTRY, the error number of a duplicate key
// on MySQL and MariaDB.
const mysqlDuplicateEntry = 1062

// isMySQLUnique recognises ER_DUP_ENTRY (1062). go-sql-driver/mysql's
// *MySQLError carries the number in an exported field, Number uint16, and
// has no method that returns it, so the error chain is searched for a
// struct with such a field by reflection: exact, and independent of the
// driver's message format. Only when no error in the chain has the field
// does it fall back to the driver's text, "Error 1062".
func isMySQLUnique(err error) bool {
	found := false
	for _, e := range chain(err) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		f := v.FieldByName("Number")
		if !f.IsValid() || f.Kind() != reflect.Uint16 {
			continue
		}
		found = true
		if f.Uint() == mysqlDuplicateEntry {
			return true
		}
	}
	return !found && strings.Contains(err.Error(), "Error 1062")
}

// chain lists err and every error it wraps, depth first, following both
// Unwrap() error and Unwrap() []error.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			out = append(out, e)
			switch u := e.(type) {
			case interface{ Unwrap() []error }:
				for _, x := range u.Unwrap() {
					walk(x)
				}
				return
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			default:
				return
			}
		}
	}
	walk(err)
	return out
}
