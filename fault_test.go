package apicred_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/internal/faultstore"
	"github.com/apicred/apicred/store/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultFixture is a Manager over a fault-injecting memory store holding one
// issued credential with an expiry far away.
type faultFixture struct {
	m      *apicred.Manager
	faults *faultstore.Store
	issued apicred.Issued
}

func newFaultFixture(t *testing.T) *faultFixture {
	t.Helper()
	fs := faultstore.New(memstore.New(), 5*time.Millisecond)
	clock := &fakeClock{now: t0}
	m, err := apicred.New(fs, apicred.WithClock(clock.Now))
	require.NoError(t, err)
	is, err := m.Issue(t.Context(), apicred.IssueRequest{
		TenantID: "b", Name: "n", Access: credential.AccessFull, Actor: "a", ExpiresAt: t0.Add(30 * 24 * time.Hour),
	})
	require.NoError(t, err)
	fs.Reset()
	return &faultFixture{m: m, faults: fs, issued: is}
}

// snapshot is everything a failed operation must leave as it was.
type snapshot struct {
	credentials []credential.Credential
	events      []credential.Event
}

func (f *faultFixture) snapshot(t *testing.T) snapshot {
	t.Helper()
	page, err := f.m.List(context.Background(), "b", apicred.PageRequest{Limit: apicred.MaxPageSize})
	require.NoError(t, err)
	ev, err := f.m.Events(context.Background(), apicred.EventsRequest{TenantID: "b", PageRequest: apicred.PageRequest{Limit: apicred.MaxPageSize}})
	require.NoError(t, err)
	return snapshot{page.Credentials, ev.Events}
}

// TestFaultInjectionLeavesNothingBehind makes every store call of every
// write operation fail in every way, and checks what is left: an error, no
// secret, the previous secret still working, no audit event, no partial
// credential (R8, R16).
func TestFaultInjectionLeavesNothingBehind(t *testing.T) {
	type op struct {
		name string
		run  func(ctx context.Context, f *faultFixture) (credential.Secret, error)
	}
	ops := []op{
		{"issue", func(ctx context.Context, f *faultFixture) (credential.Secret, error) {
			is, err := f.m.Issue(ctx, apicred.IssueRequest{TenantID: "b", Name: "second", Access: credential.AccessFull, Actor: "a"})
			return is.Secret, err
		}},
		{"rotate", func(ctx context.Context, f *faultFixture) (credential.Secret, error) {
			is, err := f.m.Rotate(ctx, apicred.RotateRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a"})
			return is.Secret, err
		}},
		{"revoke", func(ctx context.Context, f *faultFixture) (credential.Secret, error) {
			_, err := f.m.Revoke(ctx, apicred.RevokeRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a", Reason: "r"})
			return credential.Secret{}, err
		}},
		{"set expiry", func(ctx context.Context, f *faultFixture) (credential.Secret, error) {
			_, err := f.m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a", ExpiresAt: t0.Add(60 * 24 * time.Hour)})
			return credential.Secret{}, err
		}},
	}
	for _, o := range ops {
		// Learn which store calls the operation makes.
		probe := newFaultFixture(t)
		_, err := o.run(t.Context(), probe)
		require.NoError(t, err)
		calls := probe.faults.Calls()
		require.NotEmpty(t, calls)

		for i, call := range calls {
			for _, fault := range []faultstore.Fault{faultstore.Fail, faultstore.Conflict, faultstore.Cancel} {
				n := countBefore(calls[:i+1], call)
				t.Run(fmt.Sprintf("%s/%s call %d/%s", o.name, call, n, fault), func(t *testing.T) {
					f := newFaultFixture(t)
					before := f.snapshot(t)
					f.faults.Arm(call, n, fault)
					secret, err := o.run(t.Context(), f)
					require.Error(t, err, "a failed store call fails the operation")
					assert.True(t, secret.IsZero(), "R8: a failed operation returns no secret")
					assert.Equal(t, before, f.snapshot(t), "R16: no event, no partial credential, nothing changed")
					_, err = f.m.Authenticate(t.Context(), f.issued.ClientID, []byte(f.issued.Secret.Reveal()))
					assert.NoError(t, err, "the previous secret still works")
				})
			}
		}
	}
}

func countBefore(calls []faultstore.Op, op faultstore.Op) int {
	n := 0
	for _, c := range calls {
		if c == op {
			n++
		}
	}
	return n
}

// TestFaultInjectionLostAnswerKeepsStoreAndAuditInAgreement covers the one
// failure no library can hide: the store committed a rotation but its
// answer was lost. The caller gets an error and no secret; the rotation and
// its event are both there (never one without the other), and rotating
// again recovers.
func TestFaultInjectionLostAnswerKeepsStoreAndAuditInAgreement(t *testing.T) {
	f := newFaultFixture(t)
	f.faults.Arm(faultstore.OpUpdate, 1, faultstore.FailAfter)
	rot, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a"})
	require.ErrorIs(t, err, faultstore.ErrInjected)
	assert.True(t, rot.Secret.IsZero(), "R8: no secret with an error")

	s := f.snapshot(t)
	require.Len(t, s.credentials, 1)
	assert.Equal(t, int64(2), s.credentials[0].Version)
	assert.Len(t, s.events, 2, "R16: the committed rotation has its event")

	rot, err = f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a", Reason: "lost the previous answer"})
	require.NoError(t, err)
	_, err = f.m.Authenticate(t.Context(), rot.ClientID, []byte(rot.Secret.Reveal()))
	assert.NoError(t, err, "rotating again recovers")
}

// TestFaultInjectionDelayedStoreStillCorrect checks that a slow store
// changes timing only.
func TestFaultInjectionDelayedStoreStillCorrect(t *testing.T) {
	f := newFaultFixture(t)
	f.faults.Arm(faultstore.OpGet, 1, faultstore.Delay)
	f.faults.Arm(faultstore.OpUpdate, 1, faultstore.Delay)
	rot, err := f.m.Rotate(t.Context(), apicred.RotateRequest{TenantID: "b", ID: f.issued.Credential.ID, Actor: "a"})
	require.NoError(t, err)
	_, err = f.m.Authenticate(t.Context(), f.issued.ClientID, []byte(f.issued.Secret.Reveal()))
	assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "R4")
	_, err = f.m.Authenticate(t.Context(), rot.ClientID, []byte(rot.Secret.Reveal()))
	assert.NoError(t, err)
}

// TestFaultInjectionAuthenticateStoreFailureIsNotABadKey checks R18 at the
// Manager: every injected lookup fault is a store error, never an
// authentication failure.
func TestFaultInjectionAuthenticateStoreFailureIsNotABadKey(t *testing.T) {
	for _, fault := range []faultstore.Fault{faultstore.Fail, faultstore.Cancel} {
		f := newFaultFixture(t)
		f.faults.Arm(faultstore.OpGetByClientID, 1, fault)
		_, err := f.m.Authenticate(t.Context(), f.issued.ClientID, []byte(f.issued.Secret.Reveal()))
		require.Error(t, err)
		assert.NotErrorIs(t, err, apicred.ErrAuthenticationFailed, "%s: a store failure is not a bad key", fault)
	}
}
