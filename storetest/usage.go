package storetest

import (
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usageRecorder returns s as a [store.UsageRecorder], or skips the case
// when s does not implement it.
func usageRecorder(t tb, s store.Store) store.UsageRecorder {
	t.Helper()
	u, ok := s.(store.UsageRecorder)
	if !ok {
		t.Skip("the store does not implement store.UsageRecorder")
	}
	return u
}

// testRecordUse moves LastUsedAt forwards, tries to move it backwards, and
// checks that neither Version nor the event log changes.
func testRecordUse(t tb, s store.Store) {
	u := usageRecorder(t, s)
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)

	t1 := credential.Truncate(fixtureTime.Add(time.Hour + 1*time.Microsecond))
	t0 := credential.Truncate(fixtureTime.Add(30 * time.Minute))
	t2 := credential.Truncate(fixtureTime.Add(2*time.Hour + 2*time.Microsecond))
	want := c.Clone()
	for _, step := range []struct {
		at, want time.Time
		rule     string
	}{
		{t1, t1, "RecordUse must set LastUsedAt when it is later than the stored value, and change nothing else"},
		{t0, t1, "RecordUse must never move LastUsedAt backwards"},
		{t1, t1, "RecordUse of the stored instant must leave LastUsedAt as it is"},
		{t2, t2, "RecordUse must move LastUsedAt forwards, again"},
	} {
		require.NoError(t, u.RecordUse(ctx, tenant, c.ID, step.at), "RecordUse of an existing credential must succeed")
		want.LastUsedAt = step.want
		checkCredential(t, step.rule+" (RecordUse is not a state change: Version stays)", want, mustGet(t, s, tenant, c.ID))
	}
	got, err := s.GetByClientID(ctx, c.ClientID)
	require.NoError(t, err, "GetByClientID of an existing client ID must succeed")
	checkCredential(t, "GetByClientID must see the LastUsedAt RecordUse set", want, got)
	assert.Len(t, allEvents(t, s, tenant, uuid.Nil), 1, "R16: RecordUse is not a state change and must write no event")

	next, ev := rotate(c, "user:alice@example.com", 3*time.Hour)
	require.NoError(t, s.Update(ctx, next, ev), "R17: RecordUse must not change Version, so an Update with the version read before it must succeed")
}

// testRecordUseNotFound records uses of unknown credentials and through
// the wrong tenant (R15).
func testRecordUseNotFound(t tb, s store.Store) {
	u := usageRecorder(t, s)
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)
	at := fixtureTime.Add(time.Hour)

	err := u.RecordUse(ctx, tenant, uuid.Must(uuid.NewV7()), at)
	require.ErrorIs(t, err, store.ErrNotFound, "RecordUse of an unknown ID must give ErrNotFound")
	err = u.RecordUse(ctx, newTenant("tenant"), c.ID, at)
	require.ErrorIs(t, err, store.ErrNotFound, "R15: RecordUse of a credential through another tenant must give ErrNotFound")
	checkCredential(t, "R15: RecordUse through another tenant must change nothing", c, mustGet(t, s, tenant, c.ID))
}
