package middleware_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apicred/apicred/middleware"
	"github.com/stretchr/testify/require"
)

// forms returns the secret and the encodings of it and of its SHA-256 hash
// that a leak could take.
func forms(clientID, secret string) []string {
	sum := sha256.Sum256([]byte(secret))
	return []string{
		secret,
		hex.EncodeToString(sum[:]),
		strings.ToUpper(hex.EncodeToString(sum[:])),
		base64.StdEncoding.EncodeToString(sum[:]),
		base64.RawStdEncoding.EncodeToString(sum[:]),
		base64.URLEncoding.EncodeToString(sum[:]),
		base64.RawURLEncoding.EncodeToString(sum[:]),
		base64.StdEncoding.EncodeToString([]byte(secret)),
		strings.TrimPrefix(basic(clientID, secret), "Basic "),
	}
}

func TestNoFailureRevealsTheSecretOrItsHash(t *testing.T) {
	fx := newFixture(t)
	secretOf := func(id string) string { return fx.secretOf[id] }
	type request struct {
		name     string
		clientID string
		secret   string
		// pair sends X-Client-ID / X-Client-Secret instead of Basic.
		pair bool
		// authErr makes the Authenticator fail with this error.
		authErr error
		path    string
	}
	requests := []request{
		{name: "unknown client", clientID: fx.unknownClient, secret: secretOf(fx.unknownClient)},
		{name: "wrong secret", clientID: fx.active, secret: secretOf(fx.unknownClient)},
		{name: "expired", clientID: fx.expired, secret: secretOf(fx.expired)},
		{name: "revoked", clientID: fx.revoked, secret: secretOf(fx.revoked)},
		{name: "rotated-away secret", clientID: fx.rotated, secret: secretOf(fx.rotated)},
		{name: "empty client ID", clientID: "", secret: secretOf(fx.active)},
		{name: "oversized client ID", clientID: strings.Repeat("c", middleware.MaxClientIDLen+1), secret: secretOf(fx.active)},
		{name: "secret pasted as the client ID", clientID: secretOf(fx.active), secret: secretOf(fx.active), pair: true},
		{name: "secret pasted as the client ID with Basic", clientID: secretOf(fx.active), secret: secretOf(fx.active)},
		{name: "store failure", clientID: fx.active, secret: secretOf(fx.active), authErr: errStoreDown},
		{name: "store failure whose message holds the secret", clientID: fx.active, secret: secretOf(fx.active), authErr: fmt.Errorf("driver: bad query for secret %s", secretOf(fx.active))},
		{name: "insufficient scope", clientID: fx.active, secret: secretOf(fx.active), path: "/write"},
		{name: "wrong tenant", clientID: fx.active, secret: secretOf(fx.active), path: "/tenants/other"},
		{name: "success", clientID: fx.active, secret: secretOf(fx.active), path: "/read"},
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			fx.auth.err = rq.authErr
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			opts := []middleware.Option{middleware.WithObserver(middleware.SlogObserver(logger))}
			if rq.pair {
				opts = append(opts, middleware.WithHeaderPair("X-Client-ID", "X-Client-Secret"))
			}
			m := newMiddleware(t, fx.auth, opts...)
			mux := http.NewServeMux()
			mux.Handle("/write", m.RequireScopes("orders:write")(&nextHandler{}))
			mux.Handle("/read", m.RequireScopes("orders:read")(&nextHandler{}))
			mux.Handle("/tenants/{tenant}", m.TenantGuard(func(r *http.Request) string { return r.PathValue("tenant") })(&nextHandler{}))
			path := rq.path
			if path == "" {
				path = "/read"
			}
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if rq.pair {
				req.Header.Set("X-Client-ID", rq.clientID)
				req.Header.Set("X-Client-Secret", rq.secret)
			} else {
				req.SetBasicAuth(rq.clientID, rq.secret)
			}

			res := serve(m.Handler(mux), req)

			require.NotZero(t, logs.Len(), "every decision is logged at Debug or above")
			var answer bytes.Buffer
			require.NoError(t, res.Result().Header.Write(&answer))
			answer.Write(res.Body.Bytes())
			leakForms := forms(rq.clientID, rq.secret)
			require.Empty(t, containsAny(answer.Bytes(), leakForms...), "the answer reveals the secret or its hash:\n%s", answer.String())
			require.Empty(t, containsAny(logs.Bytes(), leakForms...), "the log reveals the secret or its hash:\n%s", logs.String())
		})
	}
}

func TestAnErrorThatHoldsTheSecretIsWithheld(t *testing.T) {
	fx := newFixture(t)
	secret := fx.secretOf[fx.active]
	fx.auth.err = fmt.Errorf("wrapped: %w: %s", errStoreDown, secret)
	var rec recorder
	m := newMiddleware(t, fx.auth, middleware.WithObserver(rec.observe))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(fx.active, secret)

	res := serve(m.Handler(&nextHandler{}), req)
	_, checkErr := m.Check(req)

	require.Equal(t, http.StatusServiceUnavailable, res.Code)
	require.Len(t, rec.all(), 1)
	o := rec.all()[0]
	require.Equal(t, middleware.ResultStoreError, o.Result)
	require.NotContains(t, o.Err.Error(), secret)
	require.Contains(t, o.Err.Error(), "withheld")
	require.NotContains(t, checkErr.Error(), secret)
	require.False(t, errors.Is(o.Err, errStoreDown), "the withheld error is not unwrapped to the one that held the secret")
}
