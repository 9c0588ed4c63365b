package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopeAndTenantChecks(t *testing.T) {
	fx := newFixture(t)
	const (
		required = `{"type":"about:blank","title":"Forbidden","status":403,"detail":"The credential does not grant the scopes this request requires.","required_scopes":["orders:read","orders:write"]}`
		accepted = `{"type":"about:blank","title":"Forbidden","status":403,"detail":"The credential grants none of the scopes this request accepts.","accepted_scopes":["orders:write","orders:admin"]}`
	)
	tenant := func(r *http.Request) string { return r.PathValue("tenant") }
	tests := []struct {
		name          string
		clientID      string
		guard         func(m *middleware.Middleware) func(http.Handler) http.Handler
		path          string
		wantStatus    int
		wantChallenge string
		wantBody      string
		wantResult    middleware.Result
	}{
		{
			name: "a principal with the one required scope passes", clientID: fx.active,
			guard:      func(m *middleware.Middleware) func(http.Handler) http.Handler { return m.RequireScopes("orders:read") },
			wantStatus: 200,
		},
		{
			name: "a principal missing one of the required scopes gets 403", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.RequireScopes("orders:read", "orders:write")
			},
			wantStatus:    403,
			wantChallenge: challenge + `, error="insufficient_scope", scope="orders:read orders:write"`,
			wantBody:      required, wantResult: middleware.ResultInsufficientScope,
		},
		{
			name: "full access passes every scope check", clientID: fx.full,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.RequireScopes("orders:read", "orders:write")
			},
			wantStatus: 200,
		},
		{
			name: "any of the accepted scopes passes", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.RequireAnyScope("orders:write", "orders:read")
			},
			wantStatus: 200,
		},
		{
			name: "none of the accepted scopes gets 403", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.RequireAnyScope("orders:write", "orders:admin")
			},
			wantStatus:    403,
			wantChallenge: challenge + `, error="insufficient_scope", scope="orders:write orders:admin"`,
			wantBody:      accepted, wantResult: middleware.ResultInsufficientScope,
		},
		{
			name: "full access passes any-of checks", clientID: fx.full,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.RequireAnyScope("orders:admin")
			},
			wantStatus: 200,
		},
		{
			name: "the principal's own tenant passes the tenant guard", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler { return m.TenantGuard(tenant) },
			path:  "/tenants/" + testTenant + "/orders", wantStatus: 200,
		},
		{
			name: "another tenant gets 403 from the tenant guard", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler { return m.TenantGuard(tenant) },
			path:  "/tenants/tenant-b/orders", wantStatus: 403, wantBody: body403T, wantResult: middleware.ResultWrongTenant,
		},
		{
			name: "full access does not pass the tenant guard of another tenant", clientID: fx.full,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler { return m.TenantGuard(tenant) },
			path:  "/tenants/tenant-b/orders", wantStatus: 403, wantBody: body403T, wantResult: middleware.ResultWrongTenant,
		},
		{
			name: "an empty tenant gets 403 from the tenant guard", clientID: fx.active,
			guard: func(m *middleware.Middleware) func(http.Handler) http.Handler {
				return m.TenantGuard(func(*http.Request) string { return "" })
			},
			wantStatus: 403, wantBody: body403T, wantResult: middleware.ResultWrongTenant,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			m := newMiddleware(t, fx.auth, middleware.WithRealm("test"), middleware.WithObserver(rec.observe))
			next := &nextHandler{}
			path := tt.path
			if path == "" {
				path = "/tenants/" + testTenant + "/orders"
			}
			mux := http.NewServeMux()
			mux.Handle("GET /tenants/{tenant}/orders", tt.guard(m)(next))
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.SetBasicAuth(tt.clientID, fx.secretOf[tt.clientID])

			res := serve(m.Handler(mux), req)

			outcomes := rec.all()
			require.NotEmpty(t, outcomes)
			assert.Equal(t, middleware.ResultOK, outcomes[0].Result, "authentication itself succeeds")
			if tt.wantStatus == http.StatusOK {
				assert.Equal(t, http.StatusOK, res.Code)
				assert.True(t, next.ran, "the next handler must run")
				assert.Len(t, outcomes, 1, "a check that passes reports nothing")
				return
			}
			requireProblem(t, res, tt.wantStatus, tt.wantChallenge, tt.wantBody)
			assert.False(t, next.ran, "the next handler must not run")
			require.Len(t, outcomes, 2)
			assert.Equal(t, tt.wantResult, outcomes[1].Result)
			assert.Equal(t, tt.clientID, outcomes[1].ClientID)
			assert.Equal(t, testTenant, outcomes[1].Principal.TenantID)
			if tt.wantResult == middleware.ResultInsufficientScope {
				assert.Equal(t, credential.ReasonInsufficientScope, outcomes[1].Reason)
			}
			assert.NotContains(t, res.Body.String(), "secret:own-scope", "the body never names the credential's own scopes")
			assert.NotContains(t, res.Header().Get("WWW-Authenticate"), "secret:own-scope")
		})
	}
}

func TestChecksWithoutAuthenticationAnswer401(t *testing.T) {
	fx := newFixture(t)
	for name, guard := range map[string]func(m *middleware.Middleware) func(http.Handler) http.Handler{
		"RequireScopes": func(m *middleware.Middleware) func(http.Handler) http.Handler { return m.RequireScopes("orders:read") },
		"RequireAnyScope": func(m *middleware.Middleware) func(http.Handler) http.Handler {
			return m.RequireAnyScope("orders:read")
		},
		"TenantGuard": func(m *middleware.Middleware) func(http.Handler) http.Handler {
			return m.TenantGuard(func(*http.Request) string { return testTenant })
		},
	} {
		t.Run(name, func(t *testing.T) {
			var rec recorder
			m := newMiddleware(t, fx.auth, middleware.WithRealm("test"), middleware.WithObserver(rec.observe))
			next := &nextHandler{}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.SetBasicAuth(fx.full, fx.secretOf[fx.full])

			res := serve(guard(m)(next), req)

			requireProblem(t, res, http.StatusUnauthorized, challenge, body401)
			assert.False(t, next.ran)
			require.Len(t, rec.all(), 1)
			o := rec.all()[0]
			assert.Equal(t, middleware.ResultMissing, o.Result)
			assert.ErrorContains(t, o.Err, "Middleware.Handler missing", "the misconfiguration must be named")
		})
	}
}

func TestChecksAcceptAPrincipalPutThereByContextWithPrincipal(t *testing.T) {
	m := newMiddleware(t, newFixture(t).auth)
	p := credential.NewPrincipal(testTenant, [16]byte{1}, "mk_live_x", credential.AccessFineGrained, credential.EnvironmentLive, []string{"orders:read"})
	next := &nextHandler{}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(middleware.ContextWithPrincipal(req.Context(), p))

	res := serve(m.RequireScopes("orders:read")(next), req)

	assert.Equal(t, http.StatusOK, res.Code)
	assert.True(t, next.ran)
	assert.Equal(t, p.CredentialID, next.principal.CredentialID)
}
