package sqlstore

import (
	"database/sql"
	"errors"
	"math"
	"time"
)

// Times are stored as integer microseconds since the Unix epoch, UTC, and
// a zero time as NULL. The same BIGINT on every engine round-trips exactly
// at the precision the Store contract asks for, with no time zone taken
// from a server or session setting, no DSN flag to get right (such as
// go-sql-driver/mysql's parseTime and loc), no text to parse on the hot
// path, and comparisons (RecordUse's "later than") that are plain integer
// comparisons. A person reading the tables converts with
// to_timestamp(x / 1e6) on PostgreSQL, FROM_UNIXTIME(x / 1e6) on MySQL or
// datetime(x / 1e6, 'unixepoch') on SQLite.

// Bounds of the times a microsecond count in an int64 can hold (about
// 292,000 years either side of 1970).
var (
	minTime = time.UnixMicro(math.MinInt64)
	maxTime = time.UnixMicro(math.MaxInt64)
)

// errTimeRange reports a time that does not fit the stored representation.
var errTimeRange = errors.New("time out of the storable range")

// zeroMicros is the count of the zero time, for the one NOT NULL time
// column that could receive it (an event's At).
var zeroMicros = time.Time{}.UnixMicro()

// timeArg encodes t for a nullable time column.
func timeArg(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, errTimeRange
	}
	return t.UnixMicro(), nil
}

// micros encodes t for a NOT NULL time column.
func micros(t time.Time) (int64, error) {
	if t.IsZero() {
		return zeroMicros, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return 0, errTimeRange
	}
	return t.UnixMicro(), nil
}

// fromMicros decodes a NOT NULL time column.
func fromMicros(v int64) time.Time {
	if v == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// fromNullMicros decodes a nullable time column.
func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}
