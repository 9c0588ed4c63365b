package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// testNoPlaintext writes credentials whose hashes are the SHA-256 of known
// secrets, reads them back through every method, and looks for those
// secrets in every string and byte slice returned, and in their fmt
// renderings (R8).
func testNoPlaintext(t tb, s store.Store) {
	ctx := t.Context()
	tenant := newTenant("tenant")
	c, e := NewCredential(tenant)
	mustCreate(t, s, c, e)
	other, otherEvent := NewCredential(tenant)
	mustCreate(t, s, other, otherEvent)
	next, ev := rotate(c, "user:alice@example.com", time.Hour)
	require.NoError(t, s.Update(ctx, next, ev), "R17: Update with the version read must succeed")
	if usage, ok := s.(store.UsageRecorder); ok {
		require.NoError(t, usage.RecordUse(ctx, tenant, other.ID, fixtureTime.Add(time.Hour)), "RecordUse of an existing credential must succeed")
	}

	var returned []any
	for _, id := range []uuid.UUID{c.ID, other.ID} {
		got := mustGet(t, s, tenant, id)
		returned = append(returned, got)
		got, err := s.GetByClientID(ctx, got.ClientID)
		require.NoError(t, err, "GetByClientID of an existing client ID must succeed")
		returned = append(returned, got)
	}
	page, err := s.List(ctx, store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(t, err, "List of a tenant must succeed")
	returned = append(returned, page)
	returned = append(returned, allEvents(t, s, tenant, uuid.Nil))

	secrets := [][]byte{[]byte(fixtureSecret), []byte(rotatedSecret)}
	for _, v := range returned {
		if path := secretIn(reflect.ValueOf(v), fmt.Sprintf("%T", v), secrets...); path != "" {
			t.Errorf("R8: a store must never return a plaintext secret, yet %s returned by it contains one", path)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			text := fmt.Sprintf(verb, v)
			if strings.Contains(text, fixtureSecret) || strings.Contains(text, rotatedSecret) {
				t.Errorf("R8: a store must never return a plaintext secret, yet fmt %s of a %T it returned contains one", verb, v)
			}
		}
	}
}
