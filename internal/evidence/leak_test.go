package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is where the test clocks start: a fixed instant with sub-microsecond
// digits that the Manager truncates.
var t0 = time.Date(2031, time.March, 4, 5, 6, 7, 890123456, time.UTC)

// Admin API tokens of the leak test's AuthorizeFunc.
const (
	tokAcme     = "tok-acme"     // alice, tenant acme
	tokGlobex   = "tok-globex"   // bob, tenant globex
	tokBroken   = "tok-broken"   // the session service fails: 403, logged
	tokBadActor = "tok-badactor" // an actor with a line break: 500, logged
)

// Scopes and texts of the leak test.
const (
	thingsScope  = "things:read"  // the scope of the protected route
	ordersScope  = "orders:write" // a scope that route does not accept
	revokeReason = "leaked in CI logs"
)

// authorizeTokens is the AuthorizeFunc of the leak test: a bearer token
// names the actor and the one tenant it may manage.
func authorizeTokens(r *http.Request, tenant string) (string, error) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch token {
	case tokAcme:
		if tenant == "acme" {
			return "alice@example.com", nil
		}
		return "", adminapi.ErrForbidden
	case tokGlobex:
		if tenant == "globex" {
			return "bob@example.com", nil
		}
		return "", adminapi.ErrForbidden
	case tokBroken:
		return "", errors.New("evidence: the session service is unreachable")
	case tokBadActor:
		return "bad\nactor", nil
	}
	return "", adminapi.ErrUnauthenticated
}

// leakRun is one engine's run of the leak test.
type leakRun struct {
	t      *testing.T
	o      *openedStore
	probe  *probeStore
	clock  *testClock
	m      *apicred.Manager
	logger *slog.Logger
	logs   *lockedBuffer
	srv    *httptest.Server
	ev     evidence
	step   int

	secrets []issuedSecret
	creds   map[string]*leakCred
}

// leakCred is a credential of the run, by its letter.
type leakCred struct {
	name     string
	tenant   string
	id       string
	clientID string
	secret   string // the current secret
	old      string // the secret before the last rotation
}

// answer is a response of the test server.
type answer struct {
	status int
	body   []byte
}

// TestNoSecretLeaksAnywhere runs the whole credential lifecycle over real
// HTTP on each engine, with every log at debug level captured, and checks
// that no secret handed out by create or rotate appears anywhere else:
// not in the log (the Manager's auth observer, the middleware's
// SlogObserver, the admin API's logger and slog.Default, all one JSON
// logger), not in any response but the one-time create and rotate bodies,
// not in any error text, audit event or fmt/JSON rendering, and not in the
// database (the SQLite file, WAL and shared memory before and after close;
// every PostgreSQL table as row_to_json and through pg_dump; every MariaDB
// column as text and hex). Rule R8.
func TestNoSecretLeaksAnywhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, o *openedStore) {
		start := time.Now()
		r := newLeakRun(t, o)
		r.lifecycleOverHTTP()
		r.srv.Close()
		r.managerErrorPaths()
		r.auditAndRenderings()
		r.databaseContents()
		r.verify()
		t.Logf("%s: %d secrets searched for, in %d forms each, through %d artifacts (%d log bytes), in %v",
			t.Name(), len(r.secrets), len(formsOf(r.secrets[0])), len(r.ev.all()), len(r.logs.Bytes()), time.Since(start).Round(time.Millisecond))
	})
}

func newLeakRun(t *testing.T, o *openedStore) *leakRun {
	r := &leakRun{t: t, o: o, probe: &probeStore{Store: o.store}, clock: newTestClock(t0), logs: &lockedBuffer{}, creds: map[string]*leakCred{}}
	r.logger = slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}))
	previous := slog.Default()
	slog.SetDefault(r.logger)
	t.Cleanup(func() { slog.SetDefault(previous) })

	m, err := apicred.New(r.probe,
		apicred.WithClock(r.clock.Now),
		apicred.WithKnownScopes(thingsScope, ordersScope),
		apicred.WithAuthObserver(r.observe))
	require.NoError(t, err)
	r.m = m
	mw, err := middleware.New(m, middleware.WithObserver(middleware.SlogObserver(r.logger)))
	require.NoError(t, err)
	admin, err := adminapi.New(m, authorizeTokens, adminapi.WithLogger(r.logger))
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", admin))
	mux.Handle("GET /v1/things", mw.Handler(mw.RequireScopes(thingsScope)(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p, ok := middleware.PrincipalFrom(req.Context())
		if !ok {
			http.Error(w, "no principal", http.StatusInternalServerError)
			return
		}
		slog.DebugContext(req.Context(), "evidence: things served", "principal", p)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"tenant_id": p.TenantID, "client_id": p.ClientID, "scopes": p.Scopes(), "things": []string{"a", "b"}})
	}))))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// observe is the Manager's auth observer: it logs every AuthResult, with
// every field, as a service would.
func (r *leakRun) observe(ctx context.Context, res apicred.AuthResult) {
	reason := ""
	if res.Reason != 0 {
		reason = res.Reason.String()
	}
	r.logger.LogAttrs(ctx, slog.LevelDebug, "evidence: auth observer",
		slog.String("client_id", res.ClientID),
		slog.String("reason", reason),
		slog.Any("principal", res.Principal),
		slog.Any("error", res.Err),
		slog.Duration("latency", res.Latency),
		slog.String("auth_result", fmt.Sprintf("%+v", res)),
	)
}

// mask replaces every known secret in s, for artifact names that hold a
// probe's path.
func (r *leakRun) mask(s string) string {
	for _, c := range r.creds {
		for _, v := range []string{c.secret, c.old} {
			if v != "" {
				s = strings.ReplaceAll(s, v, "<secret of "+c.name+">")
			}
		}
	}
	return s
}

// send performs req and records its answer as evidence: the status and
// headers always, the body unless skipBody.
func (r *leakRun) send(req *http.Request, what string, skipBody func(status int) bool) answer {
	r.t.Helper()
	resp, err := r.srv.Client().Do(req)
	require.NoError(r.t, err, what)
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(r.t, err, what)
	a := answer{status: resp.StatusCode, body: body}
	r.step++
	name := fmt.Sprintf("response %03d %s → %d", r.step, r.mask(what), a.status)
	var h bytes.Buffer
	fmt.Fprintf(&h, "%s\n", resp.Status)
	_ = resp.Header.Write(&h)
	r.ev.add(name+" (status and headers)", h.Bytes())
	if !skipBody(a.status) {
		r.ev.add(name+" (body)", body)
	}
	return a
}

// admin calls the admin API at path (relative to its mount point) with a
// bearer token and a JSON body (a string is sent as it is), and checks the
// status. The bodies of a successful create or rotate hold the one-time
// secret: they are not evidence, and the secret is kept to search for.
func (r *leakRun) admin(method, path, token string, body any, want int) answer {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		s, ok := body.(string)
		if !ok {
			b, err := json.Marshal(body)
			require.NoError(r.t, err)
			s = string(b)
		}
		rd = strings.NewReader(s)
	}
	req, err := http.NewRequestWithContext(r.t.Context(), method, r.srv.URL+"/admin"+path, rd)
	require.NoError(r.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	oneTime := method == http.MethodPost && (strings.HasSuffix(path, "/credentials") || strings.HasSuffix(path, "/rotate"))
	what := method + " /admin" + path
	a := r.send(req, what, func(status int) bool { return oneTime && status/100 == 2 })
	if oneTime && a.status/100 == 2 {
		require.Equal(r.t, want, a.status, "%s", r.mask(what))
	} else {
		require.Equal(r.t, want, a.status, "%s: %s", r.mask(what), r.mask(string(a.body)))
	}
	return a
}

// oneTimeBody is the part of a create or rotate answer the test reads.
type oneTimeBody struct {
	Credential struct {
		ID       string `json:"id"`
		TenantID string `json:"tenant_id"`
		ClientID string `json:"client_id"`
	} `json:"credential"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	EnvFile      string `json:"env_file"`
	JSONFile     string `json:"json_file"`
}

// keep reads the one-time secret of a create or rotate answer.
func (r *leakRun) keep(a answer, origin string) oneTimeBody {
	r.t.Helper()
	var b oneTimeBody
	require.NoError(r.t, json.Unmarshal(a.body, &b))
	require.NotEmpty(r.t, b.ClientSecret)
	require.Equal(r.t, b.ClientID, b.Credential.ClientID)
	require.Contains(r.t, b.EnvFile, b.ClientSecret, "the .env text carries the secret")
	require.Contains(r.t, b.JSONFile, b.ClientSecret, "the JSON file text carries the secret")
	r.secrets = append(r.secrets, issuedSecret{clientID: b.ClientID, secret: b.ClientSecret, origin: origin})
	return b
}

// create creates credential name in tenant through the admin API.
func (r *leakRun) create(name, tenant, token string, body map[string]any) *leakCred {
	r.t.Helper()
	b := r.keep(r.admin(http.MethodPost, "/tenants/"+tenant+"/credentials", token, body, http.StatusCreated), "create of "+name)
	c := &leakCred{name: name, tenant: tenant, id: b.Credential.ID, clientID: b.ClientID, secret: b.ClientSecret}
	r.creds[name] = c
	return c
}

// rotate rotates c through the admin API.
func (r *leakRun) rotate(c *leakCred, token string, body any) {
	r.t.Helper()
	b := r.keep(r.admin(http.MethodPost, c.path("/rotate"), token, body, http.StatusOK), "rotation of "+c.name)
	require.Equal(r.t, c.clientID, b.ClientID, "rotation keeps the client ID")
	c.old, c.secret = c.secret, b.ClientSecret
}

func (c *leakCred) path(suffix string) string {
	return "/tenants/" + c.tenant + "/credentials/" + c.id + suffix
}

// basic is an HTTP Basic Authorization value.
func basic(clientID, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))
}

// things calls the protected route with the given Authorization header
// values (none, one, or several) and checks the status.
func (r *leakRun) things(what string, want int, authorization ...string) {
	r.t.Helper()
	req, err := http.NewRequestWithContext(r.t.Context(), http.MethodGet, r.srv.URL+"/v1/things", nil)
	require.NoError(r.t, err)
	for _, v := range authorization {
		req.Header.Add("Authorization", v)
	}
	a := r.send(req, "GET /v1/things with "+what, func(int) bool { return false })
	require.Equal(r.t, want, a.status, "GET /v1/things with %s: %s", what, a.body)
}

// rfc3339 formats t for a request body.
func rfc3339(t time.Time) string { return t.Format(time.RFC3339Nano) }

// lifecycleOverHTTP creates, uses, rotates, edits, revokes, lists and
// audits credentials through the admin API and the protected route,
// including every refusal the two answer.
func (r *leakRun) lifecycleOverHTTP() {
	t := r.t
	now := r.clock.Now
	// Several credentials: full and fine grained, with and without expiry,
	// live and test, in two tenants.
	a := r.create("A", "acme", tokAcme, map[string]any{
		"name": "ERP Sync — Production", "access": "full", "contact_email": "erp@example.com",
		"metadata": map[string]string{"team": "erp", "ticket": "OPS-1234"},
	})
	b := r.create("B", "acme", tokAcme, map[string]any{
		"name": "Reporting", "access": "fine_grained", "scopes": []string{thingsScope, ordersScope},
		"contact_email": "bi@example.com", "expires_at": rfc3339(now().Add(10 * 24 * time.Hour)),
	})
	c := r.create("C", "acme", tokAcme, map[string]any{
		"name": "Orders only", "access": "fine_grained", "scopes": []string{ordersScope},
		"expires_at": rfc3339(now().Add(100 * time.Hour)),
	})
	d := r.create("D", "acme", tokAcme, map[string]any{
		"name": "Sandbox", "access": "full", "environment": "test", "expires_at": rfc3339(now().Add(5 * 24 * time.Hour)),
	})
	e := r.create("E", "acme", tokAcme, map[string]any{
		"name": "Short lived", "access": "fine_grained", "scopes": []string{thingsScope},
		"expires_at": rfc3339(now().Add(80 * time.Hour)),
	})
	g := r.create("G", "globex", tokGlobex, map[string]any{"name": "Globex main", "access": "full"})
	require.True(t, strings.HasPrefix(d.secret, "ms_test_"), "D is a test credential")

	// Refused creations.
	r.admin(http.MethodPost, "/tenants/acme/credentials", tokAcme, map[string]any{"name": "", "access": "root", "scopes": []string{"BAD"}}, http.StatusUnprocessableEntity)
	r.admin(http.MethodPost, "/tenants/acme/credentials", tokAcme, `{"name":"x","access":"full","secret":"x"}`, http.StatusBadRequest)
	r.admin(http.MethodPost, "/tenants/acme/credentials", tokAcme, `{"name":"x","access":"full","expires_at":"yesterday"}`, http.StatusUnprocessableEntity)
	r.admin(http.MethodPost, "/tenants/acme/credentials", tokAcme, map[string]any{"name": "Past", "access": "full", "expires_at": rfc3339(now().Add(-time.Hour))}, http.StatusUnprocessableEntity)

	// The protected route: good secrets, then every kind of failure.
	r.things("A", http.StatusOK, basic(a.clientID, a.secret))
	r.things("B", http.StatusOK, basic(b.clientID, b.secret))
	r.things("C, missing the scope", http.StatusForbidden, basic(c.clientID, c.secret))
	r.things("D (test)", http.StatusOK, basic(d.clientID, d.secret))
	r.things("E", http.StatusOK, basic(e.clientID, e.secret))
	r.things("G of globex", http.StatusOK, basic(g.clientID, g.secret))
	r.things("A's client ID and B's secret", http.StatusUnauthorized, basic(a.clientID, b.secret))
	mangled := []byte(a.secret)
	mangled[20] ^= 1 // still base62, but the checksum no longer matches
	r.things("A with a typo in its secret", http.StatusUnauthorized, basic(a.clientID, string(mangled)))
	cut := a.secret[:len(a.secret)-1]
	r.things("A with its secret cut short", http.StatusUnauthorized, basic(a.clientID, cut))
	unknown, err := credential.DefaultFormat().NewClientID(credential.EnvironmentLive)
	require.NoError(t, err)
	r.things("an unknown client ID and A's secret", http.StatusUnauthorized, basic(unknown, a.secret))
	r.things("no credentials", http.StatusUnauthorized)
	r.things("a Basic value that is not base64", http.StatusUnauthorized, "Basic !!!not-base64!!!")
	r.things("a Basic value without a colon", http.StatusUnauthorized, "Basic "+base64.StdEncoding.EncodeToString([]byte(a.clientID)))
	r.things("A's secret as a bearer token", http.StatusUnauthorized, "Bearer "+a.secret)
	r.things("two Authorization headers", http.StatusUnauthorized, basic(a.clientID, a.secret), basic(a.clientID, a.secret))
	r.things("A's secret pasted as the client ID", http.StatusUnauthorized, basic(a.secret, a.secret))
	r.things("A's client ID and secret swapped", http.StatusUnauthorized, basic(a.secret, a.clientID))

	// Rotation: the old secret stops at once.
	r.rotate(a, tokAcme, map[string]string{"reason": "scheduled rotation"})
	r.things("A's rotated-away secret", http.StatusUnauthorized, basic(a.clientID, a.old))
	r.things("A's new secret", http.StatusOK, basic(a.clientID, a.secret))

	// Expiry: set, change and clear, then refusals.
	r.admin(http.MethodPut, a.path("/expiry"), tokAcme, map[string]any{"expires_at": rfc3339(now().Add(30 * 24 * time.Hour)), "reason": "set an expiry"}, http.StatusOK)
	r.admin(http.MethodPut, b.path("/expiry"), tokAcme, map[string]any{"expires_at": rfc3339(now().Add(20 * 24 * time.Hour))}, http.StatusOK)
	r.admin(http.MethodPut, d.path("/expiry"), tokAcme, map[string]any{"expires_at": nil, "reason": "the sandbox keeps running"}, http.StatusOK)
	r.admin(http.MethodPut, b.path("/expiry"), tokAcme, map[string]any{"expires_at": "not a time"}, http.StatusUnprocessableEntity)
	r.admin(http.MethodPut, b.path("/expiry"), tokAcme, map[string]any{"expires_at": rfc3339(now().Add(-time.Hour))}, http.StatusUnprocessableEntity)
	r.admin(http.MethodPut, b.path("/expiry"), tokAcme, map[string]any{}, http.StatusUnprocessableEntity)

	// 10 hours on, E has 70 hours left: its expiry is locked.
	r.clock.Advance(10 * time.Hour)
	r.admin(http.MethodPut, e.path("/expiry"), tokAcme, map[string]any{"expires_at": rfc3339(now().Add(30 * 24 * time.Hour))}, http.StatusConflict)
	r.admin(http.MethodPut, e.path("/expiry"), tokAcme, map[string]any{"expires_at": nil}, http.StatusConflict)

	// 71 hours more, E has expired.
	r.clock.Advance(71 * time.Hour)
	r.things("expired E", http.StatusUnauthorized, basic(e.clientID, e.secret))
	r.admin(http.MethodPost, e.path("/rotate"), tokAcme, nil, http.StatusConflict)
	r.admin(http.MethodPut, e.path("/expiry"), tokAcme, map[string]any{"expires_at": nil}, http.StatusConflict)

	// Revocation, also of the expired E, and the refusals after it.
	r.admin(http.MethodPost, b.path("/revoke"), tokAcme, map[string]string{"reason": revokeReason}, http.StatusOK)
	r.things("revoked B", http.StatusUnauthorized, basic(b.clientID, b.secret))
	r.admin(http.MethodPost, b.path("/revoke"), tokAcme, map[string]string{"reason": "again"}, http.StatusConflict)
	r.admin(http.MethodPost, b.path("/rotate"), tokAcme, map[string]string{}, http.StatusConflict)
	r.admin(http.MethodPut, b.path("/expiry"), tokAcme, map[string]any{"expires_at": nil}, http.StatusConflict)
	r.admin(http.MethodPost, e.path("/revoke"), tokAcme, map[string]string{"reason": "expired anyway"}, http.StatusOK)
	r.admin(http.MethodPost, c.path("/revoke"), tokAcme, map[string]string{}, http.StatusUnprocessableEntity)
	r.things("revoked and expired E", http.StatusUnauthorized, basic(e.clientID, e.secret))

	// Rotation of the test credential.
	r.rotate(d, tokAcme, nil)
	r.things("D's rotated-away secret", http.StatusUnauthorized, basic(d.clientID, d.old))
	r.things("D's new secret", http.StatusOK, basic(d.clientID, d.secret))

	// Another tenant's access, and refused callers.
	r.admin(http.MethodGet, "/tenants/globex/credentials", tokAcme, nil, http.StatusForbidden)
	r.admin(http.MethodGet, "/tenants/globex/credentials/"+a.id, tokGlobex, nil, http.StatusNotFound)
	r.admin(http.MethodPost, "/tenants/globex/credentials/"+a.id+"/rotate", tokGlobex, nil, http.StatusNotFound)
	r.admin(http.MethodPost, "/tenants/globex/credentials/"+a.id+"/revoke", tokGlobex, map[string]string{"reason": "not mine"}, http.StatusNotFound)
	r.admin(http.MethodPut, "/tenants/globex/credentials/"+a.id+"/expiry", tokGlobex, map[string]any{"expires_at": nil}, http.StatusNotFound)
	r.admin(http.MethodGet, "/tenants/globex/credentials/"+a.id+"/events", tokGlobex, nil, http.StatusNotFound)
	r.admin(http.MethodGet, "/tenants/acme/credentials", "", nil, http.StatusUnauthorized)
	r.admin(http.MethodGet, "/tenants/acme/credentials", "tok-unknown", nil, http.StatusUnauthorized)
	r.admin(http.MethodGet, "/tenants/acme/credentials", tokBroken, nil, http.StatusForbidden)
	r.admin(http.MethodGet, "/tenants/acme/credentials", tokBadActor, nil, http.StatusInternalServerError)
	r.admin(http.MethodDelete, a.path(""), tokAcme, nil, http.StatusMethodNotAllowed)

	// Listing, reading and the audit trail, page by page.
	r.pages("/tenants/acme/credentials", tokAcme, "credentials", 2)
	r.pages("/tenants/globex/credentials", tokGlobex, "credentials", 0)
	for _, x := range []*leakCred{a, b, c, d, e} {
		r.admin(http.MethodGet, x.path(""), tokAcme, nil, http.StatusOK)
		r.pages(x.path("/events"), tokAcme, "events", 0)
	}
	r.admin(http.MethodGet, g.path(""), tokGlobex, nil, http.StatusOK)
	r.pages(g.path("/events"), tokGlobex, "events", 0)
	r.pages("/tenants/acme/events", tokAcme, "events", 3)
	r.pages("/tenants/globex/events", tokGlobex, "events", 0)
	r.admin(http.MethodGet, "/tenants/acme/credentials?cursor=bad", tokAcme, nil, http.StatusUnprocessableEntity)
	r.admin(http.MethodGet, "/tenants/acme/credentials?limit=-5", tokAcme, nil, http.StatusUnprocessableEntity)
	r.admin(http.MethodGet, "/tenants/acme/events?limit=abc", tokAcme, nil, http.StatusUnprocessableEntity)
	r.admin(http.MethodGet, "/scopes", "", nil, http.StatusOK)
	r.admin(http.MethodGet, "/openapi.json", "", nil, http.StatusOK)

	// A secret pasted where an ID or a cursor goes is not echoed.
	r.admin(http.MethodGet, "/tenants/acme/credentials/"+a.secret, tokAcme, nil, http.StatusNotFound)
	r.admin(http.MethodPost, "/tenants/acme/credentials/"+a.secret+"/rotate", tokAcme, nil, http.StatusNotFound)
	r.admin(http.MethodGet, "/tenants/acme/credentials?cursor="+url.QueryEscape(a.secret), tokAcme, nil, http.StatusUnprocessableEntity)
	r.admin(http.MethodGet, "/tenants/acme/events?cursor="+url.QueryEscape(a.secret), tokAcme, nil, http.StatusUnprocessableEntity)

	// The store goes down: 503 on the protected route, 500 on the admin API,
	// both logged with the store's error.
	r.probe.fail.Store(true)
	r.things("A while the store is down", http.StatusServiceUnavailable, basic(a.clientID, a.secret))
	r.admin(http.MethodGet, "/tenants/acme/credentials", tokAcme, nil, http.StatusInternalServerError)
	r.admin(http.MethodPost, a.path("/rotate"), tokAcme, nil, http.StatusInternalServerError)
	r.admin(http.MethodPost, "/tenants/acme/credentials", tokAcme, map[string]any{"name": "During the outage", "access": "full"}, http.StatusInternalServerError)
	r.probe.fail.Store(false)
	r.things("A after the outage", http.StatusOK, basic(a.clientID, a.secret))
}

// pages follows a listing through every page of limit (0: the default) and
// checks that it returns items.
func (r *leakRun) pages(path, token, key string, limit int) {
	r.t.Helper()
	cursor, n := "", 0
	for range 100 {
		p := path
		q := url.Values{}
		if limit > 0 {
			q.Set("limit", fmt.Sprint(limit))
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if len(q) > 0 {
			p += "?" + q.Encode()
		}
		a := r.admin(http.MethodGet, p, token, nil, http.StatusOK)
		var page map[string]json.RawMessage
		require.NoError(r.t, json.Unmarshal(a.body, &page))
		var items []json.RawMessage
		require.NoError(r.t, json.Unmarshal(page[key], &items))
		n += len(items)
		require.NoError(r.t, json.Unmarshal(page["next_cursor"], &cursor))
		if cursor == "" {
			require.Positive(r.t, n, "%s lists something", path)
			return
		}
	}
	r.t.Fatalf("%s: more than 100 pages", path)
}

// errorText records the text of an error the Manager returned.
func (r *leakRun) errorText(what string, err error) {
	r.t.Helper()
	require.Error(r.t, err, "%s must fail", what)
	r.ev.addString("error of "+what, fmt.Sprintf("%s\n%v\n%+v\n%#v", err.Error(), err, err, err))
}

// renderIssued records every rendering of an Issued that is not meant to
// show its secret, and logs it.
func (r *leakRun) renderIssued(what string, is apicred.Issued) {
	r.t.Helper()
	r.ev.addString("fmt of "+what, fmt.Sprintf("%v\n%+v\n%#v\n%v\n%+v\n%#v", is, is, is, is.OneTime, is.OneTime, is.OneTime))
	r.ev.addString("fmt verbs of the Secret of "+what, fmt.Sprintf("%v %+v %#v %s %q %x %X %d %T %10.3s", is.Secret, is.Secret, is.Secret, is.Secret, is.Secret, is.Secret, is.Secret, is.Secret, is.Secret, is.Secret))
	for _, v := range []any{is, is.OneTime, is.Secret, &is} {
		b, err := json.Marshal(v)
		require.NoError(r.t, err)
		r.ev.add(fmt.Sprintf("JSON of %s (%T)", what, v), b)
	}
	text, err := is.Secret.MarshalText()
	require.NoError(r.t, err)
	r.ev.add("MarshalText of the Secret of "+what, text)
	r.logger.Info("evidence: issued", "issued", is, "one_time", is.OneTime, "secret", is.Secret, "credential", is.Credential)
}

// managerErrorPaths calls the Manager directly for every error it can be
// made to return, and records each error's text.
func (r *leakRun) managerErrorPaths() {
	t := r.t
	ctx := t.Context()
	m := r.m
	now := r.clock.Now()
	a, b, c := r.creds["A"], r.creds["B"], r.creds["C"]
	id := func(c *leakCred) uuid.UUID { return uuid.MustParse(c.id) }

	h, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "acme", Name: "Direct", Access: credential.AccessFull, Actor: "direct@example.com"})
	require.NoError(t, err)
	r.secrets = append(r.secrets, issuedSecret{clientID: h.ClientID, secret: h.Secret.Reveal(), origin: "Manager.Issue of H"})
	r.renderIssued("Manager.Issue of H", h)
	h2, err := m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: h.Credential.ID, Actor: "direct@example.com", Reason: "direct rotation"})
	require.NoError(t, err)
	r.secrets = append(r.secrets, issuedSecret{clientID: h2.ClientID, secret: h2.Secret.Reveal(), origin: "Manager.Rotate of H"})
	r.renderIssued("Manager.Rotate of H", h2)
	r.creds["H"] = &leakCred{name: "H", tenant: "acme", id: h.Credential.ID.String(), clientID: h.ClientID, secret: h2.Secret.Reveal(), old: h.Secret.Reveal()}
	l, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "acme", Name: "Locked", Access: credential.AccessFull, Actor: "direct@example.com", ExpiresAt: now.Add(50 * time.Hour)})
	require.NoError(t, err)
	r.secrets = append(r.secrets, issuedSecret{clientID: l.ClientID, secret: l.Secret.Reveal(), origin: "Manager.Issue of L"})
	r.creds["L"] = &leakCred{name: "L", tenant: "acme", id: l.Credential.ID.String(), clientID: l.ClientID, secret: l.Secret.Reveal()}

	_, err = m.Issue(ctx, apicred.IssueRequest{
		TenantID: " acme ", Name: "", ContactEmail: "not an email", Access: "root", Scopes: []string{"BAD"},
		Metadata: map[string]string{"bad key": "v"}, Environment: "prod", ExpiresAt: now.Add(-time.Hour),
	})
	r.errorText("Issue with every field bad", err)
	_, err = m.Issue(ctx, apicred.IssueRequest{TenantID: "acme", Name: "x", Access: credential.AccessFineGrained, Scopes: []string{"unknown:scope"}, Actor: "a"})
	r.errorText("Issue with an unknown scope", err)

	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: uuid.New(), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrNotFound)
	r.errorText("Rotate of an unknown ID", err)
	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "globex", ID: id(a), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrNotFound)
	r.errorText("Rotate through another tenant", err)
	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: id(b), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrRevoked)
	r.errorText("Rotate of a revoked credential", err)
	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: id(a), Actor: ""})
	r.errorText("Rotate without an actor", err)

	_, err = m.Revoke(ctx, apicred.RevokeRequest{TenantID: "acme", ID: id(b), Actor: "a", Reason: "again"})
	assert.ErrorIs(t, err, apicred.ErrAlreadyRevoked)
	r.errorText("Revoke twice", err)
	_, err = m.Revoke(ctx, apicred.RevokeRequest{TenantID: "acme", ID: id(a), Actor: "a", Reason: "  "})
	r.errorText("Revoke without a reason", err)
	_, err = m.Revoke(ctx, apicred.RevokeRequest{TenantID: "globex", ID: id(a), Actor: "a", Reason: "not mine"})
	assert.ErrorIs(t, err, apicred.ErrNotFound)
	r.errorText("Revoke through another tenant", err)

	_, err = m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "acme", ID: id(a), Actor: "a", ExpiresAt: now.Add(-time.Hour)})
	r.errorText("SetExpiry in the past", err)
	_, err = m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "acme", ID: l.Credential.ID, Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrExpiryLocked)
	r.errorText("SetExpiry when locked", err)
	_, err = m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "acme", ID: id(b), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrRevoked)
	r.errorText("SetExpiry of a revoked credential", err)

	// 20 hours on, C (19 hours left) has expired.
	r.clock.Advance(20 * time.Hour)
	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: id(c), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrExpired)
	r.errorText("Rotate of an expired credential", err)
	_, err = m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "acme", ID: id(c), Actor: "a"})
	assert.ErrorIs(t, err, apicred.ErrExpired)
	r.errorText("SetExpiry of an expired credential", err)

	_, err = m.Get(ctx, "acme", uuid.New())
	assert.ErrorIs(t, err, apicred.ErrNotFound)
	r.errorText("Get of an unknown ID", err)
	_, err = m.Get(ctx, "", id(a))
	r.errorText("Get without a tenant", err)
	_, err = m.List(ctx, "acme", apicred.PageRequest{Cursor: a.secret})
	r.errorText("List with a secret as the cursor", err)
	_, err = m.List(ctx, "acme", apicred.PageRequest{Limit: 100000})
	r.errorText("List with a bad limit", err)
	_, err = m.Events(ctx, apicred.EventsRequest{TenantID: "acme", PageRequest: apicred.PageRequest{Cursor: a.secret}})
	r.errorText("Events with a secret as the cursor", err)

	// Every way authentication fails, straight from the Manager.
	for _, x := range []struct {
		what             string
		clientID, secret string
	}{
		{"a rotated-away secret", a.clientID, a.old},
		{"another credential's secret", a.clientID, r.creds["D"].secret},
		{"a revoked credential", b.clientID, b.secret},
		{"an expired credential", c.clientID, c.secret},
		{"a secret cut short", a.clientID, a.secret[:40]},
		{"a secret as the client ID", a.secret, a.secret},
		{"a secret and client ID swapped", a.secret, a.clientID},
		{"an empty secret", a.clientID, ""},
	} {
		_, err := m.Authenticate(ctx, x.clientID, []byte(x.secret))
		assert.ErrorIs(t, err, apicred.ErrAuthenticationFailed, x.what)
		r.errorText("Authenticate with "+x.what, err)
	}

	// A cancelled context makes every call fail with the store's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = m.Authenticate(cctx, a.clientID, []byte(a.secret))
	r.errorText("Authenticate with a cancelled context", err)
	_, err = m.Issue(cctx, apicred.IssueRequest{TenantID: "acme", Name: "Cancelled", Access: credential.AccessFull, Actor: "a"})
	r.errorText("Issue with a cancelled context", err)
	_, err = m.Rotate(cctx, apicred.RotateRequest{TenantID: "acme", ID: id(a), Actor: "a"})
	r.errorText("Rotate with a cancelled context", err)
	_, err = m.Revoke(cctx, apicred.RevokeRequest{TenantID: "acme", ID: id(a), Actor: "a", Reason: "r"})
	r.errorText("Revoke with a cancelled context", err)
	_, err = m.SetExpiry(cctx, apicred.ExpiryRequest{TenantID: "acme", ID: id(a), Actor: "a"})
	r.errorText("SetExpiry with a cancelled context", err)
	_, err = m.Get(cctx, "acme", id(a))
	r.errorText("Get with a cancelled context", err)
	_, err = m.List(cctx, "acme", apicred.PageRequest{})
	r.errorText("List with a cancelled context", err)
	_, err = m.Events(cctx, apicred.EventsRequest{TenantID: "acme"})
	r.errorText("Events with a cancelled context", err)

	// And with the store down.
	r.probe.fail.Store(true)
	_, err = m.Authenticate(ctx, a.clientID, []byte(a.secret))
	r.errorText("Authenticate with the store down", err)
	_, err = m.Rotate(ctx, apicred.RotateRequest{TenantID: "acme", ID: id(a), Actor: "a"})
	r.errorText("Rotate with the store down", err)
	r.probe.fail.Store(false)

	// The current secrets still work after all that.
	for _, name := range []string{"A", "D", "G", "H"} {
		x := r.creds[name]
		_, err := m.Authenticate(ctx, x.clientID, []byte(x.secret))
		require.NoError(t, err, "%s still authenticates", name)
	}
}

// auditAndRenderings records every audit event and credential as the
// Manager returns them: JSON and the fmt verbs, and logs each.
func (r *leakRun) auditAndRenderings() {
	t := r.t
	ctx := t.Context()
	events := 0
	record := func(what string, es []credential.Event) {
		for _, e := range es {
			b, err := json.Marshal(e)
			require.NoError(t, err)
			r.ev.add(fmt.Sprintf("JSON of event %d (%s)", e.Seq, what), b)
			r.ev.addString(fmt.Sprintf("fmt of event %d (%s)", e.Seq, what), fmt.Sprintf("%v\n%+v\n%#v", e, e, e))
			r.logger.Debug("evidence: audit event", "event", e)
			events++
		}
	}
	for _, tenant := range []string{"acme", "globex"} {
		for cursor := "first"; cursor != ""; {
			if cursor == "first" {
				cursor = ""
			}
			p, err := r.m.Events(ctx, apicred.EventsRequest{TenantID: tenant, PageRequest: apicred.PageRequest{Cursor: cursor, Limit: 4}})
			require.NoError(t, err)
			record("events of tenant "+tenant, p.Events)
			cursor = p.NextCursor
		}
		page, err := r.m.List(ctx, tenant, apicred.PageRequest{Limit: apicred.MaxPageSize})
		require.NoError(t, err)
		for _, c := range page.Credentials {
			b, err := json.Marshal(c)
			require.NoError(t, err)
			r.ev.add("JSON of credential "+c.ClientID, b)
			r.ev.addString("fmt of credential "+c.ClientID, fmt.Sprintf("%v\n%+v\n%#v", c, c, c))
			r.logger.Debug("evidence: credential", "credential", c, "principal", c.Principal())
			p, err := r.m.Events(ctx, apicred.EventsRequest{TenantID: tenant, CredentialID: c.ID, PageRequest: apicred.PageRequest{Limit: apicred.MaxPageSize}})
			require.NoError(t, err)
			record("events of "+c.ClientID, p.Events)
		}
	}
	require.Greater(t, events, 20, "the audit trail was recorded")
}

// databaseContents records what the database holds, as raw as each engine
// allows, and checks that it holds the data of the run: a client ID and a
// revocation reason are found in it, so that an empty dump cannot pass.
func (r *leakRun) databaseContents() {
	t := r.t
	clientID := r.creds["A"].clientID
	switch r.o.kind {
	case engineMemory:
		t.Logf("memory store: no database contents to search")
	case engineSQLiteFile:
		before := r.sqliteFiles("while open")
		require.Contains(t, string(bytes.Join(before, nil)), clientID, "the SQLite files hold the run's credentials")
		r.o.close(t) // the last connection checkpoints the WAL
		after := r.sqliteFiles("after close")
		require.Contains(t, string(bytes.Join(after, nil)), clientID, "the SQLite file holds the run's credentials after the checkpoint")
	case enginePostgres:
		dump := r.postgresRows()
		require.Contains(t, dump, clientID)
		require.Contains(t, dump, revokeReason)
		r.pgDump(clientID)
	case engineMySQL:
		dump := r.mysqlRows()
		require.Contains(t, dump, clientID)
		require.Contains(t, dump, revokeReason)
	}
}

// sqliteFiles records the database file and its -wal and -shm files.
func (r *leakRun) sqliteFiles(when string) [][]byte {
	var all [][]byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		path := r.o.path + suffix
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			r.t.Logf("SQLite %s: %s does not exist", when, filepath.Base(path))
			continue
		}
		require.NoError(r.t, err)
		r.t.Logf("SQLite %s: %s, %d bytes", when, filepath.Base(path), len(b))
		r.ev.add(fmt.Sprintf("SQLite file %s (%s)", filepath.Base(path), when), b)
		all = append(all, b)
	}
	require.NotEmpty(r.t, all)
	return all
}

// storeTables returns the tables of the store's prefix and checks that
// the known ones are among them.
func (r *leakRun) storeTables() []string {
	names, err := r.o.tables(r.t.Context())
	require.NoError(r.t, err)
	for _, want := range []string{"credentials", "events", "schema_version"} {
		require.Contains(r.t, names, r.o.prefix+want)
	}
	return names
}

// postgresRows records every row of every table of the prefix as
// row_to_json text (bytea as hex) and returns the whole dump.
func (r *leakRun) postgresRows() string {
	var all strings.Builder
	for _, table := range r.storeTables() {
		rows, err := r.o.db.QueryContext(r.t.Context(), "SELECT row_to_json(t)::text FROM "+r.o.quote(table)+" t")
		require.NoError(r.t, err)
		var dump strings.Builder
		n := 0
		for rows.Next() {
			var line string
			require.NoError(r.t, rows.Scan(&line))
			dump.WriteString(line + "\n")
			n++
		}
		require.NoError(r.t, rows.Err())
		_ = rows.Close()
		r.t.Logf("PostgreSQL %s: %d rows", table, n)
		r.ev.addString("PostgreSQL row_to_json of "+table, dump.String())
		all.WriteString(dump.String())
	}
	return all.String()
}

// pgDump records the output of pg_dump for the tables of the prefix, if
// pg_dump is found in PATH or under /usr/lib/postgresql/*/bin. A pg_dump
// older than the server refuses to run; every candidate is tried, newest
// first.
func (r *leakRun) pgDump(clientID string) {
	var candidates []string
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	candidates = append(candidates, found...)
	if p, err := exec.LookPath("pg_dump"); err == nil {
		candidates = append(candidates, p)
	}
	if len(candidates) == 0 {
		r.t.Logf("pg_dump not found in PATH nor in /usr/lib/postgresql/*/bin: the PostgreSQL evidence is the row_to_json dump only")
		return
	}
	var failures []string
	for _, bin := range slices.Compact(candidates) {
		ctx, cancel := context.WithTimeout(r.t.Context(), 60*time.Second)
		cmd := exec.CommandContext(ctx, bin, "--data-only", "--no-password", "-t", r.o.prefix+"*", r.o.dsn)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v: %s", bin, err, stderr.String()))
			continue
		}
		r.t.Logf("pg_dump (%s): %d bytes", bin, len(out))
		r.ev.add("pg_dump --data-only of "+r.o.prefix+"*", out)
		require.Contains(r.t, string(out), clientID, "the pg_dump output holds the run's credentials")
		return
	}
	r.t.Errorf("pg_dump was found but no candidate could dump the tables:\n%s", strings.Join(failures, "\n"))
}

// mysqlRows records every row of every table of the prefix with each
// column as text and as hex, and returns the whole dump.
func (r *leakRun) mysqlRows() string {
	ctx := r.t.Context()
	var all strings.Builder
	for _, table := range r.storeTables() {
		cols, err := r.o.db.QueryContext(ctx,
			`SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, table)
		require.NoError(r.t, err)
		var exprs, names []string
		for cols.Next() {
			var col string
			require.NoError(r.t, cols.Scan(&col))
			q := r.o.quote(col)
			exprs = append(exprs, "CAST("+q+" AS CHAR)", "HEX("+q+")")
			names = append(names, col+" as text", col+" as hex")
		}
		require.NoError(r.t, cols.Err())
		_ = cols.Close()
		require.NotEmpty(r.t, exprs, "columns of %s", table)

		rows, err := r.o.db.QueryContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+r.o.quote(table))
		require.NoError(r.t, err)
		var dump strings.Builder
		n := 0
		for rows.Next() {
			vals := make([][]byte, len(exprs))
			ptrs := make([]any, len(exprs))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(r.t, rows.Scan(ptrs...))
			for i, v := range vals {
				fmt.Fprintf(&dump, "%s=%s\t", names[i], v)
			}
			dump.WriteString("\n")
			n++
		}
		require.NoError(r.t, rows.Err())
		_ = rows.Close()
		r.t.Logf("MySQL/MariaDB %s: %d rows", table, n)
		r.ev.addString("MySQL/MariaDB text and hex of "+table, dump.String())
		all.WriteString(dump.String())
	}
	return all.String()
}

// verify checks the evidence: the log says what happened, and no secret
// appears anywhere.
func (r *leakRun) verify() {
	t := r.t
	require.GreaterOrEqual(t, len(r.secrets), 11, "every create and rotate handed out a secret")
	f := credential.DefaultFormat()
	for _, s := range r.secrets {
		_, err := f.ParseSecret([]byte(s.secret))
		require.NoError(t, err, "the secret of %s is a real secret", s.origin)
		require.Len(t, randomPart(s.secret), credential.SecretRandomLen)
	}

	logs := r.logs.Bytes()
	require.NotEmpty(t, logs, "the run logged")
	text := string(logs)
	for _, want := range []string{
		`"reason":"wrong_secret"`, `"reason":"revoked"`, `"reason":"expired"`, `"reason":"malformed"`,
		`"reason":"unknown_client"`, `"reason":"insufficient_scope"`,
		`"msg":"evidence: auth observer"`, `"msg":"apicred: authenticated"`, `"msg":"apicred: authentication failed"`,
		`"msg":"apicred: no credentials"`, `"msg":"apicred: credential store failure"`,
		`"msg":"adminapi: authorization failed; answering 403"`, `"msg":"adminapi: request failed"`,
		`"msg":"evidence: things served"`, `"msg":"evidence: issued"`, `"msg":"evidence: audit event"`,
		errStoreDown.Error(),
	} {
		assert.Contains(t, text, want, "the log holds %s", want)
	}
	lines := bytes.Split(bytes.TrimSpace(logs), []byte("\n"))
	for i, line := range lines {
		r.ev.add(fmt.Sprintf("log line %d", i+1), line)
	}
	t.Logf("%d log lines, %d bytes", len(lines), len(logs))

	if assertNoLeaks(t, r.ev.all(), r.secrets) > 0 {
		r.summariseLogLeaks(lines)
	}
}

// summariseLogLeaks names, for each log line that holds a secret, the
// message and the attribute that carried it, so that a failure points at
// the code that logged it.
func (r *leakRun) summariseLogLeaks(lines [][]byte) {
	sources := map[string]int{}
	for _, line := range lines {
		var attrs map[string]any
		if json.Unmarshal(line, &attrs) != nil {
			continue
		}
		for key, v := range attrs {
			text := fmt.Sprint(v)
			if b, err := json.Marshal(v); err == nil {
				text = string(b)
			}
			if len(scan([]artifact{{data: []byte(text)}}, r.secrets)) > 0 {
				sources[fmt.Sprintf("message %q, attribute %q", attrs["msg"], key)]++
			}
		}
	}
	keys := slices.Sorted(maps.Keys(sources))
	for _, k := range keys {
		r.t.Errorf("SECRET LEAK (rule R8) source: %s, in %d log lines", k, sources[k])
	}
}
