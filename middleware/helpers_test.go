package middleware_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// fakeAuth is an Authenticator over a map, answering every failure reason
// the way *apicred.Manager does.
type fakeAuth struct {
	creds map[string]fakeCred
	// err, when set, is returned for every call: a failing store.
	err   error
	calls atomic.Int32
}

type fakeCred struct {
	secret    string
	state     credential.State
	principal credential.Principal
}

func (f *fakeAuth) Authenticate(_ context.Context, clientID string, secret []byte) (credential.Principal, error) {
	f.calls.Add(1)
	if f.err != nil {
		return credential.Principal{}, f.err
	}
	c, ok := f.creds[clientID]
	switch {
	case !ok:
		return credential.Principal{}, credential.AuthFailure(credential.ReasonUnknownClient)
	case string(secret) != c.secret:
		return credential.Principal{}, credential.AuthFailure(credential.ReasonWrongSecret)
	case c.state == credential.StateExpired:
		return credential.Principal{}, credential.AuthFailure(credential.ReasonExpired)
	case c.state == credential.StateRevoked:
		return credential.Principal{}, credential.AuthFailure(credential.ReasonRevoked)
	}
	return c.principal, nil
}

// fixture holds well-formed credentials of every kind.
type fixture struct {
	auth *fakeAuth
	// active, full, expired, revoked and rotated are client IDs; rotated's
	// current secret is rotatedNew, and its old one is secretOf[rotated].
	active, full, expired, revoked, rotated string
	secretOf                                map[string]string
	rotatedNew                              string
	unknownClient                           string
}

const testTenant = "tenant-a"

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := credential.DefaultFormat()
	newID := func() string {
		id, err := f.NewClientID(credential.EnvironmentLive)
		require.NoError(t, err)
		return id
	}
	newSecret := func() string {
		s, err := f.NewSecret(credential.EnvironmentLive)
		require.NoError(t, err)
		return s.Reveal()
	}
	fx := &fixture{
		auth:          &fakeAuth{creds: map[string]fakeCred{}},
		active:        newID(),
		full:          newID(),
		expired:       newID(),
		revoked:       newID(),
		rotated:       newID(),
		unknownClient: newID(),
		rotatedNew:    newSecret(),
		secretOf:      map[string]string{},
	}
	add := func(id string, access credential.Access, scopes []string, state credential.State) {
		fx.secretOf[id] = newSecret()
		fx.auth.creds[id] = fakeCred{
			secret:    fx.secretOf[id],
			state:     state,
			principal: credential.NewPrincipal(testTenant, uuid.New(), id, access, credential.EnvironmentLive, scopes),
		}
	}
	add(fx.active, credential.AccessFineGrained, []string{"orders:read", "secret:own-scope"}, credential.StateActive)
	add(fx.full, credential.AccessFull, nil, credential.StateActive)
	add(fx.expired, credential.AccessFineGrained, []string{"orders:read"}, credential.StateExpired)
	add(fx.revoked, credential.AccessFineGrained, []string{"orders:read"}, credential.StateRevoked)
	add(fx.rotated, credential.AccessFineGrained, []string{"orders:read"}, credential.StateActive)
	c := fx.auth.creds[fx.rotated]
	c.secret = fx.rotatedNew
	fx.auth.creds[fx.rotated] = c
	fx.secretOf[fx.unknownClient] = newSecret()
	return fx
}

// basic returns the Authorization value of HTTP Basic for id and secret.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// recorder collects outcomes.
type recorder struct {
	mu       sync.Mutex
	outcomes []middleware.Outcome
}

func (r *recorder) observe(_ context.Context, o middleware.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, o)
}

func (r *recorder) all() []middleware.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]middleware.Outcome(nil), r.outcomes...)
}

// nextHandler records whether it ran and the principal it saw.
type nextHandler struct {
	ran       bool
	principal credential.Principal
	found     bool
}

func (h *nextHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ran = true
	h.principal, h.found = middleware.PrincipalFrom(r.Context())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
}

func newMiddleware(t testing.TB, auth middleware.Authenticator, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(auth, opts...)
	require.NoError(t, err)
	return m
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The answers every test compares with.
const (
	challenge = `Basic realm="test", charset="UTF-8"`
	body401   = `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"Valid client credentials are required."}`
	body503   = `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"Authentication is temporarily unavailable. Try again later."}`
	body403T  = `{"type":"about:blank","title":"Forbidden","status":403,"detail":"The credential may not access this tenant."}`
)

// requireProblem checks a problem+json answer.
func requireProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, wantChallenge, wantBody string) {
	t.Helper()
	require.Equal(t, status, rec.Code, "status")
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	require.Equal(t, wantChallenge, rec.Header().Get("WWW-Authenticate"))
	require.JSONEq(t, wantBody, rec.Body.String())
	require.Equal(t, wantBody, rec.Body.String(), "the body must be byte for byte the same for every cause")
}

// errStoreDown is an infrastructure error.
var errStoreDown = errors.New("memdb: connection refused")

func containsAny(haystack []byte, needles ...string) string {
	for _, n := range needles {
		if n != "" && bytes.Contains(haystack, []byte(n)) {
			return n
		}
	}
	return ""
}
