package apicred

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// Page sizes of [Manager.List] and [Manager.Events].
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageRequest asks for one page of a listing.
type PageRequest struct {
	// Cursor is the NextCursor of the previous page; empty for the first.
	Cursor string
	// Limit is the page size, 1 to [MaxPageSize]; zero means
	// [DefaultPageSize].
	Limit int
}

// Page is one page of a tenant's credentials, in creation order.
type Page struct {
	Credentials []credential.Credential
	// NextCursor fetches the next page; empty when this page is the last.
	NextCursor string
}

// EventsRequest asks for one page of audit events.
type EventsRequest struct {
	TenantID string
	// CredentialID restricts the events to one credential; zero for the
	// whole tenant.
	CredentialID uuid.UUID
	PageRequest
}

// EventPage is one page of audit events, oldest first.
type EventPage struct {
	Events []credential.Event
	// NextCursor fetches the next page; empty when this page is the last.
	NextCursor string
}

// Get returns the credential with id in tenant tenantID, or [ErrNotFound],
// also when it belongs to another tenant (R15). The result holds no secret.
func (m *Manager) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	if err := validateTenant(tenantID); err != nil {
		return credential.Credential{}, err
	}
	c, err := m.store.Get(ctx, tenantID, id)
	if err != nil {
		return credential.Credential{}, fmt.Errorf("apicred: get: %w", err)
	}
	return c.Clone(), nil
}

// List returns one page of a tenant's credentials in creation order. Pages
// neither skip nor repeat credentials while others are created.
func (m *Manager) List(ctx context.Context, tenantID string, p PageRequest) (Page, error) {
	var v ValidationError
	addTenant(&v, tenantID)
	limit := pageLimit(&v, p.Limit)
	var after uuid.UUID
	if p.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
		if err != nil || len(b) != len(after) {
			v.Add("cursor", "is not a cursor returned by this API")
		} else {
			copy(after[:], b)
		}
	}
	if err := v.Err(); err != nil {
		return Page{}, err
	}
	cs, err := m.store.List(ctx, store.ListQuery{TenantID: tenantID, After: after, Limit: limit + 1})
	if err != nil {
		return Page{}, fmt.Errorf("apicred: list: %w", err)
	}
	var page Page
	if len(cs) > limit {
		cs = cs[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(cs[limit-1].ID[:])
	}
	page.Credentials = make([]credential.Credential, len(cs))
	for i := range cs {
		page.Credentials[i] = cs[i].Clone()
	}
	return page, nil
}

// Events returns one page of audit events of a tenant, or of one of its
// credentials, oldest first.
func (m *Manager) Events(ctx context.Context, req EventsRequest) (EventPage, error) {
	var v ValidationError
	addTenant(&v, req.TenantID)
	limit := pageLimit(&v, req.Limit)
	var after int64
	if req.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(req.Cursor)
		if err != nil || len(b) != 8 || int64(binary.BigEndian.Uint64(b)) <= 0 {
			v.Add("cursor", "is not a cursor returned by this API")
		} else {
			after = int64(binary.BigEndian.Uint64(b))
		}
	}
	if err := v.Err(); err != nil {
		return EventPage{}, err
	}
	es, err := m.store.ListEvents(ctx, store.EventQuery{
		TenantID: req.TenantID, CredentialID: req.CredentialID, AfterSeq: after, Limit: limit + 1,
	})
	if err != nil {
		return EventPage{}, fmt.Errorf("apicred: events: %w", err)
	}
	var page EventPage
	if len(es) > limit {
		es = es[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, uint64(es[limit-1].Seq)))
	}
	page.Events = es
	return page, nil
}

func validateTenant(tenantID string) error {
	var v ValidationError
	addTenant(&v, tenantID)
	return v.Err()
}

func addTenant(v *ValidationError, tenantID string) {
	if msg := credential.ValidateTenantID(tenantID); msg != "" {
		v.Add("tenant_id", msg)
	}
}

func pageLimit(v *ValidationError, limit int) int {
	switch {
	case limit == 0:
		return DefaultPageSize
	case limit < 0 || limit > MaxPageSize:
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	return limit
}
