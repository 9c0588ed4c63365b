package adminapi

import (
	"errors"
	"log/slog"
	"net/http"
	"path"

	"github.com/apicred/apicred"
)

// Errors of [New].
var (
	// ErrNoManager reports a nil [*apicred.Manager] given to [New].
	ErrNoManager = errors.New("adminapi: nil manager")
	// ErrNoAuthorizer reports a nil [AuthorizeFunc] given to [New]: a
	// management API is never served without authorization.
	ErrNoAuthorizer = errors.New("adminapi: nil authorize function: a management API must not be mounted open")
	// ErrInvalidOption reports an [Option] given to [New] that cannot be
	// used.
	ErrInvalidOption = errors.New("adminapi: invalid option")
)

// Errors an [AuthorizeFunc] returns to refuse a request.
var (
	// ErrUnauthenticated refuses a request whose caller is unknown: no
	// session, an expired one, a bad admin token. It is answered 401.
	ErrUnauthenticated = errors.New("adminapi: unauthenticated")
	// ErrForbidden refuses a known caller who may not manage the tenant's
	// credentials. It is answered 403, as is any other error.
	ErrForbidden = errors.New("adminapi: forbidden")
)

// AuthorizeFunc decides whether a request may manage the credentials of
// tenant tenantID. It returns the actor recorded in the audit events of the
// changes the request makes (such as "alice@example.com": at most 256
// characters, no control characters), or an error: [ErrUnauthenticated]
// (401), [ErrForbidden] (403), or any other error (403 as well, logged).
//
// It is called before the request body is read and before the Manager is
// used, on every route that has a tenant. It must not read the request body.
// An empty or unusable actor with a nil error is a fault of the service and
// is answered 500.
type AuthorizeFunc func(r *http.Request, tenantID string) (actor string, err error)

// Handler serves the management API over one [*apicred.Manager]. Build it
// with [New]; it is safe for concurrent use.
type Handler struct {
	m         *apicred.Manager
	authorize AuthorizeFunc
	cfg       config
	mux       *http.ServeMux
}

// New returns a Handler serving the management API over m, asking
// authorize about every request that names a tenant. It fails with
// [ErrNoManager] for a nil m, [ErrNoAuthorizer] for a nil authorize, and
// [ErrInvalidOption] for a bad option.
func New(m *apicred.Manager, authorize AuthorizeFunc, opts ...Option) (*Handler, error) {
	if m == nil {
		return nil, ErrNoManager
	}
	if authorize == nil {
		return nil, ErrNoAuthorizer
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			return nil, wrapOption("nil option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	h := &Handler{m: m, authorize: authorize, cfg: cfg}
	h.mux = h.newMux()
	return h, nil
}

// ServeHTTP answers one request of the management API. Every response
// carries "Cache-Control: no-store" and "X-Content-Type-Options: nosniff".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	// http.ServeMux redirects a path that is not clean to its clean form,
	// but behind http.StripPrefix that redirect would lose the prefix.
	// Such a path names no resource here.
	if !isCleanPath(r.URL.Path) {
		h.writeProblem(w, problemFor(codeNotFound, detailNoRoute))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// isCleanPath reports whether p is rooted and already in the form
// http.ServeMux would clean it to.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean == p
}
