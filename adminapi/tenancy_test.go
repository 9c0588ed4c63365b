package adminapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/store/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnotherTenantsCredentialIsNotFound(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": t0.Add(30 * 24 * time.Hour).Format(time.RFC3339)})
	id := created.Credential.ID
	other := "/tenants/globex/credentials/" + id
	for _, tc := range []struct {
		name, method, target string
		body                 any
	}{
		{"get", http.MethodGet, other, nil},
		{"rotate", http.MethodPost, other + "/rotate", map[string]string{"reason": "r"}},
		{"revoke", http.MethodPost, other + "/revoke", map[string]string{"reason": "r"}},
		{"set the expiry", http.MethodPut, other + "/expiry", map[string]any{"expires_at": nil}},
		{"list the events", http.MethodGet, other + "/events", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblem(t, e.do(tc.method, tc.target, tc.body), http.StatusNotFound, "not_found")
		})
	}

	globex := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/globex/credentials", nil), http.StatusOK)
	assert.Empty(t, globex.Credentials, "another tenant lists none of acme's credentials")
	globexEvents := decode[eventPage](t, e.do(http.MethodGet, "/tenants/globex/events", nil), http.StatusOK)
	assert.Empty(t, globexEvents.Events)
	acme := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/acme/credentials", nil), http.StatusOK)
	require.Len(t, acme.Credentials, 1)
	assert.Equal(t, created.Credential, acme.Credentials[0], "untouched by the other tenant's requests")
	assert.Len(t, e.events("acme", id), 1)
	assert.True(t, e.authenticates(created.ClientID, created.ClientSecret), "still the same secret")
}

func TestAListShowsOnlyTheTenantsOwnCredentials(t *testing.T) {
	e := newEnv(t)
	a := e.create("acme", fullAccess("a"))
	g := e.create("globex", fullAccess("g"))
	for tenant, want := range map[string]string{"acme": a.Credential.ID, "globex": g.Credential.ID} {
		p := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/"+tenant+"/credentials", nil), http.StatusOK)
		require.Len(t, p.Credentials, 1)
		assert.Equal(t, want, p.Credentials[0].ID)
		assert.Equal(t, tenant, p.Credentials[0].TenantID)
	}
}

// tenantRequests returns one request per tenant route of the route table,
// for tenant "acme" and credential id, with a body that would succeed.
func tenantRequests(t *testing.T, id string) []struct{ method, target, body string } {
	t.Helper()
	bodies := map[string]string{
		"/tenants/{tenant}/credentials":             `{"name":"n","access":"full"}`,
		"/tenants/{tenant}/credentials/{id}/rotate": `{}`,
		"/tenants/{tenant}/credentials/{id}/revoke": `{"reason":"r"}`,
		"/tenants/{tenant}/credentials/{id}/expiry": `{"expires_at":null}`,
	}
	var out []struct{ method, target, body string }
	for _, rt := range adminapi.Routes() {
		if !strings.Contains(rt.Path, "{tenant}") {
			continue
		}
		target := strings.NewReplacer("{tenant}", "acme", "{id}", id).Replace(rt.Path)
		body := ""
		if rt.Method != http.MethodGet {
			body = bodies[rt.Path]
			require.NotEmptyf(t, body, "a body for %s %s", rt.Method, rt.Path)
		}
		out = append(out, struct{ method, target, body string }{rt.Method, target, body})
	}
	require.Len(t, out, 8, "every tenant route")
	return out
}

func TestAuthorizationComesBeforeAnythingElse(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	id := created.Credential.ID
	for _, tc := range []struct {
		actor  string
		status int
		code   string
	}{
		{nobody, http.StatusUnauthorized, "unauthenticated"},
		{mallory, http.StatusForbidden, "forbidden"},
		{brokenActor, http.StatusForbidden, "forbidden"},
	} {
		for _, req := range tenantRequests(t, id) {
			var body any
			if req.body != "" {
				body = req.body
			}
			expectProblem(t, e.do(req.method, req.target, body, as(tc.actor)), tc.status, tc.code)
		}
		// Even requests that would otherwise fail on their body or path
		// are refused first.
		expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", strings.Repeat("x", 1<<20), as(tc.actor)), tc.status, tc.code)
		expectProblem(t, e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full"}`, as(tc.actor), header("Content-Type", "text/plain")), tc.status, tc.code)
		expectProblem(t, e.do(http.MethodGet, "/tenants/acme/credentials/not-a-uuid", nil, as(tc.actor)), tc.status, tc.code)
	}
	creds, events := e.storeCount("acme")
	assert.Equal(t, 1, creds, "a refused caller created nothing")
	assert.Equal(t, 1, events, "a refused caller changed nothing")
	got := e.get("acme", id)
	assert.Equal(t, created.Credential, got)
	assert.True(t, e.authenticates(created.ClientID, created.ClientSecret), "not rotated, not revoked")
}

func TestATenantAdminManagesOnlyTheirTenant(t *testing.T) {
	e := newEnv(t)
	e.create("globex", fullAccess("g"))
	assert.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/tenants/acme/credentials", fullAccess("a"), as(acmeAdmin)).Status)
	expectProblem(t, e.do(http.MethodGet, "/tenants/globex/credentials", nil, as(acmeAdmin)), http.StatusForbidden, "forbidden")
	expectProblem(t, e.do(http.MethodPost, "/tenants/globex/credentials", fullAccess("x"), as(acmeAdmin)), http.StatusForbidden, "forbidden")
	creds, _ := e.storeCount("globex")
	assert.Equal(t, 1, creds)
	evs := decode[eventPage](t, e.do(http.MethodGet, "/tenants/acme/events", nil, as(acmeAdmin)), http.StatusOK)
	require.Len(t, evs.Events, 1)
	assert.Equal(t, acmeAdmin, evs.Events[0].Actor)
}

func TestAuthorizeSeesTheDecodedTenantOfThePath(t *testing.T) {
	m, err := apicred.New(memstore.New())
	require.NoError(t, err)
	var mu sync.Mutex
	var seen []string
	h, err := adminapi.New(m, func(r *http.Request, tenantID string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, tenantID)
		return "", adminapi.ErrForbidden
	})
	require.NoError(t, err)
	for _, target := range []string{"/tenants/brand-42/credentials", "/tenants/brand%2042/events", "/tenants/br%C3%A4nd/credentials/00000000-0000-0000-0000-000000000000"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil))
		assert.Equal(t, http.StatusForbidden, w.Code)
	}
	assert.Equal(t, []string{"brand-42", "brand 42", "bränd"}, seen)
}

func TestPublicRoutesNeedNoAuthorization(t *testing.T) {
	e := newEnv(t)
	for _, rt := range adminapi.Routes() {
		if strings.Contains(rt.Path, "{tenant}") {
			continue
		}
		r := e.do(rt.Method, rt.Path, nil, as(nobody))
		assert.Equalf(t, http.StatusOK, r.Status, "%s %s", rt.Method, rt.Path)
	}
	assert.Zero(t, e.authorized.Load(), "the authorize function was not called")
}
