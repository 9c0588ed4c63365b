package adminapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateReturnsTheCredentialAndItsOneTimeSecret(t *testing.T) {
	e := newEnv(t)
	r := e.do(http.MethodPost, "/tenants/acme/credentials", fullAccess("  ERP Sync — Production  "))
	got := decode[oneTimeJSON](t, r, http.StatusCreated)

	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, "credentials/"+got.Credential.ID, r.Header.Get("Location"), "Location is relative to the request URL")
	assert.True(t, strings.HasPrefix(got.ClientID, "mk_live_"), got.ClientID)
	assert.True(t, strings.HasPrefix(got.ClientSecret, "ms_live_"))
	assert.Equal(t, "TIEBACK_CLIENT_ID="+got.ClientID+"\nTIEBACK_CLIENT_SECRET="+got.ClientSecret+"\n", got.EnvFile)
	var file map[string]string
	require.NoError(t, json.Unmarshal([]byte(got.JSONFile), &file))
	assert.Equal(t, map[string]string{"TIEBACK_CLIENT_ID": got.ClientID, "TIEBACK_CLIENT_SECRET": got.ClientSecret}, file)
	assert.True(t, e.authenticates(got.ClientID, got.ClientSecret), "the returned secret authenticates")

	c := got.Credential
	assert.Equal(t, "acme", c.TenantID)
	assert.Equal(t, got.ClientID, c.ClientID)
	assert.Equal(t, "ERP Sync — Production", c.Name, "the name is trimmed")
	assert.Equal(t, "full", c.Access)
	assert.Equal(t, []string{}, c.Scopes, "scopes is an empty list, not null")
	assert.Equal(t, map[string]string{}, c.Metadata, "metadata is an empty object, not null")
	assert.Equal(t, "live", c.Environment)
	assert.Equal(t, "active", c.State)
	assert.True(t, strings.HasPrefix(c.SecretHint, "ms_live_…"))
	require.NotNil(t, c.CreatedAt)
	assert.Equal(t, rfc3339(t0), *c.CreatedAt, "times are UTC with microseconds")
	assert.Nil(t, c.ExpiresAt)
	assert.Nil(t, c.RevokedAt)
	assert.Nil(t, c.RotatedAt)
	assert.Nil(t, c.LastUsedAt)
	assert.Equal(t, int64(1), c.Version)
	assert.True(t, c.ExpiryEditable)
	assert.Nil(t, c.ExpiryBlockedBy)

	evs := e.events("acme", c.ID)
	require.Len(t, evs, 1)
	assert.Equal(t, "created", evs[0].Type)
	assert.Equal(t, alice, evs[0].Actor, "the actor is what the authorize function returned")
}

func TestCreateTakesEveryField(t *testing.T) {
	e := newEnv(t, withManagerOptions(apicred.WithKnownScopes("products:read", "orders:read")))
	expires := t0.Add(30 * 24 * time.Hour)
	got := e.create("acme", map[string]any{
		"name":          "Storefront",
		"contact_email": "dev@example.com",
		"access":        "fine_grained",
		"scopes":        []string{"products:read"},
		"metadata":      map[string]string{"team": "web"},
		"expires_at":    expires.In(time.FixedZone("X", -5*3600)).Format(time.RFC3339Nano),
		"environment":   "test",
	})
	c := got.Credential
	assert.True(t, strings.HasPrefix(got.ClientID, "mk_test_"))
	assert.True(t, strings.HasPrefix(got.ClientSecret, "ms_test_"))
	assert.Equal(t, "dev@example.com", c.ContactEmail)
	assert.Equal(t, "fine_grained", c.Access)
	assert.Equal(t, []string{"products:read"}, c.Scopes)
	assert.Equal(t, map[string]string{"team": "web"}, c.Metadata)
	assert.Equal(t, "test", c.Environment)
	require.NotNil(t, c.ExpiresAt)
	assert.Equal(t, rfc3339(expires), *c.ExpiresAt, "an expiry in any offset comes back in UTC, truncated to microseconds")
}

func TestCreateAcceptsNullExpiry(t *testing.T) {
	e := newEnv(t)
	got := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": nil, "scopes": nil, "metadata": nil})
	assert.Nil(t, got.Credential.ExpiresAt)
}

func TestCreateAcceptsJSONWithCharset(t *testing.T) {
	e := newEnv(t)
	r := e.do(http.MethodPost, "/tenants/acme/credentials", `{"name":"n","access":"full"}`, header("Content-Type", "application/json; charset=UTF-8"))
	assert.Equal(t, http.StatusCreated, r.Status)
}

func TestListPagesThroughTheTenantsCredentials(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for _, n := range []string{"one", "two", "three"} {
		ids = append(ids, e.create("acme", fullAccess(n)).Credential.ID)
	}
	first := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/acme/credentials?limit=2", nil), http.StatusOK)
	require.Len(t, first.Credentials, 2)
	assert.NotEmpty(t, first.NextCursor)
	second := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/acme/credentials?limit=2&cursor="+first.NextCursor, nil), http.StatusOK)
	require.Len(t, second.Credentials, 1)
	assert.Empty(t, second.NextCursor, "the last page has an empty cursor")
	assert.Equal(t, ids, []string{first.Credentials[0].ID, first.Credentials[1].ID, second.Credentials[0].ID}, "creation order")

	all := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/acme/credentials", nil), http.StatusOK)
	assert.Len(t, all.Credentials, 3)
	empty := decode[credentialPage](t, e.do(http.MethodGet, "/tenants/nobody-here/credentials", nil), http.StatusOK)
	assert.Equal(t, []credentialJSON{}, empty.Credentials, "an empty page is an empty list, not null")
}

func TestGetReturnsTheCredential(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	got := e.get("acme", created.Credential.ID)
	assert.Equal(t, created.Credential, got)
	upper := e.do(http.MethodGet, "/tenants/acme/credentials/"+strings.ToUpper(created.Credential.ID), nil)
	assert.Equal(t, http.StatusOK, upper.Status, "an upper-case UUID names the same credential")
}

func TestRotateReplacesTheSecretAndKeepsTheRest(t *testing.T) {
	e := newEnv(t)
	expires := t0.Add(10 * 24 * time.Hour)
	created := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": expires.Format(time.RFC3339Nano)})
	e.clock.Advance(time.Hour)

	r := e.do(http.MethodPost, "/tenants/acme/credentials/"+created.Credential.ID+"/rotate", map[string]string{"reason": "Scheduled quarterly rotation"})
	got := decode[oneTimeJSON](t, r, http.StatusOK)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, created.ClientID, got.ClientID, "the client ID stays")
	assert.NotEqual(t, created.ClientSecret, got.ClientSecret)
	assert.Equal(t, created.Credential.ExpiresAt, got.Credential.ExpiresAt, "the expiry stays")
	require.NotNil(t, got.Credential.RotatedAt)
	assert.Equal(t, rfc3339(t0.Add(time.Hour)), *got.Credential.RotatedAt)
	assert.Equal(t, int64(2), got.Credential.Version)
	assert.Contains(t, got.EnvFile, got.ClientSecret)
	assert.False(t, e.authenticates(created.ClientID, created.ClientSecret), "the old secret fails at once")
	assert.True(t, e.authenticates(got.ClientID, got.ClientSecret))

	evs := e.events("acme", created.Credential.ID)
	require.Len(t, evs, 2)
	assert.Equal(t, "rotated", evs[1].Type)
	assert.Equal(t, "Scheduled quarterly rotation", evs[1].Reason)
}

func TestRotateNeedsNoBody(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	r := e.do(http.MethodPost, "/tenants/acme/credentials/"+created.Credential.ID+"/rotate", nil)
	got := decode[oneTimeJSON](t, r, http.StatusOK)
	assert.Equal(t, "", e.events("acme", got.Credential.ID)[1].Reason)
}

func TestRevokeEndsTheCredential(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	e.clock.Advance(time.Minute)
	got := decode[credentialJSON](t, e.do(http.MethodPost, "/tenants/acme/credentials/"+created.Credential.ID+"/revoke", map[string]string{"reason": "Key leaked"}), http.StatusOK)
	assert.Equal(t, "revoked", got.State)
	assert.Equal(t, "Key leaked", got.RevokeReason)
	require.NotNil(t, got.RevokedAt)
	assert.Equal(t, rfc3339(t0.Add(time.Minute)), *got.RevokedAt)
	assert.False(t, got.ExpiryEditable)
	require.NotNil(t, got.ExpiryBlockedBy)
	assert.Equal(t, "credential_revoked", *got.ExpiryBlockedBy)
	assert.False(t, e.authenticates(created.ClientID, created.ClientSecret), "a revoked credential fails at once")
	evs := e.events("acme", created.Credential.ID)
	require.Len(t, evs, 2)
	assert.Equal(t, "revoked", evs[1].Type)
	assert.Equal(t, "Key leaked", evs[1].Reason)
}

func TestRevokeAcceptsAnExpiredCredential(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", map[string]any{"name": "n", "access": "full", "expires_at": t0.Add(time.Hour).Format(time.RFC3339Nano)})
	e.clock.Advance(2 * time.Hour)
	assert.Equal(t, "expired", e.get("acme", created.Credential.ID).State)
	got := decode[credentialJSON](t, e.do(http.MethodPost, "/tenants/acme/credentials/"+created.Credential.ID+"/revoke", map[string]string{"reason": "cleanup"}), http.StatusOK)
	assert.Equal(t, "revoked", got.State, "revoked wins over a past expiry")
	assert.Equal(t, "credential_revoked", *got.ExpiryBlockedBy)
}

func TestSetExpirySetsChangesAndClears(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	path := "/tenants/acme/credentials/" + created.Credential.ID + "/expiry"
	first, second := t0.Add(30*24*time.Hour), t0.Add(60*24*time.Hour)

	got := decode[credentialJSON](t, e.do(http.MethodPut, path, map[string]any{"expires_at": first.Format(time.RFC3339Nano)}), http.StatusOK)
	require.NotNil(t, got.ExpiresAt)
	assert.Equal(t, rfc3339(first), *got.ExpiresAt)
	got = decode[credentialJSON](t, e.do(http.MethodPut, path, map[string]any{"expires_at": second.Format(time.RFC3339), "reason": "extended"}), http.StatusOK)
	assert.Equal(t, second.UTC().Format("2006-01-02T15:04:05")+".000000Z", *got.ExpiresAt)
	got = decode[credentialJSON](t, e.do(http.MethodPut, path, map[string]any{"expires_at": nil}), http.StatusOK)
	assert.Nil(t, got.ExpiresAt, "null clears the expiry")
	assert.Equal(t, int64(4), got.Version)

	evs := e.events("acme", created.Credential.ID)
	require.Len(t, evs, 4)
	for _, ev := range evs[1:] {
		assert.Equal(t, "expiry_changed", ev.Type)
	}
	assert.Nil(t, evs[1].OldExpiresAt)
	assert.Equal(t, rfc3339(first), *evs[1].NewExpiresAt)
	assert.Equal(t, "extended", evs[2].Reason)
	assert.Equal(t, *evs[2].NewExpiresAt, *evs[3].OldExpiresAt)
	assert.Nil(t, evs[3].NewExpiresAt)
}

func TestCredentialEventsListTheAuditTrailInPages(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	id := created.Credential.ID
	other := e.create("acme", fullAccess("other"))
	e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/rotate", map[string]string{"reason": "r1"})
	e.do(http.MethodPut, "/tenants/acme/credentials/"+id+"/expiry", map[string]any{"expires_at": t0.Add(100 * 24 * time.Hour).Format(time.RFC3339)}, as("bob@example.com"))
	e.do(http.MethodPost, "/tenants/acme/credentials/"+id+"/revoke", map[string]string{"reason": "done"})

	var types []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		p := decode[eventPage](t, e.do(http.MethodGet, "/tenants/acme/credentials/"+id+"/events?limit=1&cursor="+cursor, nil), http.StatusOK)
		for _, ev := range p.Events {
			types = append(types, ev.Type)
			assert.Equal(t, id, ev.CredentialID, "only this credential's events")
			assert.Equal(t, "acme", ev.TenantID)
			assert.NotEmpty(t, ev.ID)
			assert.Positive(t, ev.Seq)
			require.NotNil(t, ev.At)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	assert.Equal(t, []string{"created", "rotated", "expiry_changed", "revoked"}, types)
	evs := e.events("acme", id)
	assert.Equal(t, "bob@example.com", evs[2].Actor, "each event records the actor of its request")
	assert.Len(t, e.events("acme", other.Credential.ID), 1)
}

func TestTenantEventsListEveryCredentialsEvents(t *testing.T) {
	e := newEnv(t)
	a := e.create("acme", fullAccess("a"))
	b := e.create("acme", fullAccess("b"))
	e.create("globex", fullAccess("g"))
	e.do(http.MethodPost, "/tenants/acme/credentials/"+a.Credential.ID+"/rotate", nil)
	p := decode[eventPage](t, e.do(http.MethodGet, "/tenants/acme/events", nil), http.StatusOK)
	require.Len(t, p.Events, 3)
	assert.Equal(t, []string{a.Credential.ID, b.Credential.ID, a.Credential.ID}, []string{p.Events[0].CredentialID, p.Events[1].CredentialID, p.Events[2].CredentialID})
	assert.Empty(t, p.NextCursor)
	first := decode[eventPage](t, e.do(http.MethodGet, "/tenants/acme/events?limit=2", nil), http.StatusOK)
	rest := decode[eventPage](t, e.do(http.MethodGet, "/tenants/acme/events?cursor="+first.NextCursor, nil), http.StatusOK)
	assert.Len(t, rest.Events, 1)
	assert.Equal(t, p.Events[2], rest.Events[0])
}

func TestScopesListTheKnownScopes(t *testing.T) {
	e := newEnv(t, withManagerOptions(apicred.WithKnownScopes("products:read", "orders:write", "orders:read")))
	got := decode[struct {
		Scopes []string `json:"scopes"`
	}](t, e.do(http.MethodGet, "/scopes", nil), http.StatusOK)
	assert.Equal(t, []string{"orders:read", "orders:write", "products:read"}, got.Scopes)

	open := newEnv(t)
	got.Scopes = nil
	got = decode[struct {
		Scopes []string `json:"scopes"`
	}](t, open.do(http.MethodGet, "/scopes", nil), http.StatusOK)
	assert.Equal(t, []string{}, got.Scopes, "every well-formed scope accepted: an empty list")
}

func TestHeadIsServedLikeGet(t *testing.T) {
	e := newEnv(t)
	created := e.create("acme", fullAccess("n"))
	r := e.do(http.MethodHead, "/tenants/acme/credentials/"+created.Credential.ID, nil)
	assert.Equal(t, http.StatusOK, r.Status)
}

func TestTheHandlerMountsUnderAPrefix(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", e.h))
	send := func(method, target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("X-Actor", alice)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	w := send(http.MethodPost, "/admin/tenants/acme/credentials", `{"name":"n","access":"full"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	var got oneTimeJSON
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	base := httptest.NewRequest(http.MethodPost, "/admin/tenants/acme/credentials", nil).URL
	loc, err := base.Parse(w.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "/admin/tenants/acme/credentials/"+got.Credential.ID, loc.Path, "Location resolves under the prefix")
	assert.Equal(t, http.StatusOK, send(http.MethodGet, loc.Path, "").Code)
	assert.Equal(t, http.StatusOK, send(http.MethodGet, "/admin/openapi.json", "").Code)

	for _, target := range []string{"/admin/", "/admin/nothing", "/admin/tenants/acme/credentials/"} {
		w := send(http.MethodGet, target, "")
		assert.Equalf(t, http.StatusNotFound, w.Code, "%s", target)
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	}
}

func TestAPathThatIsNotCleanIsNotFoundRatherThanRedirected(t *testing.T) {
	// Behind http.StripPrefix, http.ServeMux's redirect to the clean path
	// would drop the prefix; such a path (an encoded "/" or ".." in the
	// tenant, say) names nothing here.
	e := newEnv(t)
	for _, target := range []string{"/tenants/acme/../acme/credentials", "/tenants/acme//credentials", "/tenants/a%2F..%2Fb/credentials", "/./scopes"} {
		r := e.do(http.MethodGet, target, nil)
		expectProblem(t, r, http.StatusNotFound, "not_found")
		assert.Empty(t, r.Header.Get("Location"), target)
	}
	assert.Zero(t, e.authorized.Load(), "nothing was authorized")
}
