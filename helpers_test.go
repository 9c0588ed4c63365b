package apicred_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// t0 is the start of every fake clock: a fixed instant, not in UTC and
// with nanoseconds, to prove the Manager normalises it (R7).
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// fakeClock is a settable clock for the Manager.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// fixture is a Manager over a fresh memory store with a fake clock.
type fixture struct {
	m     *apicred.Manager
	store *memstore.Store
	clock *fakeClock
}

func newFixture(t *testing.T, opts ...apicred.Option) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New(), clock: &fakeClock{now: t0}}
	m, err := apicred.New(f.store, append([]apicred.Option{apicred.WithClock(f.clock.Now)}, opts...)...)
	require.NoError(t, err)
	f.m = m
	return f
}

// issue issues a full-access credential in tenant, with optional changes to
// the request.
func (f *fixture) issue(t *testing.T, tenant string, edit ...func(*apicred.IssueRequest)) apicred.Issued {
	t.Helper()
	req := apicred.IssueRequest{TenantID: tenant, Name: "ERP Sync — Production", Access: credential.AccessFull, Actor: "alice@example.com"}
	for _, e := range edit {
		e(&req)
	}
	is, err := f.m.Issue(t.Context(), req)
	require.NoError(t, err)
	return is
}

// auth authenticates with an Issued's client ID and a secret.
func (f *fixture) auth(t *testing.T, clientID string, secret credential.Secret) (credential.Principal, error) {
	t.Helper()
	return f.m.Authenticate(t.Context(), clientID, []byte(secret.Reveal()))
}

// events lists every event of a credential.
func (f *fixture) events(t *testing.T, tenant string, id uuid.UUID) []credential.Event {
	t.Helper()
	p, err := f.m.Events(t.Context(), apicred.EventsRequest{TenantID: tenant, CredentialID: id, PageRequest: apicred.PageRequest{Limit: apicred.MaxPageSize}})
	require.NoError(t, err)
	return p.Events
}

func eventTypes(es []credential.Event) []credential.EventType {
	out := make([]credential.EventType, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

// failingStore fails every call with err, after an optional number of
// successful calls through to the wrapped store.
type failingStore struct {
	store.Store
	err error
}

func (s failingStore) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	return credential.Credential{}, s.err
}

func (s failingStore) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	return s.err
}

func (s failingStore) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	return s.err
}

var errStoreDown = errors.New("connection refused")

// countingHasher counts Verify calls of the default hasher.
type countingHasher struct {
	credential.Hasher
	mu       sync.Mutex
	verifies int
}

func (h *countingHasher) Verify(secret []byte, hash credential.Hash) bool {
	h.mu.Lock()
	h.verifies++
	h.mu.Unlock()
	return h.Hasher.Verify(secret, hash)
}
