package memstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

var (
	_ store.Store         = (*Store)(nil)
	_ store.UsageRecorder = (*Store)(nil)
)

// Store is an in-memory [store.Store] that also implements
// [store.UsageRecorder]. The zero Store is not usable; call [New]. A Store
// is safe for concurrent use by multiple goroutines.
type Store struct {
	mu         sync.RWMutex
	byID       map[uuid.UUID]*credential.Credential
	byClientID map[string]*credential.Credential
	tenants    map[string]*tenant
	seq        int64 // Seq of the last event written, across all tenants
}

// tenant holds one tenant's indexes.
type tenant struct {
	// ids are the IDs of the tenant's credentials, sorted ascending as
	// 16-byte big-endian values.
	ids []uuid.UUID
	// events are the tenant's events in the order they were written, which
	// is ascending Seq.
	events []credential.Event
	// eventsOf holds, per credential ID, the positions in events of that
	// credential's events, ascending.
	eventsOf map[uuid.UUID][]int
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		byID:       make(map[uuid.UUID]*credential.Credential),
		byClientID: make(map[string]*credential.Credential),
		tenants:    make(map[string]*tenant),
	}
}

// Create stores a deep copy of c and appends e, as one atomic step. It
// returns [store.ErrDuplicate] when c.ID or c.ClientID is taken in any
// tenant. The event is filed under e.TenantID and e.CredentialID, which the
// store contract makes equal to c.TenantID and c.ID.
func (s *Store) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: create: %w", err)
	}
	rec := c.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[c.ID]; ok {
		return store.ErrDuplicate
	}
	if _, ok := s.byClientID[c.ClientID]; ok {
		return store.ErrDuplicate
	}
	s.byID[rec.ID] = &rec
	s.byClientID[rec.ClientID] = &rec
	s.tenant(rec.TenantID).insertID(rec.ID)
	s.appendEvent(e)
	return nil
}

// Get returns the credential with id in tenant tenantID, or
// [store.ErrNotFound] when there is none in that tenant.
func (s *Store) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	if err := ctx.Err(); err != nil {
		return credential.Credential{}, fmt.Errorf("memstore: get: %w", err)
	}
	s.mu.RLock()
	rec := s.byID[id]
	s.mu.RUnlock()
	if rec == nil || rec.TenantID != tenantID {
		return credential.Credential{}, store.ErrNotFound
	}
	return *rec, nil
}

// GetByClientID returns the credential whose client ID is clientID, in any
// tenant, or [store.ErrNotFound]. It is one map lookup under a read lock and
// allocates nothing, found or not.
func (s *Store) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	if err := ctx.Err(); err != nil {
		return credential.Credential{}, fmt.Errorf("memstore: get by client ID: %w", err)
	}
	s.mu.RLock()
	rec := s.byClientID[clientID]
	s.mu.RUnlock()
	if rec == nil {
		return credential.Credential{}, store.ErrNotFound
	}
	// The record is immutable: it can be copied after the lock is released.
	return *rec, nil
}

// Update replaces the credential with c.ID in tenant c.TenantID by a deep
// copy of c with Version c.Version+1, and appends e, as one atomic step,
// provided the stored Version is c.Version; otherwise it returns
// [store.ErrConflict], or [store.ErrNotFound] when there is no such
// credential in that tenant, and writes nothing. Like [Store.Create], it
// files e under e.TenantID and e.CredentialID.
//
// The fields the contract declares immutable (ClientID, Environment,
// CreatedAt) are kept from the stored record, as a SQL store whose UPDATE
// does not set them would. LastUsedAt, which [Store.RecordUse] moves
// without a version change, never moves backwards: the later of the stored
// and the given value is kept.
func (s *Store) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: update: %w", err)
	}
	rec := c.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[c.ID]
	if !ok || old.TenantID != c.TenantID {
		return store.ErrNotFound
	}
	if old.Version != c.Version {
		return store.ErrConflict
	}
	rec.ClientID = old.ClientID
	rec.Environment = old.Environment
	rec.CreatedAt = old.CreatedAt
	if old.LastUsedAt.After(rec.LastUsedAt) {
		rec.LastUsedAt = old.LastUsedAt
	}
	rec.Version = c.Version + 1
	s.byID[rec.ID] = &rec
	s.byClientID[rec.ClientID] = &rec
	s.appendEvent(e)
	return nil
}

// RecordUse sets LastUsedAt of the credential with id in tenant tenantID to
// at when at is later than the stored value. It changes neither Version nor
// the event log, and never conflicts. An unknown credential, or one of
// another tenant, gives [store.ErrNotFound].
func (s *Store) RecordUse(ctx context.Context, tenantID string, id uuid.UUID, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: record use: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[id]
	if !ok || old.TenantID != tenantID {
		return store.ErrNotFound
	}
	if !at.After(old.LastUsedAt) {
		return nil
	}
	// A shallow copy may share Scopes, Metadata and SecretHash with the old
	// record: no stored record's slices or maps are ever written.
	rec := *old
	rec.LastUsedAt = at
	s.byID[rec.ID] = &rec
	s.byClientID[rec.ClientID] = &rec
	return nil
}

// tenant returns the indexes of tenant id, creating them if needed. The
// caller holds s.mu for writing.
func (s *Store) tenant(id string) *tenant {
	t, ok := s.tenants[id]
	if !ok {
		t = &tenant{eventsOf: make(map[uuid.UUID][]int)}
		s.tenants[id] = t
	}
	return t
}

// appendEvent assigns e the next Seq and files it under its tenant and
// credential. The caller holds s.mu for writing.
func (s *Store) appendEvent(e credential.Event) {
	s.seq++
	e.Seq = s.seq
	t := s.tenant(e.TenantID)
	t.eventsOf[e.CredentialID] = append(t.eventsOf[e.CredentialID], len(t.events))
	t.events = append(t.events, e)
}

// insertID adds id to the sorted index. UUIDv7 IDs grow with time, so the
// common case is an append; other IDs go in by binary search.
func (t *tenant) insertID(id uuid.UUID) {
	n := len(t.ids)
	if n == 0 || bytes.Compare(t.ids[n-1][:], id[:]) < 0 {
		t.ids = append(t.ids, id)
		return
	}
	i, _ := slices.BinarySearchFunc(t.ids, id, compareIDs)
	t.ids = slices.Insert(t.ids, i, id)
}

// compareIDs orders IDs as 16-byte big-endian values.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
