package credential

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"hash"
	"sync"
)

// Hasher turns a secret into the hash a store keeps, and checks a presented
// secret against a stored hash. Implementations must be safe for concurrent
// use, and Verify must take time independent of where secret and hash differ.
type Hasher interface {
	// ID names the hasher and its parameters, such as "sha256" or
	// "hmac-sha256:k1". It is stored beside each hash so that the hash can
	// be checked by the same hasher later, after the default has changed.
	ID() string
	// Hash returns the hash of secret to be stored.
	Hash(secret []byte) (Hash, error)
	// Verify reports whether secret hashes to hash, in constant time with
	// respect to the contents of both (rule R19).
	Verify(secret []byte, hash Hash) bool
}

// SHA256 returns the default hasher: the SHA-256 digest of the secret.
//
// A fast hash is the right verifier for secrets of 256 random bits: no
// dictionary or brute force can reach such a space, so a slow key
// derivation would only make every API request slower. (Password KDFs exist
// to protect low-entropy human passwords, which these are not.)
func SHA256() Hasher { return sha256Hasher{} }

type sha256Hasher struct{}

func (sha256Hasher) ID() string { return "sha256" }

func (sha256Hasher) Hash(secret []byte) (Hash, error) {
	sum := sha256.Sum256(secret)
	return Hash(sum[:]), nil
}

func (sha256Hasher) Verify(secret []byte, h Hash) bool {
	sum := sha256.Sum256(secret)
	return subtle.ConstantTimeCompare(sum[:], h) == 1
}

// MinHMACKeyLen is the shortest key [NewHMACSHA256] accepts.
const MinHMACKeyLen = 32

// ErrHMACKey reports an unusable HMAC key or key ID.
var ErrHMACKey = errors.New("credential: HMAC key must be at least 32 bytes and its key ID 1 to 32 ASCII letters, digits, '_' or '-'")

// NewHMACSHA256 returns a hasher that stores HMAC-SHA256(key, secret). The
// key is a pepper held by the service, outside the database: a stolen
// database alone then gives an attacker nothing to check guesses against.
// keyID names the key in the hasher's ID ("hmac-sha256:<keyID>"), so that
// hashes made with an older key can still be verified by a hasher built
// with that key and given to the Manager as an additional verifier.
func NewHMACSHA256(keyID string, key []byte) (Hasher, error) {
	if len(key) < MinHMACKeyLen || !validKeyID(keyID) {
		return nil, ErrHMACKey
	}
	k := append([]byte(nil), key...)
	h := &hmacHasher{id: "hmac-sha256:" + keyID}
	h.pool.New = func() any { return &hmacState{mac: hmac.New(sha256.New, k)} }
	return h, nil
}

func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

type hmacHasher struct {
	id   string
	pool sync.Pool // of *hmacState
}

// hmacState is a keyed HMAC with a buffer for its sum. Verify sums into the
// pooled buffer: a buffer on Verify's stack would escape through the
// hash.Hash interface and cost an allocation per authentication.
type hmacState struct {
	mac hash.Hash
	buf [sha256.Size]byte
}

func (h *hmacHasher) ID() string { return h.id }

func (h *hmacHasher) sum(st *hmacState, secret []byte, dst []byte) []byte {
	st.mac.Reset()
	st.mac.Write(secret)
	return st.mac.Sum(dst)
}

func (h *hmacHasher) Hash(secret []byte) (Hash, error) {
	st := h.pool.Get().(*hmacState)
	sum := h.sum(st, secret, make([]byte, 0, sha256.Size))
	h.pool.Put(st)
	return Hash(sum), nil
}

func (h *hmacHasher) Verify(secret []byte, stored Hash) bool {
	st := h.pool.Get().(*hmacState)
	ok := subtle.ConstantTimeCompare(h.sum(st, secret, st.buf[:0]), stored) == 1
	clear(st.buf[:])
	h.pool.Put(st)
	return ok
}
