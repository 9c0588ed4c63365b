package middleware_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/apicred/apicred/store/memstore"
	"github.com/google/uuid"
)

var _ middleware.Authenticator = (*apicred.Manager)(nil)

// discardWriter is a ResponseWriter reused across iterations, so that the
// figures are those of the authentication and not of httptest.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }

// benchCred is a stored credential as the floor and the map Authenticator
// keep it.
type benchCred struct {
	hash      [sha256.Size]byte
	revokedAt time.Time
	expiresAt time.Time
	principal credential.Principal
}

func (c *benchCred) active(now time.Time) bool {
	return c.revokedAt.IsZero() && (c.expiresAt.IsZero() || now.Before(c.expiresAt))
}

// benchDummyHash is compared against for an unknown client ID (R19).
var benchDummyHash [sha256.Size]byte

type floorKey struct{}

// floor is the hand-written lower bound of DESIGN §4: Basic auth decoded
// into stack buffers, a map lookup, SHA-256, a constant-time comparison,
// the state and scope checks, and the principal into the context. It
// answers failures with a bare status. To keep it tight its buffers fit
// apicred's own credentials (a 32-byte client ID and a 57-byte secret, 120
// bytes of base64) with room to spare, rather than the middleware's caps.
func floor(creds map[string]*benchCred, scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header["Authorization"]
		if len(values) != 1 || len(values[0]) < 6 || !equalFoldASCII(values[0][:6], "Basic ") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var src [192]byte
		var dst [144]byte
		if len(values[0])-6 > len(src) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := copy(src[:], values[0][6:])
		n, err := base64.StdEncoding.Decode(dst[:], src[:n])
		colon := bytes.IndexByte(dst[:n], ':')
		if err != nil || colon < 0 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		c, found := creds[string(dst[:colon])]
		sum := sha256.Sum256(dst[colon+1 : n])
		want := &benchDummyHash
		if found {
			want = &c.hash
		}
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !found || !c.active(time.Now()) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !c.principal.HasScope(scope) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), floorKey{}, &c.principal)))
	})
}

func equalFoldASCII(s, t string) bool {
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// mapAuth is an Authenticator doing the floor's work: map lookup, SHA-256,
// constant-time comparison, state check.
type mapAuth map[string]*benchCred

func (m mapAuth) Authenticate(_ context.Context, clientID string, secret []byte) (credential.Principal, error) {
	c, found := m[clientID]
	sum := sha256.Sum256(secret)
	want := &benchDummyHash
	if found {
		want = &c.hash
	}
	if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !found {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonWrongSecret)
	}
	if !c.active(time.Now()) {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonExpired)
	}
	return c.principal, nil
}

// BenchmarkMiddleware measures one authenticated request to a trivial
// handler, in the same run: (a) the bare handler, (b) the hand-written
// floor, (c) the middleware over an Authenticator doing the floor's work,
// (d) the middleware over *apicred.Manager with the memory store. (b), (c)
// and (d) check the scope "orders:read" of a fine-grained credential.
func BenchmarkMiddleware(b *testing.B) {
	const scope = "orders:read"
	ctx := b.Context()

	// The Manager, its store and one credential.
	manager, err := apicred.New(memstore.New())
	if err != nil {
		b.Fatal(err)
	}
	issued, err := manager.Issue(ctx, apicred.IssueRequest{
		TenantID:    "t1",
		Name:        "bench",
		Access:      credential.AccessFineGrained,
		Scopes:      []string{scope},
		Environment: credential.EnvironmentLive,
		Actor:       "bench",
	})
	if err != nil {
		b.Fatal(err)
	}
	clientID, secret := issued.ClientID, issued.Secret.Reveal()

	// The same credential in a map, with 999 others beside it.
	creds := mapAuth{clientID: {
		hash:      sha256.Sum256([]byte(secret)),
		principal: credential.NewPrincipal("t1", issued.Credential.ID, clientID, credential.AccessFineGrained, credential.EnvironmentLive, []string{scope}),
	}}
	format := credential.DefaultFormat()
	for range 999 {
		id, err := format.NewClientID(credential.EnvironmentLive)
		if err != nil {
			b.Fatal(err)
		}
		creds[id] = &benchCred{hash: sha256.Sum256([]byte(id)), principal: credential.NewPrincipal("t2", uuid.New(), id, credential.AccessFull, credential.EnvironmentLive, nil)}
	}

	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	withMiddleware := func(auth middleware.Authenticator) http.Handler {
		m, err := middleware.New(auth)
		if err != nil {
			b.Fatal(err)
		}
		return m.Handler(m.RequireScopes(scope)(trivial))
	}
	cases := []struct {
		name    string
		handler http.Handler
		// checks says whether the handler authenticates.
		checks bool
	}{
		{"a_bare_handler", trivial, false},
		{"b_hand_written_floor", floor(creds, scope, trivial), true},
		{"c_middleware_map_authenticator", withMiddleware(creds), true},
		{"d_middleware_manager_memstore", withMiddleware(manager), true},
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/orders", nil)
	req.SetBasicAuth(clientID, secret)
	wrong := httptest.NewRequestWithContext(ctx, http.MethodGet, "/orders", nil)
	last := "0"
	if secret[len(secret)-1] == '0' {
		last = "1"
	}
	wrong.SetBasicAuth(clientID, secret[:len(secret)-1]+last)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{header: http.Header{}}
			if bc.checks {
				bc.handler.ServeHTTP(w, wrong)
				if w.status != http.StatusUnauthorized {
					b.Fatalf("a wrong secret got %d, want 401", w.status)
				}
			}
			bc.handler.ServeHTTP(w, req)
			if w.status != http.StatusNoContent {
				b.Fatalf("status %d, want 204", w.status)
			}
			b.ReportAllocs()
			for b.Loop() {
				bc.handler.ServeHTTP(w, req)
			}
		})
	}
}
