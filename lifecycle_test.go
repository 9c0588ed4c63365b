package apicred_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIssueStoresCredentialAndCreatedEvent(t *testing.T) {
	f := newFixture(t)
	exp := t0.Add(30 * 24 * time.Hour)
	is := f.issue(t, "brand-1", func(r *apicred.IssueRequest) {
		r.Name = "  ERP Sync  "
		r.ContactEmail = "dev@example.com"
		r.Access = credential.AccessFineGrained
		r.Scopes = []string{"products:read", "orders:write"}
		r.Metadata = map[string]string{"team": "erp"}
		r.ExpiresAt = exp
	})
	c := is.Credential
	assert.Equal(t, "ERP Sync", c.Name, "the name is trimmed")
	assert.Equal(t, int64(1), c.Version)
	assert.Equal(t, credential.Truncate(t0), c.CreatedAt, "R7: CreatedAt is the clock in UTC at microseconds")
	assert.Equal(t, time.UTC, c.CreatedAt.Location())
	assert.Equal(t, credential.Truncate(exp), c.ExpiresAt)
	assert.Equal(t, "sha256", c.HasherID)
	assert.True(t, strings.HasPrefix(c.ClientID, "mk_live_"), "R11: client ID prefix")
	assert.True(t, strings.HasPrefix(is.Secret.Reveal(), "ms_live_"), "R11: secret prefix")
	assert.Equal(t, c.ClientID, is.ClientID)
	assert.NotContains(t, c.SecretHint, is.Secret.Reveal()[8:20], "the hint shows none of the random part")

	got, err := f.m.Get(t.Context(), "brand-1", c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)

	es := f.events(t, "brand-1", c.ID)
	require.Len(t, es, 1, "R16: issuing writes exactly one event")
	assert.Equal(t, credential.EventCreated, es[0].Type)
	assert.Equal(t, "alice@example.com", es[0].Actor)
	assert.Equal(t, c.ExpiresAt, es[0].NewExpiresAt)
}

func TestR14InvalidIssueNamesEveryFieldAndWritesNothing(t *testing.T) {
	f := newFixture(t, apicred.WithKnownScopes("products:read"), apicred.WithRequiredContactEmail())
	_, err := f.m.Issue(t.Context(), apicred.IssueRequest{
		TenantID:    "",
		Name:        "   ",
		Access:      credential.AccessFineGrained,
		Scopes:      []string{"products:write", "Bad Scope"},
		Metadata:    map[string]string{"bad key!": "x"},
		ExpiresAt:   t0.Add(-time.Second),
		Environment: "staging",
	})
	var v *apicred.ValidationError
	require.ErrorAs(t, err, &v)
	for _, field := range []string{"tenant_id", "name", "contact_email", "scopes[0]", "scopes[1]", "metadata", "expires_at", "environment", "actor"} {
		assert.True(t, v.Has(field), "R14: %q is named in %v", field, err)
	}
	page, err := f.m.Events(t.Context(), apicred.EventsRequest{TenantID: "brand-1"})
	require.NoError(t, err)
	assert.Empty(t, page.Events, "R14: invalid input writes no event")
	list, err := f.m.List(t.Context(), "brand-1", apicred.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, list.Credentials, "R14: invalid input creates nothing")
}

func TestR13CreationRules(t *testing.T) {
	cases := []struct {
		name  string
		opts  []apicred.Option
		edit  func(*apicred.IssueRequest)
		field string // empty: accepted
	}{
		{"fine grained access needs a scope", nil, func(r *apicred.IssueRequest) { r.Access = credential.AccessFineGrained }, "scopes"},
		{"full access takes no scopes", nil, func(r *apicred.IssueRequest) { r.Scopes = []string{"products:read"} }, "scopes"},
		{"an unknown access level is refused", nil, func(r *apicred.IssueRequest) { r.Access = "admin" }, "access"},
		{"a scope outside the registry is refused", []apicred.Option{apicred.WithKnownScopes("products:read")}, func(r *apicred.IssueRequest) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{"orders:read"}
		}, "scopes[0]"},
		{"a scope in the registry is accepted", []apicred.Option{apicred.WithKnownScopes("products:read")}, func(r *apicred.IssueRequest) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{"products:read"}
		}, ""},
		{"the contact email is optional by default", nil, func(r *apicred.IssueRequest) {}, ""},
		{"the contact email can be made required", []apicred.Option{apicred.WithRequiredContactEmail()}, func(r *apicred.IssueRequest) {}, "contact_email"},
		{"a malformed email is refused", nil, func(r *apicred.IssueRequest) { r.ContactEmail = "not-an-email" }, "contact_email"},
		{"an expiry now is not in the future", nil, func(r *apicred.IssueRequest) { r.ExpiresAt = t0 }, "expires_at"},
		{"an expiry a microsecond ahead is accepted", nil, func(r *apicred.IssueRequest) { r.ExpiresAt = credential.Truncate(t0).Add(time.Microsecond) }, ""},
		{"a name longer than the limit is refused", nil, func(r *apicred.IssueRequest) { r.Name = strings.Repeat("é", credential.MaxNameLen+1) }, "name"},
		{"a name with a NUL byte is refused", nil, func(r *apicred.IssueRequest) { r.Name = "a\x00b" }, "name"},
		{"test environment is accepted", nil, func(r *apicred.IssueRequest) { r.Environment = credential.EnvironmentTest }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.opts...)
			req := apicred.IssueRequest{TenantID: "brand-1", Name: "n", Access: credential.AccessFull, Actor: "alice"}
			tc.edit(&req)
			_, err := f.m.Issue(t.Context(), req)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var v *apicred.ValidationError
			require.ErrorAs(t, err, &v, "R13")
			assert.True(t, v.Has(tc.field), "R13: %v names %q", err, tc.field)
		})
	}
}

func TestR11TestEnvironmentAndCustomPrefixes(t *testing.T) {
	f := newFixture(t, apicred.WithFormat(credential.Format{ClientIDPrefix: "acme", SecretPrefix: "acmesk"}))
	is := f.issue(t, "b", func(r *apicred.IssueRequest) { r.Environment = credential.EnvironmentTest })
	assert.True(t, strings.HasPrefix(is.ClientID, "acme_test_"), "R11: %s", is.ClientID)
	assert.True(t, strings.HasPrefix(is.Secret.Reveal(), "acmesk_test_"), "R11")
	p, err := f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	assert.Equal(t, credential.EnvironmentTest, p.Environment)
}

func TestAuthenticateReturnsThePrincipal(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "brand-1", func(r *apicred.IssueRequest) {
		r.Access, r.Scopes = credential.AccessFineGrained, []string{"products:read"}
	})
	p, err := f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	assert.Equal(t, "brand-1", p.TenantID)
	assert.Equal(t, is.Credential.ID, p.CredentialID)
	assert.Equal(t, is.ClientID, p.ClientID)
	assert.Equal(t, credential.AccessFineGrained, p.Access)
	assert.Equal(t, []string{"products:read"}, p.Scopes())
	assert.True(t, p.HasScope("products:read"))
	assert.False(t, p.HasScope("products:write"))
}

func TestR2EveryAuthenticationFailureIsTheSameError(t *testing.T) {
	f := newFixture(t)
	good := f.issue(t, "b")
	expiring := f.issue(t, "b", func(r *apicred.IssueRequest) { r.ExpiresAt = t0.Add(time.Hour) })
	revoked := f.issue(t, "b")
	_, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: revoked.Credential.ID, Actor: "a", Reason: "leaked"})
	require.NoError(t, err)
	other := f.issue(t, "b")
	f.clock.Advance(2 * time.Hour)

	unknownClient, err := f.m.Format().NewClientID(credential.EnvironmentLive)
	require.NoError(t, err)
	cases := []struct {
		name     string
		clientID string
		secret   string
		reason   credential.FailureReason
	}{
		{"unknown client ID", unknownClient, good.Secret.Reveal(), credential.ReasonUnknownClient},
		{"wrong secret (another credential's)", good.ClientID, other.Secret.Reveal(), credential.ReasonWrongSecret},
		{"expired credential with its own secret", expiring.ClientID, expiring.Secret.Reveal(), credential.ReasonExpired},
		{"revoked credential with its own secret", revoked.ClientID, revoked.Secret.Reveal(), credential.ReasonRevoked},
		{"secret with a bad checksum", good.ClientID, good.Secret.Reveal()[:len(good.Secret.Reveal())-1] + "x", credential.ReasonMalformed},
		{"empty secret", good.ClientID, "", credential.ReasonMalformed},
		{"malformed client ID", "nope", good.Secret.Reveal(), credential.ReasonMalformed},
	}
	var texts []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.m.Authenticate(t.Context(), tc.clientID, []byte(tc.secret))
			require.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "R2")
			assert.Zero(t, p, "R2: a failure returns no principal")
			reason, ok := credential.AuthFailureReason(err)
			require.True(t, ok)
			assert.Equal(t, tc.reason, reason, "the precise reason is available to logs")
			texts = append(texts, err.Error())
			if tc.secret != "" {
				assert.NotContains(t, err.Error(), tc.secret, "R8")
			}
		})
	}
	for _, s := range texts {
		assert.Equal(t, texts[0], s, "R2: every failure reads the same")
	}
	_, err = f.auth(t, good.ClientID, good.Secret)
	require.NoError(t, err, "the good credential still works")
}

func TestR19UnknownClientCostsAHashVerification(t *testing.T) {
	h := &countingHasher{Hasher: credential.SHA256()}
	f := newFixture(t, apicred.WithHasher(h))
	is := f.issue(t, "b")
	unknown, err := f.m.Format().NewClientID(credential.EnvironmentLive)
	require.NoError(t, err)

	_, err = f.m.Authenticate(t.Context(), unknown, []byte(is.Secret.Reveal()))
	require.ErrorIs(t, err, apicred.ErrAuthenticationFailed)
	_, err = f.m.Authenticate(t.Context(), is.ClientID, []byte(is.Secret.Reveal()))
	require.NoError(t, err)
	assert.Equal(t, 2, h.verifies, "R19: an unknown client ID is verified against a dummy hash like a known one")
}

func TestAuthenticateTellsAFailingStoreFromABadKey(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	m, err := apicred.New(failingStore{Store: f.store, err: errStoreDown})
	require.NoError(t, err)
	_, err = m.Authenticate(t.Context(), is.ClientID, []byte(is.Secret.Reveal()))
	require.Error(t, err)
	assert.NotErrorIs(t, err, apicred.ErrAuthenticationFailed, "R18: a store failure is not a bad key")
	assert.ErrorIs(t, err, errStoreDown)
	_, isAuth := credential.AuthFailureReason(err)
	assert.False(t, isAuth)
}

func TestAuthenticateWithCancelledContextIsAStoreError(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := f.m.Authenticate(ctx, is.ClientID, []byte(is.Secret.Reveal()))
	require.Error(t, err)
	assert.NotErrorIs(t, err, apicred.ErrAuthenticationFailed)
}

func TestR4RotationTakesEffectImmediately(t *testing.T) {
	f := newFixture(t)
	exp := t0.Add(10 * 24 * time.Hour)
	is := f.issue(t, "b", func(r *apicred.IssueRequest) { r.ExpiresAt = exp })
	f.clock.Advance(time.Minute)

	rot, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "bob", Reason: "Scheduled quarterly rotation"})
	require.NoError(t, err)
	_, err = f.auth(t, is.ClientID, is.Secret)
	assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "R4: the old secret fails right after Rotate returns")
	_, err = f.auth(t, rot.ClientID, rot.Secret)
	assert.NoError(t, err, "the new secret works")

	assert.Equal(t, is.ClientID, rot.ClientID, "R9: rotation keeps the client ID")
	assert.Equal(t, is.Credential.ExpiresAt, rot.Credential.ExpiresAt, "R9: rotation does not change the expiry")
	assert.NotEqual(t, is.Secret.Reveal(), rot.Secret.Reveal())
	assert.Equal(t, credential.Truncate(t0.Add(time.Minute)), rot.Credential.RotatedAt)
	assert.Equal(t, int64(2), rot.Credential.Version)

	es := f.events(t, "b", is.Credential.ID)
	require.Equal(t, []credential.EventType{credential.EventCreated, credential.EventRotated}, eventTypes(es), "R16")
	assert.Equal(t, "Scheduled quarterly rotation", es[1].Reason, "R9: an optional reason is recorded")
	assert.Equal(t, "bob", es[1].Actor)
}

func TestR9RotationIsRefusedOnExpiredAndRevoked(t *testing.T) {
	f := newFixture(t)
	expiring := f.issue(t, "b", func(r *apicred.IssueRequest) { r.ExpiresAt = t0.Add(time.Hour) })
	revoked := f.issue(t, "b")
	_, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: revoked.Credential.ID, Actor: "a", Reason: "gone"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)

	_, err = f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: expiring.Credential.ID, Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrExpired, "R9: an expired credential cannot rotate")
	_, err = f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: revoked.Credential.ID, Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrRevoked, "R9: a revoked credential cannot rotate")
	assert.Len(t, f.events(t, "b", expiring.Credential.ID), 1, "R16: a refused rotation writes no event")
	assert.Len(t, f.events(t, "b", revoked.Credential.ID), 2, "R16: created and revoked only")
}

func TestR3Revocation(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b", func(r *apicred.IssueRequest) { r.ExpiresAt = t0.Add(time.Hour) })

	_, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a", Reason: "  "})
	var v *apicred.ValidationError
	require.ErrorAs(t, err, &v, "R3: a reason is required")
	assert.True(t, v.Has("reason"))

	f.clock.Advance(2 * time.Hour) // now expired
	got, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	require.Equal(t, credential.StateExpired, got.State(f.m.Now()))
	assert.Len(t, f.events(t, "b", is.Credential.ID), 1, "R3: expiry by time writes no event")

	rev, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "carol", Reason: "integration retired"})
	require.NoError(t, err, "R3: an expired credential can be revoked")
	assert.Equal(t, credential.StateRevoked, rev.State(f.m.Now()), "R1/R3: revoked wins over a past expiry")
	assert.Equal(t, "integration retired", rev.RevokeReason)

	_, err = f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "carol", Reason: "again"})
	assert.ErrorIs(t, err, apicred.ErrAlreadyRevoked, "R3: revocation is permanent and recorded once")
	_, err = f.m.SetExpiry(t.Context(), apicred.ExpiryRequest{TenantID: "b", ID: is.Credential.ID, Actor: "carol"})
	assert.ErrorIs(t, err, apicred.ErrRevoked, "R3: nothing reactivates a revoked credential")

	es := f.events(t, "b", is.Credential.ID)
	require.Equal(t, []credential.EventType{credential.EventCreated, credential.EventRevoked}, eventTypes(es), "R3/R16")
	assert.Equal(t, "integration retired", es[1].Reason)
	assert.Equal(t, "carol", es[1].Actor)
}

func TestR4RevocationTakesEffectImmediately(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	_, err := f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	_, err = f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a", Reason: "compromised"})
	require.NoError(t, err)
	_, err = f.auth(t, is.ClientID, is.Secret)
	assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "R4: no grace period after revocation")
}

func TestR10TwoActiveCredentialsForZeroDowntimeRotation(t *testing.T) {
	f := newFixture(t)
	old := f.issue(t, "b")
	next := f.issue(t, "b")
	for _, is := range []apicred.Issued{old, next} {
		_, err := f.auth(t, is.ClientID, is.Secret)
		require.NoError(t, err, "R10: both authenticate until the old one is revoked")
	}
	_, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: old.Credential.ID, Actor: "a", Reason: "replaced"})
	require.NoError(t, err)
	_, err = f.auth(t, old.ClientID, old.Secret)
	assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed)
	_, err = f.auth(t, next.ClientID, next.Secret)
	assert.NoError(t, err, "R10: the new one keeps working")
}

func TestR5R6ExpiryEditBoundaries(t *testing.T) {
	lock := credential.DefaultExpiryLockWindow
	now := credential.Truncate(t0)
	cases := []struct {
		name      string
		expiresAt time.Duration // from now at edit time, or none
		revoke    bool
		newExpiry time.Duration // from now, or none to clear
		want      error         // nil: allowed; errValidation: a ValidationError
	}{
		{"no expiry: set any future date", none, false, 400 * 24 * time.Hour, nil},
		{"no expiry: stay empty", none, false, none, nil},
		{"72h and a microsecond to go: change", lock + time.Microsecond, false, 30 * 24 * time.Hour, nil},
		{"72h and a microsecond to go: clear", lock + time.Microsecond, false, none, nil},
		{"more than 72h to go: shorten to one hour", 100 * time.Hour, false, time.Hour, nil},
		{"exactly 72h to go: locked", lock, false, 30 * 24 * time.Hour, apicred.ErrExpiryLocked},
		{"exactly 72h to go: clearing is locked too", lock, false, none, apicred.ErrExpiryLocked},
		{"one microsecond before expiry: locked", time.Microsecond, false, 30 * 24 * time.Hour, apicred.ErrExpiryLocked},
		{"at expiry: blocked", 0, false, 30 * 24 * time.Hour, apicred.ErrExpired},
		{"after expiry: blocked, never extended", -time.Hour, false, 30 * 24 * time.Hour, apicred.ErrExpired},
		{"after expiry: clearing is blocked too", -time.Hour, false, none, apicred.ErrExpired},
		{"revoked: blocked", none, true, 30 * 24 * time.Hour, apicred.ErrRevoked},
		{"revoked and expired: revoked wins", -time.Hour, true, 30 * 24 * time.Hour, apicred.ErrRevoked},
		{"new expiry now: not in the future", none, false, 0, errValidation},
		{"new expiry in the past", none, false, -time.Minute, errValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			// Issue long before "now", so that every expiry of the table
			// is in the future at issue time.
			f.clock.Set(now.Add(-365 * 24 * time.Hour))
			is := f.issue(t, "b", func(r *apicred.IssueRequest) {
				if tc.expiresAt != none {
					r.ExpiresAt = now.Add(tc.expiresAt)
				}
			})
			if tc.revoke {
				_, err := f.m.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a", Reason: "r"})
				require.NoError(t, err)
			}
			f.clock.Set(now)
			var newExp time.Time
			if tc.newExpiry != none {
				newExp = now.Add(tc.newExpiry)
			}
			before := len(f.events(t, "b", is.Credential.ID))
			got, err := f.m.SetExpiry(t.Context(), apicred.ExpiryRequest{TenantID: "b", ID: is.Credential.ID, ExpiresAt: newExp, Actor: "dave", Reason: "policy"})
			after := f.events(t, "b", is.Credential.ID)
			switch tc.want {
			case nil:
				require.NoError(t, err, "R5")
				assert.Equal(t, newExp, got.ExpiresAt)
				require.Len(t, after, before+1, "R6/R16: an edit writes one event")
				e := after[len(after)-1]
				assert.Equal(t, credential.EventExpiryChanged, e.Type)
				assert.Equal(t, is.Credential.ExpiresAt, e.OldExpiresAt, "R6: the event holds the old expiry")
				assert.Equal(t, newExp, e.NewExpiresAt, "R6: the event holds the new expiry")
				assert.Equal(t, "policy", e.Reason)
				stored, err := f.m.Get(t.Context(), "b", is.Credential.ID)
				require.NoError(t, err)
				assert.Equal(t, newExp, stored.ExpiresAt)
			case errValidation:
				var v *apicred.ValidationError
				require.ErrorAs(t, err, &v, "R6")
				assert.True(t, v.Has("expires_at"))
				assert.Len(t, after, before, "R16: a refused edit writes no event")
			default:
				require.ErrorIs(t, err, tc.want, "R5")
				assert.Len(t, after, before, "R16: a refused edit writes no event")
				stored, err := f.m.Get(t.Context(), "b", is.Credential.ID)
				require.NoError(t, err)
				assert.Equal(t, is.Credential.ExpiresAt, stored.ExpiresAt, "a refused edit changes nothing")
			}
		})
	}
}

// none marks "no expiry" in the boundary table, where zero means "now".
const none = time.Duration(math.MinInt64)

var errValidation = errors.New("validation error expected")

func TestR5LockWindowIsConfigurable(t *testing.T) {
	f := newFixture(t, apicred.WithExpiryLockWindow(time.Hour))
	is := f.issue(t, "b", func(r *apicred.IssueRequest) { r.ExpiresAt = t0.Add(2 * time.Hour) })
	_, err := f.m.SetExpiry(t.Context(), apicred.ExpiryRequest{TenantID: "b", ID: is.Credential.ID, ExpiresAt: t0.Add(5 * time.Hour), Actor: "a"})
	require.NoError(t, err, "R5: two hours to go is outside a one-hour window")
	assert.Equal(t, time.Hour, f.m.ExpiryLockWindow())
}

func TestR15TenantIsolation(t *testing.T) {
	f := newFixture(t)
	a := f.issue(t, "tenant-a")
	f.issue(t, "tenant-b")
	id := a.Credential.ID
	ctx := t.Context()

	_, err := f.m.Get(ctx, "tenant-b", id)
	assert.ErrorIs(t, err, apicred.ErrNotFound, "R15: read through another tenant")
	_, err = f.m.Rotate(ctx, apicred.RotateRequest{TenantID: "tenant-b", ID: id, Actor: "x"})
	assert.ErrorIs(t, err, apicred.ErrNotFound, "R15: rotate through another tenant")
	_, err = f.m.Revoke(ctx, apicred.RevokeRequest{TenantID: "tenant-b", ID: id, Actor: "x", Reason: "r"})
	assert.ErrorIs(t, err, apicred.ErrNotFound, "R15: revoke through another tenant")
	_, err = f.m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "tenant-b", ID: id, Actor: "x"})
	assert.ErrorIs(t, err, apicred.ErrNotFound, "R15: edit through another tenant")
	ev, err := f.m.Events(ctx, apicred.EventsRequest{TenantID: "tenant-b", CredentialID: id})
	require.NoError(t, err)
	assert.Empty(t, ev.Events, "R15: events through another tenant")
	list, err := f.m.List(ctx, "tenant-b", apicred.PageRequest{})
	require.NoError(t, err)
	require.Len(t, list.Credentials, 1)
	assert.NotEqual(t, id, list.Credentials[0].ID, "R15: list shows only the tenant's own")

	_, err = f.auth(t, a.ClientID, a.Secret)
	assert.NoError(t, err, "R15: the refused calls changed nothing")
	assert.Len(t, f.events(t, "tenant-a", id), 1)
}

func TestR16R17ConcurrentRotationsNeverLoseAnUpdate(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	const n = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []apicred.Issued
		start   = make(chan struct{})
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rot, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "racer"})
			if err != nil {
				assert.ErrorIs(t, err, apicred.ErrConflict, "R17: a lost race is a conflict")
				return
			}
			mu.Lock()
			winners = append(winners, rot)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	require.NotEmpty(t, winners)

	stored, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1+len(winners)), stored.Version, "R17: every success is one version")
	assert.Len(t, f.events(t, "b", is.Credential.ID), 1+len(winners), "R16: exactly one event per successful rotation")

	var last apicred.Issued
	for _, w := range winners {
		if w.Credential.Version > last.Credential.Version {
			last = w
		}
	}
	for _, w := range winners {
		_, err := f.auth(t, w.ClientID, w.Secret)
		if w.Credential.Version == last.Credential.Version {
			assert.NoError(t, err, "R17: the secret of the last successful rotation works")
		} else {
			assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "R17: an earlier rotation's secret does not")
		}
	}
}

func TestR16FailedWritesReturnNoSecretAndWriteNothing(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	broken, err := apicred.New(failingStore{Store: f.store, err: errStoreDown}, apicred.WithClock(f.clock.Now))
	require.NoError(t, err)

	_, err = broken.Issue(t.Context(), apicred.IssueRequest{TenantID: "b", Name: "n", Access: credential.AccessFull, Actor: "a"})
	assert.ErrorIs(t, err, errStoreDown)
	rot, err := broken.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a"})
	assert.ErrorIs(t, err, errStoreDown)
	assert.True(t, rot.Secret.IsZero(), "R8: a failed rotation returns no secret")
	_, err = broken.Revoke(t.Context(), apicred.RevokeRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a", Reason: "r"})
	assert.ErrorIs(t, err, errStoreDown)

	assert.Len(t, f.events(t, "b", is.Credential.ID), 1, "R16: failed calls write no event")
	_, err = f.auth(t, is.ClientID, is.Secret)
	assert.NoError(t, err, "the previous secret still works")
}

func TestR8NoSecretOutsideTheOneTimeResult(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	rot, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a"})
	require.NoError(t, err)
	secrets := []string{is.Secret.Reveal(), rot.Secret.Reveal()}

	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v\n", is, rot, rot)
	j, err := json.Marshal(rot)
	require.NoError(t, err)
	out.Write(j)
	got, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	fmt.Fprintf(&out, "%#v", got)
	page, err := f.m.List(t.Context(), "b", apicred.PageRequest{})
	require.NoError(t, err)
	fmt.Fprintf(&out, "%#v", page)
	ev, err := f.m.Events(t.Context(), apicred.EventsRequest{TenantID: "b"})
	require.NoError(t, err)
	fmt.Fprintf(&out, "%#v", ev)
	for _, s := range secrets {
		assert.NotContains(t, out.String(), s, "R8")
		assert.NotContains(t, string(got.SecretHash), s, "R8: the store keeps a hash")
	}

	var env bytes.Buffer
	require.NoError(t, rot.WriteEnv(&env))
	assert.Equal(t, "TIEBACK_CLIENT_ID="+rot.ClientID+"\nTIEBACK_CLIENT_SECRET="+rot.Secret.Reveal()+"\n", env.String(), "R12")
}

func TestR12EnvPrefixOption(t *testing.T) {
	f := newFixture(t, apicred.WithEnvPrefix("ACME"))
	is := f.issue(t, "b")
	var buf bytes.Buffer
	require.NoError(t, is.WriteJSON(&buf))
	var m map[string]string
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	assert.Equal(t, map[string]string{"ACME_CLIENT_ID": is.ClientID, "ACME_CLIENT_SECRET": is.Secret.Reveal()}, m, "R12")
}

func TestListPagesWithoutSkipsOrRepeats(t *testing.T) {
	f := newFixture(t)
	want := map[uuid.UUID]bool{}
	for range 7 {
		want[f.issue(t, "b").Credential.ID] = true
	}
	seen := map[uuid.UUID]bool{}
	req := apicred.PageRequest{Limit: 3}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		p, err := f.m.List(t.Context(), "b", req)
		require.NoError(t, err)
		for _, c := range p.Credentials {
			assert.False(t, seen[c.ID], "no repeats")
			seen[c.ID] = true
		}
		if pages == 0 {
			f.issue(t, "b") // created while paging: appears at the end
		}
		if p.NextCursor == "" {
			break
		}
		req.Cursor = p.NextCursor
	}
	for id := range want {
		assert.True(t, seen[id], "no skips")
	}
	assert.Len(t, seen, 8)
}

func TestListAndEventsRefuseBadPaging(t *testing.T) {
	f := newFixture(t)
	var v *apicred.ValidationError
	_, err := f.m.List(t.Context(), "b", apicred.PageRequest{Cursor: "!!"})
	require.ErrorAs(t, err, &v)
	assert.True(t, v.Has("cursor"))
	_, err = f.m.List(t.Context(), "b", apicred.PageRequest{Limit: apicred.MaxPageSize + 1})
	require.ErrorAs(t, err, &v)
	assert.True(t, v.Has("limit"))
	_, err = f.m.Events(t.Context(), apicred.EventsRequest{TenantID: "b", PageRequest: apicred.PageRequest{Cursor: "AAAAAAAAAAA"}})
	require.ErrorAs(t, err, &v)
	assert.True(t, v.Has("cursor"))
	_, err = f.m.Get(t.Context(), "", uuid.New())
	require.ErrorAs(t, err, &v)
	assert.True(t, v.Has("tenant_id"))
}

func TestEventsPageInWriteOrder(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b")
	for range 4 {
		f.clock.Advance(time.Second)
		_, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a"})
		require.NoError(t, err)
	}
	var all []credential.Event
	req := apicred.EventsRequest{TenantID: "b", PageRequest: apicred.PageRequest{Limit: 2}}
	for {
		p, err := f.m.Events(t.Context(), req)
		require.NoError(t, err)
		all = append(all, p.Events...)
		if p.NextCursor == "" {
			break
		}
		req.Cursor = p.NextCursor
	}
	require.Len(t, all, 5)
	for i := 1; i < len(all); i++ {
		assert.Greater(t, all[i].Seq, all[i-1].Seq)
		assert.False(t, all[i].At.Before(all[i-1].At))
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	s := newFixture(t).store
	cases := map[string]apicred.Option{
		"nil clock":          apicred.WithClock(nil),
		"nil hasher":         apicred.WithHasher(nil),
		"bad format":         apicred.WithFormat(credential.Format{ClientIDPrefix: "MK", SecretPrefix: "ms"}),
		"negative window":    apicred.WithExpiryLockWindow(-time.Second),
		"malformed scope":    apicred.WithKnownScopes("Products"),
		"lowercase env":      apicred.WithEnvPrefix("tieback"),
		"nil observer":       apicred.WithAuthObserver(nil),
		"sub-second tracker": apicred.WithLastUsedTracking(time.Millisecond),
		"nil option":         nil,
	}
	for name, opt := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := apicred.New(s, opt)
			assert.ErrorIs(t, err, apicred.ErrInvalidOption)
		})
	}
	_, err := apicred.New(nil)
	assert.ErrorIs(t, err, apicred.ErrInvalidOption)
}
