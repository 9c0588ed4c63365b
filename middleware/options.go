package middleware

import (
	"fmt"
	"net/textproto"

	"github.com/apicred/apicred/credential"
)

// DefaultRealm is the realm of the WWW-Authenticate challenge unless
// [WithRealm] sets another.
const DefaultRealm = "api"

// maxRealmLen bounds a configured realm.
const maxRealmLen = 128

// Option configures a [Middleware]. Options are applied in order by [New],
// which reports the first invalid one.
type Option func(*Middleware) error

// WithRealm sets the realm of the WWW-Authenticate challenge (default
// [DefaultRealm]): 1 to 128 printable ASCII characters other than '"' and
// '\'.
func WithRealm(realm string) Option {
	return func(m *Middleware) error {
		if !validRealm(realm) {
			return fmt.Errorf("%w: WithRealm: the realm must be 1 to %d printable ASCII characters other than '\"' and '\\'", ErrInvalidOption, maxRealmLen)
		}
		m.realm = realm
		return nil
	}
}

func validRealm(realm string) bool {
	if len(realm) == 0 || len(realm) > maxRealmLen {
		return false
	}
	for i := 0; i < len(realm); i++ {
		c := realm[i]
		if c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// WithHeaderPair reads the client ID and the secret from two request
// headers, such as "X-Client-ID" and "X-Client-Secret", instead of HTTP
// Basic authentication. A request with neither header presents no
// credentials; one with only one of them, or with either header repeated,
// is malformed. The 401 answer still carries the Basic challenge, the one
// standard scheme for a client ID and secret; a [Responder] may send
// another.
func WithHeaderPair(clientIDHeader, secretHeader string) Option {
	return func(m *Middleware) error {
		if !validToken(clientIDHeader) || !validToken(secretHeader) {
			return fmt.Errorf("%w: WithHeaderPair: header names must be HTTP tokens", ErrInvalidOption)
		}
		idKey := textproto.CanonicalMIMEHeaderKey(clientIDHeader)
		secretKey := textproto.CanonicalMIMEHeaderKey(secretHeader)
		if idKey == secretKey {
			return fmt.Errorf("%w: WithHeaderPair: the two headers must differ", ErrInvalidOption)
		}
		return setExtractor(m, "WithHeaderPair", headerPairExtractor{idKey: idKey, secretKey: secretKey})
	}
}

// WithInsecureQueryParams reads the client ID and the secret from two
// query-string parameters, such as "client_id" and "client_secret".
//
// Avoid it: URLs are written to access logs, proxy logs, browser history
// and Referer headers, so a secret sent in a URL leaks to everyone who
// reads those. Use it only for clients that cannot set headers, and rotate
// their credentials often. A request with neither parameter presents no
// credentials; one with only one of them, or with either repeated, is
// malformed.
func WithInsecureQueryParams(clientIDParam, secretParam string) Option {
	return func(m *Middleware) error {
		if clientIDParam == "" || secretParam == "" || clientIDParam == secretParam {
			return fmt.Errorf("%w: WithInsecureQueryParams: two different, non-empty parameter names are required", ErrInvalidOption)
		}
		return setExtractor(m, "WithInsecureQueryParams", queryExtractor{idParam: clientIDParam, secretParam: secretParam})
	}
}

// WithExtractor reads the client ID and the secret with f, for any other
// way of presenting them. See [ExtractFunc].
func WithExtractor(f ExtractFunc) Option {
	return func(m *Middleware) error {
		if f == nil {
			return fmt.Errorf("%w: WithExtractor: nil function", ErrInvalidOption)
		}
		return setExtractor(m, "WithExtractor", funcExtractor(f))
	}
}

func setExtractor(m *Middleware, option string, e extractor) error {
	if m.extract != nil {
		return fmt.Errorf("%w: %s: only one of WithHeaderPair, WithInsecureQueryParams and WithExtractor may be given", ErrInvalidOption, option)
	}
	m.extract = e
	return nil
}

// WithFormat refuses, as malformed and before the [Authenticator] is
// called, a client ID or secret that does not have the layout of f or a
// secret whose checksum does not match ([credential.Format.ParseSecret]).
// f must be the format the credentials were issued with. *apicred.Manager
// makes the same checks itself; the option serves other Authenticators and
// spares them garbage. It also decides which presented client IDs an
// [Observer] sees (see [Outcome]).
func WithFormat(f credential.Format) Option {
	return func(m *Middleware) error {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("%w: WithFormat: %w", ErrInvalidOption, err)
		}
		m.format = &f
		return nil
	}
}

// WithResponder answers refused requests with r instead of [WriteProblem].
func WithResponder(r Responder) Option {
	return func(m *Middleware) error {
		if r == nil {
			return fmt.Errorf("%w: WithResponder: nil Responder", ErrInvalidOption)
		}
		m.respond = r
		return nil
	}
}

// WithObserver reports every decision to o (see [Observer]), such as
// [SlogObserver].
func WithObserver(o Observer) Option {
	return func(m *Middleware) error {
		if o == nil {
			return fmt.Errorf("%w: WithObserver: nil Observer", ErrInvalidOption)
		}
		m.observe = o
		return nil
	}
}

// validToken reports whether s is an HTTP token (RFC 9110 §5.6.2), the
// syntax of a header name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~') {
			return false
		}
	}
	return true
}
