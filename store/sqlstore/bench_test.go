package sqlstore_test

import (
	"database/sql"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/stretchr/testify/require"
)

// benchEngines are the engines the benchmarks compare; the servers are
// skipped without their DSNs.
func benchEngines() []engine { return []engine{sqliteFile, postgres(), mysql()} }

// rawLookup returns a hand-written authentication lookup on f's database:
// the same indexed SELECT of the same columns by client ID through a
// prepared statement, scanned into plain variables. It is the floor
// GetByClientID is measured against.
func rawLookup(b *testing.B, e engine, f fixture) func(clientID string) {
	b.Helper()
	st, err := f.db.PrepareContext(b.Context(), `SELECT id, tenant_id, client_id, name, contact_email, access, scopes,
		metadata, environment, secret_hash, hasher_id, secret_hint, created_at, expires_at, revoked_at, revoke_reason,
		rotated_at, last_used_at, version FROM `+f.prefix+`credentials WHERE client_id = `+strings.Trim(e.placeholders(1), "()"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	return func(clientID string) {
		var (
			id, hash                                                   []byte
			tenant, client, name, email, access, env, hasher, hint, rr string
			scopes, metadata                                           sql.NullString
			created, version                                           int64
			expires, revoked, rotated, used                            sql.NullInt64
		)
		err := st.QueryRowContext(b.Context(), clientID).Scan(&id, &tenant, &client, &name, &email, &access,
			&scopes, &metadata, &env, &hash, &hasher, &hint, &created, &expires, &revoked, &rr, &rotated, &used, &version)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate measures Manager.Authenticate (checksum, one
// GetByClientID, SHA-256 and constant-time compare, state check) next to
// the raw prepared lookup on the same database, in one run. The
// "interleaved" case alternates the two in one loop, so that both see the
// same machine load, and reports their ratio.
func BenchmarkAuthenticate(b *testing.B) {
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
			if e.skip != "" {
				b.Skip(e.skip)
			}
			m, f := newManager(b, e)
			iss := issue(b, m, "Benchmark")
			clientID, secret := iss.ClientID, []byte(iss.Secret.Reveal())
			raw := rawLookup(b, e, f)
			auth := func() {
				if _, err := m.Authenticate(b.Context(), clientID, secret); err != nil {
					b.Fatal(err)
				}
			}
			tracked, err := apicred.New(f.store, apicred.WithLastUsedTracking(time.Minute))
			require.NoError(b, err)

			b.Run("raw prepared SELECT", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					raw(clientID)
				}
			})
			b.Run("Manager.Authenticate", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					auth()
				}
			})
			b.Run("Manager.Authenticate with last-used tracking", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := tracked.Authenticate(b.Context(), clientID, secret); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("interleaved", func(b *testing.B) {
				var rawTime, authTime time.Duration
				n := 0
				for b.Loop() {
					t0 := time.Now()
					raw(clientID)
					t1 := time.Now()
					auth()
					authTime += time.Since(t1)
					rawTime += t1.Sub(t0)
					n++
				}
				b.ReportMetric(float64(rawTime.Nanoseconds())/float64(n), "raw-ns/op")
				b.ReportMetric(float64(authTime.Nanoseconds())/float64(n), "auth-ns/op")
				b.ReportMetric(float64(authTime)/float64(rawTime), "auth/raw")
			})
		})
	}
}

// BenchmarkRecordUse measures the write that last-used tracking costs
// when the Manager does record a use: a later instant (one UPDATE that
// changes the row), and an instant not later than the stored one (the
// UPDATE changes nothing and a second query checks that the credential
// exists).
func BenchmarkRecordUse(b *testing.B) {
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
			if e.skip != "" {
				b.Skip(e.skip)
			}
			m, f := newManager(b, e)
			iss := issue(b, m, "Benchmark")
			id := iss.Credential.ID
			at := time.Now().UTC().Truncate(time.Microsecond)
			b.Run("later instant", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					at = at.Add(time.Microsecond)
					if err := f.store.RecordUse(b.Context(), tenant, id, at); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("earlier instant", func(b *testing.B) {
				b.ReportAllocs()
				past := at.Add(-time.Hour)
				for b.Loop() {
					if err := f.store.RecordUse(b.Context(), tenant, id, past); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkUpdate measures a store Update: the compare-and-swap UPDATE,
// the lock of the tenant's events where the engine takes one, the event's
// INSERT and the COMMIT. "one writer" is the cost of a write alone;
// "parallel, one tenant" runs writers on different credentials of one
// tenant, which the event lock serialises from the event's INSERT to the
// COMMIT; "parallel, a tenant each" runs them on different tenants, which
// it does not.
func BenchmarkUpdate(b *testing.B) {
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
			if e.skip != "" {
				b.Skip(e.skip)
			}
			f := e.newFixture(b)
			var tenants atomic.Int64
			// writer returns a function that makes one Update of a new
			// credential of tenant.
			writer := func(tb testing.TB, tenant string) func() error {
				c, ev := newCredential(tenant)
				if err := f.store.Create(tb.Context(), c, ev); err != nil {
					return func() error { return err }
				}
				return func() error {
					if err := f.store.Update(tb.Context(), c, changeEvent(c, credential.EventRotated)); err != nil {
						return err
					}
					c.Version++
					return nil
				}
			}
			b.Run("one writer", func(b *testing.B) {
				update := writer(b, tenant)
				for b.Loop() {
					if err := update(); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, own := range []bool{false, true} {
				name := "parallel, one tenant"
				if own {
					name = "parallel, a tenant each"
				}
				b.Run(name, func(b *testing.B) {
					b.RunParallel(func(pb *testing.PB) {
						tn := tenant
						if own {
							tn = "bench-" + strconv.FormatInt(tenants.Add(1), 10)
						}
						update := writer(b, tn)
						for pb.Next() {
							if err := update(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		})
	}
}
