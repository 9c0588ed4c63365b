package credential

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Access is a credential's access level.
type Access string

// The access levels.
const (
	// AccessFull grants every scope: it passes every scope check.
	AccessFull Access = "full"
	// AccessFineGrained grants only the credential's listed scopes.
	AccessFineGrained Access = "fine_grained"
)

// Valid reports whether a is one of the defined access levels.
func (a Access) Valid() bool { return a == AccessFull || a == AccessFineGrained }

// Environment tells live credentials from test ones. It appears in client
// IDs and secrets ("mk_live_…", "ms_test_…").
type Environment string

// The environments.
const (
	EnvironmentLive Environment = "live"
	EnvironmentTest Environment = "test"
)

// Valid reports whether e is one of the defined environments.
func (e Environment) Valid() bool { return e == EnvironmentLive || e == EnvironmentTest }

// State is a credential's derived lifecycle state (rule R1).
type State int

// The states. The zero State is not a valid state.
const (
	StateActive State = iota + 1
	StateExpired
	StateRevoked
)

// String returns "active", "expired" or "revoked".
func (s State) String() string {
	switch s {
	case StateActive:
		return "active"
	case StateExpired:
		return "expired"
	case StateRevoked:
		return "revoked"
	}
	return "invalid"
}

// Hash is a stored secret hash. It is not the secret, but it is still kept
// out of logs, fmt output and JSON: it redacts itself the way [Secret] does.
// Stores read and write its bytes directly.
type Hash []byte

// String returns a fixed placeholder, never the bytes.
func (Hash) String() string { return redactedHash }

// GoString returns a fixed placeholder, never the bytes.
func (Hash) GoString() string { return redactedHash }

// Format writes a fixed placeholder for every verb.
func (Hash) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redactedHash) }

// MarshalJSON encodes the placeholder, never the bytes.
func (Hash) MarshalJSON() ([]byte, error) { return []byte(`"` + redactedHash + `"`), nil }

// MarshalText encodes the placeholder, never the bytes.
func (Hash) MarshalText() ([]byte, error) { return []byte(redactedHash), nil }

// LogValue logs the placeholder, never the bytes.
func (Hash) LogValue() slog.Value { return slog.StringValue(redactedHash) }

const redactedHash = "[REDACTED HASH]"

// Credential is one API client credential: a public client ID and the hash
// of its secret, with the attributes given at creation and the timestamps of
// its lifecycle. All times are UTC at microsecond precision; a zero time
// means "never" or "none".
type Credential struct {
	// ID identifies the credential within its tenant (a UUIDv7).
	ID uuid.UUID
	// TenantID is the owning tenant (the brand). Every management call is
	// scoped by it (R15).
	TenantID string
	// ClientID is the public identifier, unique across all tenants,
	// such as "mk_live_3hQ…".
	ClientID string
	// Name is a human description, such as "ERP Sync — Production".
	Name string
	// ContactEmail is the responsible contact; empty when none was given.
	ContactEmail string
	// Access is the access level.
	Access Access
	// Scopes are the granted scopes; empty for [AccessFull].
	Scopes []string
	// Metadata is a small map of tags given at creation.
	Metadata map[string]string
	// Environment is live or test.
	Environment Environment
	// SecretHash is the hash of the current secret made by the hasher named
	// by HasherID. The secret itself is never stored.
	SecretHash Hash
	// HasherID names the [Hasher] that made SecretHash.
	HasherID string
	// SecretHint is a short, non-secret reminder of the secret for display,
	// such as "ms_live_…x7Qa" (the last characters are the checksum).
	SecretHint string
	// CreatedAt is when the credential was issued.
	CreatedAt time.Time
	// ExpiresAt is when it stops authenticating; zero means no expiry.
	ExpiresAt time.Time
	// RevokedAt is when it was revoked; zero means not revoked.
	RevokedAt time.Time
	// RevokeReason is the reason given for the revocation.
	RevokeReason string
	// RotatedAt is when the secret was last replaced; zero means never.
	RotatedAt time.Time
	// LastUsedAt is when it last authenticated, as far as it is tracked;
	// zero means never or not tracked.
	LastUsedAt time.Time
	// Version increases by one with every change; stores compare and swap
	// on it (R17).
	Version int64
}

// State derives the credential's state at now (rule R1): revoked if it was
// revoked, whatever its expiry; else expired if now >= ExpiresAt; else active.
func (c *Credential) State(now time.Time) State {
	if !c.RevokedAt.IsZero() {
		return StateRevoked
	}
	if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
		return StateExpired
	}
	return StateActive
}

// Clone returns a deep copy of c: its Scopes, Metadata and SecretHash share
// no memory with c's.
func (c *Credential) Clone() Credential {
	d := *c
	d.Scopes = slices.Clone(c.Scopes)
	d.Metadata = maps.Clone(c.Metadata)
	d.SecretHash = Hash(slices.Clone([]byte(c.SecretHash)))
	return d
}

// Principal returns what a request authenticated with this credential is.
// It shares the credential's scopes without copying them; [Principal] only
// ever hands out copies, so they cannot be changed through it.
func (c *Credential) Principal() Principal {
	return Principal{
		TenantID:     c.TenantID,
		CredentialID: c.ID,
		ClientID:     c.ClientID,
		Access:       c.Access,
		Environment:  c.Environment,
		scopes:       c.Scopes,
	}
}

// LogValue logs the credential's identifying attributes; the secret hash is
// never among them.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", c.ID.String()),
		slog.String("tenant_id", c.TenantID),
		slog.String("client_id", c.ClientID),
		slog.String("name", c.Name),
		slog.String("access", string(c.Access)),
		slog.Any("scopes", c.Scopes),
		slog.String("environment", string(c.Environment)),
		slog.Int64("version", c.Version),
	)
}

// Truncate returns t in UTC truncated to microseconds, the precision every
// store keeps (rule R7). The zero time stays zero.
func Truncate(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
