package credential

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is the "now" of the lifecycle tables: a UTC instant at microsecond
// precision, as the Manager passes it (rule R7).
var t0 = time.Date(2025, time.March, 10, 9, 30, 0, 0, time.UTC)

// TestState checks rule R1: a credential is active, expired or revoked,
// expired means now >= ExpiresAt, and revoked wins over an expiry in the past.
func TestState(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt time.Time
		revokedAt time.Time
		now       time.Time
		want      State
	}{
		{name: "a credential without expiry or revocation is active", now: t0, want: StateActive},
		{name: "a credential without expiry stays active forever", now: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), want: StateActive},
		{name: "a credential whose expiry is a day away is active", expiresAt: t0.Add(24 * time.Hour), now: t0, want: StateActive},
		{name: "a credential 1µs before its expiry is active", expiresAt: t0, now: t0.Add(-time.Microsecond), want: StateActive},
		{name: "a credential 1ns before its expiry is active", expiresAt: t0, now: t0.Add(-time.Nanosecond), want: StateActive},
		{name: "a credential exactly at its expiry is expired", expiresAt: t0, now: t0, want: StateExpired},
		{name: "a credential 1µs after its expiry is expired", expiresAt: t0, now: t0.Add(time.Microsecond), want: StateExpired},
		{name: "a credential a year after its expiry is expired", expiresAt: t0, now: t0.AddDate(1, 0, 0), want: StateExpired},
		{name: "a revoked credential without expiry is revoked", revokedAt: t0.Add(-time.Hour), now: t0, want: StateRevoked},
		{name: "a revoked credential with a future expiry is revoked", revokedAt: t0.Add(-time.Hour), expiresAt: t0.Add(time.Hour), now: t0, want: StateRevoked},
		{name: "a revoked credential whose expiry has passed is revoked, not expired", revokedAt: t0.Add(-2 * time.Hour), expiresAt: t0.Add(-time.Hour), now: t0, want: StateRevoked},
		{name: "a credential revoked after it expired is revoked", expiresAt: t0.Add(-2 * time.Hour), revokedAt: t0.Add(-time.Hour), now: t0, want: StateRevoked},
		{name: "a revocation stamped in the future still reads revoked", revokedAt: t0.Add(time.Hour), now: t0, want: StateRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Credential{ExpiresAt: tt.expiresAt, RevokedAt: tt.revokedAt}
			assert.Equal(t, tt.want, c.State(tt.now), "R1: state at %v", tt.now)
		})
	}
}

// TestCheckAuthenticate checks rule R2's first half: only an active credential
// may authenticate; the lifecycle reasons are reported to the caller that maps
// them onto ErrAuthenticationFailed.
func TestCheckAuthenticate(t *testing.T) {
	tests := []struct {
		name string
		c    Credential
		want error
	}{
		{name: "an active credential authenticates", c: Credential{}, want: nil},
		{name: "an active credential with a future expiry authenticates", c: Credential{ExpiresAt: t0.Add(time.Microsecond)}, want: nil},
		{name: "an expired credential does not", c: Credential{ExpiresAt: t0}, want: ErrExpired},
		{name: "a revoked credential does not", c: Credential{RevokedAt: t0.Add(-time.Hour)}, want: ErrRevoked},
		{name: "a revoked and expired credential reports revoked", c: Credential{RevokedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(-2 * time.Hour)}, want: ErrRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.CheckAuthenticate(t0)
			if tt.want == nil {
				assert.NoError(t, err, "R2")
				return
			}
			assert.ErrorIs(t, err, tt.want, "R2")
		})
	}
}

// TestStateString checks the names of the R1 states.
func TestStateString(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{StateActive, "active"},
		{StateExpired, "expired"},
		{StateRevoked, "revoked"},
		{State(0), "invalid"},
		{State(99), "invalid"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.String())
	}
}

// TestAccessAndEnvironmentValid checks the access levels (R13) and the
// environments (R11).
func TestAccessAndEnvironmentValid(t *testing.T) {
	assert.True(t, AccessFull.Valid())
	assert.True(t, AccessFineGrained.Valid())
	assert.False(t, Access("").Valid())
	assert.False(t, Access("Full").Valid())
	assert.False(t, Access("admin").Valid())

	assert.True(t, EnvironmentLive.Valid())
	assert.True(t, EnvironmentTest.Valid())
	assert.False(t, Environment("").Valid())
	assert.False(t, Environment("LIVE").Valid())
	assert.False(t, Environment("prod").Valid())
}

// TestEventTypeValid checks the audit event types of rule R16.
func TestEventTypeValid(t *testing.T) {
	for _, et := range []EventType{EventCreated, EventRotated, EventExpiryChanged, EventRevoked} {
		assert.True(t, et.Valid(), "R16: %q is an event type", et)
	}
	for _, et := range []EventType{"", "expired", "Created", "deleted"} {
		assert.False(t, et.Valid(), "%q is not an event type (expiry writes no event, R3)", et)
	}
}

// testCredential returns a fully populated credential.
func testCredential() Credential {
	return Credential{
		ID:           uuid.MustParse("01956f3a-1c2b-7d4e-8f90-123456789abc"),
		TenantID:     "brand-42",
		ClientID:     "mk_live_0123456789ABCDEFGHIJabcd",
		Name:         "ERP Sync — Production",
		ContactEmail: "dev@example.com",
		Access:       AccessFineGrained,
		Scopes:       []string{"products:read", "orders:write"},
		Metadata:     map[string]string{"team": "erp", "cost-center": "42"},
		Environment:  EnvironmentLive,
		SecretHash:   Hash{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c},
		HasherID:     "sha256",
		SecretHint:   "ms_live_…x7Qa",
		CreatedAt:    t0.Add(-48 * time.Hour),
		ExpiresAt:    t0.Add(240 * time.Hour),
		RotatedAt:    t0.Add(-24 * time.Hour),
		Version:      3,
	}
}

// TestCloneIsDeep checks that a clone shares no memory with its original,
// which the stores rely on to hand out copies (R17).
func TestCloneIsDeep(t *testing.T) {
	orig := testCredential()
	snapshot := testCredential()

	clone := orig.Clone()
	require.Equal(t, orig, clone, "a clone starts equal")

	clone.Scopes[0] = "changed:scope"
	clone.Scopes = append(clone.Scopes, "extra:scope")
	clone.Metadata["team"] = "changed"
	clone.Metadata["new"] = "entry"
	clone.SecretHash[0] ^= 0xff
	clone.Name = "changed"

	assert.Equal(t, snapshot, orig, "mutating a clone leaves the original intact")
}

// TestCloneKeepsNilFieldsNil checks that cloning does not invent empty
// slices or maps, so that a store round trip compares equal.
func TestCloneKeepsNilFieldsNil(t *testing.T) {
	c := Credential{TenantID: "t"}
	d := c.Clone()
	assert.Nil(t, d.Scopes)
	assert.Nil(t, d.Metadata)
	assert.Nil(t, d.SecretHash)
	assert.Equal(t, c, d)
}

// TestCredentialPrincipal checks the principal an authenticated request
// becomes (R18): tenant, credential ID, client ID, access, environment, scopes.
func TestCredentialPrincipal(t *testing.T) {
	c := testCredential()
	p := c.Principal()
	assert.Equal(t, c.TenantID, p.TenantID)
	assert.Equal(t, c.ID, p.CredentialID)
	assert.Equal(t, c.ClientID, p.ClientID)
	assert.Equal(t, c.Access, p.Access)
	assert.Equal(t, c.Environment, p.Environment)
	assert.Equal(t, c.Scopes, p.Scopes())
	assert.True(t, p.HasScope("products:read"))
	assert.False(t, p.HasScope("products:write"))

	got := p.Scopes()
	got[0] = "changed:scope"
	assert.Equal(t, "products:read", c.Scopes[0], "the principal hands out copies, never the credential's slice")
}

// TestTruncate checks rule R7: UTC, microseconds, zero stays zero.
func TestTruncate(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{name: "the zero time stays zero", in: time.Time{}, want: time.Time{}},
		{name: "the zero time in another zone stays zero", in: time.Time{}.In(paris), want: time.Time{}},
		{name: "nanoseconds are truncated, not rounded", in: time.Date(2025, 1, 2, 3, 4, 5, 123456999, time.UTC), want: time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC)},
		{name: "another zone is converted to UTC", in: time.Date(2025, 1, 2, 4, 4, 5, 1000, paris), want: time.Date(2025, 1, 2, 3, 4, 5, 1000, time.UTC)},
		{name: "a time already at microseconds is unchanged", in: t0.Add(time.Microsecond), want: t0.Add(time.Microsecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in)
			assert.True(t, got.Equal(tt.want), "got %v want %v", got, tt.want)
			assert.Equal(t, tt.want.IsZero(), got.IsZero())
			if !got.IsZero() {
				assert.Equal(t, time.UTC, got.Location(), "R7: UTC")
				assert.Zero(t, got.Nanosecond()%1000, "R7: microseconds")
			}
			assert.Equal(t, got, Truncate(got), "Truncate is idempotent")
		})
	}

	t.Run("a clock reading loses its monotonic part", func(t *testing.T) {
		got := Truncate(time.Now())
		assert.Equal(t, got, got.Round(0), "== comparison must work after a store round trip")
	})
}
