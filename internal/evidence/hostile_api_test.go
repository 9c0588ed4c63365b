package evidence

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred/adminapi"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// apiCredential is the part of the admin API's credential the test reads.
type apiCredential struct {
	ID           string            `json:"id"`
	TenantID     string            `json:"tenant_id"`
	Name         string            `json:"name"`
	ContactEmail string            `json:"contact_email"`
	Access       string            `json:"access"`
	Scopes       []string          `json:"scopes"`
	Metadata     map[string]string `json:"metadata"`
	Environment  string            `json:"environment"`
	ExpiresAt    *string           `json:"expires_at"`
	RevokeReason string            `json:"revoke_reason"`
}

// apiRun is the admin API part of a hostile run.
type apiRun struct {
	*hostileRun
	t    *testing.T
	srv  *httptest.Server
	logs *lockedBuffer
}

// hostileAPIToken is the one token the hostile API server accepts.
const hostileAPIToken = "tok-hostile"

// jsonSent is what a server decodes from a Go string sent in JSON:
// encoding/json replaces invalid UTF-8 with U+FFFD.
func jsonSent(v string) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		panic(err)
	}
	return s
}

// apiSample is every hostile string, with the long ones in four-byte
// characters only; the 1 MiB one is left out, as it would only meet the
// 64 KiB body limit (413), a documented refusal that tests nothing about
// the field.
func apiSample() []string {
	out := hostileStrings()
	for _, v := range longStrings() {
		if strings.HasPrefix(v, "😀") {
			out = append(out, v)
		}
	}
	return out
}

// do sends a request with the hostile token and returns the status and
// body.
func (a *apiRun) do(method, path, body string) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.srv.URL+"/admin"+path, rd)
	require.NoError(a.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+hostileAPIToken)
	client := a.srv.Client()
	// A router cleans a path with an empty segment, "." or ".." by
	// redirecting; the answer is the redirect, not where it leads.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	return resp.StatusCode, b
}

// status checks that an answer is one of allowed, and never a 500.
func (a *apiRun) status(label string, got int, body []byte, allowed ...int) bool {
	a.t.Helper()
	if slices.Contains(allowed, got) {
		return true
	}
	extra := ""
	if got >= 500 {
		extra = "\nadmin API log: " + string(a.logs.Bytes())
	}
	a.t.Errorf("%s: status %d, want one of %v: %s%s", label, got, allowed, body, extra)
	return false
}

// marshal encodes a request body.
func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// adminAPI sends the hostile strings through the admin API's JSON and
// path: create fields, the tenant of the path, rotate, revoke and expiry
// reasons, expiry times as text, and credential IDs. The answer is 201 or
// 200 with the value read back as it was decoded (names trimmed), or 400
// or 422 with nothing written; never a 500.
func (h *hostileRun) adminAPI(t *testing.T) {
	logs := &lockedBuffer{}
	admin, err := adminapi.New(h.m, func(r *http.Request, _ string) (string, error) {
		if r.Header.Get("Authorization") != "Bearer "+hostileAPIToken {
			return "", adminapi.ErrUnauthenticated
		}
		return "api-tester@example.com", nil
	}, adminapi.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", admin))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	a := &apiRun{hostileRun: h, t: t, srv: srv, logs: logs}

	fields := []struct {
		family string
		set    func(body map[string]any, v string)
	}{
		{"name", func(b map[string]any, v string) { b["name"] = v }},
		{"contact_email", func(b map[string]any, v string) { b["contact_email"] = v }},
		{"access", func(b map[string]any, v string) { b["access"] = v }},
		{"scopes", func(b map[string]any, v string) { b["access"], b["scopes"] = "fine_grained", []string{v} }},
		{"metadata", func(b map[string]any, v string) { b["metadata"] = map[string]string{v: "value"} }},
		{"metadata", func(b map[string]any, v string) { b["metadata"] = map[string]string{"note": v} }},
		{"environment", func(b map[string]any, v string) { b["environment"] = v }},
	}
	for _, f := range fields {
		for _, v := range apiSample() {
			tenant := h.freshTenant()
			body := map[string]any{"name": "API probe", "access": "full"}
			f.set(body, v)
			a.create(fmt.Sprintf("POST create %s=%s", f.family, show(v)), tenant, marshal(body), body)
		}
	}

	// Raw invalid UTF-8 in the body is a malformed request.
	for _, raw := range []string{"\xff\xfe", "\x80", "\xc0\xaf", "\xed\xa0\x80"} {
		for _, field := range []string{"name", "contact_email", "access", "environment"} {
			before := h.counts(t)
			body := `{"name":"API probe","access":"full","` + field + `":"` + raw + `"}`
			if field == "name" || field == "access" {
				body = `{"` + field + `":"` + raw + `"}`
			}
			status, b := a.do(http.MethodPost, "/tenants/"+h.freshTenant()+"/credentials", body)
			a.status(fmt.Sprintf("POST create with raw %q in %s", raw, field), status, b, http.StatusBadRequest)
			h.wrote(t, "raw invalid UTF-8 body", before, 0, 0)
		}
	}

	// The tenant of the path.
	for _, v := range apiSample() {
		a.createInTenant(v)
	}

	// Reasons of rotate, revoke and expiry edits.
	subj := a.subject()
	for _, v := range apiSample() {
		a.reason("rotate", subj, v)
		a.reason("expiry", subj, v)
		if a.reason("revoke", subj, v) {
			subj = a.subject()
		}
	}

	// Expiry times as text, in create and in an expiry edit.
	now := truncUTC(h.clock.Now())
	for _, s := range []string{
		"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000001Z", "0001-01-01T01:00:00+01:00", "1970-01-01T00:00:00Z",
		now.Format(time.RFC3339Nano), now.Add(999 * time.Nanosecond).Format(time.RFC3339Nano),
		now.Add(time.Microsecond).Format(time.RFC3339Nano),
		now.Add(100*time.Hour + 123456789).In(time.FixedZone("", 5*3600+45*60)).Format(time.RFC3339Nano),
		"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999+14:00", "9999-12-31T23:59:59-12:00",
		"not a time", "", " 2040-01-01T00:00:00Z", "2040-13-45T00:00:00Z", "2040-01-01", "+02040-01-01T00:00:00Z",
		"2040-01-01T00:00:00Z'; DROP TABLE credentials; --", "2040-01-01T00:00:00\x00Z",
	} {
		a.createExpiry(s)
		a.editExpiry(s)
	}
	for _, body := range []string{`{"name":"x","access":"full","expires_at":12345}`, `{"name":"x","access":"full","expires_at":true}`, `{"name":"x","access":"full","expires_at":{}}`} {
		before := h.counts(t)
		status, b := a.do(http.MethodPost, "/tenants/"+h.freshTenant()+"/credentials", body)
		a.status("POST create "+body, status, b, http.StatusBadRequest)
		h.wrote(t, body, before, 0, 0)
	}

	// Credential IDs of the path: not found, whatever they hold.
	for _, v := range apiSample() {
		allowed := []int{http.StatusNotFound}
		if !pathValueIsCanonical(v) {
			allowed = routingAnswers
		}
		before := h.counts(t)
		status, b := a.do(http.MethodGet, "/tenants/"+subj.tenant+"/credentials/"+url.PathEscape(v), "")
		a.status("GET credential id="+show(v), status, b, allowed...)
		status, b = a.do(http.MethodPost, "/tenants/"+subj.tenant+"/credentials/"+url.PathEscape(v)+"/revoke", `{"reason":"x"}`)
		a.status("POST revoke id="+show(v), status, b, allowed...)
		h.wrote(t, "credential id="+show(v), before, 0, 0)
	}
	require.NotContains(t, string(logs.Bytes()), "adminapi: request failed", "no request failed with a 500")
}

// create posts a create body in tenant and checks the answer.
func (a *apiRun) create(label, tenant, body string, sent map[string]any) {
	a.t.Helper()
	t := a.t
	before := a.counts(t)
	status, b := a.do(http.MethodPost, "/tenants/"+tenant+"/credentials", body)
	if !a.status(label, status, b, http.StatusCreated, http.StatusBadRequest, http.StatusUnprocessableEntity) {
		return
	}
	if status != http.StatusCreated {
		a.refused["api "+firstField(sent)]++
		a.wrote(t, label, before, 0, 0)
		return
	}
	a.accepted["api "+firstField(sent)]++
	a.wrote(t, label, before, 1, 0)
	var got struct {
		Credential apiCredential `json:"credential"`
	}
	require.NoError(t, json.Unmarshal(b, &got), label)
	a.tenants[tenant] = append(a.tenants[tenant], uuid.MustParse(got.Credential.ID))
	a.sameAPICredential(label, "the 201", tenant, sent, got.Credential)
	status, b = a.do(http.MethodGet, "/tenants/"+tenant+"/credentials/"+got.Credential.ID, "")
	if a.status(label+" then GET", status, b, http.StatusOK) {
		var again apiCredential
		require.NoError(t, json.Unmarshal(b, &again))
		a.sameAPICredential(label, "GET", tenant, sent, again)
	}
}

// firstField names the field a create body probes.
func firstField(body map[string]any) string {
	for _, k := range []string{"contact_email", "scopes", "metadata", "environment", "expires_at"} {
		if _, ok := body[k]; ok {
			return k
		}
	}
	if body["access"] != "full" {
		return "access"
	}
	return "name"
}

// sameAPICredential compares a credential the API answered with the
// values it was sent, as the server decoded them.
func (a *apiRun) sameAPICredential(label, where, tenant string, sent map[string]any, got apiCredential) {
	a.t.Helper()
	str := func(k, def string) string {
		if v, ok := sent[k].(string); ok {
			return jsonSent(v)
		}
		return def
	}
	want := apiCredential{
		TenantID: tenant, Name: strings.TrimSpace(str("name", "")), ContactEmail: str("contact_email", ""),
		Access: str("access", ""), Environment: str("environment", "live"), Scopes: []string{}, Metadata: map[string]string{},
	}
	if want.Environment == "" {
		want.Environment = "live"
	}
	if s, ok := sent["scopes"].([]string); ok {
		want.Scopes = nil
		for _, v := range s {
			want.Scopes = append(want.Scopes, jsonSent(v))
		}
	}
	if md, ok := sent["metadata"].(map[string]string); ok {
		for k, v := range md {
			want.Metadata[jsonSent(k)] = jsonSent(v)
		}
	}
	bad := got.TenantID != want.TenantID || got.Name != want.Name || got.ContactEmail != want.ContactEmail ||
		got.Access != want.Access || got.Environment != want.Environment || !slices.Equal(got.Scopes, want.Scopes) ||
		fmt.Sprint(got.Metadata) != fmt.Sprint(want.Metadata)
	if bad {
		a.t.Errorf("%s: %s does not read back what was sent:\n want tenant %s name %s email %s access %s env %s scopes %q metadata %q\n got  tenant %s name %s email %s access %s env %s scopes %q metadata %q",
			label, where,
			show(want.TenantID), show(want.Name), show(want.ContactEmail), show(want.Access), show(want.Environment), want.Scopes, want.Metadata,
			show(got.TenantID), show(got.Name), show(got.ContactEmail), show(got.Access), show(got.Environment), got.Scopes, got.Metadata)
	}
}

// pathValueIsCanonical reports whether a path segment holding v keeps the
// request path in the canonical form: an empty segment, a '/' inside it,
// "." and ".." are cleaned away, by http.ServeMux with a redirect and by
// the admin API with a 404 (see adminapi's isCleanPath).
func pathValueIsCanonical(v string) bool {
	return v != "" && v != "." && v != ".." && !strings.Contains(v, "/")
}

// routingAnswers are the answers to a path that is not canonical.
var routingAnswers = []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusNotFound}

// createInTenant creates a credential in tenant v, escaped into the path.
func (a *apiRun) createInTenant(v string) {
	a.t.Helper()
	t := a.t
	label := "POST create in tenant_id=" + show(v)
	before := a.counts(t)
	path := "/tenants/" + url.PathEscape(v) + "/credentials"
	status, b := a.do(http.MethodPost, path, `{"name":"API tenant probe","access":"full"}`)
	allowed := []int{http.StatusCreated, http.StatusBadRequest, http.StatusUnprocessableEntity}
	if !pathValueIsCanonical(v) {
		allowed = append(allowed, routingAnswers...)
	}
	if !a.status(label, status, b, allowed...) {
		return
	}
	if status != http.StatusCreated {
		a.refused["api tenant_id"]++
		a.wrote(t, label, before, 0, 0)
		return
	}
	a.accepted["api tenant_id"]++
	a.wrote(t, label, before, 1, 0)
	var got struct {
		Credential apiCredential `json:"credential"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	if got.Credential.TenantID != v {
		t.Errorf("%s: the 201 names tenant %s", label, show(got.Credential.TenantID))
	}
	a.tenants[v] = append(a.tenants[v], uuid.MustParse(got.Credential.ID))
	status, b = a.do(http.MethodGet, path, "")
	if a.status(label+" then list", status, b, http.StatusOK) {
		var page struct {
			Credentials []apiCredential `json:"credentials"`
		}
		require.NoError(t, json.Unmarshal(b, &page))
		var ids []uuid.UUID
		for _, c := range page.Credentials {
			ids = append(ids, uuid.MustParse(c.ID))
			if c.TenantID != v {
				t.Errorf("%s: the list shows tenant %s", label, show(c.TenantID))
			}
		}
		if !sameIDs(ids, a.tenants[v]) {
			t.Errorf("%s: the list shows %v, want %v", label, ids, a.tenants[v])
		}
	}
}

// apiSubject is a credential made through the API for change probes.
type apiSubject struct{ tenant, id string }

func (a *apiRun) subject() apiSubject {
	a.t.Helper()
	tenant := a.freshTenant()
	status, b := a.do(http.MethodPost, "/tenants/"+tenant+"/credentials", `{"name":"API change probe","access":"full"}`)
	require.Equal(a.t, http.StatusCreated, status, "%s", b)
	var got struct {
		Credential apiCredential `json:"credential"`
	}
	require.NoError(a.t, json.Unmarshal(b, &got))
	a.tenants[tenant] = append(a.tenants[tenant], uuid.MustParse(got.Credential.ID))
	return apiSubject{tenant: tenant, id: got.Credential.ID}
}

// apiEvents returns a credential's events through the API.
func (a *apiRun) apiEvents(s apiSubject) []map[string]any {
	a.t.Helper()
	status, b := a.do(http.MethodGet, "/tenants/"+s.tenant+"/credentials/"+s.id+"/events?limit=500", "")
	require.Equal(a.t, http.StatusOK, status, "%s", b)
	var page struct {
		Events []map[string]any `json:"events"`
	}
	require.NoError(a.t, json.Unmarshal(b, &page))
	return page.Events
}

// reason sends v as the reason of op on s and checks the answer; it
// reports whether the call succeeded.
func (a *apiRun) reason(op string, s apiSubject, v string) bool {
	a.t.Helper()
	t := a.t
	label := fmt.Sprintf("%s reason=%s", op, show(v))
	method, path, body := http.MethodPost, "/tenants/"+s.tenant+"/credentials/"+s.id+"/"+op, marshal(map[string]any{"reason": v})
	if op == "expiry" {
		at := truncUTC(a.clock.Now()).Add(60 * 24 * time.Hour).Format(time.RFC3339Nano)
		method, body = http.MethodPut, marshal(map[string]any{"reason": v, "expires_at": at})
	}
	before := a.counts(t)
	n := len(a.apiEvents(s))
	status, b := a.do(method, path, body)
	if !a.status(label, status, b, http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity) {
		return false
	}
	if status != http.StatusOK {
		a.refused["api reason"]++
		a.wrote(t, label, before, 0, 0)
		return false
	}
	a.accepted["api reason"]++
	a.wrote(t, label, before, 0, 1)
	es := a.apiEvents(s)
	if len(es) != n+1 {
		t.Errorf("%s: %d events, want %d", label, len(es), n+1)
		return true
	}
	if got := es[len(es)-1]["reason"]; got != jsonSent(v) {
		t.Errorf("%s: the event's reason reads back as %v", label, got)
	}
	if op == "revoke" {
		var c apiCredential
		require.NoError(t, json.Unmarshal(b, &c))
		if c.RevokeReason != jsonSent(v) {
			t.Errorf("%s: revoke_reason reads back as %s", label, show(c.RevokeReason))
		}
	}
	return true
}

// expiryVerdict checks an answer to an expiry sent as the text s: a time
// in the past (any text that parses, also one that parses to the zero
// instant) must be refused with 422; a future one must read back as the
// same instant in RFC 3339, UTC, microseconds, or, if that instant is
// after year 9999 (which RFC 3339 cannot write), be refused with 422;
// text that is not RFC 3339 must be refused with 422.
func (a *apiRun) expiryVerdict(label, s string, status int, body []byte, got *string) {
	a.t.Helper()
	t := a.t
	parsed, perr := time.Parse(time.RFC3339, s)
	mustRefuse := perr != nil || !truncUTC(parsed).After(truncUTC(a.clock.Now()))
	if mustRefuse {
		if status != http.StatusUnprocessableEntity {
			shown := "null"
			if got != nil {
				shown = *got
			}
			t.Errorf("%s: status %d with expires_at %s, want 422: the text names a time that is not in the future (rule R6)", label, status, shown)
		}
		return
	}
	if status == http.StatusUnprocessableEntity && truncUTC(parsed).Year() > 9999 {
		return
	}
	if status/100 != 2 {
		t.Errorf("%s: refused a future expiry: %d %s", label, status, body)
		return
	}
	if got == nil {
		t.Errorf("%s: the answer has no expiry", label)
		return
	}
	back, err := time.Parse(time.RFC3339, *got)
	if err != nil {
		t.Errorf("%s: the answer's expires_at %q is not RFC 3339 (%v): the API accepted an expiry it cannot write back", label, *got, err)
		return
	}
	if !back.Equal(truncUTC(parsed)) || !strings.HasSuffix(*got, "Z") {
		t.Errorf("%s: expires_at reads back as %s, want %s", label, *got, truncUTC(parsed).Format(time.RFC3339Nano))
	}
}

// createExpiry creates a credential with the expiry text s.
func (a *apiRun) createExpiry(s string) {
	a.t.Helper()
	t := a.t
	label := "POST create expires_at=" + show(s)
	before := a.counts(t)
	tenant := a.freshTenant()
	status, b := a.do(http.MethodPost, "/tenants/"+tenant+"/credentials", marshal(map[string]any{"name": "API expiry probe", "access": "full", "expires_at": s}))
	if !a.status(label, status, b, http.StatusCreated, http.StatusBadRequest, http.StatusUnprocessableEntity) {
		return
	}
	var got *string
	if status == http.StatusCreated {
		a.accepted["api expires_at"]++
		a.wrote(t, label, before, 1, 0)
		var c struct {
			Credential apiCredential `json:"credential"`
		}
		require.NoError(t, json.Unmarshal(b, &c))
		a.tenants[tenant] = append(a.tenants[tenant], uuid.MustParse(c.Credential.ID))
		got = c.Credential.ExpiresAt
	} else {
		a.refused["api expires_at"]++
		a.wrote(t, label, before, 0, 0)
	}
	a.expiryVerdict(label, s, status, b, got)
}

// editExpiry sets the expiry text s on a new credential whose expiry is
// 40 days away.
func (a *apiRun) editExpiry(s string) {
	a.t.Helper()
	t := a.t
	label := "PUT expiry expires_at=" + show(s)
	subj := a.subject()
	path := "/tenants/" + subj.tenant + "/credentials/" + subj.id + "/expiry"
	far := truncUTC(a.clock.Now()).Add(40 * 24 * time.Hour).Format(time.RFC3339Nano)
	status, b := a.do(http.MethodPut, path, marshal(map[string]any{"expires_at": far}))
	require.Equal(t, http.StatusOK, status, "%s", b)
	before := a.counts(t)
	status, b = a.do(http.MethodPut, path, marshal(map[string]any{"expires_at": s}))
	if !a.status(label, status, b, http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity) {
		return
	}
	var got *string
	if status == http.StatusOK {
		a.accepted["api expires_at"]++
		a.wrote(t, label, before, 0, 1)
		var c apiCredential
		require.NoError(t, json.Unmarshal(b, &c))
		got = c.ExpiresAt
	} else {
		a.refused["api expires_at"]++
		a.wrote(t, label, before, 0, 0)
	}
	a.expiryVerdict(label, s, status, b, got)
}
