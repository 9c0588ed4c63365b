package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Password-style key derivation functions, for policies that demand one.
//
// They add nothing against guessing a secret of 256 random bits, and they
// cost every authenticated request milliseconds of CPU (and, for argon2id,
// megabytes of memory): the package's benchmark puts bcrypt at cost 10
// near 50 ms and argon2id at OWASP's minimum near 20 ms per verification,
// against about 130 ns for [SHA256]. Prefer SHA256, or [NewHMACSHA256] for a
// pepper, unless a policy rules them out.

// ErrKDFParams reports unusable parameters of [NewBcrypt] or [NewArgon2id].
var ErrKDFParams = errors.New("credential: invalid key derivation parameters")

// NewBcrypt returns a hasher that stores bcrypt(secret) at the given cost
// (bcrypt.MinCost to bcrypt.MaxCost). The cost is recorded in each hash, so
// one bcrypt hasher verifies hashes of any cost; its ID is "bcrypt".
// bcrypt reads at most 72 bytes: a secret longer than that (a format with
// very long prefixes) cannot be hashed and gives an error.
func NewBcrypt(cost int) (Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("%w: bcrypt cost %d is outside %d to %d", ErrKDFParams, cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return bcryptHasher{cost: cost}, nil
}

type bcryptHasher struct{ cost int }

func (bcryptHasher) ID() string { return "bcrypt" }

func (b bcryptHasher) Hash(secret []byte) (Hash, error) {
	h, err := bcrypt.GenerateFromPassword(secret, b.cost)
	if err != nil {
		return nil, fmt.Errorf("credential: bcrypt: %w", err)
	}
	return Hash(h), nil
}

// Verify compares in constant time (bcrypt.CompareHashAndPassword uses
// crypto/subtle).
func (bcryptHasher) Verify(secret []byte, h Hash) bool {
	return bcrypt.CompareHashAndPassword(h, secret) == nil
}

// Argon2idParams are the parameters of [NewArgon2id].
type Argon2idParams struct {
	// Time is the number of passes over the memory, at least 1.
	Time uint32
	// MemoryKiB is the memory used, in KiB, at least 8 per thread.
	MemoryKiB uint32
	// Threads is the degree of parallelism, 1 to 255.
	Threads uint8
}

// Argon2idOWASP are the minimum argon2id parameters OWASP recommends:
// 19 MiB, two passes, one thread.
var Argon2idOWASP = Argon2idParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const (
	argon2SaltLen = 16
	argon2KeyLen  = 32
)

// NewArgon2id returns a hasher that stores salt || argon2id(secret, salt)
// with a random 16-byte salt and a 32-byte key. The parameters are part of
// its ID ("argon2id:t=2,m=19456,p=1"), so that a hash made with other
// parameters is verified by a hasher built with those, given to the Manager
// as an additional verifier.
func NewArgon2id(p Argon2idParams) (Hasher, error) {
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) {
		return nil, fmt.Errorf("%w: argon2id needs Time >= 1, Threads >= 1 and MemoryKiB >= 8 per thread", ErrKDFParams)
	}
	return argon2idHasher{p: p, id: fmt.Sprintf("argon2id:t=%d,m=%d,p=%d", p.Time, p.MemoryKiB, p.Threads)}, nil
}

type argon2idHasher struct {
	p  Argon2idParams
	id string
}

func (a argon2idHasher) ID() string { return a.id }

func (a argon2idHasher) Hash(secret []byte) (Hash, error) {
	salt := make([]byte, argon2SaltLen, argon2SaltLen+argon2KeyLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("credential: argon2id: reading randomness: %w", err)
	}
	return Hash(append(salt, a.key(secret, salt)...)), nil
}

func (a argon2idHasher) Verify(secret []byte, h Hash) bool {
	if len(h) != argon2SaltLen+argon2KeyLen {
		return false
	}
	return subtle.ConstantTimeCompare(a.key(secret, h[:argon2SaltLen]), h[argon2SaltLen:]) == 1
}

func (a argon2idHasher) key(secret, salt []byte) []byte {
	return argon2.IDKey(secret, salt, a.p.Time, a.p.MemoryKiB, a.p.Threads, argon2KeyLen)
}
