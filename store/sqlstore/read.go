package sqlstore

import (
	"context"
	"database/sql"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// Get implements [store.Store.Get] with a point query on the primary key
// that also matches the tenant, so that another tenant's credential is not
// found.
func (s *Store) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	const op = "get"
	if err := ctx.Err(); err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	rows, err := s.db.QueryContext(ctx, s.q.get, tenantID, idArg(id))
	if err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	return oneCredential(ctx, op, rows)
}

// GetByClientID implements [store.Store.GetByClientID], the
// authentication path: one query on the unique client ID index, through a
// statement prepared once, in no transaction. An unknown client ID gives
// [store.ErrNotFound] itself, unwrapped, so that it costs no allocation.
func (s *Store) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	const op = "get by client ID"
	if err := ctx.Err(); err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	st, err := s.prepared(ctx, &s.getByClientID, s.q.getByClientID)
	if err != nil {
		return credential.Credential{}, wrap(ctx, op+": prepare", err)
	}
	rows, err := st.QueryContext(ctx, clientID)
	if err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	return oneCredential(ctx, op, rows)
}

// oneCredential reads the single credential rows holds, or gives
// store.ErrNotFound, and closes rows.
func oneCredential(ctx context.Context, op string, rows *sql.Rows) (credential.Credential, error) {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return credential.Credential{}, wrap(ctx, op, err)
		}
		return credential.Credential{}, store.ErrNotFound
	}
	var c credential.Credential
	if err := scanCredential(rows, &c); err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	if err := rows.Close(); err != nil {
		return credential.Credential{}, wrap(ctx, op, err)
	}
	return c, nil
}

// List implements [store.Store.List] with keyset pagination on the
// (tenant_id, id) index: IDs are stored as their 16 bytes, which every
// engine orders bytewise, so a page never skips or repeats a credential
// whatever is created meanwhile.
func (s *Store) List(ctx context.Context, q store.ListQuery) ([]credential.Credential, error) {
	const op = "list"
	if err := ctx.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	var (
		rows *sql.Rows
		err  error
	)
	if q.After == uuid.Nil {
		rows, err = s.db.QueryContext(ctx, s.q.list, q.TenantID, q.Limit)
	} else {
		rows, err = s.db.QueryContext(ctx, s.q.listAfter, q.TenantID, idArg(q.After), q.Limit)
	}
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	defer rows.Close()
	var out []credential.Credential
	for rows.Next() {
		var c credential.Credential
		if err := scanCredential(rows, &c); err != nil {
			return nil, wrap(ctx, op, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	return out, nil
}

// ListEvents implements [store.Store.ListEvents] with keyset pagination
// on seq, over the (tenant_id, seq) index or, for one credential, the
// (tenant_id, credential_id, seq) index.
//
// Paging never skips an event because, within a tenant, seq order is
// commit order: an event committed after another of its tenant has a
// greater seq, so no event can appear behind a reader's AfterSeq once the
// reader has seen a later one. SQLite gets that from its single writer;
// on PostgreSQL and MySQL/MariaDB [Store.Create] and [Store.Update] lock
// the tenant's events from right before their event's INSERT to their
// COMMIT, so that the writes of one tenant draw seqs in the order they
// commit. Writes of different tenants do not wait for each other.
func (s *Store) ListEvents(ctx context.Context, q store.EventQuery) ([]credential.Event, error) {
	const op = "list events"
	if err := ctx.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	var (
		rows *sql.Rows
		err  error
	)
	if q.CredentialID == uuid.Nil {
		rows, err = s.db.QueryContext(ctx, s.q.listEvents, q.TenantID, q.AfterSeq, q.Limit)
	} else {
		rows, err = s.db.QueryContext(ctx, s.q.listCredEvents, q.TenantID, idArg(q.CredentialID), q.AfterSeq, q.Limit)
	}
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	defer rows.Close()
	var out []credential.Event
	for rows.Next() {
		var e credential.Event
		if err := scanEvent(rows, &e); err != nil {
			return nil, wrap(ctx, op, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	return out, nil
}
