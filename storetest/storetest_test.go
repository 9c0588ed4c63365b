package storetest

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
)

// The suite proves itself the way testing/fstest's tests feed TestFS
// deliberately broken file systems: every case runs against correct stores,
// where it must pass, and against broken ones, where the cases named for
// each flaw must fail.
//
// A case cannot be run with a *testing.T whose failure is the expected
// outcome: a failing sub-test fails its parent. So the cases are written
// against the unexported interface tb, and these tests run them with
// recorder, a tb that records failures instead. recorder behaves as
// *testing.T does where it matters: FailNow and Skip end the case's
// goroutine with runtime.Goexit, and Context is cancelled when the case
// ends. That the same cases pass on correct stores through recorder, and
// through Run with a real *testing.T, shows that a failure recorded on a
// broken store is the store's doing.

// recorder is a tb that records the outcome of one case.
type recorder struct {
	ctx context.Context

	mu       sync.Mutex
	failures []string
	failed   bool
	skipped  bool
	panicked string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) FailNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skip(args ...any) {
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Context() context.Context { return r.ctx }

// record runs c against s on its own goroutine, as testing.T.Run would,
// and returns its outcome. A panic is recorded, not propagated, so that
// the self-test can report it as a defect of the suite.
func record(c testCase, s store.Store) *recorder {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{ctx: ctx}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
			}
		}()
		c.run(r, s)
	}()
	<-done
	return r
}

// correctStores are the stores every case must pass.
var correctStores = []struct {
	name     string
	newStore func() store.Store
}{
	{"memstore", func() store.Store { return memstore.New() }},
	{"mapStore", func() store.Store { return &mapStore{} }},
}

func TestRunPassesCorrectStores(t *testing.T) {
	for _, cs := range correctStores {
		t.Run(cs.name, func(t *testing.T) {
			Run(t, func(*testing.T) store.Store { return cs.newStore() })
		})
	}
}

func TestCasesPassCorrectStoresWhenRecorded(t *testing.T) {
	for _, cs := range correctStores {
		for _, c := range cases {
			r := record(c, cs.newStore())
			if r.failed || r.skipped || r.panicked != "" {
				t.Errorf("%s: case %q: failed=%v skipped=%v panicked=%q; failures:\n%s",
					cs.name, c.name, r.failed, r.skipped, r.panicked, strings.Join(r.failures, "\n"))
			}
		}
	}
}

// withoutUsage hides the UsageRecorder of the store it embeds.
type withoutUsage struct{ store.Store }

func TestUsageCasesSkipStoresWithoutUsageRecorder(t *testing.T) {
	var skipped []string
	for _, c := range cases {
		r := record(c, withoutUsage{memstore.New()})
		if r.failed || r.panicked != "" {
			t.Errorf("case %q failed on a correct store without UsageRecorder: %s%s", c.name, strings.Join(r.failures, "\n"), r.panicked)
		}
		if r.skipped {
			skipped = append(skipped, c.name)
		}
	}
	want := []string{
		"RecordUse moves LastUsedAt forward only, with no Version change and no event",
		"R15 RecordUse of an unknown or another tenant's credential is not found",
	}
	if !equalStrings(skipped, want) {
		t.Errorf("skipped cases = %q, want %q", skipped, want)
	}
}

// brokenStores lists each flaw with the cases that must catch it. A case
// listed here must fail on the flawed store; other cases may fail too.
var brokenStores = []struct {
	flaw   flaw
	name   string
	caught []string
}{
	{flawNoCAS, "no compare-and-swap", []string{
		"R17 Update with a stale Version is a conflict and writes nothing",
		"R17 of racing Updates from one read Version exactly one succeeds",
	}},
	{flawEventOutsideCAS, "event written outside the compare-and-swap", []string{
		"R17 Update with a stale Version is a conflict and writes nothing",
		"R17 of racing Updates from one read Version exactly one succeeds",
	}},
	{flawLosesUpdateEvent, "Update loses its event", []string{
		"R16 ListEvents returns every field of every event as written",
		"R17 Update bumps Version by exactly one and stores the new fields",
		"R17 of racing Updates from one read Version exactly one succeeds",
		"R17 concurrent read-modify-write Updates lose no update",
		"R16 ListEvents returns events in write order with increasing Seq",
	}},
	{flawGetIgnoresTenant, "Get returns other tenants' credentials", []string{
		"R15 Get of another tenant's credential is not found",
	}},
	{flawUpdateIgnoresTenant, "Update changes other tenants' credentials", []string{
		"R15 Update through another tenant is not found and changes nothing",
	}},
	{flawListIgnoresTenant, "List returns other tenants' credentials", []string{
		"R15 List and ListEvents return nothing of another tenant",
		"List pages return each credential once in ascending ID byte order",
	}},
	{flawEventsIgnoreTenant, "ListEvents returns other tenants' events", []string{
		"R15 List and ListEvents return nothing of another tenant",
		"R15 ListEvents filters by credential and by tenant",
	}},
	{flawDuplicateIDOverwrites, "Create overwrites a taken ID", []string{
		"R16 Create with a taken ID is a duplicate and writes no event",
	}},
	{flawClientIDUniquePerTenant, "duplicate client IDs across tenants", []string{
		"R15 Create with a client ID taken in any tenant is a duplicate and writes no event",
	}},
	{flawTimesInSeconds, "times truncated to seconds", []string{
		"R7 Create then Get, GetByClientID and List return every field as written",
	}},
	{flawTimesNotUTC, "times returned outside UTC", []string{
		"R7 Create then Get, GetByClientID and List return every field as written",
		"R16 ListEvents returns every field of every event as written",
	}},
	{flawIgnoresContext, "done contexts ignored", []string{
		"every method with a done context returns its error and changes nothing",
	}},
	{flawPageSkips, "pagination skips", []string{
		"List pages return each credential once in ascending ID byte order",
		"List paging neither skips nor repeats while credentials are created",
		"List orders random (not time-ordered) IDs by their bytes",
	}},
	{flawPageRepeats, "pagination repeats", []string{
		"List pages return each credential once in ascending ID byte order",
		"List paging neither skips nor repeats while credentials are created",
		"List orders random (not time-ordered) IDs by their bytes",
	}},
	{flawListInsertionOrder, "pagination in creation order", []string{
		"List orders random (not time-ordered) IDs by their bytes",
	}},
	{flawAliasesInput, "caller's slices and maps aliased", []string{
		"Create and Update copy the caller's slices and maps",
	}},
	{flawEventsNewestFirst, "events newest first", []string{
		"R16 ListEvents returns events in write order with increasing Seq",
		"R16 ListEvents pages by AfterSeq without skipping or repeating",
	}},
	{flawEchoesSecret, "plaintext secret returned", []string{
		"R8 nothing any method returns contains a plaintext secret",
	}},
	{flawRecordUseMovesBackward, "RecordUse moves LastUsedAt backwards", []string{
		"RecordUse moves LastUsedAt forward only, with no Version change and no event",
	}},
	{flawRecordUseBumpsVersion, "RecordUse bumps Version", []string{
		"RecordUse moves LastUsedAt forward only, with no Version change and no event",
	}},
	{flawRecordUseIgnoresTenant, "RecordUse through another tenant", []string{
		"R15 RecordUse of an unknown or another tenant's credential is not found",
	}},
}

func TestCasesCatchBrokenStores(t *testing.T) {
	seen := map[flaw]bool{}
	for _, bs := range brokenStores {
		t.Run(bs.name, func(t *testing.T) {
			seen[bs.flaw] = true
			var failed []string
			for _, c := range cases {
				r := record(c, &mapStore{flaw: bs.flaw})
				if r.panicked != "" {
					t.Errorf("case %q panicked on a broken store instead of failing: %s", c.name, r.panicked)
				}
				if r.skipped {
					t.Errorf("case %q skipped on a broken store that implements store.UsageRecorder", c.name)
				}
				if !r.failed {
					continue
				}
				failed = append(failed, c.name)
				if len(r.failures) == 0 {
					t.Errorf("case %q failed without saying which rule was broken", c.name)
				}
				for _, f := range r.failures {
					if !strings.Contains(f, "must") {
						t.Errorf("case %q failed with a message that states no rule (no \"must\"): %s", c.name, f)
					}
				}
				t.Logf("caught by %q: %s", c.name, message(r.failures[0]))
			}
			for _, want := range bs.caught {
				if !contains(failed, want) {
					t.Errorf("case %q passed on the store with flaw %q; it must catch it", want, bs.name)
				}
			}
		})
	}
	for f := flawless + 1; f <= flawRecordUseIgnoresTenant; f++ {
		if !seen[f] {
			t.Errorf("flaw %d has no entry in brokenStores", f)
		}
	}
}

func TestCaseNamesAreUnique(t *testing.T) {
	names := map[string]bool{}
	for _, c := range cases {
		if c.name == "" || names[c.name] {
			t.Errorf("case name %q is empty or repeated", c.name)
		}
		names[c.name] = true
	}
	for _, bs := range brokenStores {
		for _, name := range bs.caught {
			if !names[name] {
				t.Errorf("brokenStores names %q, which is not a case", name)
			}
		}
	}
}

// message returns the line of a failure that states the rule: testify's
// "Messages:" line when there is one, else the first non-empty line.
func message(failure string) string {
	lines := strings.Split(failure, "\n")
	for _, l := range lines {
		if _, m, ok := strings.Cut(l, "Messages:"); ok {
			return strings.TrimSpace(m)
		}
	}
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
