// Package store defines what apicred needs from persistence: the [Store]
// interface, its contract, and its errors.
//
// A store is deliberately dumb. It keeps credentials and their audit events,
// finds them, and compares and swaps on a version number; it applies no
// lifecycle rule, generates no secret, reads no clock. The rules live once,
// in package credential and in apicred's Manager, so that a store written in
// an afternoon cannot get one wrong. An implementation proves that it keeps
// this contract by passing the conformance suite in package storetest.
//
// # The contract in brief
//
//   - Every method honours its context: a context already cancelled or past
//     its deadline makes the method return an error matching ctx.Err()
//     with [errors.Is], having changed nothing.
//   - A state change and its audit event are written together or not at
//     all (rule R16).
//   - Updates compare and swap on [credential.Credential.Version] (R17).
//   - Tenants are separate (R15): a credential is found by ID only within
//     its own tenant; client IDs are unique across all tenants.
//   - Times come back exactly as given (UTC, microsecond precision; the
//     Manager truncates before writing), zero times come back zero.
//   - A store never sees a plaintext secret: only [credential.Hash] values.
//
// # Sharing of returned values
//
// Values passed in belong to the caller: a store copies what it keeps
// (slices, maps), so a caller may reuse them after the call. Slices and maps
// inside returned values may be shared with the store's own copy and must be
// treated as read-only; this lets an in-memory store serve the
// authentication path without allocating.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// Errors every Store returns, to be tested with [errors.Is]. An
// implementation may wrap them to add context.
var (
	// ErrNotFound reports that no credential matches: unknown ID, unknown
	// client ID, or a credential of another tenant.
	ErrNotFound = errors.New("store: credential not found")
	// ErrConflict reports a lost compare-and-swap: the credential's stored
	// version is not the one the caller read.
	ErrConflict = errors.New("store: version conflict: the credential was changed concurrently")
	// ErrDuplicate reports a credential whose ID or client ID is already
	// taken.
	ErrDuplicate = errors.New("store: duplicate credential ID or client ID")
)

// MaxLimit is the largest page a caller asks for. The Manager always asks
// for 1 to MaxLimit; a store treats any other Limit as MaxLimit.
const MaxLimit = 1000

// Store persists credentials and their audit events.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Store interface {
	// Create stores a new credential c and its "created" event e
	// atomically: after Create returns nil, both are visible; after it
	// returns an error, neither is.
	//
	// The caller always passes c.Version 1, and an e whose CredentialID and
	// TenantID equal c.ID and c.TenantID; the store keeps both as given.
	// The store assigns e.Seq; the value passed in is ignored.
	// If a credential with c.ID or c.ClientID exists, in any tenant,
	// Create returns an error matching [ErrDuplicate] and writes nothing.
	Create(ctx context.Context, c credential.Credential, e credential.Event) error

	// Get returns the credential with id in tenant tenantID. A credential
	// that does not exist, or exists in another tenant, gives
	// [ErrNotFound]; the two cases are indistinguishable.
	Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error)

	// GetByClientID returns the credential whose client ID is clientID, in
	// any tenant, or [ErrNotFound]. It is the authentication path: it
	// should be a single indexed lookup, take no lock beyond a read, open
	// no transaction, and allocate as little as the store allows.
	GetByClientID(ctx context.Context, clientID string) (credential.Credential, error)

	// Update replaces a credential and appends its event e, atomically,
	// provided nobody changed the credential since the caller read it.
	//
	// c carries the new state and, in c.Version, the version the caller
	// read. If the credential with c.ID in tenant c.TenantID has stored
	// version c.Version, the store writes c with Version c.Version+1 and
	// appends e (assigning e.Seq) as one atomic step. If its stored version
	// differs, Update returns [ErrConflict]; if there is no such credential
	// in that tenant, [ErrNotFound]. Either way nothing is written.
	//
	// ID, TenantID, ClientID, Environment and CreatedAt never change: the
	// caller passes them as read, and a store keeps its stored values.
	// LastUsedAt is not part of the swap, because [UsageRecorder.RecordUse]
	// moves it without a version change: the store keeps the later of its
	// stored value and c.LastUsedAt.
	Update(ctx context.Context, c credential.Credential, e credential.Event) error

	// List returns up to q.Limit credentials of tenant q.TenantID whose ID
	// sorts after q.After, in ascending ID order, comparing IDs as 16-byte
	// big-endian values (which is the order of their canonical lowercase
	// string form). A zero q.After starts from the beginning. Credentials
	// created while a caller pages through (UUIDv7 IDs grow with time)
	// therefore never make it skip or repeat one. An empty result means
	// the end.
	List(ctx context.Context, q ListQuery) ([]credential.Credential, error)

	// ListEvents returns up to q.Limit events of tenant q.TenantID, of one
	// credential when q.CredentialID is not zero, whose Seq is greater than
	// q.AfterSeq, in ascending Seq order (the order they were written).
	// Events of another tenant are never returned, even for a credential
	// ID that exists there.
	ListEvents(ctx context.Context, q EventQuery) ([]credential.Event, error)
}

// ListQuery selects a page of a tenant's credentials. See [Store.List].
type ListQuery struct {
	TenantID string
	// After is the ID of the last credential of the previous page; zero
	// for the first page.
	After uuid.UUID
	// Limit is the page size, 1 to [MaxLimit].
	Limit int
}

// EventQuery selects a page of audit events. See [Store.ListEvents].
type EventQuery struct {
	TenantID string
	// CredentialID restricts the events to one credential; zero for every
	// credential of the tenant.
	CredentialID uuid.UUID
	// AfterSeq is the Seq of the last event of the previous page; zero for
	// the first page.
	AfterSeq int64
	// Limit is the page size, 1 to [MaxLimit].
	Limit int
}

// UsageRecorder is an optional interface a Store may implement to keep
// [credential.Credential.LastUsedAt]. The Manager calls it after successful
// authentications, at most once per credential per configured interval.
type UsageRecorder interface {
	// RecordUse sets LastUsedAt of the credential with id in tenant
	// tenantID to at, if at is later than the stored value. It is not a
	// state change: it neither increments Version nor writes an event, and
	// it never conflicts. An unknown credential gives [ErrNotFound].
	RecordUse(ctx context.Context, tenantID string, id uuid.UUID, at time.Time) error
}
