package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
)

// Create implements [store.Store.Create]: one transaction inserts the
// credential and, after locking the tenant's events where the engine needs
// it (see [Store.ListEvents]), its event. A taken ID or client ID gives an
// error matching [store.ErrDuplicate], recognised from the engine's
// unique-key violation.
func (s *Store) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	const op = "create"
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	cargs, err := credentialArgs(&c)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return s.write(ctx, op, &e, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.insertCredential, cargs...); err != nil {
			if s.d.isUnique(err) {
				return fmt.Errorf("sqlstore: %s: %w", op, store.ErrDuplicate)
			}
			return wrap(ctx, op+": insert credential", err)
		}
		return nil
	})
}

// Update implements [store.Store.Update]: one transaction compares and
// swaps the credential on its version,
//
//	UPDATE … SET …, version = version + 1 WHERE tenant_id = ? AND id = ? AND version = ?
//
// and appends the event, after locking the tenant's events where the
// engine needs it (see [Store.ListEvents]). When no row matched, a SELECT
// in the same transaction tells [store.ErrConflict] (the credential exists
// at another version) from [store.ErrNotFound], and the transaction is
// rolled back without taking that lock.
//
// LastUsedAt is the one field not simply overwritten: the stored value is
// kept when it is later than c's, because [Store.RecordUse] advances it
// without a version step, so c may carry an older copy.
func (s *Store) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	const op = "update"
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	uargs, err := updateArgs(&c)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return s.write(ctx, op, &e, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.update, uargs...)
		if err != nil {
			return wrap(ctx, op+": update credential", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return wrap(ctx, op+": rows affected", err)
		}
		if n > 0 {
			return nil
		}
		var version int64
		err = tx.QueryRowContext(ctx, s.q.version, c.TenantID, idArg(c.ID)).Scan(&version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
		case err != nil:
			return wrap(ctx, op+": read version", err)
		}
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrConflict)
	})
}

// write runs one state change as one transaction: change writes the
// credential; then, where the engine needs it, the tenant's events are
// locked (see [Store.ListEvents]); then e is appended and the transaction
// committed. An error of change, or of any later step, rolls everything
// back, so that a change is never stored without its event (R16) and a
// lost compare-and-swap never takes the events lock.
func (s *Store) write(ctx context.Context, op string, e *credential.Event, change func(*sql.Tx) error) error {
	eargs, err := eventArgs(e)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(ctx, op+": begin", err)
	}
	if err := change(tx); err != nil {
		return rollback(tx, err)
	}
	if err := s.lockEvents(ctx, tx, e.TenantID); err != nil {
		return rollback(tx, wrap(ctx, op+": lock events", err))
	}
	if _, err := tx.ExecContext(ctx, s.q.insertEvent, eargs...); err != nil {
		return rollback(tx, wrap(ctx, op+": insert event", err))
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	if err := tx.Commit(); err != nil {
		return wrap(ctx, op+": commit", err)
	}
	return nil
}
