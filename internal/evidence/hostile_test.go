package evidence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// hostileStrings are sent through every string field of every create and
// edit call.
func hostileStrings() []string {
	return []string{
		// SQL-injection shapes and LIKE wildcards.
		"'; DROP TABLE credentials; --", `" OR "1"="1`, `\'`, `\\`, `\`, "%", "_", "%_%", "a%b_c",
		"`", "`; DROP TABLE `credentials`; --", "$1", "?", "$1::text", "' OR 1=1 --",
		"Robert'); DROP TABLE students;--", "1; SELECT pg_sleep(10)", "x' AND SLEEP(5) AND '1'='1",
		`\x27`, "0x27", "/* comment */", "-- ", "';\n--",
		// NUL and other control characters.
		"\x00", "a\x00b", "\x01", "bell\x07", "esc\x1b[31mred", "del\x7f", "c1\u0085", "\u009b", "tab\there", "\v", "\f",
		// Line breaks.
		"line1\r\nline2", "\n", "\r", "trailing\n", "\u2028", "\u2029",
		// Invalid UTF-8: bytes that cannot start a character, a lone
		// continuation byte, an overlong '/', a UTF-16 surrogate, a code
		// point beyond U+10FFFF, a truncated sequence.
		"\xff\xfe", "\x80", "a\x80b", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xff", "\xe2\x82",
		// Valid but unusual Unicode: emoji, a ZWJ sequence, combining
		// characters, a right-to-left override, zero-width characters, the
		// replacement character, a BOM, noncharacters, the last code point.
		"😀", "👩‍👩‍👧‍👦", "e\u0301", "Z\u0351\u0364\u033e", "\u202Eevil\u202C", "a\u200Db", "\u200B", "\uFFFD",
		"\uFEFFbom", "\uFFFF", "\U0010FFFF", "日本語テキスト", "Ω≈ç√∫", "\u00a0nbsp\u00a0",
		// White space.
		"", " ", "   ", " padded ", "\tpadded", "padded\t",
	}
}

// longStrings are just over every length limit of credential/validate.go,
// in one-byte and in four-byte characters (a limit in characters must not
// be taken for one in bytes, nor the other way round), and 1 MiB.
func longStrings() []string {
	limits := []int{
		credential.MaxTenantIDLen, credential.MaxNameLen, credential.MaxEmailLen, credential.MaxScopeLen,
		credential.MaxMetadataKeyLen, credential.MaxMetadataValLen, credential.MaxReasonLen, credential.MaxActorLen,
	}
	sort.Ints(limits)
	var out []string
	for _, n := range slices.Compact(limits) {
		for _, r := range []string{"a", "😀"} {
			out = append(out, strings.Repeat(r, n+1))
		}
	}
	return append(out, strings.Repeat("x", 1<<20))
}

// allHostile is every hostile string.
func allHostile() []string { return append(hostileStrings(), longStrings()...) }

// show describes a value for a failure message: quoted, and cut when long.
func show(v string) string {
	if len(v) <= 48 {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q… (%d bytes, %d runes)", v[:40], len(v), len([]rune(v)))
}

// truncUTC is the documented normalisation of times: UTC, truncated to
// microseconds, the zero time staying zero.
func truncUTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// protect runs f and turns a panic into a value.
func protect(f func() error) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return nil, f()
}

// inFamily reports whether a ValidationError field belongs to the field
// family tested: "scopes" covers "scopes[2]", "metadata" covers
// "metadata.team".
func inFamily(field, family string) bool {
	return field == family || strings.HasPrefix(field, family+"[") || strings.HasPrefix(field, family+".")
}

// writeCounts are the writes a store has taken: successful Create and
// Update calls, and on SQL stores the rows of its tables.
type writeCounts struct {
	creates, updates       int64
	sqlCredentials, events int64
}

// hostileRun is one engine's run of the hostile input test.
type hostileRun struct {
	o     *openedStore
	probe *probeStore
	m     *apicred.Manager
	clock *testClock
	n     int
	// tenants holds the credentials created in each tenant.
	tenants map[string][]uuid.UUID
	// accepted and refused count the outcomes, per field family.
	accepted, refused map[string]int
}

// TestHostileInputs sends hostile strings (SQL-injection shapes, NUL and
// other control characters, line breaks, invalid UTF-8, strings just over
// every length limit and 1 MiB, emoji, combining characters, bidi
// overrides, zero-width characters, surrounding white space) and odd times
// through every field of Issue, Rotate, Revoke and SetExpiry, and hostile
// tenants through every read, on every engine, and a sample of them
// through the admin API's JSON. Each call either succeeds, and the value
// reads back verbatim through Get, List, Events and authentication (names
// trimmed, times in UTC truncated to microseconds), or is refused with a
// *credential.ValidationError naming only that field and writes nothing.
// Any other error (an SQL error), a panic, or a 500 fails. After the run
// the store still issues and authenticates. Rules R7, R13, R14, R15.
func TestHostileInputs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, o *openedStore) {
		start := time.Now()
		h := &hostileRun{o: o, probe: &probeStore{Store: o.store}, clock: newTestClock(t0),
			tenants: map[string][]uuid.UUID{}, accepted: map[string]int{}, refused: map[string]int{}}
		m, err := apicred.New(h.probe, apicred.WithClock(h.clock.Now))
		require.NoError(t, err)
		h.m = m

		t.Run("issue", h.issueFields)
		t.Run("issue_expires_at", h.issueTimes)
		t.Run("rotate", h.rotateFields)
		t.Run("revoke", h.revokeFields)
		t.Run("set_expiry", h.expiryFields)
		t.Run("set_expiry_times", h.expiryTimes)
		t.Run("changes_in_hostile_tenants", h.changesInHostileTenants)
		t.Run("reads", h.reads)
		t.Run("admin_api", h.adminAPI)
		t.Run("tenant_isolation", h.isolation)
		t.Run("still_works", h.stillWorks)

		var families []string
		for f := range maps.Keys(h.accepted) {
			families = append(families, f)
		}
		for f := range maps.Keys(h.refused) {
			if _, ok := h.accepted[f]; !ok {
				families = append(families, f)
			}
		}
		sort.Strings(families)
		var summary []string
		total := 0
		for _, f := range families {
			summary = append(summary, fmt.Sprintf("%s %d/%d", f, h.accepted[f], h.refused[f]))
			total += h.accepted[f] + h.refused[f]
		}
		t.Logf("%s: %d hostile calls, accepted/refused per field: %s; in %v",
			t.Name(), total, strings.Join(summary, ", "), time.Since(start).Round(time.Millisecond))
	})
}

// counts reads the write counters and, on SQL stores, the table rows.
func (h *hostileRun) counts(t *testing.T) writeCounts {
	t.Helper()
	c := writeCounts{creates: h.probe.creates.Load(), updates: h.probe.updates.Load()}
	if h.o.sql != nil {
		var err error
		c.sqlCredentials, c.events, err = h.o.rowCounts(context.Background())
		require.NoError(t, err, "counting rows")
	}
	return c
}

// wrote checks the writes since before: creates and updates calls, and
// the rows they added on SQL stores.
func (h *hostileRun) wrote(t *testing.T, label string, before writeCounts, creates, updates int64) {
	t.Helper()
	after := h.counts(t)
	want := writeCounts{creates: before.creates + creates, updates: before.updates + updates}
	if h.o.sql != nil {
		want.sqlCredentials = before.sqlCredentials + creates
		want.events = before.events + creates + updates
	}
	if after != want {
		t.Errorf("%s: writes: want %+v, got %+v (before %+v)", label, want, after, before)
	}
}

// refusal checks a failed call: a ValidationError naming only fields of
// family (or, when allowNotFound, ErrNotFound), and nothing written.
func (h *hostileRun) refusal(t *testing.T, label, family string, err error, before writeCounts, allowNotFound bool) {
	t.Helper()
	defer h.wrote(t, label+" (refused)", before, 0, 0)
	if allowNotFound && errors.Is(err, apicred.ErrNotFound) {
		return
	}
	var ve *credential.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("%s: want a *credential.ValidationError naming %q, got %T: %v", label, family, err, err)
		return
	}
	if len(ve.Fields) == 0 {
		t.Errorf("%s: a ValidationError with no field", label)
	}
	for _, f := range ve.Fields {
		if !inFamily(f.Field, family) {
			t.Errorf("%s: the ValidationError names %q (%s), not only %q: %v", label, f.Field, f.Message, family, err)
		}
	}
}

// panicked reports a panic.
func panicked(t *testing.T, label, op string, p any) bool {
	t.Helper()
	if p != nil {
		t.Errorf("%s: %s PANICKED: %v", label, op, p)
		return true
	}
	return false
}

// freshTenant returns a tenant no other call uses.
func (h *hostileRun) freshTenant() string {
	h.n++
	return fmt.Sprintf("hostile-%05d", h.n)
}

// baseIssue is a valid request in a fresh tenant.
func (h *hostileRun) baseIssue() apicred.IssueRequest {
	return apicred.IssueRequest{TenantID: h.freshTenant(), Name: "Hostile probe", Access: credential.AccessFull, Actor: "tester@example.com"}
}

// sameTime checks a time read back against the normalised time.
func sameTime(want, got time.Time) bool {
	if want.IsZero() || got.IsZero() {
		return want.IsZero() && got.IsZero()
	}
	return want.Equal(got) && got.Location() == time.UTC && got.Nanosecond()%1000 == 0
}

// sameCredential compares the fields the caller gave with a credential
// read back, reporting each difference.
func sameCredential(t *testing.T, label, where string, want, got credential.Credential) {
	t.Helper()
	diff := func(field string, w, g any) { t.Errorf("%s: %s: %s: want %s, got %s", label, where, field, w, g) }
	if want.ID != uuid.Nil && got.ID != want.ID {
		diff("ID", want.ID, got.ID)
	}
	for _, f := range []struct{ name, w, g string }{
		{"TenantID", want.TenantID, got.TenantID},
		{"Name", want.Name, got.Name},
		{"ContactEmail", want.ContactEmail, got.ContactEmail},
		{"Access", string(want.Access), string(got.Access)},
		{"Environment", string(want.Environment), string(got.Environment)},
		{"RevokeReason", want.RevokeReason, got.RevokeReason},
	} {
		if f.w != f.g {
			diff(f.name, show(f.w), show(f.g))
		}
	}
	if !slices.Equal(want.Scopes, got.Scopes) {
		diff("Scopes", fmt.Sprintf("%q", want.Scopes), fmt.Sprintf("%q", got.Scopes))
	}
	if !maps.Equal(want.Metadata, got.Metadata) {
		diff("Metadata", fmt.Sprintf("%q", want.Metadata), fmt.Sprintf("%q", got.Metadata))
	}
	if !sameTime(want.ExpiresAt, got.ExpiresAt) {
		diff("ExpiresAt", want.ExpiresAt.String(), got.ExpiresAt.String())
	}
}

// sameEvent compares an audit event with the one expected.
func sameEvent(t *testing.T, label, where string, want, got credential.Event) {
	t.Helper()
	ok := got.Type == want.Type && got.TenantID == want.TenantID && got.CredentialID == want.CredentialID &&
		got.Actor == want.Actor && got.Reason == want.Reason && sameTime(want.At, got.At) &&
		sameTime(want.OldExpiresAt, got.OldExpiresAt) && sameTime(want.NewExpiresAt, got.NewExpiresAt)
	if !ok {
		t.Errorf("%s: %s: want event %s/%s/%s actor %s reason %s at %v expiry %v → %v,\n got %s/%s/%s actor %s reason %s at %v expiry %v → %v",
			label, where,
			want.Type, show(want.TenantID), want.CredentialID, show(want.Actor), show(want.Reason), want.At, want.OldExpiresAt, want.NewExpiresAt,
			got.Type, show(got.TenantID), got.CredentialID, show(got.Actor), show(got.Reason), got.At, got.OldExpiresAt, got.NewExpiresAt)
	}
}

// events returns every event of a credential (or, with a zero id, of the
// tenant).
func (h *hostileRun) events(t *testing.T, tenant string, id uuid.UUID) []credential.Event {
	t.Helper()
	var all []credential.Event
	cursor := ""
	for {
		p, err := h.m.Events(t.Context(), apicred.EventsRequest{TenantID: tenant, CredentialID: id, PageRequest: apicred.PageRequest{Cursor: cursor, Limit: apicred.MaxPageSize}})
		require.NoError(t, err, "events of tenant %s", show(tenant))
		all = append(all, p.Events...)
		if cursor = p.NextCursor; cursor == "" {
			return all
		}
	}
}

// list returns every credential of a tenant.
func (h *hostileRun) list(t *testing.T, tenant string) []credential.Credential {
	t.Helper()
	var all []credential.Credential
	cursor := ""
	for {
		p, err := h.m.List(t.Context(), tenant, apicred.PageRequest{Cursor: cursor, Limit: apicred.MaxPageSize})
		require.NoError(t, err, "list of tenant %s", show(tenant))
		all = append(all, p.Credentials...)
		if cursor = p.NextCursor; cursor == "" {
			return all
		}
	}
}

// readBack checks a credential through Get, List (where it must be the
// only one its tenant has besides those created there before), its events
// and the tenant's events, which must end with wantEvent.
func (h *hostileRun) readBack(t *testing.T, label string, want credential.Credential, wantEvents int, wantEvent credential.Event) {
	t.Helper()
	ctx := t.Context()
	got, err := h.m.Get(ctx, want.TenantID, want.ID)
	if err != nil {
		t.Errorf("%s: Get after success: %v", label, err)
		return
	}
	sameCredential(t, label, "Get", want, got)

	listed := h.list(t, want.TenantID)
	found := false
	for _, c := range listed {
		if c.ID == want.ID {
			found = true
			sameCredential(t, label, "List", want, c)
		} else if !slices.Contains(h.tenants[want.TenantID], c.ID) {
			t.Errorf("%s: List of tenant %s shows credential %s of another tenant (%s)", label, show(want.TenantID), c.ID, show(c.TenantID))
		}
	}
	if !found {
		t.Errorf("%s: List of tenant %s does not show credential %s", label, show(want.TenantID), want.ID)
	}

	es := h.events(t, want.TenantID, want.ID)
	if len(es) != wantEvents {
		t.Errorf("%s: %d events, want %d", label, len(es), wantEvents)
		return
	}
	sameEvent(t, label, "Events of the credential", wantEvent, es[len(es)-1])
	tenantEvents := h.events(t, want.TenantID, uuid.Nil)
	if len(tenantEvents) == 0 {
		t.Errorf("%s: no events for the tenant", label)
		return
	}
	sameEvent(t, label, "Events of the tenant", wantEvent, tenantEvents[len(tenantEvents)-1])
	for _, e := range tenantEvents {
		if e.TenantID != want.TenantID {
			t.Errorf("%s: Events of tenant %s returns an event of tenant %s", label, show(want.TenantID), show(e.TenantID))
		}
	}
}

// issue makes one hostile Issue call and checks its outcome. mustRefuse,
// when not empty, is the rule the input breaks: it may not be accepted.
// It returns the credential and its secret when the call succeeded.
func (h *hostileRun) issue(t *testing.T, label, family string, req apicred.IssueRequest, mustRefuse string) (credential.Credential, string, bool) {
	t.Helper()
	ctx := t.Context()
	before := h.counts(t)
	var is apicred.Issued
	p, err := protect(func() (err error) {
		is, err = h.m.Issue(ctx, req)
		return err
	})
	if panicked(t, label, "Issue", p) {
		return credential.Credential{}, "", false
	}
	if err != nil {
		h.refused[family]++
		h.refusal(t, label, family, err, before, false)
		return credential.Credential{}, "", false
	}
	h.accepted[family]++
	if mustRefuse != "" {
		t.Errorf("%s: Issue ACCEPTED an input it must refuse: %s; it stored a credential with expiry %v", label, mustRefuse, is.Credential.ExpiresAt)
	}
	h.wrote(t, label, before, 1, 0)
	env := req.Environment
	if env == "" {
		env = credential.EnvironmentLive
	}
	want := credential.Credential{
		ID: is.Credential.ID, TenantID: req.TenantID, Name: strings.TrimSpace(req.Name), ContactEmail: req.ContactEmail,
		Access: req.Access, Scopes: req.Scopes, Metadata: req.Metadata, Environment: env, ExpiresAt: truncUTC(req.ExpiresAt),
	}
	sameCredential(t, label, "Issue's result", want, is.Credential)
	h.tenants[req.TenantID] = append(h.tenants[req.TenantID], is.Credential.ID)
	h.readBack(t, label, want, 1, credential.Event{
		Type: credential.EventCreated, TenantID: req.TenantID, CredentialID: is.Credential.ID,
		Actor: req.Actor, At: truncUTC(h.clock.Now()), NewExpiresAt: want.ExpiresAt,
	})
	pr, err := h.m.Authenticate(ctx, is.ClientID, []byte(is.Secret.Reveal()))
	if err != nil {
		t.Errorf("%s: the issued secret does not authenticate: %v", label, err)
	} else if pr.TenantID != req.TenantID || pr.CredentialID != is.Credential.ID {
		t.Errorf("%s: authenticated as tenant %s credential %s", label, show(pr.TenantID), pr.CredentialID)
	}
	return is.Credential, is.Secret.Reveal(), true
}

// issueFields sends every hostile string through every string field of
// Issue, and the count limits of scopes and metadata.
func (h *hostileRun) issueFields(t *testing.T) {
	fields := []struct {
		family string
		set    func(r *apicred.IssueRequest, v string)
	}{
		{"tenant_id", func(r *apicred.IssueRequest, v string) { r.TenantID = v }},
		{"name", func(r *apicred.IssueRequest, v string) { r.Name = v }},
		{"contact_email", func(r *apicred.IssueRequest, v string) { r.ContactEmail = v }},
		{"access", func(r *apicred.IssueRequest, v string) { r.Access = credential.Access(v) }},
		{"scopes", func(r *apicred.IssueRequest, v string) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{v, "things:read"}
		}},
		{"scopes", func(r *apicred.IssueRequest, v string) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{"things:read", v}
		}},
		{"metadata", func(r *apicred.IssueRequest, v string) { r.Metadata = map[string]string{v: "value", "team": "erp"} }},
		{"metadata", func(r *apicred.IssueRequest, v string) { r.Metadata = map[string]string{"team": "erp", "note": v} }},
		{"environment", func(r *apicred.IssueRequest, v string) { r.Environment = credential.Environment(v) }},
		{"actor", func(r *apicred.IssueRequest, v string) { r.Actor = v }},
	}
	for i, f := range fields {
		for _, v := range allHostile() {
			req := h.baseIssue()
			f.set(&req, v)
			h.issue(t, fmt.Sprintf("Issue #%d %s=%s", i, f.family, show(v)), f.family, req, "")
		}
	}

	// Values at the limits, which must be accepted and kept whole.
	emoji := func(n int) string { return strings.Repeat("😀", n) }
	email254 := strings.Repeat("a", credential.MaxEmailLen-len("@example.com")) + "@example.com"
	scope128 := "a:" + strings.Repeat("b", credential.MaxScopeLen-2)
	atLimit := []struct {
		label, family string
		set           func(r *apicred.IssueRequest)
	}{
		{"tenant of 128 ASCII", "tenant_id", func(r *apicred.IssueRequest) { r.TenantID = strings.Repeat("t", credential.MaxTenantIDLen) }},
		{"tenant of 128 emoji (512 bytes)", "tenant_id", func(r *apicred.IssueRequest) { r.TenantID = emoji(credential.MaxTenantIDLen) }},
		{"name of 200 emoji", "name", func(r *apicred.IssueRequest) { r.Name = emoji(credential.MaxNameLen) }},
		{"name of 200 emoji with spaces around", "name", func(r *apicred.IssueRequest) { r.Name = " \t" + emoji(credential.MaxNameLen) + "\u00a0 " }},
		{"email of 254 bytes", "contact_email", func(r *apicred.IssueRequest) { r.ContactEmail = email254 }},
		{"scope of 128 bytes", "scopes", func(r *apicred.IssueRequest) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{scope128}
		}},
		{"64 scopes of 128 bytes", "scopes", func(r *apicred.IssueRequest) {
			r.Access = credential.AccessFineGrained
			for i := range credential.MaxScopes {
				s := fmt.Sprintf("a%02d:", i)
				r.Scopes = append(r.Scopes, s+strings.Repeat("b", credential.MaxScopeLen-len(s)))
			}
		}},
		{"metadata key of 64 bytes", "metadata", func(r *apicred.IssueRequest) {
			r.Metadata = map[string]string{strings.Repeat("k", credential.MaxMetadataKeyLen): "v"}
		}},
		{"16 metadata entries of 256 emoji", "metadata", func(r *apicred.IssueRequest) {
			r.Metadata = map[string]string{}
			for i := range credential.MaxMetadataEntries {
				r.Metadata[fmt.Sprintf("key.%02d-x_Y", i)] = emoji(credential.MaxMetadataValLen)
			}
		}},
		{"actor of 256 emoji", "actor", func(r *apicred.IssueRequest) { r.Actor = emoji(credential.MaxActorLen) }},
		{"test environment", "environment", func(r *apicred.IssueRequest) { r.Environment = credential.EnvironmentTest }},
	}
	for _, c := range atLimit {
		req := h.baseIssue()
		c.set(&req)
		if _, _, ok := h.issue(t, "Issue "+c.label, c.family, req, ""); !ok {
			t.Errorf("Issue %s: refused a value within the limits", c.label)
		}
	}

	// Just over the limits that are not lengths of one string.
	overLimit := []struct {
		label, family string
		set           func(r *apicred.IssueRequest)
	}{
		{"email of 255 bytes", "contact_email", func(r *apicred.IssueRequest) { r.ContactEmail = "a" + email254 }},
		{"scope of 129 bytes", "scopes", func(r *apicred.IssueRequest) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{scope128 + "b"}
		}},
		{"65 scopes", "scopes", func(r *apicred.IssueRequest) {
			r.Access = credential.AccessFineGrained
			for i := range credential.MaxScopes + 1 {
				r.Scopes = append(r.Scopes, fmt.Sprintf("s%d:read", i))
			}
		}},
		{"a duplicate scope", "scopes", func(r *apicred.IssueRequest) {
			r.Access, r.Scopes = credential.AccessFineGrained, []string{"things:read", "things:read"}
		}},
		{"scopes with full access", "scopes", func(r *apicred.IssueRequest) { r.Scopes = []string{"things:read"} }},
		{"fine grained access without scopes", "scopes", func(r *apicred.IssueRequest) { r.Access = credential.AccessFineGrained }},
		{"metadata key of 65 bytes", "metadata", func(r *apicred.IssueRequest) {
			r.Metadata = map[string]string{strings.Repeat("k", credential.MaxMetadataKeyLen+1): "v"}
		}},
		{"17 metadata entries", "metadata", func(r *apicred.IssueRequest) {
			r.Metadata = map[string]string{}
			for i := range credential.MaxMetadataEntries + 1 {
				r.Metadata[fmt.Sprintf("k%d", i)] = "v"
			}
		}},
	}
	for _, c := range overLimit {
		req := h.baseIssue()
		c.set(&req)
		h.issue(t, "Issue "+c.label, c.family, req, "it is over a limit of rule R13")
	}

	// Email addresses that are valid and still hostile, and near misses.
	for _, v := range []string{
		`"'; DROP TABLE credentials; --"@example.com`, `o'reilly@example.com`, `"a\"b"@example.com`, `"a\\b"@example.com`,
		`user+tag@example.com`, `a%b_c@example.com`, `üñîçøðé@example.com`, `😀@example.com`, `x@[127.0.0.1]`,
		`x@例え.テスト`, `"a b"@example.com`, `"\u202Eevil"@example.com`, `"a\x00b"@example.com`, `"a\r\nb"@example.com`,
		`Name <dev@example.com>`, `dev@example.com (comment)`, ` dev@example.com`, `dev@localhost`, `@example.com`, `dev@`,
		`dev@example.com, other@example.com`, "dev@example.com\n",
	} {
		req := h.baseIssue()
		req.ContactEmail = v
		h.issue(t, "Issue contact_email="+show(v), "contact_email", req, "")
	}
}

// timeProbe is an odd time sent as an expiry.
type timeProbe struct {
	label string
	t     time.Time
}

// oddTimes are the expiry times tried, around the Manager's now.
func oddTimes(now time.Time) []timeProbe {
	mnow := truncUTC(now)
	later := mnow.Add(100*time.Hour + 123456789*time.Nanosecond)
	return []timeProbe{
		{"zero (no expiry)", time.Time{}},
		{"year 1, 00:00 UTC (the zero instant)", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year 1, 01:00+01:00 (the zero instant in another zone)", time.Date(1, 1, 1, 1, 0, 0, 0, time.FixedZone("+01:00", 3600))},
		{"year 1 plus 1 ns (truncates to the zero instant)", time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{"year 1 plus 999 ns (truncates to the zero instant)", time.Date(1, 1, 1, 0, 0, 0, 999, time.UTC)},
		{"year 1 plus 1 µs", time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)},
		{"year 1, 00:00-05:00", time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("-05:00", -5*3600))},
		{"year -300000", time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"the Unix epoch", time.Unix(0, 0)},
		{"now", now},
		{"now plus 999 ns (truncates to now)", mnow.Add(999)},
		{"now plus 1 µs", mnow.Add(time.Microsecond)},
		{"in 100 h with nanoseconds, in +05:45", later.In(time.FixedZone("+05:45", 5*3600+45*60))},
		{"in 100 h, in an offset with seconds (-04:56:02)", later.In(time.FixedZone("LMT", -(4*3600 + 56*60 + 2)))},
		{"in 100 h, in time.Local", later.In(time.Local)},
		{"in 100 h, with a monotonic reading", time.Now().Add(time.Until(later))},
		{"9999-12-31T23:59:59.999999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{"9999-12-31T23:59:59.999999999+14:00", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("+14:00", 14*3600))},
		{"9999-12-31T23:59:59-12:00 (year 10000 in UTC)", time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("-12:00", -12*3600))},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year 300000 (beyond int64 microseconds since 1970)", time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
}

// mustRefuseExpiry says which rule an expiry breaks, if any: rule R6
// refuses any time given (not the zero time, which means "none") that is
// not strictly after now once normalised, including a time so close to the
// zero instant that it truncates to it.
func mustRefuseExpiry(now, at time.Time) string {
	switch {
	case at.IsZero() || truncUTC(at).After(truncUTC(now)):
		return ""
	case truncUTC(at).IsZero():
		return fmt.Sprintf("the expiry %s is in the past (rule R6), but truncated to microseconds it becomes the zero time, which the Manager takes for \"no expiry\"", at.Format(time.RFC3339Nano))
	}
	return fmt.Sprintf("the expiry %s is not in the future (rule R6)", at.Format(time.RFC3339Nano))
}

// issueTimes sends every odd time as the expiry of a new credential.
func (h *hostileRun) issueTimes(t *testing.T) {
	for _, p := range oddTimes(h.clock.Now()) {
		req := h.baseIssue()
		req.ExpiresAt = p.t
		h.issue(t, "Issue expires_at="+p.label, "expires_at", req, mustRefuseExpiry(h.clock.Now(), p.t))
	}
}

// subject is a credential that change calls are made on.
type subject struct {
	tenant   string
	id       uuid.UUID
	clientID string
}

// newSubject issues a plain credential in a fresh tenant.
func (h *hostileRun) newSubject(t *testing.T) subject {
	t.Helper()
	req := h.baseIssue()
	is, err := h.m.Issue(t.Context(), req)
	require.NoError(t, err)
	h.tenants[req.TenantID] = append(h.tenants[req.TenantID], is.Credential.ID)
	return subject{tenant: req.TenantID, id: is.Credential.ID, clientID: is.ClientID}
}

// change makes one hostile Rotate, Revoke or SetExpiry call on s, through
// tenant, and checks its outcome: a refusal naming family (or, for a
// tenant, ErrNotFound: the credential is not in it), or success that
// changed exactly what next says and wrote one event of type typ.
func (h *hostileRun) change(t *testing.T, label, family string, s subject, typ credential.EventType, actor, reason string,
	call func(ctx context.Context) (credential.Credential, error), next func(c *credential.Credential, e *credential.Event), mustRefuse string) bool {
	t.Helper()
	ctx := t.Context()
	prev, err := h.m.Get(ctx, s.tenant, s.id)
	require.NoError(t, err)
	prevEvents := len(h.events(t, s.tenant, s.id))
	before := h.counts(t)
	var got credential.Credential
	p, err := protect(func() (err error) {
		got, err = call(ctx)
		return err
	})
	if panicked(t, label, string(typ), p) {
		return false
	}
	if err != nil {
		h.refused[family]++
		h.refusal(t, label, family, err, before, family == "tenant_id")
		return false
	}
	h.accepted[family]++
	if mustRefuse != "" {
		t.Errorf("%s: %s ACCEPTED an input it must refuse: %s; the credential now reads expiry %v", label, typ, mustRefuse, got.ExpiresAt)
	}
	if family == "tenant_id" {
		t.Errorf("%s: %s SUCCEEDED through another tenant than the credential's", label, typ)
	}
	h.wrote(t, label, before, 0, 1)
	want := prev
	e := credential.Event{Type: typ, TenantID: s.tenant, CredentialID: s.id, Actor: actor, Reason: reason, At: truncUTC(h.clock.Now())}
	next(&want, &e)
	sameCredential(t, label, string(typ)+"'s result", want, got)
	h.readBack(t, label, want, prevEvents+1, e)
	return true
}

func (h *hostileRun) rotate(t *testing.T, label, family string, s subject, tenant, actor, reason string) bool {
	t.Helper()
	var secret string
	ok := h.change(t, label, family, s, credential.EventRotated, actor, reason, func(ctx context.Context) (credential.Credential, error) {
		is, err := h.m.Rotate(ctx, apicred.RotateRequest{TenantID: tenant, ID: s.id, Actor: actor, Reason: reason})
		secret = is.Secret.Reveal()
		return is.Credential, err
	}, func(*credential.Credential, *credential.Event) {}, "")
	if ok {
		if _, err := h.m.Authenticate(t.Context(), s.clientID, []byte(secret)); err != nil {
			t.Errorf("%s: the rotated secret does not authenticate: %v", label, err)
		}
	}
	return ok
}

func (h *hostileRun) revoke(t *testing.T, label, family string, s subject, tenant, actor, reason string) bool {
	t.Helper()
	return h.change(t, label, family, s, credential.EventRevoked, actor, reason, func(ctx context.Context) (credential.Credential, error) {
		return h.m.Revoke(ctx, apicred.RevokeRequest{TenantID: tenant, ID: s.id, Actor: actor, Reason: reason})
	}, func(c *credential.Credential, _ *credential.Event) { c.RevokeReason = reason }, "")
}

func (h *hostileRun) setExpiry(t *testing.T, label, family string, s subject, tenant, actor, reason string, at time.Time, mustRefuse string) bool {
	t.Helper()
	return h.change(t, label, family, s, credential.EventExpiryChanged, actor, reason, func(ctx context.Context) (credential.Credential, error) {
		return h.m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: tenant, ID: s.id, ExpiresAt: at, Actor: actor, Reason: reason})
	}, func(c *credential.Credential, e *credential.Event) {
		e.OldExpiresAt, e.NewExpiresAt = c.ExpiresAt, truncUTC(at)
		c.ExpiresAt = truncUTC(at)
	}, mustRefuse)
}

// maxSubjectEvents is how many events a subject of change probes collects
// before the next probe takes a new one, so that reading back its events
// stays cheap.
const maxSubjectEvents = 8

// rotateFields sends every hostile string as the actor, the reason and the
// tenant of Rotate.
func (h *hostileRun) rotateFields(t *testing.T) {
	s, changes := h.newSubject(t), 0
	try := func(label, family, tenant, actor, reason string) {
		if h.rotate(t, label, family, s, tenant, actor, reason) {
			if changes++; changes >= maxSubjectEvents {
				s, changes = h.newSubject(t), 0
			}
		}
	}
	for _, v := range allHostile() {
		try("Rotate actor="+show(v), "actor", s.tenant, v, "")
		try("Rotate reason="+show(v), "reason", s.tenant, "tester", v)
		try("Rotate tenant_id="+show(v), "tenant_id", v, "tester", "")
	}
	try("Rotate reason of 1000 emoji", "reason", s.tenant, "tester", strings.Repeat("😀", credential.MaxReasonLen))
	try("Rotate reason with CR, LF and tab", "reason", s.tenant, "tester", "line1\r\nline2\ttab\n")
}

// revokeFields sends every hostile string as the actor, the reason and the
// tenant of Revoke. A revocation that succeeds uses up its credential.
func (h *hostileRun) revokeFields(t *testing.T) {
	s := h.newSubject(t)
	try := func(label, family, tenant, actor, reason string) {
		if h.revoke(t, label, family, s, tenant, actor, reason) {
			s = h.newSubject(t)
		}
	}
	for _, v := range allHostile() {
		try("Revoke actor="+show(v), "actor", s.tenant, v, "hostile probe")
		try("Revoke reason="+show(v), "reason", s.tenant, "tester", v)
		try("Revoke tenant_id="+show(v), "tenant_id", v, "tester", "hostile probe")
	}
	try("Revoke reason of 1000 emoji", "reason", s.tenant, "tester", strings.Repeat("😀", credential.MaxReasonLen))
	try("Revoke reason with CR, LF and tab", "reason", s.tenant, "tester", "line1\r\nline2\ttab\n")
}

// expiryFields sends every hostile string as the actor, the reason and the
// tenant of SetExpiry, with a valid new expiry.
func (h *hostileRun) expiryFields(t *testing.T) {
	s, changes := h.newSubject(t), 0
	try := func(label, family, tenant, actor, reason string, at time.Time) {
		if h.setExpiry(t, label, family, s, tenant, actor, reason, at, "") {
			if changes++; changes >= maxSubjectEvents {
				s, changes = h.newSubject(t), 0
			}
		}
	}
	at := truncUTC(h.clock.Now()).Add(30 * 24 * time.Hour)
	for i, v := range allHostile() {
		at := at.Add(time.Duration(i) * time.Minute)
		try("SetExpiry actor="+show(v), "actor", s.tenant, v, "", at)
		try("SetExpiry reason="+show(v), "reason", s.tenant, "tester", v, at.Add(time.Second))
		try("SetExpiry tenant_id="+show(v), "tenant_id", v, "tester", "", at)
	}
	try("SetExpiry reason of 1000 emoji", "reason", s.tenant, "tester", strings.Repeat("😀", credential.MaxReasonLen), at.Add(time.Hour))
}

// expiryTimes sets every odd time as a new expiry, each on a credential
// of its own, first on one without expiry and then on one whose expiry is
// far away.
func (h *hostileRun) expiryTimes(t *testing.T) {
	now := h.clock.Now()
	for _, p := range oddTimes(now) {
		s := h.newSubject(t)
		h.setExpiry(t, "SetExpiry (from none) expires_at="+p.label, "expires_at", s, s.tenant, "tester", "", p.t, mustRefuseExpiry(now, p.t))
		s = h.newSubject(t)
		_, err := h.m.SetExpiry(t.Context(), apicred.ExpiryRequest{TenantID: s.tenant, ID: s.id, ExpiresAt: truncUTC(now).Add(40 * 24 * time.Hour), Actor: "tester"})
		require.NoError(t, err)
		h.setExpiry(t, "SetExpiry (from 40 days) expires_at="+p.label, "expires_at", s, s.tenant, "tester", "", p.t, mustRefuseExpiry(now, p.t))
	}
}

// hostileTenants returns the tenants that Issue accepted from the hostile
// probes (not the plain ones of the other probes).
func (h *hostileRun) hostileTenants() []string {
	var out []string
	for tenant := range h.tenants {
		if !strings.HasPrefix(tenant, "hostile-") {
			out = append(out, tenant)
		}
	}
	sort.Strings(out)
	return out
}

// changesInHostileTenants rotates, edits and revokes a credential in each
// hostile tenant that Issue accepted: the events carry the tenant
// verbatim.
func (h *hostileRun) changesInHostileTenants(t *testing.T) {
	tenants := h.hostileTenants()
	require.NotEmpty(t, tenants, "some hostile tenant IDs are valid")
	at := truncUTC(h.clock.Now()).Add(50 * 24 * time.Hour)
	for _, tenant := range tenants {
		is, err := h.m.Issue(t.Context(), apicred.IssueRequest{TenantID: tenant, Name: "change probe", Access: credential.AccessFull, Actor: "tester"})
		require.NoError(t, err, "Issue in tenant %s", show(tenant))
		h.tenants[tenant] = append(h.tenants[tenant], is.Credential.ID)
		s := subject{tenant: tenant, id: is.Credential.ID, clientID: is.ClientID}
		label := "in tenant " + show(tenant) + ": "
		if !h.rotate(t, label+"Rotate", "changes in hostile tenants", s, tenant, "tester", "rotation in a hostile tenant") {
			t.Errorf("%sRotate refused", label)
		}
		if !h.setExpiry(t, label+"SetExpiry", "changes in hostile tenants", s, tenant, "tester", "", at, "") {
			t.Errorf("%sSetExpiry refused", label)
		}
		if !h.revoke(t, label+"Revoke", "changes in hostile tenants", s, tenant, "tester", "revocation in a hostile tenant") {
			t.Errorf("%sRevoke refused", label)
		}
	}
}

// reads sends every hostile tenant through Get, List and Events: each is
// refused with a ValidationError on tenant_id, or answers exactly what the
// tenant holds. Reads write nothing.
func (h *hostileRun) reads(t *testing.T) {
	ctx := t.Context()
	other := h.newSubject(t)
	for _, v := range allHostile() {
		label := "reads of tenant_id=" + show(v)
		before := h.counts(t)
		var got credential.Credential
		p, err := protect(func() (err error) {
			got, err = h.m.Get(ctx, v, other.id)
			return err
		})
		if !panicked(t, label, "Get", p) {
			if err == nil {
				t.Errorf("%s: Get found credential %s of tenant %s", label, got.ID, show(got.TenantID))
			} else {
				h.refused["reads by tenant_id"]++
				h.refusal(t, label+" Get", "tenant_id", err, before, true)
			}
		}

		var page apicred.Page
		p, err = protect(func() (err error) {
			page, err = h.m.List(ctx, v, apicred.PageRequest{Limit: apicred.MaxPageSize})
			return err
		})
		if !panicked(t, label, "List", p) {
			if err != nil {
				h.refused["reads by tenant_id"]++
				h.refusal(t, label+" List", "tenant_id", err, before, false)
			} else {
				h.accepted["reads by tenant_id"]++
				var ids []uuid.UUID
				for _, c := range page.Credentials {
					ids = append(ids, c.ID)
				}
				if !sameIDs(ids, h.tenants[v]) {
					t.Errorf("%s: List returns %v, want exactly %v", label, ids, h.tenants[v])
				}
			}
		}

		var events apicred.EventPage
		p, err = protect(func() (err error) {
			events, err = h.m.Events(ctx, apicred.EventsRequest{TenantID: v, PageRequest: apicred.PageRequest{Limit: apicred.MaxPageSize}})
			return err
		})
		if !panicked(t, label, "Events", p) {
			if err != nil {
				h.refused["reads by tenant_id"]++
				h.refusal(t, label+" Events", "tenant_id", err, before, false)
			} else {
				h.accepted["reads by tenant_id"]++
				for _, e := range events.Events {
					if e.TenantID != v || !slices.Contains(h.tenants[v], e.CredentialID) {
						t.Errorf("%s: Events returns an event of tenant %s, credential %s", label, show(e.TenantID), e.CredentialID)
					}
				}
				if len(h.tenants[v]) > 0 && len(events.Events) == 0 {
					t.Errorf("%s: Events returns nothing for a tenant with credentials", label)
				}
			}
		}
		h.wrote(t, label, before, 0, 0)
	}
}

// sameIDs reports whether two lists hold the same IDs.
func sameIDs(a, b []uuid.UUID) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	cmp := func(p, q uuid.UUID) int { return strings.Compare(p.String(), q.String()) }
	slices.SortFunc(x, cmp)
	slices.SortFunc(y, cmp)
	return slices.Equal(x, y)
}

// isolation checks that each hostile tenant, and a plain one, lists
// exactly its own credentials and events: LIKE wildcards, case, white
// space and look-alike characters in tenant IDs do not mix tenants up.
// (Every other tenant was checked the same way when its credential was
// read back.)
func (h *hostileRun) isolation(t *testing.T) {
	tenants := append(h.hostileTenants(), "hostile-00001")
	require.Greater(t, len(tenants), 10)
	for _, tenant := range tenants {
		want := h.tenants[tenant]
		var ids []uuid.UUID
		for _, c := range h.list(t, tenant) {
			ids = append(ids, c.ID)
			if c.TenantID != tenant {
				t.Errorf("tenant %s lists a credential of tenant %s", show(tenant), show(c.TenantID))
			}
		}
		if !sameIDs(ids, want) {
			t.Errorf("tenant %s lists %d credentials %v, want exactly %v", show(tenant), len(ids), ids, want)
		}
		for _, e := range h.events(t, tenant, uuid.Nil) {
			if e.TenantID != tenant || !slices.Contains(want, e.CredentialID) {
				t.Errorf("tenant %s has an event of tenant %s, credential %s", show(tenant), show(e.TenantID), e.CredentialID)
			}
		}
	}
}

// stillWorks checks that, after everything, the store issues and
// authenticates, and that the SQL tables are all still there.
func (h *hostileRun) stillWorks(t *testing.T) {
	ctx := t.Context()
	is, err := h.m.Issue(ctx, apicred.IssueRequest{TenantID: "after-the-hostile-run", Name: "still works", Access: credential.AccessFineGrained, Scopes: []string{"things:read"}, Actor: "tester"})
	require.NoError(t, err)
	p, err := h.m.Authenticate(ctx, is.ClientID, []byte(is.Secret.Reveal()))
	require.NoError(t, err)
	require.Equal(t, "after-the-hostile-run", p.TenantID)
	require.True(t, p.HasScope("things:read"))
	for _, v := range allHostile() {
		_, err := h.m.Authenticate(ctx, v, []byte(is.Secret.Reveal()))
		require.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "client ID %s", show(v))
		_, err = h.m.Authenticate(ctx, is.ClientID, []byte(v))
		require.ErrorIs(t, err, apicred.ErrAuthenticationFailed, "secret %s", show(v))
	}
	if h.o.sql != nil {
		names, err := h.o.tables(ctx)
		require.NoError(t, err)
		for _, table := range []string{"credentials", "events", "schema_version"} {
			require.Contains(t, names, h.o.prefix+table)
		}
		creds, events, err := h.o.rowCounts(ctx)
		require.NoError(t, err)
		require.Greater(t, creds, int64(100))
		require.Greater(t, events, creds)
		t.Logf("%s: the tables hold %d credentials and %d events after the run", t.Name(), creds, events)
	}
}
