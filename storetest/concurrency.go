package storetest

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writers is the number of goroutines of the concurrency cases.
const writers = 16

// writerUpdate returns the read credential with a metadata key naming
// writer i added, and a rotated event whose actor names writer i. A store
// that loses an update loses a key.
func writerUpdate(read credential.Credential, i int) (credential.Credential, credential.Event) {
	c, e := rotate(read, writerName(i), time.Duration(i+1)*time.Minute)
	c.Metadata = maps.Clone(read.Metadata)
	if c.Metadata == nil {
		c.Metadata = make(map[string]string)
	}
	c.Metadata[writerName(i)] = "written"
	return c, e
}

func writerName(i int) string { return fmt.Sprintf("writer-%02d", i) }

// writerKeys returns the sorted metadata keys that name writers.
func writerKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		for i := range writers {
			if k == writerName(i) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// updateActors returns the sorted actors of the rotated events in es.
func updateActors(es []credential.Event) []string {
	var actors []string
	for _, e := range es {
		if e.Type == credential.EventRotated {
			actors = append(actors, e.Actor)
		}
	}
	slices.Sort(actors)
	return actors
}

// testRacingUpdatesOneWins has every writer read the credential first, then
// all update at once from that one version: exactly one may win (R17).
func testRacingUpdatesOneWins(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)

	reads := make([]credential.Credential, writers)
	for i := range reads {
		reads[i] = mustGet(t, s, tenant, c.ID)
	}
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			next, ev := writerUpdate(reads[i], i)
			<-start
			errs[i] = s.Update(ctx, next, ev)
		})
	}
	close(start)
	wg.Wait()

	var winners []string
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, writerName(i))
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("R17: an Update that loses the race must give ErrConflict; %s got %v", writerName(i), err)
		}
	}
	require.Len(t, winners, 1, "R17: of %d Updates racing from the same read Version exactly one must succeed; these did: %v", writers, winners)

	got := mustGet(t, s, tenant, c.ID)
	assert.Equal(t, int64(2), got.Version, "R17: one successful Update must add exactly one to Version")
	assert.Equal(t, winners, writerKeys(got.Metadata), "R17: the stored credential must be the winner's")
	assert.Equal(t, winners, updateActors(allEvents(t, s, tenant, c.ID)), "R16: exactly the winning Update must write its event; the losers none")
}

// testConcurrentUpdatesLoseNothing has every writer read, modify and write
// once, concurrently, with the version it read: whatever interleaving
// happens, each successful update must be built on the previous one, and
// each one must have exactly one event (R16, R17).
func testConcurrentUpdatesLoseNothing(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)

	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			read, err := s.Get(ctx, tenant, c.ID)
			if err != nil {
				errs[i] = fmt.Errorf("reading before the update: %w", err)
				return
			}
			runtime.Gosched() // let other writers read the same version
			next, ev := writerUpdate(read, i)
			errs[i] = s.Update(ctx, next, ev)
		})
	}
	close(start)
	wg.Wait()

	var winners []string
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, writerName(i))
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("R17: a concurrent Update must succeed or give ErrConflict; %s got %v", writerName(i), err)
		}
	}
	require.NotEmpty(t, winners, "R17: of concurrent Updates at least one must succeed")

	got := mustGet(t, s, tenant, c.ID)
	assert.Equal(t, int64(1+len(winners)), got.Version, "R17: Version must be 1 plus the number of successful Updates (%d)", len(winners))
	assert.Equal(t, winners, writerKeys(got.Metadata), "R17: no update may be lost: the stored credential must hold the change of every successful Update")
	assert.Equal(t, winners, updateActors(allEvents(t, s, tenant, c.ID)), "R16: every successful Update must write exactly one event and every failed one none")
}

// testConcurrentCreates creates distinct credentials in two tenants from
// many goroutines at once.
func testConcurrentCreates(t tb, s store.Store) {
	ctx := t.Context()
	const perWriter = 4
	tenants := [2]string{newTenant("tenant"), newTenant("tenant")}
	created := make([][]credential.Credential, writers)
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			for range perWriter {
				c, e := NewCredential(tenants[i%2])
				if err := s.Create(ctx, c, e); err != nil {
					errs[i] = err
					return
				}
				created[i] = append(created[i], c)
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "concurrent Creates of distinct credentials must all succeed (%s)", writerName(i))
	}

	want := map[string][]uuid.UUID{}
	for _, cs := range created {
		for _, c := range cs {
			checkCredential(t, "a concurrently created credential must be readable as created", c, mustGet(t, s, c.TenantID, c.ID))
			want[c.TenantID] = append(want[c.TenantID], c.ID)
		}
	}
	for _, tenant := range tenants {
		page, err := s.List(ctx, store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
		require.NoError(t, err, "List of a tenant must succeed")
		assert.Equal(t, sortedIDs(want[tenant]), ids(page), "List must return every concurrently created credential of the tenant, in ID order")

		events := allEvents(t, s, tenant, uuid.Nil)
		assert.Len(t, events, len(want[tenant]), "R16: every Create must write exactly one event")
		for i := 1; i < len(events); i++ {
			assert.Greater(t, events[i].Seq, events[i-1].Seq, "R16: Seq must be strictly increasing, also under concurrent writes")
		}
	}
}
