package credential

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Secret and client ID layout.
//
// A client ID is <ClientIDPrefix>_<environment>_<24 base62 characters>, such
// as "mk_live_3hQ8…". A secret is
// <SecretPrefix>_<environment>_<43 base62 characters><6 base62 characters>:
// the 43 characters carry 256 bits from crypto/rand (62^43 > 2^256) and the
// last six are the CRC-32C (Castagnoli) of everything before them, in
// base62. CRC-32C detects every single-character error and, computed by the
// processor's own instruction, costs a few nanoseconds.
const (
	// ClientIDRandomLen is the number of random base62 characters of a
	// client ID (about 142 bits).
	ClientIDRandomLen = 24
	// SecretRandomLen is the number of random base62 characters of a
	// secret (about 256 bits).
	SecretRandomLen = 43
	// SecretChecksumLen is the number of base62 characters of the checksum
	// that closes a secret.
	SecretChecksumLen = 6
	// MaxPrefixLen bounds a configured prefix.
	MaxPrefixLen = 16
)

// Default prefixes (rule R11).
const (
	DefaultClientIDPrefix = "mk"
	DefaultSecretPrefix   = "ms"
)

// ErrMalformed reports a client ID or secret that does not have the
// configured layout or whose checksum does not match. It is returned by
// [Format.ParseSecret] and [Format.ParseClientID]; authentication reports it
// as [ErrAuthenticationFailed] with the reason [ReasonMalformed].
var ErrMalformed = errors.New("credential: malformed client ID or secret")

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62Value maps a byte to its base62 digit value, or -1.
var base62Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base62); i++ {
		t[base62[i]] = int8(i)
	}
	return t
}()

// castagnoli is the CRC-32C table of secret checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum returns the CRC-32C of a secret's body.
func checksum(body []byte) uint32 { return crc32.Checksum(body, castagnoli) }

// Format describes how client IDs and secrets are written. The zero Format
// is not usable; start from [DefaultFormat].
type Format struct {
	// ClientIDPrefix starts every client ID ("mk").
	ClientIDPrefix string
	// SecretPrefix starts every secret ("ms").
	SecretPrefix string
}

// DefaultFormat returns the "mk" / "ms" format.
func DefaultFormat() Format {
	return Format{ClientIDPrefix: DefaultClientIDPrefix, SecretPrefix: DefaultSecretPrefix}
}

// Validate reports whether f is usable: both prefixes of 1 to 16 lowercase
// ASCII letters or digits, and different from each other.
func (f Format) Validate() error {
	var v ValidationError
	for _, p := range []struct{ field, value string }{
		{"client_id_prefix", f.ClientIDPrefix},
		{"secret_prefix", f.SecretPrefix},
	} {
		if !validPrefix(p.value) {
			v.Add(p.field, "must be 1 to 16 lowercase ASCII letters or digits")
		}
	}
	if f.ClientIDPrefix != "" && f.ClientIDPrefix == f.SecretPrefix {
		v.Add("secret_prefix", "must differ from the client ID prefix")
	}
	return v.Err()
}

func validPrefix(p string) bool {
	if len(p) == 0 || len(p) > MaxPrefixLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// NewClientID returns a fresh client ID for env, with random characters
// from crypto/rand.
func (f Format) NewClientID(env Environment) (string, error) {
	return f.newClientID(rand.Reader, env)
}

func (f Format) newClientID(r io.Reader, env Environment) (string, error) {
	if !env.Valid() {
		return "", fmt.Errorf("credential: invalid environment %q", string(env))
	}
	head := f.ClientIDPrefix + "_" + string(env) + "_"
	b := make([]byte, len(head), len(head)+ClientIDRandomLen)
	copy(b, head)
	b, err := appendRandomBase62(b, r, ClientIDRandomLen)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// NewSecret returns a fresh secret for env: 256 bits from crypto/rand and
// its checksum. The result is the only copy; it is wrapped in [Secret] so
// that it cannot be logged by accident.
func (f Format) NewSecret(env Environment) (Secret, error) {
	return f.newSecret(rand.Reader, env)
}

func (f Format) newSecret(r io.Reader, env Environment) (Secret, error) {
	if !env.Valid() {
		return Secret{}, fmt.Errorf("credential: invalid environment %q", string(env))
	}
	head := f.SecretPrefix + "_" + string(env) + "_"
	b := make([]byte, len(head), len(head)+SecretRandomLen+SecretChecksumLen)
	copy(b, head)
	b, err := appendRandomBase62(b, r, SecretRandomLen)
	if err != nil {
		return Secret{}, err
	}
	b = appendChecksum(b, checksum(b))
	s := NewSecret(string(b))
	clear(b)
	return s, nil
}

// appendRandomBase62 appends n base62 characters drawn uniformly from r by
// rejection sampling: a byte of 248 or more (62*4) is discarded, so each
// character carries log2(62) bits with no modulo bias.
func appendRandomBase62(dst []byte, r io.Reader, n int) ([]byte, error) {
	var buf [64]byte
	for n > 0 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("credential: reading randomness: %w", err)
		}
		for _, c := range buf {
			if c >= 248 {
				continue
			}
			dst = append(dst, base62[c%62])
			n--
			if n == 0 {
				break
			}
		}
	}
	clear(buf[:])
	return dst, nil
}

// appendChecksum appends sum as exactly SecretChecksumLen base62 digits,
// most significant first (62^6 > 2^32, so every CRC-32 fits).
func appendChecksum(dst []byte, sum uint32) []byte {
	var d [SecretChecksumLen]byte
	v := uint64(sum)
	for i := SecretChecksumLen - 1; i >= 0; i-- {
		d[i] = base62[v%62]
		v /= 62
	}
	return append(dst, d[:]...)
}

// ParseSecret checks that secret has this format's layout and a matching
// checksum, and returns its environment. It reads no store and allocates
// nothing, so a typo or garbage costs almost nothing to refuse. A secret it
// accepts may still be unknown or wrong: only the hash check tells.
func (f Format) ParseSecret(secret []byte) (Environment, error) {
	env, rest, ok := splitHead(secret, f.SecretPrefix)
	if !ok || len(rest) != SecretRandomLen+SecretChecksumLen {
		return "", ErrMalformed
	}
	for _, c := range rest[:SecretRandomLen] {
		if base62Value[c] < 0 {
			return "", ErrMalformed
		}
	}
	// Decode the checksum digits and compare numbers: 62^6 > 2^32, so a
	// value that no CRC can have simply does not match.
	var sum uint64
	for _, c := range rest[SecretRandomLen:] {
		v := base62Value[c]
		if v < 0 {
			return "", ErrMalformed
		}
		sum = sum*62 + uint64(v)
	}
	if sum != uint64(checksum(secret[:len(secret)-SecretChecksumLen])) {
		return "", ErrMalformed
	}
	return env, nil
}

// ParseClientID checks that clientID has this format's layout and returns
// its environment. Client IDs carry no checksum; this only refuses what
// cannot be a client ID.
func (f Format) ParseClientID(clientID string) (Environment, error) {
	env, rest, ok := splitHead(clientID, f.ClientIDPrefix)
	if !ok || len(rest) != ClientIDRandomLen {
		return "", ErrMalformed
	}
	for i := 0; i < len(rest); i++ {
		if base62Value[rest[i]] < 0 {
			return "", ErrMalformed
		}
	}
	return env, nil
}

// splitHead splits "<prefix>_<env>_<rest>".
func splitHead[T ~string | ~[]byte](b T, prefix string) (Environment, T, bool) {
	var none T
	if len(b) < len(prefix)+1 || string(b[:len(prefix)]) != prefix || b[len(prefix)] != '_' {
		return "", none, false
	}
	b = b[len(prefix)+1:]
	for _, env := range [...]Environment{EnvironmentLive, EnvironmentTest} {
		if len(b) > len(env) && string(b[:len(env)]) == string(env) && b[len(env)] == '_' {
			return env, b[len(env)+1:], true
		}
	}
	return "", none, false
}

// SecretHint returns a short display hint for secret: its prefix and
// environment, an ellipsis, and its last four characters, which belong to
// the checksum and so reveal nothing of the random part. For a value that
// is not a well-formed secret it returns the prefix part alone.
func (f Format) SecretHint(secret Secret) string {
	s := secret.Reveal()
	env, _, ok := splitHead(s, f.SecretPrefix)
	if !ok {
		return f.SecretPrefix + "_…"
	}
	head := f.SecretPrefix + "_" + string(env) + "_"
	b := []byte(s)
	_, err := f.ParseSecret(b)
	clear(b)
	if err != nil {
		// Only a well-formed secret's last four characters are known to be
		// checksum; in anything else they may be secret.
		return head + "…"
	}
	return head + "…" + s[len(s)-4:]
}

func isBase62(c byte) bool { return base62Value[c] >= 0 }
