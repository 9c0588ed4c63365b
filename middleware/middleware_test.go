package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandlerAnswersEveryAuthenticationBranch(t *testing.T) {
	fx := newFixture(t)
	long := strings.Repeat("a", middleware.MaxSecretLen+1)
	tests := []struct {
		name string
		// header is the Authorization value; headers overrides it when set.
		header     string
		headers    []string
		wantStatus int
		wantResult middleware.Result
		wantReason credential.FailureReason
		// wantAsked says whether the Authenticator must have been called.
		wantAsked bool
	}{
		{name: "no header is 401 with no credentials", wantStatus: 401, wantResult: middleware.ResultMissing},
		{name: "an empty header is 401 with no credentials", headers: []string{""}, wantStatus: 401, wantResult: middleware.ResultMissing},
		{name: "another scheme is 401 malformed", header: "Bearer abc", wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "bad base64 is 401 malformed", header: "Basic !!!notbase64", wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "no colon is 401 malformed", header: "Basic " + "bm9jb2xvbg==", wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "an empty client ID is 401 malformed", header: basic("", fx.secretOf[fx.active]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "an empty secret is 401 malformed", header: basic(fx.active, ""), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "an oversized secret is 401 malformed", header: basic(fx.active, long), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "two Authorization headers are 401 malformed", headers: []string{basic(fx.active, fx.secretOf[fx.active]), basic(fx.active, fx.secretOf[fx.active])}, wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonMalformed},
		{name: "an unknown client is 401", header: basic(fx.unknownClient, fx.secretOf[fx.unknownClient]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonUnknownClient, wantAsked: true},
		{name: "a wrong secret is 401", header: basic(fx.active, fx.secretOf[fx.full]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonWrongSecret, wantAsked: true},
		{name: "an expired credential is 401", header: basic(fx.expired, fx.secretOf[fx.expired]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonExpired, wantAsked: true},
		{name: "a revoked credential is 401", header: basic(fx.revoked, fx.secretOf[fx.revoked]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonRevoked, wantAsked: true},
		{name: "a rotated-away secret is 401", header: basic(fx.rotated, fx.secretOf[fx.rotated]), wantStatus: 401, wantResult: middleware.ResultFailed, wantReason: credential.ReasonWrongSecret, wantAsked: true},
		{name: "a valid pair passes", header: basic(fx.active, fx.secretOf[fx.active]), wantStatus: 200, wantResult: middleware.ResultOK, wantAsked: true},
		{name: "the rotated credential's new secret passes", header: basic(fx.rotated, fx.rotatedNew), wantStatus: 200, wantResult: middleware.ResultOK, wantAsked: true},
		{name: "the scheme is case-insensitive", header: "bAsIc " + strings.TrimPrefix(basic(fx.full, fx.secretOf[fx.full]), "Basic "), wantStatus: 200, wantResult: middleware.ResultOK, wantAsked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx.auth.calls.Store(0)
			var rec recorder
			m := newMiddleware(t, fx.auth, middleware.WithRealm("test"), middleware.WithObserver(rec.observe))
			next := &nextHandler{}
			req := httptest.NewRequest(http.MethodGet, "/orders", nil)
			switch {
			case tt.headers != nil:
				req.Header["Authorization"] = tt.headers
			case tt.header != "":
				req.Header.Set("Authorization", tt.header)
			}

			res := serve(m.Handler(next), req)

			if tt.wantStatus == http.StatusOK {
				require.Equal(t, http.StatusOK, res.Code)
				require.True(t, next.ran, "the next handler must run")
				require.True(t, next.found, "the principal must be in the context")
				require.Empty(t, res.Header().Get("WWW-Authenticate"))
			} else {
				requireProblem(t, res, tt.wantStatus, challenge, body401)
				require.False(t, next.ran, "the next handler must not run")
			}
			assert.Equal(t, tt.wantAsked, fx.auth.calls.Load() == 1, "whether the Authenticator was asked")
			outcomes := rec.all()
			require.Len(t, outcomes, 1)
			assert.Equal(t, tt.wantResult, outcomes[0].Result)
			assert.Equal(t, tt.wantReason, outcomes[0].Reason)
			assert.NoError(t, outcomes[0].Err)
			assert.Positive(t, outcomes[0].Latency)
		})
	}
}

func TestHandlerPutsThePrincipalInTheContext(t *testing.T) {
	fx := newFixture(t)
	m := newMiddleware(t, fx.auth)
	next := &nextHandler{}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(fx.active, fx.secretOf[fx.active])

	res := serve(m.Handler(next), req)

	require.Equal(t, http.StatusOK, res.Code)
	require.True(t, next.found)
	want := fx.auth.creds[fx.active].principal
	assert.Equal(t, want.TenantID, next.principal.TenantID)
	assert.Equal(t, want.CredentialID, next.principal.CredentialID)
	assert.Equal(t, fx.active, next.principal.ClientID)
	assert.Equal(t, credential.AccessFineGrained, next.principal.Access)
	assert.Equal(t, credential.EnvironmentLive, next.principal.Environment)
	assert.Equal(t, []string{"orders:read", "secret:own-scope"}, next.principal.Scopes())
}

func TestStoreFailureIs503AndLoggedAsAStoreFailure(t *testing.T) {
	for _, storeErr := range []error{errStoreDown, fmt.Errorf("apicred: authenticate: %w", context.DeadlineExceeded)} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			fx := newFixture(t)
			fx.auth.err = storeErr
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var rec recorder
			m := newMiddleware(t, fx.auth, middleware.WithRealm("test"),
				middleware.WithObserver(func(ctx context.Context, o middleware.Outcome) {
					rec.observe(ctx, o)
					middleware.SlogObserver(logger)(ctx, o)
				}))
			next := &nextHandler{}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.SetBasicAuth(fx.active, fx.secretOf[fx.active])

			res := serve(m.Handler(next), req)

			requireProblem(t, res, http.StatusServiceUnavailable, "", body503)
			require.False(t, next.ran)
			outcomes := rec.all()
			require.Len(t, outcomes, 1)
			assert.Equal(t, middleware.ResultStoreError, outcomes[0].Result)
			assert.ErrorIs(t, outcomes[0].Err, storeErr)
			assert.Zero(t, outcomes[0].Reason)
			assert.Equal(t, fx.active, outcomes[0].ClientID)

			line := logs.String()
			assert.Contains(t, line, `"level":"ERROR"`)
			assert.Contains(t, line, `"msg":"apicred: credential store failure"`)
			assert.Contains(t, line, `"result":"store_error"`)
			assert.Contains(t, line, storeErr.Error())
			assert.NotContains(t, line, "authentication failed", "a store failure must not be logged as a bad key")
			assert.NotContains(t, line, `"reason"`)
		})
	}
}

func TestCheckDecidesWithoutHTTPPlumbing(t *testing.T) {
	fx := newFixture(t)
	m := newMiddleware(t, fx.auth)
	req := func(auth string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}

	p, err := m.Check(req(basic(fx.active, fx.secretOf[fx.active])))
	require.NoError(t, err)
	assert.Equal(t, fx.active, p.ClientID)

	_, err = m.Check(req(""))
	assert.ErrorIs(t, err, middleware.ErrNoCredentials)

	_, err = m.Check(req(basic(fx.revoked, fx.secretOf[fx.revoked])))
	require.ErrorIs(t, err, credential.ErrAuthenticationFailed)
	reason, ok := credential.AuthFailureReason(err)
	require.True(t, ok)
	assert.Equal(t, credential.ReasonRevoked, reason)

	_, err = m.Check(req("Basic %%%"))
	reason, _ = credential.AuthFailureReason(err)
	assert.Equal(t, credential.ReasonMalformed, reason)

	fx.auth.err = errStoreDown
	_, err = m.Check(req(basic(fx.active, fx.secretOf[fx.active])))
	assert.ErrorIs(t, err, errStoreDown)
	assert.NotErrorIs(t, err, credential.ErrAuthenticationFailed)
}

func TestHeaderPairExtractor(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name       string
		headers    map[string][]string
		wantStatus int
		wantResult middleware.Result
	}{
		{name: "both headers authenticate", headers: map[string][]string{"X-Client-Id": {fx.active}, "X-Client-Secret": {fx.secretOf[fx.active]}}, wantStatus: 200, wantResult: middleware.ResultOK},
		{name: "neither header is no credentials", headers: nil, wantStatus: 401, wantResult: middleware.ResultMissing},
		{name: "only the client ID is malformed", headers: map[string][]string{"X-Client-Id": {fx.active}}, wantStatus: 401, wantResult: middleware.ResultFailed},
		{name: "only the secret is malformed", headers: map[string][]string{"X-Client-Secret": {fx.secretOf[fx.active]}}, wantStatus: 401, wantResult: middleware.ResultFailed},
		{name: "a repeated secret header is malformed", headers: map[string][]string{"X-Client-Id": {fx.active}, "X-Client-Secret": {fx.secretOf[fx.active], fx.secretOf[fx.active]}}, wantStatus: 401, wantResult: middleware.ResultFailed},
		{name: "a wrong secret fails", headers: map[string][]string{"X-Client-Id": {fx.active}, "X-Client-Secret": {fx.secretOf[fx.full]}}, wantStatus: 401, wantResult: middleware.ResultFailed},
		{name: "Basic is not read", headers: map[string][]string{"Authorization": {basic(fx.active, fx.secretOf[fx.active])}}, wantStatus: 401, wantResult: middleware.ResultMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			m := newMiddleware(t, fx.auth, middleware.WithRealm("test"),
				middleware.WithHeaderPair("x-client-id", "X-CLIENT-SECRET"), middleware.WithObserver(rec.observe))
			next := &nextHandler{}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for k, v := range tt.headers {
				req.Header[k] = v
			}

			res := serve(m.Handler(next), req)

			if tt.wantStatus == http.StatusOK {
				require.Equal(t, http.StatusOK, res.Code)
				require.True(t, next.ran)
			} else {
				requireProblem(t, res, tt.wantStatus, challenge, body401)
				require.False(t, next.ran)
			}
			require.Len(t, rec.all(), 1)
			assert.Equal(t, tt.wantResult, rec.all()[0].Result)
		})
	}
}

func TestQueryParamsOnlyWhenOptedIn(t *testing.T) {
	fx := newFixture(t)
	target := "/?client_id=" + fx.active + "&client_secret=" + fx.secretOf[fx.active]

	res := serve(newMiddleware(t, fx.auth).Handler(&nextHandler{}), httptest.NewRequest(http.MethodGet, target, nil))
	assert.Equal(t, http.StatusUnauthorized, res.Code, "the query string must be ignored without the option")

	m := newMiddleware(t, fx.auth, middleware.WithInsecureQueryParams("client_id", "client_secret"))
	next := &nextHandler{}
	res = serve(m.Handler(next), httptest.NewRequest(http.MethodGet, target, nil))
	assert.Equal(t, http.StatusOK, res.Code)
	assert.True(t, next.ran)

	res = serve(m.Handler(&nextHandler{}), httptest.NewRequest(http.MethodGet, target+"&client_id=other", nil))
	assert.Equal(t, http.StatusUnauthorized, res.Code, "a repeated parameter is malformed")
	res = serve(m.Handler(&nextHandler{}), httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusUnauthorized, res.Code)
}

func TestCustomExtractor(t *testing.T) {
	fx := newFixture(t)
	errBadToken := errors.New("bad token layout")
	extract := func(r *http.Request) (string, string, error) {
		v := r.Header.Get("X-Api-Token")
		if v == "" {
			return "", "", middleware.ErrNoCredentials
		}
		id, secret, ok := strings.Cut(v, ".")
		if !ok {
			return "", "", errBadToken
		}
		return id, secret, nil
	}
	var rec recorder
	m := newMiddleware(t, fx.auth, middleware.WithExtractor(extract), middleware.WithObserver(rec.observe))
	try := func(token string) int {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if token != "" {
			req.Header.Set("X-Api-Token", token)
		}
		return serve(m.Handler(&nextHandler{}), req).Code
	}

	assert.Equal(t, http.StatusOK, try(fx.active+"."+fx.secretOf[fx.active]))
	assert.Equal(t, http.StatusUnauthorized, try(""))
	assert.Equal(t, http.StatusUnauthorized, try("no-dot"))
	assert.Equal(t, http.StatusUnauthorized, try(fx.active+"."+strings.Repeat("s", middleware.MaxSecretLen+1)))
	results := []middleware.Result{}
	reasons := []credential.FailureReason{}
	for _, o := range rec.all() {
		results = append(results, o.Result)
		reasons = append(reasons, o.Reason)
	}
	assert.Equal(t, []middleware.Result{middleware.ResultOK, middleware.ResultMissing, middleware.ResultFailed, middleware.ResultFailed}, results)
	assert.Equal(t, []credential.FailureReason{0, 0, credential.ReasonMalformed, credential.ReasonMalformed}, reasons)
}

func TestWithFormatRefusesBadChecksumsBeforeTheAuthenticator(t *testing.T) {
	fx := newFixture(t)
	m := newMiddleware(t, fx.auth, middleware.WithFormat(credential.DefaultFormat()))
	secret := fx.secretOf[fx.active]
	last := secret[len(secret)-1]
	typo := secret[:len(secret)-1] + string("ab"[boolIndex(last == 'a')])
	tests := []struct{ name, id, secret string }{
		{"a secret whose checksum does not match", fx.active, typo},
		{"a secret of another prefix", fx.active, "xs" + secret[2:]},
		{"a client ID without the layout", "client-1", secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx.auth.calls.Store(0)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.SetBasicAuth(tt.id, tt.secret)
			_, err := m.Check(req)
			reason, _ := credential.AuthFailureReason(err)
			assert.Equal(t, credential.ReasonMalformed, reason)
			assert.Zero(t, fx.auth.calls.Load(), "the Authenticator must not be asked")
		})
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(fx.active, secret)
	_, err := m.Check(req)
	assert.NoError(t, err)
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestCustomResponderReplacesTheAnswer(t *testing.T) {
	fx := newFixture(t)
	var got []middleware.Denial
	m := newMiddleware(t, fx.auth, middleware.WithResponder(func(w http.ResponseWriter, _ *http.Request, d middleware.Denial) {
		got = append(got, d)
		status := d.Status
		if d.Kind == middleware.DenialWrongTenant {
			status = http.StatusNotFound
		}
		http.Error(w, d.Kind.String(), status)
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /tenants/{tenant}/orders", m.TenantGuard(func(r *http.Request) string { return r.PathValue("tenant") })(&nextHandler{}))
	h := m.Handler(mux)

	res := serve(h, httptest.NewRequest(http.MethodGet, "/tenants/"+testTenant+"/orders", nil))
	assert.Equal(t, http.StatusUnauthorized, res.Code)
	req := httptest.NewRequest(http.MethodGet, "/tenants/other/orders", nil)
	req.SetBasicAuth(fx.active, fx.secretOf[fx.active])
	res = serve(h, req)
	assert.Equal(t, http.StatusNotFound, res.Code)
	require.Len(t, got, 2)
	assert.Equal(t, middleware.Denial{Kind: middleware.DenialUnauthenticated, Status: 401, Challenge: `Basic realm="api", charset="UTF-8"`}, got[0])
	assert.Equal(t, middleware.Denial{Kind: middleware.DenialWrongTenant, Status: 403}, got[1])
}

func TestNewRefusesBadOptions(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name string
		auth middleware.Authenticator
		opts []middleware.Option
	}{
		{"a nil Authenticator", nil, nil},
		{"a nil option", fx.auth, []middleware.Option{nil}},
		{"an empty realm", fx.auth, []middleware.Option{middleware.WithRealm("")}},
		{"a realm with a quote", fx.auth, []middleware.Option{middleware.WithRealm(`a"b`)}},
		{"a realm with a newline", fx.auth, []middleware.Option{middleware.WithRealm("a\nb")}},
		{"a realm too long", fx.auth, []middleware.Option{middleware.WithRealm(strings.Repeat("r", 129))}},
		{"a header name with a space", fx.auth, []middleware.Option{middleware.WithHeaderPair("X Client", "X-Secret")}},
		{"the same header twice", fx.auth, []middleware.Option{middleware.WithHeaderPair("x-key", "X-Key")}},
		{"an empty query parameter", fx.auth, []middleware.Option{middleware.WithInsecureQueryParams("", "s")}},
		{"the same query parameter twice", fx.auth, []middleware.Option{middleware.WithInsecureQueryParams("k", "k")}},
		{"a nil extractor", fx.auth, []middleware.Option{middleware.WithExtractor(nil)}},
		{"two extractors", fx.auth, []middleware.Option{middleware.WithHeaderPair("A", "B"), middleware.WithInsecureQueryParams("a", "b")}},
		{"an invalid format", fx.auth, []middleware.Option{middleware.WithFormat(credential.Format{ClientIDPrefix: "x", SecretPrefix: "x"})}},
		{"a nil responder", fx.auth, []middleware.Option{middleware.WithResponder(nil)}},
		{"a nil observer", fx.auth, []middleware.Option{middleware.WithObserver(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := middleware.New(tt.auth, tt.opts...)
			assert.ErrorIs(t, err, middleware.ErrInvalidOption)
			assert.Nil(t, m)
		})
	}
}

func TestWiringMistakesPanicAtStartUp(t *testing.T) {
	m := newMiddleware(t, newFixture(t).auth)
	assert.Panics(t, func() { m.Handler(nil) })
	assert.Panics(t, func() { m.RequireScopes() })
	assert.Panics(t, func() { m.RequireAnyScope() })
	assert.Panics(t, func() { m.RequireScopes("Orders") })
	assert.Panics(t, func() { m.RequireScopes("orders:read")(nil) })
	assert.Panics(t, func() { m.TenantGuard(nil) })
	assert.Panics(t, func() { m.TenantGuard(func(*http.Request) string { return "" })(nil) })
}

func TestNamesOfEnums(t *testing.T) {
	assert.Equal(t, []string{"ok", "missing", "failed", "insufficient_scope", "wrong_tenant", "store_error", "unknown_result"},
		[]string{middleware.ResultOK.String(), middleware.ResultMissing.String(), middleware.ResultFailed.String(),
			middleware.ResultInsufficientScope.String(), middleware.ResultWrongTenant.String(), middleware.ResultStoreError.String(), middleware.Result(0).String()})
	assert.Equal(t, []string{"unauthenticated", "insufficient_scope", "wrong_tenant", "unavailable", "unknown_denial"},
		[]string{middleware.DenialUnauthenticated.String(), middleware.DenialInsufficientScope.String(), middleware.DenialWrongTenant.String(),
			middleware.DenialUnavailable.String(), middleware.DenialKind(0).String()})
}

func TestWriteProblemAnswersAnInvalidDenial500(t *testing.T) {
	rec := httptest.NewRecorder()
	middleware.WriteProblem(rec, httptest.NewRequest(http.MethodGet, "/", nil), middleware.Denial{})
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.JSONEq(t, `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"The request was refused."}`, rec.Body.String())
}

func TestTheSecretBufferIsClearedAfterTheRequest(t *testing.T) {
	fx := newFixture(t)
	for name, opts := range map[string][]middleware.Option{
		"Basic":       nil,
		"header pair": {middleware.WithHeaderPair("X-Client-ID", "X-Client-Secret")},
	} {
		t.Run(name, func(t *testing.T) {
			var seen []byte
			auth := authFunc(func(ctx context.Context, clientID string, secret []byte) (credential.Principal, error) {
				seen = secret // retained against the contract, to look at it afterwards
				return fx.auth.Authenticate(ctx, clientID, secret)
			})
			m := newMiddleware(t, auth, opts...)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.SetBasicAuth(fx.active, fx.secretOf[fx.active])
			req.Header.Set("X-Client-ID", fx.active)
			req.Header.Set("X-Client-Secret", fx.secretOf[fx.active])

			res := serve(m.Handler(&nextHandler{}), req)

			require.Equal(t, http.StatusOK, res.Code)
			require.Len(t, seen, len(fx.secretOf[fx.active]))
			assert.Equal(t, make([]byte, len(seen)), seen, "the secret must be wiped once the request is decided")
		})
	}
}

func TestAnAuthenticatedRequestCostsAtMostThreeAllocations(t *testing.T) {
	fx := newFixture(t)
	m := newMiddleware(t, fx.auth)
	handler := m.Handler(m.RequireScopes("orders:read")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	basicReq := httptest.NewRequest(http.MethodGet, "/", nil)
	basicReq.SetBasicAuth(fx.active, fx.secretOf[fx.active])
	pairReq := httptest.NewRequest(http.MethodGet, "/", nil)
	pairReq.Header.Set("X-Client-ID", fx.active)
	pairReq.Header.Set("X-Client-Secret", fx.secretOf[fx.active])
	pairMiddleware := newMiddleware(t, fx.auth, middleware.WithHeaderPair("X-Client-ID", "X-Client-Secret"))
	pairHandler := pairMiddleware.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := httptest.NewRecorder()

	basicAllocs := testing.AllocsPerRun(200, func() { handler.ServeHTTP(w, basicReq) })
	pairAllocs := testing.AllocsPerRun(200, func() { pairHandler.ServeHTTP(w, pairReq) })

	assert.LessOrEqual(t, basicAllocs, 3.0, "Basic: the client ID, the request copy and the principal context")
	assert.LessOrEqual(t, pairAllocs, 2.0, "header pair: the request copy and the principal context")
}
