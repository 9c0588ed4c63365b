package memstore_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/apicred/apicred/store/memstore"
	"github.com/apicred/apicred/storetest"
)

// BenchmarkGetByClientID measures the authentication-path lookup, which
// must allocate nothing and cost the same at 1 thousand as at 1 million
// credentials. The lookups cycle over 1024 client IDs spread over the
// store, so that they do not all hit one cache line.
func BenchmarkGetByClientID(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("credentials=%d", n), func(b *testing.B) {
			s, clientIDs := fill(b, n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				c, err := s.GetByClientID(ctx, clientIDs[i&(len(clientIDs)-1)])
				if err != nil || c.Version != 1 {
					b.Fatalf("GetByClientID: %v (version %d)", err, c.Version)
				}
				i++
			}
		})
	}
}

// BenchmarkGetByClientIDUnknown measures the lookup of a client ID that does
// not exist, which must cost about the same as a hit (rule R19).
func BenchmarkGetByClientIDUnknown(b *testing.B) {
	s, _ := fill(b, 1_000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.GetByClientID(ctx, "mk_live_unknownClientID000000000"); err == nil {
			b.Fatal("GetByClientID of an unknown client ID succeeded")
		}
	}
}

// fill returns a store of n credentials spread over 1000 tenants, created
// directly through Store.Create, and 1024 of their client IDs. The garbage
// collector is paused while it runs: a million inserts into a growing heap
// otherwise spend most of their time marking it.
func fill(b *testing.B, n int) (*memstore.Store, []string) {
	b.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer runtime.GC()
	ctx := context.Background()
	s := memstore.New()
	template, event := storetest.NewCredential("tenant")
	template.Scopes, template.Metadata = nil, nil
	tenants := make([]string, 1000)
	for i := range tenants {
		tenants[i] = "tenant-" + strconv.Itoa(i)
	}
	clientIDs := make([]string, 0, 1024)
	stride := max(n/cap(clientIDs), 1)
	buf := []byte("mk_live_")
	for i := range n {
		c := template
		binary.BigEndian.PutUint64(c.ID[8:], uint64(i)+1)
		c.TenantID = tenants[i%len(tenants)]
		c.ClientID = string(strconv.AppendInt(buf[:len("mk_live_")], int64(i), 10))
		e := event
		e.ID, e.TenantID, e.CredentialID = c.ID, c.TenantID, c.ID
		if err := s.Create(ctx, c, e); err != nil {
			b.Fatalf("Create: %v", err)
		}
		if i%stride == 0 && len(clientIDs) < cap(clientIDs) {
			clientIDs = append(clientIDs, c.ClientID)
		}
	}
	for len(clientIDs) < cap(clientIDs) {
		clientIDs = append(clientIDs, clientIDs[len(clientIDs)%n])
	}
	return s, clientIDs
}
