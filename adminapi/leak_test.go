package adminapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTheSecretAppearsOnlyInCreateAndRotate runs a full lifecycle, with
// refusals and failures along the way, and checks every response body and
// header and the log for every secret the API handed out (rule R8).
func TestTheSecretAppearsOnlyInCreateAndRotate(t *testing.T) {
	e := newEnv(t, withManagerOptions(apicred.WithKnownScopes("products:read", "orders:read")))
	var secrets []string
	oneTime := map[*response]bool{}
	keep := func(r response, status int) oneTimeJSON {
		t.Helper()
		got := decode[oneTimeJSON](t, r, status)
		require.NotEmpty(t, got.ClientSecret)
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), "a one-time secret is never cached")
		secrets = append(secrets, got.ClientSecret)
		return got
	}

	a := keep(e.do(http.MethodPost, "/tenants/acme/credentials", map[string]any{
		"name": "ERP Sync", "access": "fine_grained", "scopes": []string{"products:read"},
		"contact_email": "dev@example.com", "metadata": map[string]string{"team": "erp"},
		"expires_at": t0.Add(100 * time.Hour).Format(time.RFC3339Nano),
	}), http.StatusCreated)
	b := keep(e.do(http.MethodPost, "/tenants/acme/credentials", fullAccess("Second")), http.StatusCreated)
	idA, idB := a.Credential.ID, b.Credential.ID

	paths := func(id string) (string, string, string, string, string) {
		base := "/tenants/acme/credentials/" + id
		return base, base + "/rotate", base + "/revoke", base + "/expiry", base + "/events"
	}
	getA, rotateA, revokeA, expiryA, eventsA := paths(idA)
	getB, rotateB, revokeB, expiryB, eventsB := paths(idB)

	e.do(http.MethodGet, "/tenants/acme/credentials", nil)
	e.do(http.MethodGet, getA, nil)
	e.do(http.MethodPut, expiryA, map[string]any{"expires_at": t0.Add(200 * time.Hour).Format(time.RFC3339), "reason": "longer"})
	keep(e.do(http.MethodPost, rotateA, map[string]string{"reason": "quarterly"}), http.StatusOK)
	keep(e.do(http.MethodPost, rotateA, nil), http.StatusOK)
	e.do(http.MethodGet, getA, nil)
	e.do(http.MethodGet, eventsA, nil)
	e.do(http.MethodGet, "/tenants/acme/events", nil)
	e.do(http.MethodPut, expiryB, map[string]any{"expires_at": "not a time"})
	e.do(http.MethodPut, expiryB, map[string]any{"expires_at": t0.Add(time.Hour).Format(time.RFC3339)})
	e.clock.Advance(30 * time.Minute)
	e.do(http.MethodPut, expiryB, map[string]any{"expires_at": nil}) // locked
	e.clock.Advance(time.Hour)
	e.do(http.MethodPost, rotateB, nil) // expired
	e.do(http.MethodPost, revokeB, map[string]any{})
	e.do(http.MethodPost, revokeB, map[string]any{"reason": "expired anyway"})
	e.do(http.MethodPost, revokeB, map[string]any{"reason": "again"})
	e.do(http.MethodPost, revokeA, map[string]any{"reason": "leaked"})
	e.do(http.MethodPost, rotateA, nil) // revoked
	e.do(http.MethodGet, getB, nil)
	e.do(http.MethodGet, eventsB, nil)
	e.do(http.MethodGet, "/tenants/globex/credentials/"+idA, nil)
	e.do(http.MethodGet, "/tenants/acme/credentials?cursor=bad", nil)
	e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"x","access":"full","secret":"x"}`)
	e.do(http.MethodPost, "/tenants/acme/credentials", strings.Repeat(" ", 70<<10))
	e.do(http.MethodPost, "/tenants/acme/credentials", "x", header("Content-Type", "text/plain"))
	e.do(http.MethodDelete, getA, nil)
	e.do(http.MethodGet, getA, nil, as(nobody))
	e.do(http.MethodGet, getA, nil, as(brokenActor))
	e.do(http.MethodGet, "/scopes", nil)
	e.do(http.MethodGet, "/openapi.json", nil)
	e.do(http.MethodGet, "/tenants/acme/credentials", nil)

	all := e.recorded()
	require.Len(t, secrets, 4)
	require.Greater(t, len(all), 30)
	for i := range all {
		r := &all[i]
		isOneTime := r.Status < 300 && (r.Method == http.MethodPost && (strings.HasSuffix(r.Target, "/credentials") || strings.HasSuffix(r.Target, "/rotate")))
		if isOneTime {
			oneTime[r] = true
			continue
		}
		text := string(r.Body)
		for k, vs := range r.Header {
			text += k + ": " + strings.Join(vs, ",") + "\n"
		}
		for _, s := range secrets {
			random := s[len("ms_live_") : len(s)-6]
			assert.NotContainsf(t, text, s, "%s %s (%d) holds a secret", r.Method, r.Target, r.Status)
			assert.NotContainsf(t, text, random, "%s %s (%d) holds a secret's random part", r.Method, r.Target, r.Status)
		}
	}
	assert.Len(t, oneTime, 4, "exactly the creates and rotations hold a secret")
	logs := e.logs.String()
	for _, s := range secrets {
		assert.NotContains(t, logs, s[len("ms_live_"):len(s)-6], "no secret in the log")
	}
}
