package adminapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRefusesAMissingManagerOrAuthorizer(t *testing.T) {
	m, err := apicred.New(memstore.New())
	require.NoError(t, err)

	h, err := adminapi.New(nil, authorize)
	assert.ErrorIs(t, err, adminapi.ErrNoManager)
	assert.Nil(t, h)

	h, err = adminapi.New(m, nil)
	assert.ErrorIs(t, err, adminapi.ErrNoAuthorizer, "a management API is never mounted open")
	assert.Nil(t, h)
}

func TestNewRefusesBadOptions(t *testing.T) {
	m, err := apicred.New(memstore.New())
	require.NoError(t, err)
	for name, opt := range map[string]adminapi.Option{
		"a nil option":                    nil,
		"a zero body size":                adminapi.WithMaxBodySize(0),
		"a negative body size":            adminapi.WithMaxBodySize(-1),
		"a relative problem type base":    adminapi.WithProblemTypeBase("problems/"),
		"an empty problem type base":      adminapi.WithProblemTypeBase(""),
		"an unparsable problem type base": adminapi.WithProblemTypeBase("http://[::1"),
		"a nil logger":                    adminapi.WithLogger(nil),
	} {
		t.Run(name, func(t *testing.T) {
			h, err := adminapi.New(m, authorize, opt)
			assert.ErrorIs(t, err, adminapi.ErrInvalidOption)
			assert.Nil(t, h)
		})
	}
}

func TestValidationFailedNamesEveryBadFieldAndCreatesNothing(t *testing.T) {
	e := newEnv(t, withManagerOptions(apicred.WithKnownScopes("products:read")))
	r := e.do(http.MethodPost, "/tenants/acme/credentials", map[string]any{
		"name":          "   ",
		"contact_email": "not an email",
		"access":        "fine_grained",
		"scopes":        []string{"products:read", "Bad Scope", "orders:read"},
		"metadata":      map[string]string{"team": "bad\x00value"},
		"expires_at":    t0.Add(-time.Hour).Format(time.RFC3339),
		"environment":   "staging",
	})
	p := expectProblem(t, r, http.StatusUnprocessableEntity, "validation_failed")
	assert.ElementsMatch(t, []string{"name", "contact_email", "scopes[1]", "scopes[2]", "metadata.team", "expires_at", "environment"}, p.fields())
	for _, f := range p.Errors {
		assert.NotEmptyf(t, f.Message, "field %s has a message", f.Field)
	}
	creds, events := e.storeCount("acme")
	assert.Zero(t, creds, "nothing created")
	assert.Zero(t, events, "no event written")
}

func TestValidationFailedCases(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	base := "/tenants/acme/credentials/" + id
	for _, tc := range []struct {
		name           string
		method, target string
		body           any
		fields         []string
	}{
		{"an empty create body names the required fields", http.MethodPost, "/tenants/acme/credentials", nil, []string{"name", "access"}},
		{"full access with scopes is refused", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "full", "scopes": []string{"a:b"}}, []string{"scopes"}},
		{"fine grained access needs a scope", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "fine_grained"}, []string{"scopes"}},
		{"an unknown access level is refused", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "admin"}, []string{"access"}},
		{"an expiry that is now is not in the future", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "full", "expires_at": t0.Format(time.RFC3339Nano)}, []string{"expires_at"}},
		{"an expiry that is not RFC 3339 is a bad field", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "full", "expires_at": "next tuesday"}, []string{"expires_at"}},
		{"a date without a time is not RFC 3339", http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "full", "expires_at": "2031-01-01"}, []string{"expires_at"}},
		{"a tenant ID with surrounding spaces is refused", http.MethodGet, "/tenants/%20acme/credentials", nil, []string{"tenant_id"}},
		{"revoke without a reason", http.MethodPost, base + "/revoke", map[string]any{}, []string{"reason"}},
		{"revoke with an empty body", http.MethodPost, base + "/revoke", nil, []string{"reason"}},
		{"revoke with a blank reason", http.MethodPost, base + "/revoke", map[string]any{"reason": " \t "}, []string{"reason"}},
		{"rotate with a reason too long", http.MethodPost, base + "/rotate", map[string]any{"reason": strings.Repeat("x", credential.MaxReasonLen+1)}, []string{"reason"}},
		{"an expiry edit must say expires_at", http.MethodPut, base + "/expiry", map[string]any{"reason": "r"}, []string{"expires_at"}},
		{"an expiry edit with an empty body", http.MethodPut, base + "/expiry", nil, []string{"expires_at"}},
		{"an expiry edit to the past", http.MethodPut, base + "/expiry", map[string]any{"expires_at": t0.Add(-time.Second).Format(time.RFC3339Nano)}, []string{"expires_at"}},
		{"an expiry edit that is not RFC 3339", http.MethodPut, base + "/expiry", map[string]any{"expires_at": "soon"}, []string{"expires_at"}},
		{"a list with a bad cursor", http.MethodGet, "/tenants/acme/credentials?cursor=not-a-cursor", nil, []string{"cursor"}},
		{"a list with a cursor of the wrong length", http.MethodGet, "/tenants/acme/credentials?cursor=AAAA", nil, []string{"cursor"}},
		{"a list with a limit that is not a number", http.MethodGet, "/tenants/acme/credentials?limit=ten", nil, []string{"limit"}},
		{"a list with a limit too large", http.MethodGet, "/tenants/acme/credentials?limit=501", nil, []string{"limit"}},
		{"a list with a bad cursor and a bad limit", http.MethodGet, "/tenants/acme/credentials?limit=-1&cursor=%25", nil, []string{"cursor", "limit"}},
		{"credential events with a bad cursor", http.MethodGet, base + "/events?cursor=x", nil, []string{"cursor"}},
		{"tenant events with a bad cursor", http.MethodGet, "/tenants/acme/events?cursor=AAAAAAAAAAA", nil, []string{"cursor"}},
		{"tenant events with a bad limit", http.MethodGet, "/tenants/acme/events?limit=1.5", nil, []string{"limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.target, tc.body)
			p := expectProblem(t, r, http.StatusUnprocessableEntity, "validation_failed")
			assert.ElementsMatch(t, tc.fields, p.fields())
		})
	}
	creds, events := e.storeCount("acme")
	assert.Equal(t, 1, creds, "no refused request created anything")
	assert.Equal(t, 1, events, "no refused request wrote an event")
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	unknown := uuid.Must(uuid.NewV7()).String()
	for _, tc := range []struct{ name, method, target string }{
		{"an unknown ID", http.MethodGet, "/tenants/acme/credentials/" + unknown},
		{"an unknown ID on rotate", http.MethodPost, "/tenants/acme/credentials/" + unknown + "/rotate"},
		{"an unknown ID on events", http.MethodGet, "/tenants/acme/credentials/" + unknown + "/events"},
		{"an ID that is not a UUID", http.MethodGet, "/tenants/acme/credentials/123"},
		{"an ID that is not a UUID on revoke", http.MethodPost, "/tenants/acme/credentials/zzz/revoke"},
		{"a braced UUID", http.MethodGet, "/tenants/acme/credentials/%7B" + id + "%7D"},
		{"a UUID without hyphens", http.MethodGet, "/tenants/acme/credentials/" + strings.ReplaceAll(id, "-", "")},
		{"a URN UUID", http.MethodGet, "/tenants/acme/credentials/urn:uuid:" + id},
		{"an unknown route", http.MethodGet, "/credentials"},
		{"the root", http.MethodGet, "/"},
		{"a trailing slash", http.MethodGet, "/tenants/acme/credentials/" + id + "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblem(t, e.do(tc.method, tc.target, nil), http.StatusNotFound, "not_found")
		})
	}
}

func TestExpiryLockedInsideTheWindow(t *testing.T) {
	e := newEnv(t)
	expires := t0.UTC().Truncate(time.Microsecond).Add(100 * time.Hour)
	id := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": expires.Format(time.RFC3339Nano)}).Credential.ID
	path := "/tenants/acme/credentials/" + id + "/expiry"
	later := map[string]any{"expires_at": expires.Add(24 * time.Hour).Format(time.RFC3339Nano)}

	e.clock.Set(expires.Add(-72*time.Hour - time.Microsecond))
	got := e.get("acme", id)
	assert.True(t, got.ExpiryEditable, "72 hours and a microsecond to go: editable")
	assert.Nil(t, got.ExpiryBlockedBy)

	e.clock.Set(expires.Add(-72 * time.Hour))
	got = e.get("acme", id)
	assert.Equal(t, "active", got.State)
	assert.False(t, got.ExpiryEditable, "exactly 72 hours to go: locked")
	require.NotNil(t, got.ExpiryBlockedBy)
	assert.Equal(t, "expiry_locked", *got.ExpiryBlockedBy)
	p := expectProblem(t, e.do(http.MethodPut, path, later), http.StatusConflict, "expiry_locked")
	assert.Contains(t, p.Detail, "72 hours")
	expectProblem(t, e.do(http.MethodPut, path, map[string]any{"expires_at": nil}), http.StatusConflict, "expiry_locked")

	e.clock.Set(expires.Add(-time.Microsecond))
	expectProblem(t, e.do(http.MethodPut, path, later), http.StatusConflict, "expiry_locked")
	assert.Equal(t, "expiry_locked", *e.get("acme", id).ExpiryBlockedBy)
	assert.Len(t, e.events("acme", id), 1, "a refused edit writes no event")
}

func TestTheLockWindowFollowsTheManager(t *testing.T) {
	e := newEnv(t, withManagerOptions(apicred.WithExpiryLockWindow(90*time.Minute)))
	id := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": t0.Add(time.Hour).Format(time.RFC3339Nano)}).Credential.ID
	p := expectProblem(t, e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": nil}), http.StatusConflict, "expiry_locked")
	assert.Contains(t, p.Detail, "1h30m0s")
}

func TestExpiredCredentialsCannotRotateOrChangeExpiry(t *testing.T) {
	e := newEnv(t)
	expires := t0.UTC().Truncate(time.Microsecond).Add(time.Hour)
	created := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": expires.Format(time.RFC3339Nano)})
	id := created.Credential.ID
	e.clock.Set(expires)

	got := e.get("acme", id)
	assert.Equal(t, "expired", got.State, "expired at the exact expiry")
	assert.False(t, got.ExpiryEditable)
	assert.Equal(t, "credential_expired", *got.ExpiryBlockedBy)
	expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/rotate", nil), http.StatusConflict, "credential_expired")
	expectProblem(t, e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": expires.Add(48 * time.Hour).Format(time.RFC3339)}), http.StatusConflict, "credential_expired")
	expectProblem(t, e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": nil}), http.StatusConflict, "credential_expired")
	assert.Len(t, e.events("acme", id), 1)
}

func TestRevokedCredentialsCannotRotateOrChangeExpiryOrRevokeAgain(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	decode[credentialJSON](t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/revoke", map[string]any{"reason": "leak"}), http.StatusOK)

	expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/rotate", nil), http.StatusConflict, "credential_revoked")
	expectProblem(t, e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": t0.Add(30 * 24 * time.Hour).Format(time.RFC3339)}), http.StatusConflict, "credential_revoked")
	p := expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/revoke", map[string]any{"reason": "again"}), http.StatusConflict, "already_revoked")
	assert.NotEqual(t, "credential_revoked", p.Code, "a second revocation has its own code")
	assert.Len(t, e.events("acme", id), 2, "created and revoked, once")
}

// conflictStore loses every compare-and-swap, as if another writer always
// won the race.
type conflictStore struct{ *memstore.Store }

func (conflictStore) Update(context.Context, credential.Credential, credential.Event) error {
	return store.ErrConflict
}

func TestConflictWhenAConcurrentChangeWon(t *testing.T) {
	e := newEnv(t, withStore(conflictStore{memstore.New()}))
	id := e.create("acme", fullAccess("n")).Credential.ID
	expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/rotate", nil), http.StatusConflict, "conflict")
	expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/revoke", map[string]any{"reason": "r"}), http.StatusConflict, "conflict")
	expectProblem(t, e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": nil}), http.StatusConflict, "conflict")
}

func TestMalformedRequests(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	create := "/tenants/acme/credentials"
	for _, tc := range []struct {
		name, target, body string
	}{
		{"invalid JSON", create, `{"name":`},
		{"not JSON at all", create, `name=n&access=full`},
		{"an unknown field", create, `{"name":"n","access":"full","admin":true}`},
		{"a field in another case", create, `{"Name":"n","access":"full"}`},
		{"a repeated field", create, `{"name":"n","access":"full","name":"m"}`},
		{"trailing garbage", create, `{"name":"n","access":"full"} garbage`},
		{"a second object", create, `{"name":"n","access":"full"}{"name":"m","access":"full"}`},
		{"an array", create, `[{"name":"n","access":"full"}]`},
		{"null", create, `null`},
		{"a string", create, `"name"`},
		{"a name that is a number", create, `{"name":1,"access":"full"}`},
		{"scopes that are a string", create, `{"name":"n","access":"fine_grained","scopes":"a:b"}`},
		{"a scope that is a number", create, `{"name":"n","access":"fine_grained","scopes":[1]}`},
		{"metadata that is a list", create, `{"name":"n","access":"full","metadata":["a"]}`},
		{"a metadata value that is a number", create, `{"name":"n","access":"full","metadata":{"a":1}}`},
		{"an expiry that is a number", create, `{"name":"n","access":"full","expires_at":1893456000}`},
		{"an expiry that is an object", create, `{"name":"n","access":"full","expires_at":{}}`},
		{"invalid UTF-8", create, "{\"name\":\"\xff\",\"access\":\"full\"}"},
		{"an unknown field on rotate", "/tenants/acme/credentials/" + id + "/rotate", `{"why":"x"}`},
		{"a reason that is a bool", "/tenants/acme/credentials/" + id + "/revoke", `{"reason":true}`},
		{"white space only", "/tenants/acme/credentials/" + id + "/revoke", "  \n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := expectProblem(t, e.do(http.MethodPost, tc.target, tc.body), http.StatusBadRequest, "malformed_request")
			assert.NotContains(t, p.Detail, "garbage", "the detail does not echo the body")
		})
	}
	r := e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", `{"expires_at":null,"extra":1}`)
	expectProblem(t, r, http.StatusBadRequest, "malformed_request")
	creds, events := e.storeCount("acme")
	assert.Equal(t, 1, creds, "no malformed request created anything")
	assert.Equal(t, 1, events)
}

func TestMalformedDetailNamesTheFieldNotTheValue(t *testing.T) {
	e := newEnv(t)
	p := expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full","metadata":{"team":12345}}`), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, `The field "metadata" must be an object of strings; it holds a number.`, p.Detail)
	p = expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"fine_grained","scopes":["a:b",7]}`), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, `The field "scopes" must be a list of strings; it holds a number.`, p.Detail)
	p = expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full","expires_at":12345}`), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, `The field "expires_at" must be an RFC 3339 date-time string or null; it holds a number.`, p.Detail)
	p = expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full","metadata":[]}`), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, `The field "metadata" must be an object of strings; it holds an array.`, p.Detail)
	p = expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full","extra_field":1}`), http.StatusBadRequest, "malformed_request")
	assert.Contains(t, p.Detail, `"extra_field"`)

	// An unknown field that is not shaped like a field name, such as a
	// secret pasted in the wrong place, is refused without being echoed.
	const pasted = "ms_live_Lu4HGq3Z1xTBR95oyRai9KeZB5Eik0f5lH9dh8BJVou3j6jgf"
	w := e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full","`+pasted+`":1}`)
	p = expectProblem(t, w, http.StatusBadRequest, "malformed_request")
	assert.Equal(t, "The request body has an unknown field.", p.Detail)
	assert.NotContains(t, string(w.Body), pasted)
}

func TestRequestTooLarge(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	big := `{"name":"` + strings.Repeat("x", adminapi.DefaultMaxBodySize) + `","access":"full"}`
	p := expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", big), http.StatusRequestEntityTooLarge, "request_too_large")
	assert.Contains(t, p.Detail, "65536")
	expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/revoke", `{"reason":"`+strings.Repeat("r", 70<<10)+`"}`), http.StatusRequestEntityTooLarge, "request_too_large")

	t.Run("a body of unknown length is cut at the limit", func(t *testing.T) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/tenants/acme/credentials", strings.NewReader(big))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Actor", alice)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	})

	t.Run("the limit is an option", func(t *testing.T) {
		small := newEnv(t, withHandlerOptions(adminapi.WithMaxBodySize(40)))
		expectProblem(t, small.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"a name that is too long","access":"full"}`), http.StatusRequestEntityTooLarge, "request_too_large")
		assert.Equal(t, http.StatusCreated, small.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"short","access":"full"}`).Status)
	})
	creds, _ := e.storeCount("acme")
	assert.Equal(t, 1, creds)
}

func TestUnsupportedMediaType(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	body := `{"name":"n","access":"full"}`
	for _, tc := range []struct{ name, target, contentType string }{
		{"text/plain", "/tenants/acme/credentials", "text/plain"},
		{"a form", "/tenants/acme/credentials", "application/x-www-form-urlencoded"},
		{"a body without a Content-Type", "/tenants/acme/credentials", ""},
		{"JSON in another charset", "/tenants/acme/credentials", "application/json; charset=latin1"},
		{"an unparsable Content-Type", "/tenants/acme/credentials", "application/json; =;"},
		{"a JSON variant", "/tenants/acme/credentials", "application/merge-patch+json"},
		{"text/plain on revoke", "/tenants/acme/credentials/" + id + "/revoke", "text/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblem(t, e.do(http.MethodPost, tc.target, body, header("Content-Type", tc.contentType)), http.StatusUnsupportedMediaType, "unsupported_media_type")
		})
	}
	r := e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", `{"expires_at":null}`, header("Content-Type", "text/plain"))
	expectProblem(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
	creds, _ := e.storeCount("acme")
	assert.Equal(t, 1, creds)
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	for _, tc := range []struct{ method, target, allow string }{
		{http.MethodDelete, "/tenants/acme/credentials/" + id, "GET, HEAD"},
		{http.MethodPatch, "/tenants/acme/credentials/" + id, "GET, HEAD"},
		{http.MethodGet, "/tenants/acme/credentials/" + id + "/rotate", "POST"},
		{http.MethodGet, "/tenants/acme/credentials/" + id + "/revoke", "POST"},
		{http.MethodPost, "/tenants/acme/credentials/" + id + "/expiry", "PUT"},
		{http.MethodPut, "/tenants/acme/credentials", "POST, GET, HEAD"},
		{http.MethodPost, "/tenants/acme/events", "GET, HEAD"},
		{http.MethodPost, "/scopes", "GET, HEAD"},
		{http.MethodDelete, "/openapi.json", "GET, HEAD"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			r := e.do(tc.method, tc.target, nil)
			expectProblem(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
			assert.Equal(t, tc.allow, r.Header.Get("Allow"))
		})
	}
	assert.Equal(t, int64(1), e.authorized.Load(), "only the create was authorized: a wrong method is refused first")
}

// failingStore is a store whose reads and writes fail, like a database
// that is down.
type failingStore struct{ *memstore.Store }

var errStoreDown = errors.New("store: dial tcp 10.0.0.7:5432: connection refused")

func (failingStore) Create(context.Context, credential.Credential, credential.Event) error {
	return errStoreDown
}

func (failingStore) Get(context.Context, string, uuid.UUID) (credential.Credential, error) {
	return credential.Credential{}, errStoreDown
}

func (failingStore) List(context.Context, store.ListQuery) ([]credential.Credential, error) {
	return nil, errStoreDown
}

func (failingStore) ListEvents(context.Context, store.EventQuery) ([]credential.Event, error) {
	return nil, errStoreDown
}

func TestAFailingStoreIsAnInternalErrorThatSaysNothing(t *testing.T) {
	e := newEnv(t, withStore(failingStore{memstore.New()}))
	id := uuid.Must(uuid.NewV7()).String()
	for _, tc := range []struct {
		method, target string
		body           any
	}{
		{http.MethodPost, "/tenants/acme/credentials", fullAccess("n")},
		{http.MethodGet, "/tenants/acme/credentials", nil},
		{http.MethodGet, "/tenants/acme/credentials/" + id, nil},
		{http.MethodPost, "/tenants/acme/credentials/" + id + "/rotate", nil},
		{http.MethodPost, "/tenants/acme/credentials/" + id + "/revoke", map[string]string{"reason": "r"}},
		{http.MethodPut, "/tenants/acme/credentials/" + id + "/expiry", map[string]any{"expires_at": nil}},
		{http.MethodGet, "/tenants/acme/credentials/" + id + "/events", nil},
		{http.MethodGet, "/tenants/acme/events", nil},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			r := e.do(tc.method, tc.target, tc.body)
			p := expectProblem(t, r, http.StatusInternalServerError, "internal")
			assert.NotContains(t, string(r.Body), "10.0.0.7", "the body says nothing of the cause")
			assert.NotContains(t, p.Detail, "store")
		})
	}
	logs := e.logs.String()
	assert.Contains(t, logs, "connection refused", "the cause is logged")
	assert.Contains(t, logs, `route="POST /tenants/{tenant}/credentials"`, "with the route pattern")
	assert.Contains(t, logs, "level=ERROR")
}

func TestAuthorizationFailures(t *testing.T) {
	e := newEnv(t)
	id := e.create("acme", fullAccess("n")).Credential.ID
	before := e.logs.String()
	expectProblem(t, e.do(http.MethodGet, "/tenants/acme/credentials/"+id, nil, as(nobody)), http.StatusUnauthorized, "unauthenticated")
	expectProblem(t, e.do(http.MethodGet, "/tenants/acme/credentials/"+id, nil, as(mallory)), http.StatusForbidden, "forbidden")
	assert.Equal(t, before, e.logs.String(), "expected refusals are not logged")

	expectProblem(t, e.do(http.MethodGet, "/tenants/acme/credentials/"+id, nil, as(brokenActor)), http.StatusForbidden, "forbidden")
	assert.Contains(t, e.logs.String(), "directory unavailable", "an unexpected authorization error is logged")
	assert.Contains(t, e.logs.String(), "level=WARN")

	r := e.do(http.MethodPost, "/tenants/acme/credentials", fullAccess("m"), as(emptyActor))
	expectProblem(t, r, http.StatusInternalServerError, "internal")
	assert.Contains(t, e.logs.String(), "actor", "an unusable actor is a logged server fault")
	creds, _ := e.storeCount("acme")
	assert.Equal(t, 1, creds, "an unusable actor creates nothing")
}

func TestProblemTypeBaseIsAnOption(t *testing.T) {
	e := newEnv(t, withHandlerOptions(adminapi.WithProblemTypeBase("urn:example:problem:")))
	r := e.do(http.MethodGet, "/nothing", nil)
	var p problem
	require.NoError(t, json.Unmarshal(r.Body, &p))
	assert.Equal(t, "urn:example:problem:not_found", p.Type)
}
