package middleware

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/apicred/apicred/credential"
)

// RequireScopes returns a middleware that lets a request through only if
// its principal has every one of scopes; a credential with
// [credential.AccessFull] has them all. Place it behind [Middleware.Handler]:
// a principal without them gets 403 with an insufficient_scope challenge
// naming scopes, and a request without a principal gets 401 (and the
// [Observer] an [Outcome] whose Err says the authentication is missing in
// front).
//
// It panics if scopes is empty or one of them is not a well-formed scope
// ([credential.ValidScope]), as [http.ServeMux] panics on a bad pattern:
// that is a wiring mistake, found at start-up.
func (m *Middleware) RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return m.scopeGuard("RequireScopes", false, scopes)
}

// RequireAnyScope is like [Middleware.RequireScopes] but lets a request
// through if its principal has at least one of scopes.
func (m *Middleware) RequireAnyScope(scopes ...string) func(http.Handler) http.Handler {
	return m.scopeGuard("RequireAnyScope", true, scopes)
}

func (m *Middleware) scopeGuard(name string, anyOf bool, scopes []string) func(http.Handler) http.Handler {
	if len(scopes) == 0 {
		panic("middleware: " + name + ": no scopes given")
	}
	for _, s := range scopes {
		if !credential.ValidScope(s) {
			panic("middleware: " + name + ": malformed scope " + strconv.Quote(s))
		}
	}
	scopes = slices.Clone(scopes)
	denial := Denial{
		Kind:      DenialInsufficientScope,
		Status:    http.StatusForbidden,
		Challenge: m.challenge + `, error="insufficient_scope", scope="` + strings.Join(scopes, " ") + `"`,
		Scopes:    scopes,
		AnyScope:  anyOf,
	}
	allowed := func(p *credential.Principal) bool {
		if anyOf {
			return p.HasAnyScope(scopes...)
		}
		return p.HasAllScopes(scopes...)
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("middleware: " + name + ": nil next handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := m.principalOrRefuse(w, r)
			if p == nil {
				return
			}
			if !allowed(p) {
				m.deny(w, r, p, ResultInsufficientScope, credential.ReasonInsufficientScope, denial)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TenantGuard returns a middleware that lets a request through only if the
// tenant ID that tenantOf reads from it, such as r.PathValue("tenant"),
// is its principal's tenant. Place it behind [Middleware.Handler]. Another
// or an empty tenant ID gets 403 with no challenge (the guard decides
// before any lookup and answers every foreign tenant alike, so the answer
// reveals nothing about which tenants exist; a [Responder] may answer 404
// instead), and a request without a principal gets 401.
//
// It panics if tenantOf is nil.
func (m *Middleware) TenantGuard(tenantOf func(r *http.Request) string) func(http.Handler) http.Handler {
	if tenantOf == nil {
		panic("middleware: TenantGuard: nil tenant function")
	}
	denial := Denial{Kind: DenialWrongTenant, Status: http.StatusForbidden}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("middleware: TenantGuard: nil next handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := m.principalOrRefuse(w, r)
			if p == nil {
				return
			}
			if t := tenantOf(r); t == "" || t != p.TenantID {
				m.deny(w, r, p, ResultWrongTenant, 0, denial)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// principalOrRefuse returns the principal of r, or answers 401 and returns
// nil when r was not authenticated.
func (m *Middleware) principalOrRefuse(w http.ResponseWriter, r *http.Request) *credential.Principal {
	if p := principalOf(r.Context()); p != nil {
		return p
	}
	if m.observe != nil {
		m.observe(r.Context(), Outcome{Result: ResultMissing, Err: errNoPrincipal})
	}
	m.respond(w, r, Denial{Kind: DenialUnauthenticated, Status: http.StatusUnauthorized, Challenge: m.challenge})
	return nil
}

// deny reports and answers a refusal of an authenticated request.
func (m *Middleware) deny(w http.ResponseWriter, r *http.Request, p *credential.Principal, result Result, reason credential.FailureReason, d Denial) {
	if m.observe != nil {
		m.observe(r.Context(), Outcome{Result: result, Reason: reason, ClientID: p.ClientID, Principal: *p})
	}
	m.respond(w, r, d)
}
