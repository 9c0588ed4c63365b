package middleware_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/google/uuid"
)

// FuzzHandlerAuthorization sends arbitrary Authorization values through
// the middleware: it must never panic, and must answer 401 with the one
// failure body to everything but the single valid pair, which reaches the
// next handler.
func FuzzHandlerAuthorization(f *testing.F) {
	const (
		validID     = "mk_live_000000000000000000000000"
		validSecret = "ms_live_valid-secret"
	)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, seed := range []string{
		"",
		"Basic " + enc(validID+":"+validSecret),
		"basic " + enc(validID+":"+validSecret),
		"Basic " + enc(validID+":"+validSecret+"x"),
		"Basic " + enc(validID+":"),
		"Basic " + enc(":"+validSecret),
		"Basic " + enc(validID),
		"Basic " + enc(validID + ":" + validSecret)[:10],
		"Basic !!!!",
		"Basic ====",
		"Basic \xff\xfe",
		"Bearer eyJhbGciOiJIUzI1NiJ9",
		"Basic " + enc(strings.Repeat("a", 300)+":"+validSecret),
		"Basic " + enc(validID+":"+strings.Repeat("s", 600)),
		"Basic " + strings.Repeat("A", 5000),
		"\x00Basic " + enc(validID+":"+validSecret),
	} {
		f.Add(seed)
	}
	auth := authFunc(func(_ context.Context, clientID string, secret []byte) (credential.Principal, error) {
		if clientID == validID && string(secret) == validSecret {
			return credential.NewPrincipal(testTenant, uuid.UUID{1}, validID, credential.AccessFull, credential.EnvironmentLive, nil), nil
		}
		return credential.Principal{}, credential.AuthFailure(credential.ReasonWrongSecret)
	})
	m, err := middleware.New(auth, middleware.WithRealm("test"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string) {
		next := &nextHandler{}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["Authorization"] = []string{value}

		res := serve(m.Handler(next), req)

		id, secret, ok := req.BasicAuth()
		if ok && id == validID && secret == validSecret {
			if res.Code != http.StatusOK || !next.ran {
				t.Fatalf("the valid pair in %q got %d", value, res.Code)
			}
			return
		}
		if res.Code != http.StatusUnauthorized || next.ran {
			t.Fatalf("%q got %d, next ran: %v", value, res.Code, next.ran)
		}
		if res.Body.String() != body401 || res.Header().Get("WWW-Authenticate") != challenge {
			t.Fatalf("%q got another failure answer: %q %q", value, res.Header(), res.Body)
		}
	})
}

// authFunc adapts a function to middleware.Authenticator.
type authFunc func(ctx context.Context, clientID string, secret []byte) (credential.Principal, error)

func (f authFunc) Authenticate(ctx context.Context, clientID string, secret []byte) (credential.Principal, error) {
	return f(ctx, clientID, secret)
}
