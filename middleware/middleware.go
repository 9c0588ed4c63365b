package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/apicred/apicred/credential"
)

// Authenticator checks a client ID and secret. *apicred.Manager implements
// it; so can any other authentication, and test doubles.
//
// On success it returns the principal and a nil error. An authentication
// failure, whatever its cause, is an error matching
// [credential.ErrAuthenticationFailed] with [errors.Is]; made with
// [credential.AuthFailure], it also carries the precise reason that
// [credential.AuthFailureReason] recovers for observers. Any other error
// means that authentication could not be decided (store down, timeout,
// cancelled context): the middleware answers it 503, never 401.
//
// Authenticate must not retain secret after it returns: the middleware
// clears the buffer. It must be safe for concurrent use.
type Authenticator interface {
	// Authenticate returns the principal that clientID and secret
	// authenticate as.
	Authenticate(ctx context.Context, clientID string, secret []byte) (credential.Principal, error)
}

// ErrInvalidOption reports a bad argument to [New] or one of its options.
// The error returned by New wraps it and says which option failed.
var ErrInvalidOption = errors.New("middleware: invalid option")

// ErrNoCredentials reports a request that presents no client credentials
// at all. [Middleware.Check] returns it, and an [ExtractFunc] returns it to
// say that it found nothing. It is answered 401 like a failed
// authentication.
var ErrNoCredentials = errors.New("middleware: no client credentials in the request")

// errNoPrincipal is the Outcome.Err of a scope or tenant check that found
// no authenticated principal: a route wired without the authentication.
var errNoPrincipal = errors.New("middleware: scope or tenant check on a request that was not authenticated: is Middleware.Handler missing in front of it?")

// Middleware authenticates requests with an [Authenticator] and answers
// those it refuses. Build it with [New]; it is safe for concurrent use and
// is meant to be shared by every route.
type Middleware struct {
	auth      Authenticator
	extract   extractor
	format    *credential.Format
	realm     string
	challenge string
	respond   Responder
	observe   Observer
}

// New returns a Middleware that authenticates with auth. Without options it
// reads HTTP Basic credentials, uses the realm "api", answers with
// [WriteProblem] and observes nothing. It fails with an error wrapping
// [ErrInvalidOption] for a nil auth or a bad option.
func New(auth Authenticator, opts ...Option) (*Middleware, error) {
	if auth == nil {
		return nil, fmt.Errorf("%w: nil Authenticator", ErrInvalidOption)
	}
	m := &Middleware{auth: auth, realm: DefaultRealm, respond: WriteProblem}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	if m.extract == nil {
		m.extract = basicExtractor{}
	}
	m.challenge = `Basic realm="` + m.realm + `", charset="UTF-8"`
	return m, nil
}

// Handler returns a handler that authenticates each request and passes it
// to next, with the principal in its context (see [PrincipalFrom]), or
// answers it through the [Responder] without calling next. Its method value
// m.Handler is a func(http.Handler) http.Handler, the shape routers take.
//
// Handler panics if next is nil, as [http.ServeMux.Handle] does: that is a
// wiring mistake, found at start-up.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("middleware: Handler: nil next handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	var start time.Time
	if m.observe != nil {
		start = time.Now()
	}
	p, clientID, err := m.authenticate(r)
	if err != nil {
		m.refuse(w, r, start, clientID, err)
		return
	}
	ctx := r.Context()
	if m.observe != nil {
		m.observe(ctx, Outcome{Result: ResultOK, ClientID: p.ClientID, Principal: p, Latency: time.Since(start)})
	}
	next.ServeHTTP(w, r.WithContext(newPrincipalContext(ctx, p)))
}

// refuse reports and answers a failed authentication.
func (m *Middleware) refuse(w http.ResponseWriter, r *http.Request, start time.Time, clientID string, err error) {
	d := Denial{Kind: DenialUnauthenticated, Status: http.StatusUnauthorized, Challenge: m.challenge}
	o := Outcome{Result: ResultFailed}
	switch {
	case errors.Is(err, ErrNoCredentials):
		o.Result = ResultMissing
	case errors.Is(err, credential.ErrAuthenticationFailed):
		o.Reason, _ = credential.AuthFailureReason(err)
	default:
		o.Result, o.Err = ResultStoreError, err
		d = Denial{Kind: DenialUnavailable, Status: http.StatusServiceUnavailable}
	}
	if m.observe != nil {
		o.ClientID = m.loggableClientID(clientID)
		o.Latency = time.Since(start)
		m.observe(r.Context(), o)
	}
	m.respond(w, r, d)
}

// Check authenticates r without answering it: the decision of
// [Middleware.Handler], for tests and for callers that answer on their own.
// It returns the principal and a nil error on success; [ErrNoCredentials]
// when r presents no credentials; an error matching
// [credential.ErrAuthenticationFailed] when they are malformed or refused
// (with its reason for [credential.AuthFailureReason]); and otherwise the
// Authenticator's infrastructure error. It reports to no [Observer].
func (m *Middleware) Check(r *http.Request) (credential.Principal, error) {
	p, _, err := m.authenticate(r)
	return p, err
}

// authenticate extracts the credentials of r and checks them. It returns
// the presented client ID, if any, with every outcome.
func (m *Middleware) authenticate(r *http.Request) (credential.Principal, string, error) {
	s := getScratch()
	defer s.release()
	clientID, secret, err := m.extract.extract(r, s)
	if err != nil {
		if errors.Is(err, ErrNoCredentials) {
			return credential.Principal{}, "", ErrNoCredentials
		}
		return credential.Principal{}, clientID, errMalformed
	}
	if len(clientID) == 0 || len(secret) == 0 || len(clientID) > MaxClientIDLen || len(secret) > MaxSecretLen {
		return credential.Principal{}, clientID, errMalformed
	}
	if m.format != nil {
		if _, err := m.format.ParseClientID(clientID); err != nil {
			return credential.Principal{}, clientID, errMalformed
		}
		if _, err := m.format.ParseSecret(secret); err != nil {
			return credential.Principal{}, clientID, errMalformed
		}
	}
	p, err := m.auth.Authenticate(r.Context(), clientID, secret)
	if err != nil {
		if !errors.Is(err, credential.ErrAuthenticationFailed) {
			err = withoutSecret(err, secret)
		}
		return credential.Principal{}, clientID, err
	}
	return p, clientID, nil
}

// errMalformed is the failure of credentials refused before the
// Authenticator was asked.
var errMalformed = credential.AuthFailure(credential.ReasonMalformed)
