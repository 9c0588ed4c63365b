package credential

import (
	"time"

	"github.com/google/uuid"
)

// EventType is the kind of an audit event.
type EventType string

// The event types, one per kind of state change (rule R16). Expiry by the
// passing of time is not a change and writes no event.
const (
	EventCreated       EventType = "created"
	EventRotated       EventType = "rotated"
	EventExpiryChanged EventType = "expiry_changed"
	EventRevoked       EventType = "revoked"
)

// Valid reports whether t is one of the defined event types.
func (t EventType) Valid() bool {
	switch t {
	case EventCreated, EventRotated, EventExpiryChanged, EventRevoked:
		return true
	}
	return false
}

// Event is one audit record: who changed which credential, how, when and
// why. A store writes it in the same atomic step as the change it records.
// It never holds a secret or a hash.
type Event struct {
	// ID identifies the event (a UUIDv7).
	ID uuid.UUID
	// Seq is assigned by the store when the event is written: it increases
	// in the order events were written, across the whole store. Events are
	// listed in Seq order.
	Seq int64
	// Type is what happened.
	Type EventType
	// TenantID and CredentialID name the credential changed.
	TenantID     string
	CredentialID uuid.UUID
	// Actor is who made the change, as the service names its users.
	Actor string
	// Reason is the reason given; required for revocation, optional
	// otherwise.
	Reason string
	// At is when the change happened (UTC, microseconds).
	At time.Time
	// OldExpiresAt and NewExpiresAt hold the expiry before and after the
	// change: both for expiry_changed, NewExpiresAt for created. Zero means
	// no expiry.
	OldExpiresAt time.Time
	NewExpiresAt time.Time
}
