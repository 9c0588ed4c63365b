package middleware

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// DenialKind says what kind of refusal a [Denial] is. It never says why a
// credential failed (rule R2): every failed authentication is
// [DenialUnauthenticated].
type DenialKind int

// The kinds of refusal.
const (
	// DenialUnauthenticated: no credentials, or credentials that did not
	// authenticate, whatever the reason. 401.
	DenialUnauthenticated DenialKind = iota + 1
	// DenialInsufficientScope: authenticated, but a required scope is
	// missing. 403.
	DenialInsufficientScope
	// DenialWrongTenant: authenticated, but the route belongs to another
	// tenant. 403.
	DenialWrongTenant
	// DenialUnavailable: authentication could not be decided because the
	// Authenticator failed (store down, timeout). 503.
	DenialUnavailable
)

// String returns the kind in snake_case, such as "insufficient_scope".
func (k DenialKind) String() string {
	switch k {
	case DenialUnauthenticated:
		return "unauthenticated"
	case DenialInsufficientScope:
		return "insufficient_scope"
	case DenialWrongTenant:
		return "wrong_tenant"
	case DenialUnavailable:
		return "unavailable"
	}
	return "unknown_denial"
}

// Denial describes a refused request to a [Responder]: what to answer, not
// why a credential failed.
type Denial struct {
	// Kind is the kind of refusal.
	Kind DenialKind
	// Status is the HTTP status to answer: 401, 403 or 503.
	Status int
	// Challenge is the WWW-Authenticate value to send, such as
	// `Basic realm="api", charset="UTF-8"`; empty when none is due.
	Challenge string
	// Scopes are, for DenialInsufficientScope, the scopes that would have
	// been accepted; never the credential's own. The slice is shared: do
	// not modify it.
	Scopes []string
	// AnyScope reports, for DenialInsufficientScope, that any one of Scopes
	// would have done; otherwise all of them are required.
	AnyScope bool
}

// Responder writes the answer to a refused request. The default is
// [WriteProblem]; replace it with [WithResponder] to answer in another
// format or with other statuses (a 404 for DenialWrongTenant, say).
type Responder func(w http.ResponseWriter, r *http.Request, d Denial)

// WriteProblem is the default [Responder]. It answers d.Status with the
// d.Challenge in WWW-Authenticate, "Cache-Control: no-store", and an
// RFC 9457 application/problem+json body of type "about:blank" whose title
// is the status text. The body is the same for every failed
// authentication; for a missing scope it lists d.Scopes as
// "required_scopes" (all needed) or "accepted_scopes" (one is enough). A
// Denial with no valid status is answered 500.
func WriteProblem(w http.ResponseWriter, r *http.Request, d Denial) {
	status := d.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	var body []byte
	if d.Kind == DenialInsufficientScope && len(d.Scopes) > 0 {
		body = problemBody(status, d)
	} else if b, ok := staticProblems[problemKey{d.Kind, status}]; ok {
		body = b
	} else {
		body = problemBody(status, d)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if d.Challenge != "" {
		h.Set("WWW-Authenticate", d.Challenge)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type           string   `json:"type"`
	Title          string   `json:"title"`
	Status         int      `json:"status"`
	Detail         string   `json:"detail"`
	RequiredScopes []string `json:"required_scopes,omitempty"`
	AcceptedScopes []string `json:"accepted_scopes,omitempty"`
}

// details are the problem details per kind: fixed sentences that say what
// the client may do, never why a credential failed.
var details = map[DenialKind]string{
	DenialUnauthenticated:   "Valid client credentials are required.",
	DenialInsufficientScope: "The credential does not grant the scopes this request requires.",
	DenialWrongTenant:       "The credential may not access this tenant.",
	DenialUnavailable:       "Authentication is temporarily unavailable. Try again later.",
}

func problemBody(status int, d Denial) []byte {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: details[d.Kind]}
	if p.Detail == "" {
		p.Detail = "The request was refused."
	}
	if d.Kind == DenialInsufficientScope {
		if d.AnyScope {
			p.Detail = "The credential grants none of the scopes this request accepts."
			p.AcceptedScopes = d.Scopes
		} else {
			p.RequiredScopes = d.Scopes
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		// Strings and string slices always marshal.
		return []byte(`{"type":"about:blank","status":500}`)
	}
	return b
}

type problemKey struct {
	kind   DenialKind
	status int
}

// staticProblems holds the bodies that depend on nothing but the kind and
// status, built once.
var staticProblems = func() map[problemKey][]byte {
	m := map[problemKey][]byte{}
	for _, k := range []problemKey{
		{DenialUnauthenticated, http.StatusUnauthorized},
		{DenialInsufficientScope, http.StatusForbidden},
		{DenialWrongTenant, http.StatusForbidden},
		{DenialUnavailable, http.StatusServiceUnavailable},
	} {
		m[k] = problemBody(k.status, Denial{Kind: k.kind})
	}
	return m
}()
