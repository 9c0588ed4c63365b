package credential

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allReasons = []FailureReason{
	ReasonMalformed,
	ReasonUnknownClient,
	ReasonWrongSecret,
	ReasonExpired,
	ReasonRevoked,
	ReasonInsufficientScope,
}

// TestAuthFailure checks rule R2: every cause of a failed authentication is
// the same error to the caller, and the cause is recoverable for logs only.
func TestAuthFailure(t *testing.T) {
	for _, r := range allReasons {
		t.Run(r.String(), func(t *testing.T) {
			err := AuthFailure(r)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrAuthenticationFailed, "R2: every reason matches ErrAuthenticationFailed")
			assert.Equal(t, ErrAuthenticationFailed.Error(), err.Error(), "R2: the text never tells the reason")
			assert.NotContains(t, err.Error(), r.String(), "R2: the text never names the reason")

			got, ok := AuthFailureReason(err)
			assert.True(t, ok)
			assert.Equal(t, r, got, "R2: the reason is recoverable for logs")

			wrapped := fmt.Errorf("authenticate %q: %w", "mk_live_x", err)
			assert.ErrorIs(t, wrapped, ErrAuthenticationFailed)
			got, ok = AuthFailureReason(fmt.Errorf("outer: %w", wrapped))
			assert.True(t, ok, "R2: the reason survives %%w wrapping")
			assert.Equal(t, r, got)

			got, ok = AuthFailureReason(errors.Join(errors.New("other"), err))
			assert.True(t, ok, "R2: the reason is found in a joined error")
			assert.Equal(t, r, got)

			for _, sentinel := range []error{ErrExpired, ErrRevoked, ErrMalformed} {
				assert.NotErrorIs(t, err, sentinel, "R2: the caller cannot tell the cause by errors.Is")
			}
		})
	}

	t.Run("R2 every reason reads the same", func(t *testing.T) {
		texts := map[string]bool{}
		for _, r := range allReasons {
			texts[AuthFailure(r).Error()] = true
		}
		assert.Len(t, texts, 1)
	})

	t.Run("R2 an out-of-range reason gives the bare sentinel", func(t *testing.T) {
		for _, r := range []FailureReason{0, -1, ReasonInsufficientScope + 1, 1000} {
			err := AuthFailure(r)
			assert.Same(t, ErrAuthenticationFailed, err, "reason %d", int(r))
			_, ok := AuthFailureReason(err)
			assert.False(t, ok)
		}
	})

	t.Run("R2 other errors carry no reason", func(t *testing.T) {
		for _, err := range []error{nil, ErrAuthenticationFailed, fmt.Errorf("x: %w", ErrAuthenticationFailed), ErrExpired, ErrRevoked, errors.New("credential: authentication failed")} {
			r, ok := AuthFailureReason(err)
			assert.False(t, ok, "%v", err)
			assert.Zero(t, r)
		}
	})

	t.Run("R2 failing costs no allocation", func(t *testing.T) {
		var sink error
		allocs := testing.AllocsPerRun(100, func() {
			for _, r := range allReasons {
				sink = AuthFailure(r)
			}
		})
		assert.Zero(t, allocs, "AuthFailure allocates")
		allocs = testing.AllocsPerRun(100, func() {
			if !errors.Is(sink, ErrAuthenticationFailed) {
				panic("not an authentication failure")
			}
		})
		assert.Zero(t, allocs, "errors.Is on an authentication failure allocates")
	})
}

// TestFailureReasonString checks the R2 reasons' names used in logs.
func TestFailureReasonString(t *testing.T) {
	want := []string{"malformed", "unknown_client", "wrong_secret", "expired", "revoked", "insufficient_scope"}
	for i, r := range allReasons {
		assert.Equal(t, want[i], r.String())
	}
	assert.Equal(t, "unknown_reason", FailureReason(0).String())
	assert.Equal(t, "unknown_reason", FailureReason(99).String())
}

// TestPrincipalScopes checks the scope tests the middleware relies on for
// its 403 (R18): full access has every scope, fine grained only its own.
func TestPrincipalScopes(t *testing.T) {
	id := uuid.MustParse("01956f3a-1c2b-7d4e-8f90-123456789abc")
	full := NewPrincipal("t1", id, "mk_live_a", AccessFull, EnvironmentLive, nil)
	fine := NewPrincipal("t1", id, "mk_live_a", AccessFineGrained, EnvironmentTest, []string{"products:read", "orders:write"})
	fineNone := NewPrincipal("t1", id, "mk_live_a", AccessFineGrained, EnvironmentLive, nil)
	noAccess := NewPrincipal("t1", id, "mk_live_a", Access(""), EnvironmentLive, []string{"products:read"})

	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"full access has any scope", full.HasScope("products:read"), true},
		{"full access has even an unregistered scope", full.HasScope("anything:at-all"), true},
		{"full access has all of several scopes", full.HasAllScopes("a:b", "c:d"), true},
		{"full access has any of several scopes", full.HasAnyScope("a:b", "c:d"), true},
		{"fine grained has a granted scope", fine.HasScope("products:read"), true},
		{"fine grained lacks an ungranted scope", fine.HasScope("products:write"), false},
		{"fine grained matches scopes exactly, not by prefix", fine.HasScope("products"), false},
		{"fine grained matches scopes exactly, not by case", fine.HasScope("Products:read"), false},
		{"fine grained has all granted scopes", fine.HasAllScopes("products:read", "orders:write"), true},
		{"fine grained lacks all when one is missing", fine.HasAllScopes("products:read", "users:delete"), false},
		{"fine grained has any when one is granted", fine.HasAnyScope("users:delete", "orders:write"), true},
		{"fine grained lacks any when none is granted", fine.HasAnyScope("users:delete", "users:read"), false},
		{"fine grained without scopes has nothing", fineNone.HasScope("products:read"), false},
		{"an invalid access level has nothing, whatever its scopes", noAccess.HasScope("products:read"), false},
		{"HasAllScopes of nothing is true", fine.HasAllScopes(), true},
		{"HasAnyScope of nothing is false", fine.HasAnyScope(), false},
		{"HasAnyScope of nothing is false even for full access", full.HasAnyScope(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

// TestPrincipalIsReadOnly checks that a principal's scopes cannot be
// changed from outside (R18).
func TestPrincipalIsReadOnly(t *testing.T) {
	in := []string{"products:read", "orders:write"}
	p := NewPrincipal("t1", uuid.New(), "mk_live_a", AccessFineGrained, EnvironmentLive, in)

	in[0] = "admin:all"
	assert.False(t, p.HasScope("admin:all"), "NewPrincipal copies its input")
	assert.True(t, p.HasScope("products:read"))

	out := p.Scopes()
	out[1] = "admin:all"
	assert.Equal(t, []string{"products:read", "orders:write"}, p.Scopes(), "Scopes returns a copy")
	assert.False(t, p.HasScope("admin:all"))

	assert.Empty(t, NewPrincipal("t1", uuid.New(), "c", AccessFull, EnvironmentLive, nil).Scopes())
}

// TestNewPrincipalFields checks NewPrincipal (R18).
func TestNewPrincipalFields(t *testing.T) {
	id := uuid.New()
	p := NewPrincipal("tenant-7", id, "mk_test_abc", AccessFineGrained, EnvironmentTest, []string{"a:b"})
	assert.Equal(t, "tenant-7", p.TenantID)
	assert.Equal(t, id, p.CredentialID)
	assert.Equal(t, "mk_test_abc", p.ClientID)
	assert.Equal(t, AccessFineGrained, p.Access)
	assert.Equal(t, EnvironmentTest, p.Environment)
	assert.Equal(t, []string{"a:b"}, p.Scopes())
}
