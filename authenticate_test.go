package apicred_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store/memstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthenticateAllocatesNothingOnSuccess(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t, "b", func(r *apicred.IssueRequest) {
		r.Access, r.Scopes = credential.AccessFineGrained, []string{"products:read"}
	})
	ctx := context.Background()
	secret := []byte(is.Secret.Reveal())
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := f.m.Authenticate(ctx, is.ClientID, secret); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs, "DESIGN §4: the Manager's share of the hot path allocates nothing")
}

func TestAuthObserverSeesTheReasonButNeverTheSecret(t *testing.T) {
	var (
		mu      sync.Mutex
		results []apicred.AuthResult
	)
	f := newFixture(t, apicred.WithAuthObserver(func(_ context.Context, r apicred.AuthResult) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
	}))
	is := f.issue(t, "b")
	_, err := f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	other := f.issue(t, "b")
	_, err = f.auth(t, is.ClientID, other.Secret)
	require.Error(t, err)

	// A secret pasted into the client ID field is not passed on (R8).
	_, err = f.m.Authenticate(t.Context(), is.Secret.Reveal(), []byte(is.Secret.Reveal()))
	require.Error(t, err)

	require.Len(t, results, 3)
	assert.Empty(t, results[2].ClientID, "R8: a malformed client ID, which may be a secret, is not observed")
	assert.Equal(t, credential.ReasonMalformed, results[2].Reason)
	assert.Zero(t, results[0].Reason)
	assert.Equal(t, is.Credential.ID, results[0].Principal.CredentialID)
	assert.Equal(t, credential.ReasonWrongSecret, results[1].Reason)
	assert.Equal(t, is.ClientID, results[1].ClientID)
	assert.NoError(t, results[1].Err)
	for _, r := range results {
		assert.NotContains(t, fmt.Sprintf("%+v", r), is.Secret.Reveal(), "R8")
		assert.NotContains(t, fmt.Sprintf("%+v", r), other.Secret.Reveal(), "R8")
	}
}

func TestHasherMigrationVerifiesOldHashesAndRehashesOnRotation(t *testing.T) {
	s := memstore.New()
	old, err := apicred.New(s)
	require.NoError(t, err)
	is, err := old.Issue(t.Context(), apicred.IssueRequest{TenantID: "b", Name: "n", Access: credential.AccessFull, Actor: "a"})
	require.NoError(t, err)

	hm, err := credential.NewHMACSHA256("k1", []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	onlyHMAC, err := apicred.New(s, apicred.WithHasher(hm))
	require.NoError(t, err)
	_, err = onlyHMAC.Authenticate(t.Context(), is.ClientID, []byte(is.Secret.Reveal()))
	assert.ErrorIs(t, err, apicred.ErrUnknownHasher, "a hash of an unconfigured hasher is a configuration fault")
	assert.NotErrorIs(t, err, apicred.ErrAuthenticationFailed)

	m, err := apicred.New(s, apicred.WithHasher(hm, credential.SHA256()))
	require.NoError(t, err)
	_, err = m.Authenticate(t.Context(), is.ClientID, []byte(is.Secret.Reveal()))
	require.NoError(t, err, "an additional verifier checks the old hash")
	rot, err := m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: is.Credential.ID, Actor: "a"})
	require.NoError(t, err)
	assert.Equal(t, "hmac-sha256:k1", rot.Credential.HasherID, "rotation rehashes with the current hasher")
	_, err = m.Authenticate(t.Context(), rot.ClientID, []byte(rot.Secret.Reveal()))
	require.NoError(t, err)
}

func TestLastUsedTrackingWritesAtMostOncePerInterval(t *testing.T) {
	f := newFixture(t, apicred.WithLastUsedTracking(time.Minute))
	is := f.issue(t, "b")
	before, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	require.True(t, before.LastUsedAt.IsZero())

	_, err = f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	first, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	assert.Equal(t, credential.Truncate(t0), first.LastUsedAt, "the first use is recorded")
	assert.Equal(t, before.Version, first.Version, "recording a use is not a state change")

	f.clock.Advance(30 * time.Second)
	_, err = f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	second, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	assert.Equal(t, first.LastUsedAt, second.LastUsedAt, "a use within the interval is not written")

	f.clock.Advance(31 * time.Second)
	_, err = f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	third, err := f.m.Get(t.Context(), "b", is.Credential.ID)
	require.NoError(t, err)
	assert.Equal(t, credential.Truncate(t0.Add(61*time.Second)), third.LastUsedAt, "a use after the interval is written")
	assert.Len(t, f.events(t, "b", is.Credential.ID), 1, "R16: uses write no audit event")
}

// benchManager returns a Manager over a memory store holding n
// credentials, of which up to 1,024 were issued through the Manager (so
// their secrets are known) and spread evenly among the rest.
func benchManager(b *testing.B, n int) (*apicred.Manager, []apicred.Issued) {
	b.Helper()
	s := memstore.New()
	m, err := apicred.New(s)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	issued := make([]apicred.Issued, 0, min(n, 1024))
	every := max(1, n/cap(issued))
	var filler credential.Credential
	for i := range n {
		if i%every == 0 && len(issued) < cap(issued) {
			is, err := m.Issue(ctx, apicred.IssueRequest{TenantID: fmt.Sprintf("t%d", i%1000), Name: "bench", Access: credential.AccessFull, Actor: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			issued = append(issued, is)
			filler = is.Credential
			continue
		}
		// Fill the rest directly: issuing a million credentials through
		// the Manager would measure the generator, not the lookup.
		filler.ID = uuid.Must(uuid.NewV7())
		filler.TenantID = fmt.Sprintf("t%d", i%1000)
		filler.ClientID = fmt.Sprintf("mk_live_%024d", i)
		e := credential.Event{ID: filler.ID, Type: credential.EventCreated, TenantID: filler.TenantID, CredentialID: filler.ID, Actor: "bench", At: filler.CreatedAt}
		if err := s.Create(ctx, filler, e); err != nil {
			b.Fatal(err)
		}
	}
	return m, issued
}

// BenchmarkAuthenticate measures Manager.Authenticate on the memory store
// with 1 thousand and 1 million credentials stored, cycling through 1,024
// of them so that the lookups are not all served from one warm cache line:
// the cost must not grow with the number of credentials (DESIGN §4).
func BenchmarkAuthenticate(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("memstore/credentials=%d", n), func(b *testing.B) {
			m, issued := benchManager(b, n)
			ctx := context.Background()
			secrets := make([][]byte, len(issued))
			for i, is := range issued {
				secrets[i] = []byte(is.Secret.Reveal())
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := m.Authenticate(ctx, issued[i].ClientID, secrets[i]); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(issued) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkAuthenticateOutcomes compares the cost of each outcome in one
// run (R19): an unknown client ID must cost about what a wrong secret does.
func BenchmarkAuthenticateOutcomes(b *testing.B) {
	m, issued := benchManager(b, 1_000)
	is := issued[0]
	ctx := context.Background()
	other, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "t0", Name: "other", Access: credential.AccessFull, Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	unknown, err := m.Format().NewClientID(credential.EnvironmentLive)
	if err != nil {
		b.Fatal(err)
	}
	expiring, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "t0", Name: "expired", Access: credential.AccessFull, Actor: "bench", ExpiresAt: time.Now().Add(time.Millisecond)})
	if err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	revoked, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "t0", Name: "revoked", Access: credential.AccessFull, Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Revoke(ctx, apicred.RevokeRequest{TenantID: "t0", ID: revoked.Credential.ID, Actor: "bench", Reason: "bench"}); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, clientID string
		secret         []byte
	}{
		{"valid", is.ClientID, []byte(is.Secret.Reveal())},
		{"wrong_secret", is.ClientID, []byte(other.Secret.Reveal())},
		{"unknown_client", unknown, []byte(is.Secret.Reveal())},
		{"expired", expiring.ClientID, []byte(expiring.Secret.Reveal())},
		{"revoked", revoked.ClientID, []byte(revoked.Secret.Reveal())},
		{"malformed_secret", is.ClientID, []byte("ms_live_not-a-secret")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = m.Authenticate(ctx, tc.clientID, tc.secret)
			}
		})
	}
}

func TestPasswordKDFHashersWorkThroughTheManager(t *testing.T) {
	a2, err := credential.NewArgon2id(credential.Argon2idParams{Time: 1, MemoryKiB: 64, Threads: 1})
	require.NoError(t, err)
	h := &countingHasher{Hasher: a2}
	f := newFixture(t, apicred.WithHasher(h))
	is := f.issue(t, "b")
	assert.Equal(t, "argon2id:t=1,m=64,p=1", is.Credential.HasherID)
	_, err = f.auth(t, is.ClientID, is.Secret)
	require.NoError(t, err)
	unknown, err := f.m.Format().NewClientID(credential.EnvironmentLive)
	require.NoError(t, err)
	_, err = f.m.Authenticate(t.Context(), unknown, []byte(is.Secret.Reveal()))
	require.ErrorIs(t, err, apicred.ErrAuthenticationFailed)
	assert.Equal(t, 2, h.verifies, "R19: an unknown client pays the KDF like a known one")
}
