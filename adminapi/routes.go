package adminapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// route is one row of the route table: the only place that says what the
// handler serves. The OpenAPI document is tested against it.
type route struct {
	method string
	// path is relative to the mount point, in http.ServeMux syntax; the
	// same text is the path's key in the OpenAPI document.
	path string
	// statuses are every status the route answers with.
	statuses []int
	serve    func(h *Handler, w http.ResponseWriter, r *http.Request, c call) error
}

// call is what the route wrapper established before the route runs.
type call struct {
	// tenant is the {tenant} of the path; actor is who the AuthorizeFunc
	// said the caller is. Both are empty on routes without a tenant.
	tenant string
	actor  string
	// id is the {id} of the path, on routes that have one.
	id uuid.UUID
}

// Statuses shared by routes.
var (
	statusesRead      = []int{200, 401, 403, 422, 500}
	statusesReadOne   = []int{200, 401, 403, 404, 422, 500}
	statusesChangeOne = []int{200, 400, 401, 403, 404, 409, 413, 415, 422, 500}
	statusesCreate    = []int{201, 400, 401, 403, 413, 415, 422, 500}
	statusesPublic    = []int{200}
)

// routes is the route table.
var routes = []route{
	{http.MethodPost, "/tenants/{tenant}/credentials", statusesCreate, (*Handler).create},
	{http.MethodGet, "/tenants/{tenant}/credentials", statusesRead, (*Handler).list},
	{http.MethodGet, "/tenants/{tenant}/credentials/{id}", statusesReadOne, (*Handler).get},
	{http.MethodPost, "/tenants/{tenant}/credentials/{id}/rotate", statusesChangeOne, (*Handler).rotate},
	{http.MethodPost, "/tenants/{tenant}/credentials/{id}/revoke", statusesChangeOne, (*Handler).revoke},
	{http.MethodPut, "/tenants/{tenant}/credentials/{id}/expiry", statusesChangeOne, (*Handler).setExpiry},
	{http.MethodGet, "/tenants/{tenant}/credentials/{id}/events", statusesReadOne, (*Handler).credentialEvents},
	{http.MethodGet, "/tenants/{tenant}/events", statusesRead, (*Handler).tenantEvents},
	{http.MethodGet, "/scopes", statusesPublic, (*Handler).scopes},
	{http.MethodGet, "/openapi.json", statusesPublic, (*Handler).openAPI},
}

// pattern is the route's http.ServeMux pattern.
func (rt route) pattern() string { return rt.method + " " + rt.path }

// newMux registers every route, a 405 for the other methods of each path,
// and a 404 for everything else, all answered with problem details.
func (h *Handler) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	var paths []string
	allowed := map[string][]string{}
	for _, rt := range routes {
		mux.Handle(rt.pattern(), h.serveRoute(rt))
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allowed[rt.path] = append(allowed[rt.path], http.MethodHead)
		}
	}
	for _, p := range paths {
		// A pattern with a method is more specific than the same path
		// without one, so this serves only the methods not registered.
		mux.Handle(p, h.methodNotAllowed(strings.Join(allowed[p], ", ")))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.writeProblem(w, problemFor(codeNotFound, detailNoRoute))
	})
	return mux
}

func (h *Handler) methodNotAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		h.writeProblem(w, problemFor(codeMethodNotAllowed, "The method is not allowed on this resource; the Allow header lists those that are."))
	})
}

// serveRoute wraps a route: it authorizes the tenant before anything else,
// parses the credential ID, runs the route and answers its error.
func (h *Handler) serveRoute(rt route) http.Handler {
	pattern := rt.pattern()
	hasTenant := strings.Contains(rt.path, "{tenant}")
	hasID := strings.Contains(rt.path, "{id}")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c call
		if hasTenant {
			c.tenant = r.PathValue("tenant")
			actor, err := h.authorize(r, c.tenant)
			if err != nil {
				h.refuse(w, r, pattern, err)
				return
			}
			if msg := credential.ValidateActor(actor); msg != "" {
				h.internal(w, r, pattern, fmt.Errorf("adminapi: the AuthorizeFunc returned no error but an unusable actor: actor %s", msg))
				return
			}
			c.actor = actor
		}
		if hasID {
			id, ok := parseID(r.PathValue("id"))
			if !ok {
				h.writeProblem(w, problemFor(codeNotFound, detailNotFound))
				return
			}
			c.id = id
		}
		if err := rt.serve(h, w, r, c); err != nil {
			h.fail(w, r, pattern, err)
		}
	})
}

// parseID accepts a UUID in its canonical 36-character form only, not the
// braced, URN or unhyphenated forms uuid.Parse also takes, so that each
// credential has one URL.
func parseID(s string) (uuid.UUID, bool) {
	if len(s) != 36 {
		return uuid.UUID{}, false
	}
	id, err := uuid.Parse(s)
	return id, err == nil
}
