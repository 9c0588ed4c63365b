package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// RecordUse implements [store.UsageRecorder]: a single conditional UPDATE
// through a statement prepared once,
//
//	UPDATE … SET last_used_at = ? WHERE tenant_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)
//
// so that a use never moves LastUsedAt backwards, never bumps the version
// and never writes an event. Only when no row changed does a second query
// tell an unknown credential ([store.ErrNotFound]) from one already
// recorded as used later. Coalescing writes to one per credential per
// interval is the Manager's job, not the store's.
func (s *Store) RecordUse(ctx context.Context, tenantID string, id uuid.UUID, at time.Time) error {
	const op = "record use"
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	t, err := timeArg(at)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	st, err := s.prepared(ctx, &s.recordUse, s.q.recordUse)
	if err != nil {
		return wrap(ctx, op+": prepare", err)
	}
	res, err := st.ExecContext(ctx, t, tenantID, idArg(id), t)
	if err != nil {
		return wrap(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(ctx, op+": rows affected", err)
	}
	if n > 0 {
		return nil
	}
	var one int
	err = s.db.QueryRowContext(ctx, s.q.exists, tenantID, idArg(id)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
	case err != nil:
		return wrap(ctx, op+": exists", err)
	}
	return nil
}
