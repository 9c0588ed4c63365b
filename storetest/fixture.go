package storetest

import (
	"crypto/sha256"
	"strings"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// fixtureSecret is the plaintext secret whose SHA-256 digest is the
// SecretHash of every credential [NewCredential] makes. Stores never see it;
// the suite checks that nothing they return contains it (R8).
const fixtureSecret = "ms_live_7Hq2VhCkT0yq9Zb4LrW8sNfP3xJdM6aEgUoYcKiB1tR5vQn2wXs9aLm3Q"

// rotatedSecret is the plaintext of the second secret the suite rotates to.
const rotatedSecret = "ms_live_Zp4kR8tW2yXc6VbN0mQs3HjL7fDg1aEu5iOo9KeT2rY8wUq4zPx0Bn7Cd"

// fixtureTime is the creation time of fixtures: UTC, with a non-zero
// microsecond part so that a store keeping only seconds or milliseconds is
// caught (R7).
var fixtureTime = time.Date(2025, time.March, 14, 15, 9, 26, 535_897_000, time.UTC)

// NewCredential returns a credential of tenant tenantID as the Manager
// would issue it, with the matching "created" event, ready for
// [store.Store.Create]. The ID (a UUIDv7), the client ID and the event ID
// are fresh on every call; the other fields are non-trivial values that
// exercise a store's encoding: a name with an em dash, an emoji and a
// combining accent, scopes out of alphabetical order, metadata with several
// keys in several scripts, a SHA-256 secret hash, times in UTC at
// microsecond precision, and Version 1. Suites beyond [Run] can use it to
// fill a store.
func NewCredential(tenantID string) (credential.Credential, credential.Event) {
	hash := sha256.Sum256([]byte(fixtureSecret))
	c := credential.Credential{
		ID:           uuid.Must(uuid.NewV7()),
		TenantID:     tenantID,
		ClientID:     "mk_live_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:credential.ClientIDRandomLen],
		Name:         "ERP Sync — Production 🔑 Cafe\u0301",
		ContactEmail: "ops+api@example.com",
		Access:       credential.AccessFineGrained,
		Scopes:       []string{"orders:write", "catalog:read", "customers:read"},
		Metadata: map[string]string{
			"team":        "платежи",
			"cost-center": "4711",
			"emoji":       "🚀✨",
			"note":        `a=b; "quoted" \ back`,
		},
		Environment: credential.EnvironmentLive,
		SecretHash:  credential.Hash(hash[:]),
		HasherID:    "sha256",
		SecretHint:  "ms_live_…" + fixtureSecret[len(fixtureSecret)-4:],
		CreatedAt:   fixtureTime,
		ExpiresAt:   credential.Truncate(fixtureTime.Add(90*24*time.Hour + 123*time.Microsecond)),
		Version:     1,
	}
	e := credential.Event{
		ID:           uuid.Must(uuid.NewV7()),
		Type:         credential.EventCreated,
		TenantID:     tenantID,
		CredentialID: c.ID,
		Actor:        "user:alice@example.com",
		At:           c.CreatedAt,
		NewExpiresAt: c.ExpiresAt,
	}
	return c, e
}

// newTenant returns a tenant ID unique to the call, so that cases never
// see each other's data even in a store shared by mistake.
func newTenant(label string) string {
	return label + "-" + uuid.NewString()[:8]
}

// event returns an event of type typ for c, with a fresh ID, at
// fixtureTime plus offset.
func event(c credential.Credential, typ credential.EventType, actor string, offset time.Duration) credential.Event {
	return credential.Event{
		ID:           uuid.Must(uuid.NewV7()),
		Type:         typ,
		TenantID:     c.TenantID,
		CredentialID: c.ID,
		Actor:        actor,
		At:           credential.Truncate(fixtureTime.Add(offset)),
	}
}

// rotate returns c with the secret replaced by rotatedSecret, as the
// Manager's Rotate would, and its "rotated" event. The Version is left as
// read, for compare-and-swap.
func rotate(c credential.Credential, actor string, offset time.Duration) (credential.Credential, credential.Event) {
	hash := sha256.Sum256([]byte(rotatedSecret))
	c = c.Clone()
	c.SecretHash = credential.Hash(hash[:])
	c.SecretHint = "ms_live_…" + rotatedSecret[len(rotatedSecret)-4:]
	c.RotatedAt = credential.Truncate(fixtureTime.Add(offset))
	return c, event(c, credential.EventRotated, actor, offset)
}
