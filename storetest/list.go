package storetest

import (
	"bytes"
	"slices"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createMany creates n credentials of tenant and returns their IDs in
// creation order. newID gives each its ID; nil keeps the UUIDv7 of
// [NewCredential].
func createMany(t tb, s store.Store, tenant string, n int, newID func() uuid.UUID) []uuid.UUID {
	t.Helper()
	out := make([]uuid.UUID, 0, n)
	for range n {
		c, e := NewCredential(tenant)
		if newID != nil {
			c.ID = newID()
			e.CredentialID = c.ID
		}
		mustCreate(t, s, c, e)
		out = append(out, c.ID)
	}
	return out
}

// listAll pages through tenant's credentials with pages of limit, calling
// between after each page, and returns the IDs in the order received.
func listAll(t tb, s store.Store, tenant string, limit int, between func(page int)) []uuid.UUID {
	t.Helper()
	var got []uuid.UUID
	q := store.ListQuery{TenantID: tenant, Limit: limit}
	for n := 0; ; n++ {
		page, err := s.List(t.Context(), q)
		require.NoError(t, err, "List of a tenant must succeed")
		require.LessOrEqual(t, len(page), limit, "List must return at most Limit credentials")
		if len(page) == 0 {
			return got
		}
		got = append(got, ids(page)...)
		q.After = page[len(page)-1].ID
		require.Less(t, n, 1000, "List must reach an empty page: it keeps returning credentials after %s", q.After)
		if between != nil {
			between(n)
		}
	}
}

// requireAscending fails unless every ID sorts strictly after the one
// before it: no repeat and no step backwards.
func requireAscending(t tb, rule string, got []uuid.UUID) {
	t.Helper()
	for i := 1; i < len(got); i++ {
		if bytes.Compare(got[i-1][:], got[i][:]) >= 0 {
			t.Errorf("%s: credential %s came after %s (position %d of %d)", rule, got[i], got[i-1], i, len(got))
			t.FailNow()
		}
	}
}

// testListPages pages through 23 credentials with several page sizes.
func testListPages(t tb, s store.Store) {
	tenant := newTenant("tenant")
	want := sortedIDs(createMany(t, s, tenant, 23, nil))
	createMany(t, s, newTenant("tenant"), 3, nil) // a neighbour

	for _, limit := range []int{1, 4, 5, 23, 24, store.MaxLimit} {
		got := listAll(t, s, tenant, limit, nil)
		require.Equal(t, want, got, "pages of %d must return every credential exactly once, in ascending ID byte order", limit)
	}
}

// testListPagesUnderInserts creates credentials, which have larger
// UUIDv7 IDs, between page reads.
func testListPagesUnderInserts(t tb, s store.Store) {
	tenant := newTenant("tenant")
	before := createMany(t, s, tenant, 23, nil)
	var added []uuid.UUID
	got := listAll(t, s, tenant, 5, func(page int) {
		if page < 6 {
			added = append(added, createMany(t, s, tenant, 2, nil)...)
		}
	})

	requireAscending(t, "keyset pagination must never repeat a credential nor go backwards while credentials are created", got)
	for _, id := range before {
		require.Equal(t, 1, count(got, id), "keyset pagination must return each pre-existing credential exactly once while credentials are created; %s was returned %d times", id, count(got, id))
	}
	for _, id := range got {
		require.True(t, slices.Contains(before, id) || slices.Contains(added, id), "List returned %s, which was never created in this tenant", id)
	}
}

func count(ids []uuid.UUID, id uuid.UUID) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// testListRandomIDs stores version 4 IDs, which are not time-ordered, so
// that creation order and ID order differ.
func testListRandomIDs(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	want := sortedIDs(createMany(t, s, tenant, 30, uuid.New))

	got := listAll(t, s, tenant, 7, nil)
	require.Equal(t, want, got, "List must order IDs as 16-byte big-endian values, whatever the order they were created in")
	strs := make([]string, len(got))
	for i, id := range got {
		strs[i] = id.String()
	}
	require.True(t, slices.IsSorted(strs), "List order must be the order of the IDs' canonical string form")

	// After need not be an ID that exists.
	probe := uuid.New()
	page, err := s.List(ctx, store.ListQuery{TenantID: tenant, After: probe, Limit: 3})
	require.NoError(t, err, "List of a tenant must succeed")
	var next []uuid.UUID
	for _, id := range want {
		if bytes.Compare(id[:], probe[:]) > 0 && len(next) < 3 {
			next = append(next, id)
		}
	}
	assert.Equal(t, next, nilIfEmpty(ids(page)), "List after an ID that does not exist must start at the first ID greater than it")
}

func nilIfEmpty(ids []uuid.UUID) []uuid.UUID {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// testListEmptyTenant lists a tenant that has nothing while another tenant
// has credentials.
func testListEmptyTenant(t tb, s store.Store) {
	ctx := t.Context()
	createMany(t, s, newTenant("tenant"), 2, nil)
	empty := newTenant("empty")

	page, err := s.List(ctx, store.ListQuery{TenantID: empty, Limit: store.MaxLimit})
	require.NoError(t, err, "List of a tenant without credentials must succeed")
	assert.Empty(t, page, "List of a tenant without credentials must be empty")
	events, err := s.ListEvents(ctx, store.EventQuery{TenantID: empty, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents of a tenant without credentials must succeed")
	assert.Empty(t, events, "ListEvents of a tenant without credentials must be empty")
}

// eventScenario writes, in one known order, events for two credentials of
// tenant a and one of tenant b, and returns the credentials and the events
// of each tenant in write order.
func eventScenario(t tb, s store.Store) (a1, a2, b1 credential.Credential, inA, inB []credential.Event) {
	t.Helper()
	ctx := t.Context()
	tenantA := newTenant("tenant")
	tenantB := newTenant("tenant")

	var e credential.Event
	a1, e = NewCredential(tenantA)
	mustCreate(t, s, a1, e)
	inA = append(inA, e)
	b1, e = NewCredential(tenantB)
	mustCreate(t, s, b1, e)
	inB = append(inB, e)
	a2, e = NewCredential(tenantA)
	mustCreate(t, s, a2, e)
	inA = append(inA, e)

	update := func(c *credential.Credential, next credential.Credential, e credential.Event, into *[]credential.Event) {
		require.NoError(t, s.Update(ctx, next, e), "R17: Update with the version read must succeed")
		*c = mustGet(t, s, next.TenantID, next.ID)
		*into = append(*into, e)
	}
	next, e := rotate(a1, "user:alice@example.com", time.Hour)
	update(&a1, next, e, &inA)
	next, e = rotate(b1, "user:bob@example.com", 2*time.Hour)
	update(&b1, next, e, &inB)
	next = a2.Clone()
	next.ExpiresAt = credential.Truncate(fixtureTime.Add(7 * 24 * time.Hour))
	e = event(next, credential.EventExpiryChanged, "user:alice@example.com", 3*time.Hour)
	e.OldExpiresAt, e.NewExpiresAt = a2.ExpiresAt, next.ExpiresAt
	update(&a2, next, e, &inA)
	next = a1.Clone()
	next.RevokedAt = credential.Truncate(fixtureTime.Add(4 * time.Hour))
	next.RevokeReason = "offboarding"
	e = event(next, credential.EventRevoked, "user:alice@example.com", 4*time.Hour)
	e.Reason = next.RevokeReason
	update(&a1, next, e, &inA)
	return a1, a2, b1, inA, inB
}

// testEventOrder checks that events come back in write order (R16).
func testEventOrder(t tb, s store.Store) {
	a1, _, b1, inA, inB := eventScenario(t, s)
	for _, tc := range []struct {
		tenant string
		want   []credential.Event
	}{{a1.TenantID, inA}, {b1.TenantID, inB}} {
		page, err := s.ListEvents(t.Context(), store.EventQuery{TenantID: tc.tenant, Limit: store.MaxLimit})
		require.NoError(t, err, "ListEvents of a tenant must succeed")
		require.Equal(t, eventIDs(tc.want), eventIDs(page), "R16: ListEvents must return the tenant's events in the order they were written")
		for i := 1; i < len(page); i++ {
			require.Greater(t, page[i].Seq, page[i-1].Seq, "R16: Seq must be strictly increasing in write order")
		}
		for i, e := range page {
			checkEvent(t, "R16: ListEvents must return every field as written", tc.want[i], e)
		}
	}
}

// testEventPages pages through a tenant's events and one credential's
// events with AfterSeq (R16).
func testEventPages(t tb, s store.Store) {
	ctx := t.Context()
	a1, _, _, inA, _ := eventScenario(t, s)
	all, err := s.ListEvents(ctx, store.EventQuery{TenantID: a1.TenantID, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents of a tenant must succeed")
	require.Equal(t, eventIDs(inA), eventIDs(all), "R16: ListEvents must return the tenant's events in the order they were written")

	for _, id := range []uuid.UUID{uuid.Nil, a1.ID} {
		var want []uuid.UUID
		for _, e := range all {
			if id == uuid.Nil || e.CredentialID == id {
				want = append(want, e.ID)
			}
		}
		for _, limit := range []int{1, 2, 3} {
			var got []uuid.UUID
			q := store.EventQuery{TenantID: a1.TenantID, CredentialID: id, Limit: limit}
			for range 100 {
				page, err := s.ListEvents(ctx, q)
				require.NoError(t, err, "ListEvents must succeed")
				require.LessOrEqual(t, len(page), limit, "ListEvents must return at most Limit events")
				if len(page) == 0 {
					break
				}
				got = append(got, eventIDs(page)...)
				q.AfterSeq = page[len(page)-1].Seq
			}
			require.Equal(t, want, got, "R16: pages of %d after AfterSeq must return every event exactly once, in Seq order (credential filter %s)", limit, id)
		}
	}

	last := all[len(all)-1].Seq
	page, err := s.ListEvents(ctx, store.EventQuery{TenantID: a1.TenantID, AfterSeq: last, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents must succeed")
	assert.Empty(t, page, "R16: ListEvents after the last Seq must be empty")
	page, err = s.ListEvents(ctx, store.EventQuery{TenantID: a1.TenantID, AfterSeq: all[1].Seq, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents must succeed")
	assert.Equal(t, eventIDs(all[2:]), eventIDs(page), "R16: ListEvents must return exactly the events whose Seq is greater than AfterSeq")
}

// testEventFilters lists one credential's events, and events through the
// wrong tenant (R15).
func testEventFilters(t tb, s store.Store) {
	ctx := t.Context()
	a1, a2, b1, inA, inB := eventScenario(t, s)
	of := func(events []credential.Event, id uuid.UUID) []uuid.UUID {
		var out []uuid.UUID
		for _, e := range events {
			if e.CredentialID == id {
				out = append(out, e.ID)
			}
		}
		return out
	}
	for _, c := range []credential.Credential{a1, a2} {
		page, err := s.ListEvents(ctx, store.EventQuery{TenantID: c.TenantID, CredentialID: c.ID, Limit: store.MaxLimit})
		require.NoError(t, err, "ListEvents of a credential must succeed")
		assert.Equal(t, of(inA, c.ID), eventIDs(page), "ListEvents with a CredentialID must return exactly that credential's events, in write order")
	}
	page, err := s.ListEvents(ctx, store.EventQuery{TenantID: b1.TenantID, CredentialID: b1.ID, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents of a credential must succeed")
	assert.Equal(t, of(inB, b1.ID), eventIDs(page), "ListEvents with a CredentialID must return exactly that credential's events")

	for _, q := range []store.EventQuery{
		{TenantID: b1.TenantID, CredentialID: a1.ID, Limit: store.MaxLimit},
		{TenantID: a1.TenantID, CredentialID: b1.ID, Limit: store.MaxLimit},
	} {
		page, err := s.ListEvents(ctx, q)
		require.NoError(t, err, "ListEvents must succeed")
		assert.Empty(t, page, "R15: ListEvents through tenant %q must return no event of a credential of another tenant", q.TenantID)
	}
	page, err = s.ListEvents(ctx, store.EventQuery{TenantID: b1.TenantID, Limit: store.MaxLimit})
	require.NoError(t, err, "ListEvents of a tenant must succeed")
	assert.Equal(t, eventIDs(inB), eventIDs(page), "R15: ListEvents of a tenant must return only that tenant's events")
}
