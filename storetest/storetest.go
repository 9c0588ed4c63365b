// Package storetest is the conformance suite of [store.Store]: every
// implementation proves that it keeps the store contract by calling [Run]
// from one of its tests.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			return mystore.New(…)
//		})
//	}
//
// # What it checks
//
// Run executes a table of named cases, each in its own sub-test with a fresh
// store. Case names say what is checked and, when it is one of the
// design's numbered rules, start with its number, such as "R17 …" for
// compare-and-swap; every failure message states the rule that was broken. The cases cover
// the round trip of every field of [credential.Credential] and
// [credential.Event] (R7), not-found and tenant separation (R15),
// duplicates, compare-and-swap and atomic audit events (R16, R17) including
// racing goroutines, copying of the caller's slices and maps, keyset
// pagination, event order and paging, cancelled contexts, the absence of
// plaintext secrets (R8), and [store.UsageRecorder] when the store
// implements it (the cases are skipped otherwise).
//
// Cases compare times exactly: a store must return the instants it was
// given, in UTC, at microsecond precision. They compare slices and maps by
// contents, so a store may return an empty slice or map for a nil one.
//
// # How the suite is tested
//
// The cases are written against a small unexported interface that
// *testing.T satisfies, so that the package's own tests can run each case
// against deliberately broken stores with a recording test double and
// check that the case fails; the same double checks that the cases pass
// on correct stores.
package storetest

import (
	"context"
	"testing"

	"github.com/apicred/apicred/store"
)

// tb is the part of *testing.T the cases use. It lets the package's own
// tests run a case with a test double that records failures instead of
// failing the test, to prove that the case catches a broken store.
//
// FailNow and Skip must not return (testing.T calls runtime.Goexit), and
// are only called from the goroutine that runs the case: cases collect
// results from their own goroutines and check them afterwards.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
	Skip(args ...any)
	Context() context.Context
}

// testCase is one named conformance check.
type testCase struct {
	// name is the sub-test name: what is checked, led by its rule number
	// when there is one.
	name string
	// run checks s, a fresh store, reporting to t.
	run func(t tb, s store.Store)
}

// cases is the suite, in the order Run executes it.
var cases = []testCase{
	// Round trips.
	{"R7 Create then Get, GetByClientID and List return every field as written", testCredentialRoundTrip},
	{"R16 ListEvents returns every field of every event as written", testEventRoundTrip},

	// Not found and tenant separation.
	{"unknown ID and unknown client ID are not found", testUnknownNotFound},
	{"R15 Get of another tenant's credential is not found", testGetOtherTenant},
	{"R15 Update through another tenant is not found and changes nothing", testUpdateOtherTenant},
	{"R15 List and ListEvents return nothing of another tenant", testListOtherTenant},

	// Duplicates.
	{"R16 Create with a taken ID is a duplicate and writes no event", testDuplicateID},
	{"R15 Create with a client ID taken in any tenant is a duplicate and writes no event", testDuplicateClientID},

	// Updates and compare-and-swap.
	{"R17 Update bumps Version by exactly one and stores the new fields", testUpdate},
	{"R17 Update with a stale Version is a conflict and writes nothing", testUpdateStale},
	{"R17 of racing Updates from one read Version exactly one succeeds", testRacingUpdatesOneWins},
	{"R17 concurrent read-modify-write Updates lose no update", testConcurrentUpdatesLoseNothing},
	{"concurrent Creates of distinct credentials are all visible", testConcurrentCreates},

	// Ownership of input.
	{"Create and Update copy the caller's slices and maps", testInputCopied},

	// Pagination.
	{"List pages return each credential once in ascending ID byte order", testListPages},
	{"List paging neither skips nor repeats while credentials are created", testListPagesUnderInserts},
	{"List orders random (not time-ordered) IDs by their bytes", testListRandomIDs},
	{"List and ListEvents of an empty tenant are empty", testListEmptyTenant},

	// Events.
	{"R16 ListEvents returns events in write order with increasing Seq", testEventOrder},
	{"R16 ListEvents pages by AfterSeq without skipping or repeating", testEventPages},
	{"R15 ListEvents filters by credential and by tenant", testEventFilters},

	// Contexts and secrets.
	{"every method with a done context returns its error and changes nothing", testDoneContext},
	{"R8 nothing any method returns contains a plaintext secret", testNoPlaintext},

	// Optional interfaces.
	{"RecordUse moves LastUsedAt forward only, with no Version change and no event", testRecordUse},
	{"R15 RecordUse of an unknown or another tenant's credential is not found", testRecordUseNotFound},
}

// Run runs the conformance suite against the stores newStore makes, each
// case in its own sub-test of t.
//
// newStore is called once per sub-test with that sub-test's t, and must
// return a new, empty store that no other sub-test uses. It may call
// t.Cleanup to release the store, and t.Skip or t.Fatal when the store
// cannot be made. The cases that need [store.UsageRecorder] are skipped
// when the store does not implement it.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("storetest: newStore returned a nil store")
			}
			c.run(t, s)
		})
	}
}
