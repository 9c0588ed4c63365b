package adminapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 starts every fake clock: not UTC and with nanoseconds, so that the
// responses prove the times were normalised.
var t0 = time.Date(2030, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// fakeClock is a settable clock for the Manager.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// The actors of the test authorize function, chosen by the X-Actor header.
const (
	alice       = "alice@example.com" // the default: may manage every tenant
	acmeAdmin   = "acme-admin"        // may manage tenant "acme" only
	mallory     = "mallory"           // ErrForbidden everywhere
	brokenActor = "broken"            // an unexpected error: 403, logged
	emptyActor  = "empty"             // a nil error with an empty actor: 500
	nobody      = ""                  // no X-Actor: ErrUnauthenticated
)

// authorize is the toy AuthorizeFunc of the tests.
func authorize(r *http.Request, tenantID string) (string, error) {
	switch actor := r.Header.Get("X-Actor"); actor {
	case nobody:
		return "", adminapi.ErrUnauthenticated
	case mallory:
		return "", adminapi.ErrForbidden
	case brokenActor:
		return "", errors.New("directory unavailable")
	case emptyActor:
		return "", nil
	case acmeAdmin:
		if tenantID != "acme" {
			return "", adminapi.ErrForbidden
		}
		return actor, nil
	default:
		return actor, nil
	}
}

// env is a Handler over a Manager with a fake clock.
type env struct {
	t     *testing.T
	clock *fakeClock
	store store.Store
	m     *apicred.Manager
	h     *adminapi.Handler
	logs  *syncBuffer
	// authorized counts the calls of the authorize function.
	authorized atomic.Int64

	mu        sync.Mutex
	responses []response
}

type envConfig struct {
	store   store.Store
	manager []apicred.Option
	handler []adminapi.Option
}

type envOption func(*envConfig)

func withStore(s store.Store) envOption {
	return func(c *envConfig) { c.store = s }
}

func withManagerOptions(opts ...apicred.Option) envOption {
	return func(c *envConfig) { c.manager = append(c.manager, opts...) }
}

func withHandlerOptions(opts ...adminapi.Option) envOption {
	return func(c *envConfig) { c.handler = append(c.handler, opts...) }
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{store: memstore.New()}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, clock: &fakeClock{now: t0}, store: cfg.store, logs: &syncBuffer{}}
	m, err := apicred.New(cfg.store, append([]apicred.Option{apicred.WithClock(e.clock.Now)}, cfg.manager...)...)
	require.NoError(t, err)
	e.m = m
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	counting := func(r *http.Request, tenantID string) (string, error) {
		e.authorized.Add(1)
		return authorize(r, tenantID)
	}
	h, err := adminapi.New(m, counting, append([]adminapi.Option{adminapi.WithLogger(logger)}, cfg.handler...)...)
	require.NoError(t, err)
	e.h = h
	return e
}

// response is one recorded answer.
type response struct {
	Method, Target string
	Status         int
	Header         http.Header
	Body           []byte
}

// request options.
type reqOption func(*http.Request)

// as makes the request as actor ("" for no X-Actor at all).
func as(actor string) reqOption {
	return func(r *http.Request) {
		if actor == nobody {
			r.Header.Del("X-Actor")
		} else {
			r.Header.Set("X-Actor", actor)
		}
	}
}

func header(key, value string) reqOption {
	return func(r *http.Request) {
		if value == "" {
			r.Header.Del(key)
		} else {
			r.Header.Set(key, value)
		}
	}
}

// do sends a request to the Handler and checks that its status is one its
// route declares. body is nil (no body), a string or []byte (sent as is)
// or anything else (JSON-encoded); a body is sent as application/json
// unless an option says otherwise. Requests are made as alice by default.
func (e *env) do(method, target string, body any, opts ...reqOption) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequestWithContext(e.t.Context(), method, target, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("X-Actor", alice)
	for _, o := range opts {
		o(r)
	}
	pattern, declared := adminapi.DeclaredStatuses(e.h, r)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	res := response{Method: method, Target: target, Status: w.Code, Header: w.Result().Header, Body: w.Body.Bytes()}
	assert.Containsf(e.t, declared, res.Status, "%s %s answered %d, which its route %q does not declare", method, target, res.Status, pattern)
	assert.Equal(e.t, "no-store", res.Header.Get("Cache-Control"), "every response is no-store")
	e.mu.Lock()
	e.responses = append(e.responses, res)
	e.mu.Unlock()
	return res
}

// recorded returns every response so far.
func (e *env) recorded() []response {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.responses)
}

// object decodes a JSON object body.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoErrorf(t, json.Unmarshal(r.Body, &v), "body: %s", r.Body)
	return v
}

// problem is a decoded problem body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// fields returns the names of the bad fields of a validation problem.
func (p problem) fields() []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

// expectProblem checks that r is a problem with status and code, and
// returns it.
func expectProblem(t *testing.T, r response, status int, code string) problem {
	t.Helper()
	require.Equalf(t, status, r.Status, "status of %s %s; body: %s", r.Method, r.Target, r.Body)
	assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	var p problem
	require.NoError(t, json.Unmarshal(r.Body, &p))
	assert.Equal(t, code, p.Code)
	assert.Equal(t, status, p.Status)
	assert.Equal(t, "https://apicred.dev/problems/"+code, p.Type)
	assert.NotEmpty(t, p.Title)
	assert.NotEmpty(t, p.Detail)
	if code == "validation_failed" {
		assert.NotEmpty(t, p.Errors, "a validation problem lists its fields")
	} else {
		assert.Empty(t, p.Errors, "only validation problems list fields")
	}
	return p
}

// credentialJSON is the decoded Credential of a response.
type credentialJSON struct {
	ID              string            `json:"id"`
	TenantID        string            `json:"tenant_id"`
	ClientID        string            `json:"client_id"`
	Name            string            `json:"name"`
	ContactEmail    string            `json:"contact_email"`
	Access          string            `json:"access"`
	Scopes          []string          `json:"scopes"`
	Metadata        map[string]string `json:"metadata"`
	Environment     string            `json:"environment"`
	SecretHint      string            `json:"secret_hint"`
	State           string            `json:"state"`
	CreatedAt       *string           `json:"created_at"`
	ExpiresAt       *string           `json:"expires_at"`
	RevokedAt       *string           `json:"revoked_at"`
	RevokeReason    string            `json:"revoke_reason"`
	RotatedAt       *string           `json:"rotated_at"`
	LastUsedAt      *string           `json:"last_used_at"`
	Version         int64             `json:"version"`
	ExpiryEditable  bool              `json:"expiry_editable"`
	ExpiryBlockedBy *string           `json:"expiry_blocked_by"`
}

type oneTimeJSON struct {
	Credential   credentialJSON `json:"credential"`
	ClientID     string         `json:"client_id"`
	ClientSecret string         `json:"client_secret"`
	EnvFile      string         `json:"env_file"`
	JSONFile     string         `json:"json_file"`
}

type eventJSON struct {
	ID           string  `json:"id"`
	Seq          int64   `json:"seq"`
	Type         string  `json:"type"`
	TenantID     string  `json:"tenant_id"`
	CredentialID string  `json:"credential_id"`
	Actor        string  `json:"actor"`
	Reason       string  `json:"reason"`
	At           *string `json:"at"`
	OldExpiresAt *string `json:"old_expires_at"`
	NewExpiresAt *string `json:"new_expires_at"`
}

type credentialPage struct {
	Credentials []credentialJSON `json:"credentials"`
	NextCursor  string           `json:"next_cursor"`
}

type eventPage struct {
	Events     []eventJSON `json:"events"`
	NextCursor string      `json:"next_cursor"`
}

// decode decodes a success body strictly into T.
func decode[T any](t *testing.T, r response, status int) T {
	t.Helper()
	require.Equalf(t, status, r.Status, "status of %s %s; body: %s", r.Method, r.Target, r.Body)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	require.NoErrorf(t, dec.Decode(&v), "body: %s", r.Body)
	return v
}

// fullAccess is a minimal valid create body.
func fullAccess(name string) map[string]any {
	return map[string]any{"name": name, "access": "full"}
}

// create creates a credential in tenant and returns the one-time body.
func (e *env) create(tenant string, body any) oneTimeJSON {
	e.t.Helper()
	return decode[oneTimeJSON](e.t, e.do(http.MethodPost, "/tenants/"+tenant+"/credentials", body), http.StatusCreated)
}

// get reads a credential.
func (e *env) get(tenant, id string) credentialJSON {
	e.t.Helper()
	return decode[credentialJSON](e.t, e.do(http.MethodGet, "/tenants/"+tenant+"/credentials/"+id, nil), http.StatusOK)
}

// events lists a credential's events.
func (e *env) events(tenant, id string) []eventJSON {
	e.t.Helper()
	return decode[eventPage](e.t, e.do(http.MethodGet, "/tenants/"+tenant+"/credentials/"+id+"/events?limit=500", nil), http.StatusOK).Events
}

// authenticates reports whether the Manager accepts clientID and secret.
func (e *env) authenticates(clientID, secret string) bool {
	e.t.Helper()
	_, err := e.m.Authenticate(e.t.Context(), clientID, []byte(secret))
	if err != nil && !errors.Is(err, apicred.ErrAuthenticationFailed) {
		e.t.Fatalf("authenticate: unexpected error %v", err)
	}
	return err == nil
}

// storeCount returns how many credentials and events tenant has in the
// store, read around the Handler.
func (e *env) storeCount(tenant string) (credentials, events int) {
	e.t.Helper()
	cs, err := e.store.List(context.Background(), store.ListQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(e.t, err)
	es, err := e.store.ListEvents(context.Background(), store.EventQuery{TenantID: tenant, Limit: store.MaxLimit})
	require.NoError(e.t, err)
	return len(cs), len(es)
}

// rfc3339 formats t as the API writes times.
func rfc3339(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00")
}

// syncBuffer is a bytes.Buffer safe for a logger shared by goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
