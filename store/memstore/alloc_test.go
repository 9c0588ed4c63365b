//go:build !race

package memstore_test

import (
	"testing"

	"github.com/apicred/apicred/store/memstore"
	"github.com/apicred/apicred/storetest"
)

// TestReadsAllocateNothing pins the allocation count of the authentication
// path, which the benchmarks measure, so that a regression fails go test.
// (The race detector allocates on its own, hence the build constraint.)
func TestReadsAllocateNothing(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	c, e := storetest.NewCredential("tenant")
	if err := s.Create(ctx, c, e); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		read func()
	}{
		{"GetByClientID of a known client ID", func() { _, _ = s.GetByClientID(ctx, c.ClientID) }},
		{"GetByClientID of an unknown client ID", func() { _, _ = s.GetByClientID(ctx, "mk_live_unknown") }},
		{"Get of a known ID", func() { _, _ = s.Get(ctx, c.TenantID, c.ID) }},
	} {
		if n := testing.AllocsPerRun(100, tc.read); n != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, n)
		}
	}
}
