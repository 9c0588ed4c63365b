package demo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/apicred/apicred/adminapi"
)

// AdminActor is the actor recorded in the audit trail for every change made
// with the demo admin token.
const AdminActor = "demo-admin"

// NewAdminToken returns a fresh random admin token (256 bits of
// crypto/rand, as base32 text) for one run of a demo program.
func NewAdminToken() string {
	return "demo_admin_" + rand.Text() + rand.Text()
}

// Authorizer returns the authorization function of the management API:
// it admits a request that carries "Authorization: Bearer <token>" for any
// tenant, as the actor [AdminActor], and refuses every other request with
// [adminapi.ErrUnauthenticated]. The comparison is constant-time: both
// tokens are hashed first, so not even their lengths are compared directly.
func Authorizer(token string) adminapi.AuthorizeFunc {
	want := sha256.Sum256([]byte(token))
	return func(r *http.Request, tenantID string) (string, error) {
		got, ok := bearerToken(r)
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			return "", adminapi.ErrUnauthenticated
		}
		return AdminActor, nil
	}
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header; the scheme is case-insensitive (RFC 9110).
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Values("Authorization")
	if len(h) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(h[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
