package storetest

import (
	"crypto/sha256"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCredentialRoundTrip stores a credential with every field set and one
// with every optional field empty, and reads both back through each read
// method (R7).
func testCredentialRoundTrip(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")

	full, fullEvent := NewCredential(tenant)
	full.RevokedAt = credential.Truncate(fixtureTime.Add(48*time.Hour + 1*time.Microsecond))
	full.RevokeReason = "leaked in a CI log — révoqué 🔒"
	full.RotatedAt = credential.Truncate(fixtureTime.Add(24*time.Hour + 999_999*time.Microsecond))
	full.LastUsedAt = credential.Truncate(fixtureTime.Add(47*time.Hour + 7*time.Microsecond))

	bare, bareEvent := NewCredential(tenant)
	bare.Name = "b"
	bare.ContactEmail = ""
	bare.Access = credential.AccessFull
	bare.Scopes = nil
	bare.Metadata = nil
	bare.Environment = credential.EnvironmentTest
	bare.ExpiresAt = time.Time{}
	bareEvent.NewExpiresAt = time.Time{}

	want := []credential.Credential{full, bare}
	mustCreate(t, s, full.Clone(), fullEvent)
	mustCreate(t, s, bare.Clone(), bareEvent)

	for _, w := range want {
		got, err := s.Get(ctx, tenant, w.ID)
		require.NoError(t, err, "R7: Get of a created credential must succeed")
		checkCredential(t, "R7: Get must return every field as created (times in UTC at microsecond precision, zero times zero, Version 1)", w, got)

		got, err = s.GetByClientID(ctx, w.ClientID)
		require.NoError(t, err, "R7: GetByClientID of a created credential must succeed")
		checkCredential(t, "R7: GetByClientID must return every field as created", w, got)
	}

	page, err := s.List(ctx, store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(t, err, "List of a tenant must succeed")
	require.ElementsMatch(t, []uuid.UUID{full.ID, bare.ID}, ids(page), "List must return exactly the tenant's credentials")
	for _, got := range page {
		for _, w := range want {
			if w.ID == got.ID {
				checkCredential(t, "R7: List must return every field as created", w, got)
			}
		}
	}
}

// testEventRoundTrip writes a created and an expiry_changed event with
// every field set and reads them back (R16).
func testEventRoundTrip(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, created := NewCredential(tenant)
	mustCreate(t, s, c, created)

	c2 := c.Clone()
	c2.ExpiresAt = credential.Truncate(fixtureTime.Add(30*24*time.Hour + 17*time.Microsecond))
	changed := event(c2, credential.EventExpiryChanged, "user:bob+ops@example.com", time.Hour+3*time.Microsecond)
	changed.Reason = "contract renewed — Vertrag verlängert ✅"
	changed.OldExpiresAt = c.ExpiresAt
	changed.NewExpiresAt = c2.ExpiresAt
	require.NoError(t, s.Update(ctx, c2, changed), "R17: Update with the version read must succeed")

	got := allEvents(t, s, tenant, uuid.Nil)
	require.Len(t, got, 2, "R16: every successful change must write exactly one event")
	checkEvent(t, "R16: ListEvents must return every field of the created event as written", created, got[0])
	checkEvent(t, "R16: ListEvents must return every field of the expiry_changed event as written", changed, got[1])
	assert.Positive(t, got[0].Seq, "R16: the store must assign each event a positive Seq")
	assert.Greater(t, got[1].Seq, got[0].Seq, "R16: Seq must increase in write order")
}

// testUnknownNotFound reads and updates what does not exist.
func testUnknownNotFound(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)

	_, err := s.Get(ctx, tenant, uuid.Must(uuid.NewV7()))
	require.ErrorIs(t, err, store.ErrNotFound, "Get of an unknown ID must give ErrNotFound")
	_, err = s.Get(ctx, tenant, uuid.Nil)
	require.ErrorIs(t, err, store.ErrNotFound, "Get of the zero ID must give ErrNotFound")
	_, err = s.GetByClientID(ctx, "mk_live_unknownClientID000000000")
	require.ErrorIs(t, err, store.ErrNotFound, "GetByClientID of an unknown client ID must give ErrNotFound")
	_, err = s.GetByClientID(ctx, "")
	require.ErrorIs(t, err, store.ErrNotFound, "GetByClientID of the empty client ID must give ErrNotFound")

	ghost, _ := NewCredential(tenant)
	ghost, ev := rotate(ghost, "user:alice@example.com", time.Hour)
	err = s.Update(ctx, ghost, ev)
	require.ErrorIs(t, err, store.ErrNotFound, "Update of an unknown ID must give ErrNotFound")
	_, err = s.Get(ctx, tenant, ghost.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "a failed Update must create nothing")
	require.Len(t, allEvents(t, s, tenant, uuid.Nil), 1, "R16: a failed Update must write no event")
}

// testGetOtherTenant reads a credential through the wrong tenant (R15).
func testGetOtherTenant(t tb, s store.Store) {
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := tenantA + "x" // a tenant whose ID extends A's
	c, e := NewCredential(tenantA)
	mustCreate(t, s, c, e)

	for _, other := range []string{tenantB, tenantA[:len(tenantA)-1], ""} {
		_, err := s.Get(ctx, other, c.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "R15: Get of a credential through another tenant (%q) must give ErrNotFound", other)
	}
	got := mustGet(t, s, tenantA, c.ID)
	checkCredential(t, "R15: the owning tenant must still read its credential unchanged", c, got)
}

// testUpdateOtherTenant updates a credential through the wrong tenant
// (R15).
func testUpdateOtherTenant(t tb, s store.Store) {
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := newTenant("tenant")
	c, e := NewCredential(tenantA)
	mustCreate(t, s, c, e)

	hijack, ev := rotate(c, "user:mallory@example.com", time.Hour)
	hijack.TenantID = tenantB
	ev.TenantID = tenantB
	err := s.Update(ctx, hijack, ev)
	require.ErrorIs(t, err, store.ErrNotFound, "R15: Update of a credential through another tenant must give ErrNotFound")

	got := mustGet(t, s, tenantA, c.ID)
	checkCredential(t, "R15: an Update through another tenant must change nothing", c, got)
	_, err = s.Get(ctx, tenantB, c.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "R15: an Update through another tenant must not move the credential there")
	assert.Len(t, allEvents(t, s, tenantA, uuid.Nil), 1, "R16: a failed Update must write no event")
	assert.Empty(t, allEvents(t, s, tenantB, uuid.Nil), "R16: a failed Update must write no event, in any tenant")
}

// testListOtherTenant lists two tenants side by side (R15).
func testListOtherTenant(t tb, s store.Store) {
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := tenantA + "x" // a tenant whose ID extends A's
	var inA, inB []uuid.UUID
	for i := range 5 {
		tenant := tenantA
		if i%2 == 1 {
			tenant = tenantB
		}
		c, e := NewCredential(tenant)
		mustCreate(t, s, c, e)
		if tenant == tenantA {
			inA = append(inA, c.ID)
		} else {
			inB = append(inB, c.ID)
		}
	}

	for _, tc := range []struct {
		tenant string
		want   []uuid.UUID
	}{{tenantA, inA}, {tenantB, inB}} {
		page, err := s.List(ctx, store.ListQuery{TenantID: tc.tenant, Limit: store.MaxLimit})
		require.NoError(t, err, "List of a tenant must succeed")
		assert.Equal(t, sortedIDs(tc.want), ids(page), "R15: List must return exactly the tenant's own credentials")
		for _, c := range page {
			assert.Equal(t, tc.tenant, c.TenantID, "R15: List must return only credentials of the tenant asked for")
		}

		events := allEvents(t, s, tc.tenant, uuid.Nil)
		got := make([]uuid.UUID, 0, len(events))
		for _, e := range events {
			assert.Equal(t, tc.tenant, e.TenantID, "R15: ListEvents must return only events of the tenant asked for")
			got = append(got, e.CredentialID)
		}
		assert.ElementsMatch(t, tc.want, got, "R15: ListEvents must return exactly the events of the tenant's own credentials")
	}

	events, err := s.ListEvents(ctx, store.EventQuery{TenantID: tenantB, CredentialID: inA[0], Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents of a tenant must succeed")
	assert.Empty(t, events, "R15: ListEvents through another tenant must return no event of a credential, even one that exists there")
}

// testDuplicateID creates a second credential with a taken ID, in the same
// and in another tenant.
func testDuplicateID(t tb, s store.Store) {
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := newTenant("tenant")
	c, e := NewCredential(tenantA)
	mustCreate(t, s, c, e)

	for _, tenant := range []string{tenantA, tenantB} {
		dup, dupEvent := NewCredential(tenant)
		dup.ID = c.ID
		dup.Name = "duplicate"
		dupEvent.CredentialID = c.ID
		err := s.Create(ctx, dup, dupEvent)
		require.ErrorIs(t, err, store.ErrDuplicate, "Create with an ID taken in tenant A must give ErrDuplicate (trying tenant %q)", tenant)
		_, err = s.GetByClientID(ctx, dup.ClientID)
		require.ErrorIs(t, err, store.ErrNotFound, "a refused Create must store nothing")
	}

	checkCredential(t, "a refused Create must leave the existing credential unchanged", c, mustGet(t, s, tenantA, c.ID))
	_, err := s.Get(ctx, tenantB, c.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "R15: a refused Create must not make the ID visible in another tenant")
	assert.Len(t, allEvents(t, s, tenantA, uuid.Nil), 1, "R16: a refused Create must write no event")
	assert.Empty(t, allEvents(t, s, tenantB, uuid.Nil), "R16: a refused Create must write no event")
}

// testDuplicateClientID creates a second credential with a taken client
// ID, in the same and in another tenant (R15).
func testDuplicateClientID(t tb, s store.Store) {
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := newTenant("tenant")
	c, e := NewCredential(tenantA)
	mustCreate(t, s, c, e)

	for _, tenant := range []string{tenantB, tenantA} {
		dup, dupEvent := NewCredential(tenant)
		dup.ClientID = c.ClientID
		err := s.Create(ctx, dup, dupEvent)
		require.ErrorIs(t, err, store.ErrDuplicate, "R15: client IDs are unique across all tenants: Create with a client ID taken in tenant A must give ErrDuplicate (trying tenant %q)", tenant)
		_, err = s.Get(ctx, tenant, dup.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "a refused Create must store nothing")
	}

	got, err := s.GetByClientID(ctx, c.ClientID)
	require.NoError(t, err, "GetByClientID of an existing client ID must succeed")
	checkCredential(t, "R15: the client ID must still name the first credential", c, got)
	assert.Len(t, allEvents(t, s, tenantA, uuid.Nil), 1, "R16: a refused Create must write no event")
	assert.Empty(t, allEvents(t, s, tenantB, uuid.Nil), "R16: a refused Create must write no event")
}

// changeEveryField returns c with every field a Manager may change set to
// a new value, Version left as read.
func changeEveryField(c credential.Credential) credential.Credential {
	hash := sha256.Sum256([]byte(rotatedSecret))
	c = c.Clone()
	c.Name = "Renamed — 名前 🧪"
	c.ContactEmail = "security@example.org"
	c.Access = credential.AccessFineGrained
	c.Scopes = []string{"webhooks:write", "orders:read"}
	c.Metadata = map[string]string{"team": "core", "ticket": "SEC-1234"}
	c.SecretHash = credential.Hash(hash[:])
	c.HasherID = "hmac-sha256:k2"
	c.SecretHint = "ms_live_…" + rotatedSecret[len(rotatedSecret)-4:]
	c.ExpiresAt = credential.Truncate(fixtureTime.Add(10*24*time.Hour + 5*time.Microsecond))
	c.RevokedAt = credential.Truncate(fixtureTime.Add(2*time.Hour + 9*time.Microsecond))
	c.RevokeReason = "rotated away"
	c.RotatedAt = credential.Truncate(fixtureTime.Add(time.Hour + 1*time.Microsecond))
	return c
}

// testUpdate updates twice with the version read (R17).
func testUpdate(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)

	read := mustGet(t, s, tenant, c.ID)
	next := changeEveryField(read)
	require.NoError(t, s.Update(ctx, next, event(next, credential.EventRevoked, "user:alice@example.com", 2*time.Hour)),
		"R17: Update with the version read must succeed")
	want := next.Clone()
	want.Version = read.Version + 1

	got := mustGet(t, s, tenant, c.ID)
	checkCredential(t, "R17: Update must store the new fields and set Version to the version read plus one", want, got)
	got, err := s.GetByClientID(ctx, c.ClientID)
	require.NoError(t, err, "GetByClientID of an updated credential must succeed")
	checkCredential(t, "R17: GetByClientID must see the update", want, got)
	page, err := s.List(ctx, store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(t, err, "List of a tenant must succeed")
	require.Len(t, page, 1, "an Update must not add a credential")
	checkCredential(t, "R17: List must see the update", want, page[0])

	again, ev := rotate(got, "user:alice@example.com", 3*time.Hour)
	require.NoError(t, s.Update(ctx, again, ev), "R17: a second Update with the version read must succeed")
	assert.Equal(t, int64(3), mustGet(t, s, tenant, c.ID).Version, "R17: each Update must add exactly one to Version")
	assert.Len(t, allEvents(t, s, tenant, c.ID), 3, "R16: each successful Update must write exactly one event")
}

// testUpdateStale updates with a version that is no longer stored (R17).
func testUpdateStale(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)
	first, ev := rotate(c, "user:alice@example.com", time.Hour)
	require.NoError(t, s.Update(ctx, first, ev), "R17: Update with the version read must succeed")
	stored := mustGet(t, s, tenant, c.ID)
	require.Equal(t, int64(2), stored.Version, "R17: Update must add exactly one to Version")

	for _, version := range []int64{1, 3, 0} {
		stale := changeEveryField(c)
		stale.Version = version
		err := s.Update(ctx, stale, event(stale, credential.EventRevoked, "user:bob@example.com", 2*time.Hour))
		require.ErrorIs(t, err, store.ErrConflict, "R17: Update with Version %d while %d is stored must give ErrConflict", version, stored.Version)
	}
	checkCredential(t, "R17: an Update that lost the compare-and-swap must write nothing", stored, mustGet(t, s, tenant, c.ID))
	assert.Len(t, allEvents(t, s, tenant, uuid.Nil), 2, "R16: an Update that lost the compare-and-swap must write no event")
}

// testInputCopied changes the slices and maps passed to Create and Update
// after the call.
func testInputCopied(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	want := c.Clone()
	require.NoError(t, s.Create(ctx, c, e), "Create of a new credential must succeed")
	scribble(c)
	checkCredential(t, "Create must copy the caller's Scopes, Metadata and SecretHash: changing them after the call must not change the store", want, mustGet(t, s, tenant, c.ID))

	next := changeEveryField(want)
	wantNext := next.Clone()
	wantNext.Version = 2
	require.NoError(t, s.Update(ctx, next, event(next, credential.EventRotated, "user:alice@example.com", time.Hour)),
		"R17: Update with the version read must succeed")
	scribble(next)
	checkCredential(t, "Update must copy the caller's Scopes, Metadata and SecretHash: changing them after the call must not change the store", wantNext, mustGet(t, s, tenant, c.ID))
	got, err := s.GetByClientID(ctx, c.ClientID)
	require.NoError(t, err, "GetByClientID of an existing client ID must succeed")
	checkCredential(t, "Update must copy the caller's Scopes, Metadata and SecretHash (read by client ID)", wantNext, got)
}

// scribble changes, in place, every slice and map c holds.
func scribble(c credential.Credential) {
	for i := range c.Scopes {
		c.Scopes[i] = "scribbled:" + c.Scopes[i]
	}
	for k := range c.Metadata {
		c.Metadata[k] = "scribbled"
	}
	if c.Metadata != nil {
		c.Metadata["scribbled-key"] = "scribbled"
	}
	for i := range c.SecretHash {
		c.SecretHash[i] ^= 0xff
	}
}
