package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadWithRevocation is the bounded variant of the load program: it
// asserts correctness only (R4, R16, R17, R18), never speed.
func TestLoadWithRevocation(t *testing.T) {
	stores := []string{"memory", "sqlite"}
	dsn := os.Getenv("APICRED_TEST_POSTGRES_DSN")
	if dsn != "" {
		stores = append(stores, "postgres")
	} else {
		t.Log("postgres variant skipped: set APICRED_TEST_POSTGRES_DSN to run it")
	}
	for _, st := range stores {
		t.Run(st, func(t *testing.T) {
			rep, err := Run(t.Context(), Config{
				Store:       st,
				PostgresDSN: dsn,
				Clients:     8,
				Credentials: 8,
				Duration:    1500 * time.Millisecond,
				MaxRequests: 20_000,
				AdminEvery:  2 * time.Millisecond,
			})
			require.NoError(t, err)
			t.Log(rep)
			assert.Zero(t, rep.AcceptedAfterKill, "R4: a killed secret was accepted")
			assert.Zero(t, rep.RefusedWhileLive, "a live secret was refused")
			assert.Zero(t, rep.EventMismatches, "R16: the audit trail must match the successful operations")
			assert.Zero(t, rep.OtherStatus, "only 204 and 401 are expected")
			assert.Positive(t, rep.Accepted)
			assert.Positive(t, rep.Rotations)
			assert.Positive(t, rep.Revokes)
		})
	}
}

func TestRunRefusesABadConfig(t *testing.T) {
	_, err := Run(t.Context(), Config{Store: "memory"})
	assert.Error(t, err)
	_, err = Run(t.Context(), Config{Store: "nosuch", Clients: 1, Credentials: 2, Duration: time.Second, MaxRequests: 1, AdminEvery: time.Millisecond})
	assert.ErrorContains(t, err, "unknown store")
}
