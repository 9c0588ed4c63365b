package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "modernc.org/sqlite"
)

func TestNewRefusesBadArguments(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	cases := []struct {
		name    string
		db      *sql.DB
		dialect Dialect
		opts    []Option
	}{
		{"a nil *sql.DB", nil, SQLite, nil},
		{"the zero Dialect", db, 0, nil},
		{"an unknown Dialect", db, MySQL + 1, nil},
		{"a nil Option", db, SQLite, []Option{nil}},
		{"a prefix with a dash", db, SQLite, []Option{WithTablePrefix("my-app_")}},
		{"a prefix with a quote", db, SQLite, []Option{WithTablePrefix(`x"; DROP TABLE y; --`)}},
		{"a prefix with a dot", db, SQLite, []Option{WithTablePrefix("other.schema_")}},
		{"a prefix starting with a digit", db, SQLite, []Option{WithTablePrefix("1app_")}},
		{"a prefix with a non-ASCII letter", db, SQLite, []Option{WithTablePrefix("clé_")}},
		{"a prefix too long", db, SQLite, []Option{WithTablePrefix(strings.Repeat("a", MaxTablePrefixLen+1))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.db, c.dialect, c.opts...)
			require.ErrorIs(t, err, ErrInvalidOption)
			assert.Nil(t, s)
		})
	}
}

func TestNewAcceptsPrefixes(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, p := range []string{"", "_", "a", "svc_", "Billing2_", strings.Repeat("a", MaxTablePrefixLen)} {
		s, err := New(db, PostgreSQL, WithTablePrefix(p))
		require.NoError(t, err, "prefix %q", p)
		assert.Equal(t, p, s.TablePrefix())
		assert.Equal(t, PostgreSQL, s.Dialect())
	}
	s, err := New(db, SQLite)
	require.NoError(t, err)
	assert.Equal(t, DefaultTablePrefix, s.TablePrefix())
}

func TestDialectString(t *testing.T) {
	assert.Equal(t, "sqlite", SQLite.String())
	assert.Equal(t, "postgres", PostgreSQL.String())
	assert.Equal(t, "mysql", MySQL.String())
	assert.Equal(t, "Dialect(0)", Dialect(0).String())
}

// Every query is complete once built: prefix filled in, placeholders in
// the dialect's style and numbered in order.
func TestQueriesAreBuiltForTheDialect(t *testing.T) {
	assert.Equal(t, "a = $1 AND b IN ($2, $3)", dialects[PostgreSQL].bind("a = ? AND b IN (?, ?)"))
	assert.Equal(t, "a = ? AND b = ?", dialects[MySQL].bind("a = ? AND b = ?"))
	for _, d := range []Dialect{SQLite, PostgreSQL, MySQL} {
		q := buildQueries(&dialects[d], "svc_")
		for name, text := range map[string]string{
			"insertCredential": q.insertCredential, "insertEvent": q.insertEvent, "get": q.get,
			"getByClientID": q.getByClientID, "update": q.update, "version": q.version, "exists": q.exists,
			"list": q.list, "listAfter": q.listAfter, "listEvents": q.listEvents,
			"listCredEvents": q.listCredEvents, "recordUse": q.recordUse,
			"createVersionTable": q.createVersionTable, "schemaVersion": q.schemaVersion,
			"insertVersion": q.insertVersion,
		} {
			assert.NotContains(t, text, "{prefix}", "%v %s", d, name)
			assert.Contains(t, text, "svc_", "%v %s", d, name)
			if d == PostgreSQL {
				assert.NotContains(t, text, "?", "%v %s", d, name)
			} else {
				assert.NotContains(t, text, "$", "%v %s", d, name)
			}
		}
		assert.Equal(t, 19, strings.Count(q.insertCredential, "?")+strings.Count(q.insertCredential, "$"), "%v", d)
	}
	assert.Equal(t, "SELECT pg_advisory_xact_lock($1)", buildQueries(&dialects[PostgreSQL], "svc_").lockEvents)
	assert.Equal(t, "INSERT INTO svc_event_locks (tenant_id, writes) VALUES (?, 1)\n    ON DUPLICATE KEY UPDATE writes = writes + 1",
		buildQueries(&dialects[MySQL], "svc_").lockEvents)
	assert.Empty(t, buildQueries(&dialects[SQLite], "svc_").lockEvents, "SQLite's single writer needs no event lock")
}

// The advisory lock key of a tenant's events is stable (every process of
// a deployment must compute the same one), and differs between tenants and
// between table prefixes.
func TestEventLockKey(t *testing.T) {
	k := eventLockKey("apicred_", "brand-7")
	assert.Equal(t, k, eventLockKey("apicred_", "brand-7"))
	assert.Equal(t, k, dialects[PostgreSQL].eventLockArg("apicred_", "brand-7"))
	assert.NotEqual(t, k, eventLockKey("apicred_", "brand-8"))
	assert.NotEqual(t, k, eventLockKey("other_", "brand-7"))
	assert.NotEqual(t, eventLockKey("a_", "b"), eventLockKey("a_b", ""), "prefix and tenant must not run into each other")
	assert.NotEqual(t, k, migrationLockKey("apicred_"))
	assert.Equal(t, "brand-7", dialects[MySQL].eventLockArg("apicred_", "brand-7"))
}

func TestMigrationsAreVersionedAndPrefixed(t *testing.T) {
	// The migrations an engine needs no statement for; any other file that
	// yields none would be a file the splitter misread.
	noStatement := map[string]bool{"sqlite/0002_event_order.sql": true}
	for _, d := range []Dialect{SQLite, PostgreSQL, MySQL} {
		ms, err := loadMigrations(dialects[d].name, "svc_")
		require.NoError(t, err)
		require.Len(t, ms, SchemaVersion)
		for i, m := range ms {
			assert.Equal(t, i+1, m.version)
			if noStatement[dialects[d].name+"/"+m.name] {
				assert.Empty(t, m.statements, "%v %s", d, m.name)
			} else {
				assert.NotEmpty(t, m.statements, "%v %s", d, m.name)
			}
			for _, st := range m.statements {
				assert.NotContains(t, st, "{prefix}")
				assert.False(t, strings.HasSuffix(st, ";"), "a statement is sent without its semicolon")
				assert.NotContains(t, st, "--", "comments are dropped")
			}
		}
	}
}

func TestSplitStatements(t *testing.T) {
	src := "-- header\n\nCREATE TABLE a (\n  x INT -- not a line comment start\n);\n-- between\nCREATE INDEX i ON a (x);\nSELECT 1"
	assert.Equal(t, []string{
		"CREATE TABLE a (\n  x INT -- not a line comment start\n)",
		"CREATE INDEX i ON a (x)",
		"SELECT 1",
	}, splitStatements(src))
}

func TestTimesRoundTrip(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Unix(0, 0).UTC(),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		minTime.UTC(),
		maxTime.UTC(),
	} {
		v, err := timeArg(tm)
		require.NoError(t, err)
		got := fromNullMicros(sql.NullInt64{Int64: v.(int64), Valid: true})
		assert.True(t, got.Equal(tm), "%v came back as %v", tm, got)
		assert.Equal(t, time.UTC, got.Location())
		n, err := micros(tm)
		require.NoError(t, err)
		assert.True(t, fromMicros(n).Equal(tm))
	}

	v, err := timeArg(time.Time{})
	require.NoError(t, err)
	assert.Nil(t, v, "the zero time is stored as NULL")
	assert.True(t, fromNullMicros(sql.NullInt64{}).IsZero(), "NULL is the zero time")
	n, err := micros(time.Time{})
	require.NoError(t, err)
	assert.True(t, fromMicros(n).IsZero(), "the zero time survives a NOT NULL column")

	for _, tm := range []time.Time{minTime.Add(-time.Microsecond), maxTime.Add(time.Microsecond)} {
		_, err := timeArg(tm)
		assert.ErrorIs(t, err, errTimeRange, "%v", tm)
	}
	assert.Equal(t, int64(math.MaxInt64), maxTime.UnixMicro())
}

func TestScopesAndMetadataRoundTrip(t *testing.T) {
	scopes := [][]string{
		nil,
		{},
		{"orders:read"},
		{"orders:read", "orders:write", "a.b-c_d"},
		{""},
		{`quote"inside`, `back\slash`, "tab\there", "<html>&", "line\u2028sep", "ünïcødé", "emoji 🎉"},
	}
	for _, s := range scopes {
		v, err := stringsArg(s)
		require.NoError(t, err)
		ns := sql.NullString{}
		if v != nil {
			ns = sql.NullString{String: v.(string), Valid: true}
		}
		got, err := decodeStrings(ns)
		require.NoError(t, err)
		assert.Equal(t, s, got, "nil must stay nil and empty stay empty")
	}
	maps := []map[string]string{
		nil,
		{},
		{"team": "billing"},
		{"a": "", "b": "2", "env": "prod"},
		{"k": `va"l\ue`, "n": "new\nline", "u": "ü"},
	}
	for _, m := range maps {
		v, err := mapArg(m)
		require.NoError(t, err)
		ns := sql.NullString{}
		if v != nil {
			ns = sql.NullString{String: v.(string), Valid: true}
		}
		got, err := decodeMap(ns)
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
}

func TestFastDecodersRefuseWhatTheyDoNotHandle(t *testing.T) {
	for _, s := range []string{``, `[`, `["a",]`, `["a" "b"]`, `["a`, `[1]`, `["a\"b"]`, `[,"a"]`, `["a"]x`, ` ["a"]`} {
		_, ok := fastStrings(s)
		assert.False(t, ok, "%q", s)
	}
	for _, s := range []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":"b",}`, `{"a":"b","a":"c"}`, `{"a":1}`, `{"a\n":"b"}`} {
		_, ok := fastMap(s)
		assert.False(t, ok, "%q", s)
	}
	_, err := decodeStrings(sql.NullString{String: `["a",]`, Valid: true})
	assert.Error(t, err, "malformed stored scopes are an error")
}

func FuzzScopesRoundTrip(f *testing.F) {
	f.Add("orders:read", "x")
	f.Add(`a"b`, "\\")
	f.Add("", "\x00")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // JSON replaces invalid UTF-8; validation refuses it before a store.
		}
		in := []string{a, b}
		v, err := stringsArg(in)
		require.NoError(t, err)
		got, err := decodeStrings(sql.NullString{String: v.(string), Valid: true})
		require.NoError(t, err)
		require.Equal(t, in, got)
		m := map[string]string{a: b}
		mv, err := mapArg(m)
		require.NoError(t, err)
		gm, err := decodeMap(sql.NullString{String: mv.(string), Valid: true})
		require.NoError(t, err)
		require.Equal(t, m, gm)
	})
}

// codeError is an error with a Code method, as modernc.org/sqlite's.
type codeError int

func (e codeError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codeError) Code() int     { return int(e) }

func TestUniqueViolationsAreRecognised(t *testing.T) {
	wrapped := func(err error) error { return fmt.Errorf("exec: %w", err) }
	cases := []struct {
		name string
		is   func(error) bool
		err  error
		want bool
	}{
		{"PostgreSQL SQLSTATE 23505", isPostgresUnique, &pgconn.PgError{Code: "23505"}, true},
		{"PostgreSQL SQLSTATE 23505, wrapped", isPostgresUnique, wrapped(&pgconn.PgError{Code: "23505"}), true},
		{"PostgreSQL SQLSTATE 23505, joined", isPostgresUnique, errors.Join(errDriver, &pgconn.PgError{Code: "23505"}), true},
		{"PostgreSQL foreign key violation 23503", isPostgresUnique, &pgconn.PgError{Code: "23503"}, false},
		{"PostgreSQL, a plain error", isPostgresUnique, errDriver, false},

		{"MySQL error 1062", isMySQLUnique, &mysql.MySQLError{Number: 1062}, true},
		{"MySQL error 1062, wrapped", isMySQLUnique, wrapped(&mysql.MySQLError{Number: 1062}), true},
		{"MySQL error 1062, joined", isMySQLUnique, errors.Join(errDriver, &mysql.MySQLError{Number: 1062}), true},
		{"MySQL deadlock 1213", isMySQLUnique, &mysql.MySQLError{Number: 1213}, false},
		{"MySQL 1213 mentioning 1062 in its message", isMySQLUnique, &mysql.MySQLError{Number: 1213, Message: "Error 1062"}, false},
		{"MySQL's text from a driver without the field", isMySQLUnique, errors.New("Error 1062 (23000): Duplicate entry"), true},
		{"MySQL, a plain error", isMySQLUnique, errDriver, false},

		{"SQLite SQLITE_CONSTRAINT_UNIQUE", isSQLiteUnique, codeError(sqliteConstraintUnique), true},
		{"SQLite SQLITE_CONSTRAINT_PRIMARYKEY, wrapped", isSQLiteUnique, wrapped(codeError(sqliteConstraintPrimaryKey)), true},
		{"SQLite SQLITE_CONSTRAINT_NOTNULL", isSQLiteUnique, codeError(1299), false},
		{"SQLite's message from another driver", isSQLiteUnique, errors.New("UNIQUE constraint failed: apicred_credentials.client_id"), true},
		{"SQLite, a plain error", isSQLiteUnique, errDriver, false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.is(c.err), c.name)
	}
}

// modernc.org/sqlite's real errors for a duplicate primary key and a
// duplicate unique key are recognised.
func TestSQLiteDriverUniqueErrors(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	ctx := t.Context()
	_, err = db.ExecContext(ctx, `CREATE TABLE t (id BLOB PRIMARY KEY, u TEXT NOT NULL UNIQUE) WITHOUT ROWID`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (x'01', 'a')`)
	require.NoError(t, err)

	_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (x'01', 'b')`)
	require.Error(t, err)
	assert.True(t, isSQLiteUnique(err), "duplicate primary key: %v", err)
	_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (x'02', 'a')`)
	require.Error(t, err)
	assert.True(t, isSQLiteUnique(err), "duplicate unique key: %v", err)
	_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (x'03', NULL)`)
	require.Error(t, err)
	assert.False(t, isSQLiteUnique(err), "a NOT NULL violation is not a duplicate: %v", err)
}
