package middleware

import (
	"net/http"
	"sync"
)

// Length caps on presented credentials. A longer value is malformed and
// refused without asking the [Authenticator]. apicred's own client IDs and
// secrets are far shorter (under 50 and 80 bytes).
const (
	// MaxClientIDLen is the longest client ID read from a request, in
	// bytes.
	MaxClientIDLen = 256
	// MaxSecretLen is the longest secret read from a request, in bytes.
	MaxSecretLen = 512
)

// ExtractFunc reads a client ID and secret from a request, for
// [WithExtractor]. It returns [ErrNoCredentials] when r presents none, and
// any other non-nil error when what r presents is malformed; either way r
// is answered 401. The secret is copied into a buffer that is cleared after
// the request; the client ID may reach an [Observer] (see [Outcome]).
type ExtractFunc func(r *http.Request) (clientID, secret string, err error)

// extractor reads the credentials of a request. The secret it returns lies
// in s, which is cleared after the request. An error other than
// ErrNoCredentials means malformed.
type extractor interface {
	extract(r *http.Request, s *scratch) (clientID string, secret []byte, err error)
}

// scratch is the per-request buffer that holds the secret (and its Basic
// encoding) while it is checked. It lives in a pool because a stack buffer
// handed to an interface method escapes to the heap, which would cost an
// allocation per request.
type scratch struct {
	enc  [maxBasicEncodedLen]byte
	dec  [maxBasicDecodedLen]byte
	encN int // bytes of enc in use
	decN int // bytes of dec in use
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// release clears what s held and returns it to the pool.
func (s *scratch) release() {
	clear(s.enc[:s.encN])
	clear(s.dec[:s.decN])
	s.encN, s.decN = 0, 0
	scratchPool.Put(s)
}

// holdSecret copies secret into s. It reports false when secret is longer
// than MaxSecretLen.
func (s *scratch) holdSecret(secret string) ([]byte, bool) {
	if len(secret) > MaxSecretLen {
		return nil, false
	}
	s.decN = copy(s.dec[:], secret)
	return s.dec[:s.decN], true
}

// basicExtractor reads HTTP Basic credentials (RFC 7617).
type basicExtractor struct{}

func (basicExtractor) extract(r *http.Request, s *scratch) (string, []byte, error) {
	values := r.Header["Authorization"]
	switch {
	case len(values) == 0 || len(values) == 1 && values[0] == "":
		return "", nil, ErrNoCredentials
	case len(values) > 1:
		return "", nil, errMalformed
	}
	id, secret, ok := parseBasic(values[0], s)
	if !ok {
		return "", nil, errMalformed
	}
	return string(id), secret, nil
}

// headerPairExtractor reads the client ID and secret from two headers,
// whose canonical names it holds.
type headerPairExtractor struct{ idKey, secretKey string }

func (e headerPairExtractor) extract(r *http.Request, s *scratch) (string, []byte, error) {
	ids, secrets := r.Header[e.idKey], r.Header[e.secretKey]
	return pair(ids, secrets, s)
}

// queryExtractor reads the client ID and secret from query parameters.
type queryExtractor struct{ idParam, secretParam string }

func (e queryExtractor) extract(r *http.Request, s *scratch) (string, []byte, error) {
	if r.URL == nil || r.URL.RawQuery == "" {
		return "", nil, ErrNoCredentials
	}
	q := r.URL.Query()
	return pair(q[e.idParam], q[e.secretParam], s)
}

// pair reads a client ID and secret given as lists of values: none of
// either is no credentials; exactly one of each is a pair; anything else
// is malformed.
func pair(ids, secrets []string, s *scratch) (string, []byte, error) {
	if len(ids) == 0 && len(secrets) == 0 {
		return "", nil, ErrNoCredentials
	}
	if len(ids) != 1 || len(secrets) != 1 {
		return firstOrEmpty(ids), nil, errMalformed
	}
	secret, ok := s.holdSecret(secrets[0])
	if !ok {
		return ids[0], nil, errMalformed
	}
	return ids[0], secret, nil
}

func firstOrEmpty(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return ""
}

// funcExtractor adapts an ExtractFunc.
type funcExtractor ExtractFunc

func (f funcExtractor) extract(r *http.Request, s *scratch) (string, []byte, error) {
	clientID, secretValue, err := f(r)
	if err != nil {
		return clientID, nil, err
	}
	if clientID == "" && secretValue == "" {
		return "", nil, ErrNoCredentials
	}
	secret, ok := s.holdSecret(secretValue)
	if !ok {
		return clientID, nil, errMalformed
	}
	return clientID, secret, nil
}
