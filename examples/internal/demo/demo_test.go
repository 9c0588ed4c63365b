package demo

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/credential"
)

func TestAuthorizerAdmitsOnlyTheBearerToken(t *testing.T) {
	token := NewAdminToken()
	require.True(t, strings.HasPrefix(token, "demo_admin_"))
	assert.NotEqual(t, token, NewAdminToken(), "a new token every time")
	authorize := Authorizer(token)

	for _, tc := range []struct {
		name    string
		headers []string
		ok      bool
	}{
		{"the token is admitted", []string{"Bearer " + token}, true},
		{"the scheme is case-insensitive", []string{"bearer " + token}, true},
		{"no header is refused", nil, false},
		{"a wrong token is refused", []string{"Bearer " + token[:len(token)-1] + "x"}, false},
		{"a prefix of the token is refused", []string{"Bearer " + token[:20]}, false},
		{"an empty token is refused", []string{"Bearer "}, false},
		{"Basic is refused", []string{"Basic " + token}, false},
		{"two headers are refused", []string{"Bearer " + token, "Bearer " + token}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			actor, err := authorize(r, Tenant)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, AdminActor, actor)
				return
			}
			assert.ErrorIs(t, err, adminapi.ErrUnauthenticated)
			assert.Empty(t, actor)
		})
	}
}

func TestListenSaysWhenThePortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	_, err = Listen(t.Context(), taken.Addr().String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already in use")

	ln, err := Listen(t.Context(), "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	assert.True(t, IsLoopback(ln))
}

func TestOpenNeedsAStore(t *testing.T) {
	_, err := Open(t.Context(), StoreConfig{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-db")
}

func TestOpenMemoryDatabasesAreSeparate(t *testing.T) {
	a, err := Open(t.Context(), StoreConfig{SQLitePath: ":memory:"})
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(t.Context(), StoreConfig{SQLitePath: ":memory:"})
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, Scopes, a.Manager.KnownScopes())

	_, err = a.Manager.Issue(t.Context(), apicred.IssueRequest{
		TenantID: Tenant, Name: "only in a", Access: credential.AccessFull, Actor: AdminActor,
	})
	require.NoError(t, err)
	inA, err := a.Manager.List(t.Context(), Tenant, apicred.PageRequest{})
	require.NoError(t, err)
	inB, err := b.Manager.List(t.Context(), Tenant, apicred.PageRequest{})
	require.NoError(t, err)
	assert.Len(t, inA.Credentials, 1)
	assert.Empty(t, inB.Credentials, "two servers in one process do not share a memory database")
}
