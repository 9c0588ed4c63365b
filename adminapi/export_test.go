package adminapi

import (
	"net/http"
	"reflect"
	"slices"
)

// Route is a row of the route table, for the tests of package
// adminapi_test.
type Route struct {
	Method   string
	Path     string
	Statuses []int
}

// Routes returns the route table.
func Routes() []Route {
	out := make([]Route, len(routes))
	for i, rt := range routes {
		out[i] = Route{Method: rt.method, Path: rt.path, Statuses: slices.Clone(rt.statuses)}
	}
	return out
}

// DeclaredStatuses returns the pattern that serves r and the statuses it
// may answer: those of its route, 405 for a known path with another
// method, 404 for anything else.
func DeclaredStatuses(h *Handler, r *http.Request) (pattern string, statuses []int) {
	if !isCleanPath(r.URL.Path) {
		return "(unclean path)", []int{http.StatusNotFound}
	}
	_, p := h.mux.Handler(r)
	for _, rt := range routes {
		if rt.pattern() == p {
			return p, slices.Clone(rt.statuses)
		}
	}
	if p == "/" {
		return p, []int{http.StatusNotFound}
	}
	return p, []int{http.StatusMethodNotAllowed}
}

// RequestFields returns the JSON fields each request body accepts, by the
// name of its schema in the OpenAPI document.
func RequestFields() map[string][]string {
	out := map[string][]string{}
	for schema, t := range map[string]reflect.Type{
		"CreateRequest": reflect.TypeFor[createRequest](),
		"RotateRequest": reflect.TypeFor[reasonRequest](),
		"RevokeRequest": reflect.TypeFor[reasonRequest](),
		"ExpiryRequest": reflect.TypeFor[expiryRequest](),
	} {
		for name := range fieldsOf(t) {
			out[schema] = append(out[schema], name)
		}
	}
	return out
}
