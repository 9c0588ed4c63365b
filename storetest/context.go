package storetest

import (
	"context"
	"time"

	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDoneContext calls every method with a cancelled context and with one
// past its deadline: each must return an error matching the context's, and
// change nothing.
func testDoneContext(t tb, s store.Store) {
	live := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)
	usage, hasUsage := s.(store.UsageRecorder)

	cancelled, cancel := context.WithCancel(live)
	cancel()
	expired, cancel := context.WithDeadline(live, time.Unix(1, 0))
	defer cancel()

	for _, ctx := range []context.Context{cancelled, expired} {
		want := ctx.Err()

		fresh, freshEvent := NewCredential(tenant)
		err := s.Create(ctx, fresh, freshEvent)
		require.ErrorIs(t, err, want, "Create with a done context must return the context's error")
		_, err = s.Get(live, tenant, fresh.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "Create with a done context must store nothing")

		next, ev := rotate(c, "user:alice@example.com", time.Hour)
		err = s.Update(ctx, next, ev)
		require.ErrorIs(t, err, want, "Update with a done context must return the context's error")

		if hasUsage {
			err = usage.RecordUse(ctx, tenant, c.ID, fixtureTime.Add(time.Hour))
			require.ErrorIs(t, err, want, "RecordUse with a done context must return the context's error")
		}

		_, err = s.Get(ctx, tenant, c.ID)
		require.ErrorIs(t, err, want, "Get with a done context must return the context's error")
		_, err = s.GetByClientID(ctx, c.ClientID)
		require.ErrorIs(t, err, want, "GetByClientID with a done context must return the context's error")
		_, err = s.List(ctx, store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
		require.ErrorIs(t, err, want, "List with a done context must return the context's error")
		_, err = s.ListEvents(ctx, store.EventQuery{TenantID: tenant, Limit: store.MaxLimit})
		require.ErrorIs(t, err, want, "ListEvents with a done context must return the context's error")
	}

	checkCredential(t, "a call with a done context must change nothing", c, mustGet(t, s, tenant, c.ID))
	assert.Len(t, allEvents(t, s, tenant, uuid.Nil), 1, "R16: a call with a done context must write no event")
}
