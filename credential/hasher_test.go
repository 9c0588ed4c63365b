package credential

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	hmacKey1 = bytes.Repeat([]byte{0x11}, MinHMACKeyLen)
	hmacKey2 = bytes.Repeat([]byte{0x22}, MinHMACKeyLen)
)

func mustHMAC(t testing.TB, keyID string, key []byte) Hasher {
	t.Helper()
	h, err := NewHMACSHA256(keyID, key)
	require.NoError(t, err)
	return h
}

// TestHasherRoundTrip checks both hashers: a hash verifies its secret and no
// other, and a damaged stored hash is refused without a panic.
func TestHasherRoundTrip(t *testing.T) {
	for _, h := range []Hasher{SHA256(), mustHMAC(t, "k1", hmacKey1)} {
		t.Run(h.ID(), func(t *testing.T) {
			secret := []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
			stored, err := h.Hash(secret)
			require.NoError(t, err)
			require.Len(t, stored, sha256.Size)
			assert.NotContains(t, string(stored), string(secret), "a hash is not the secret")

			assert.True(t, h.Verify(secret, stored), "a hash verifies its secret")

			again, err := h.Hash(secret)
			require.NoError(t, err)
			assert.Equal(t, stored, again, "hashing is deterministic")

			wrong := bytes.Clone(secret)
			wrong[len(wrong)-1] ^= 1
			assert.False(t, h.Verify(wrong, stored), "a wrong secret fails")
			assert.False(t, h.Verify(nil, stored), "an empty secret fails")
			assert.False(t, h.Verify(secret[:len(secret)-1], stored), "a truncated secret fails")

			tests := []struct {
				name   string
				stored Hash
			}{
				{"a nil stored hash", nil},
				{"an empty stored hash", Hash{}},
				{"a truncated stored hash", stored[:len(stored)-1]},
				{"a one-byte stored hash", stored[:1]},
				{"an extended stored hash", append(bytes.Clone(stored), 0)},
				{"a stored hash with one bit flipped", func() Hash { c := bytes.Clone(stored); c[0] ^= 1; return c }()},
				{"an all-zero stored hash", make(Hash, sha256.Size)},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var ok bool
					require.NotPanics(t, func() { ok = h.Verify(secret, tt.stored) })
					assert.False(t, ok)
				})
			}
		})
	}
}

// TestSHA256Hasher checks the default hasher (R8: stores hold only a hash).
func TestSHA256Hasher(t *testing.T) {
	h := SHA256()
	assert.Equal(t, "sha256", h.ID())
	secret := []byte("ms_live_example")
	stored, err := h.Hash(secret)
	require.NoError(t, err)
	want := sha256.Sum256(secret)
	assert.Equal(t, want[:], []byte(stored), "the default hash is plain SHA-256 of the secret")
}

// TestHMACHasher checks the peppered hasher (R8): keyed, named by its key ID,
// and useless with the wrong key.
func TestHMACHasher(t *testing.T) {
	h := mustHMAC(t, "k1", hmacKey1)
	assert.Equal(t, "hmac-sha256:k1", h.ID())

	secret := []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
	stored, err := h.Hash(secret)
	require.NoError(t, err)
	ref := hmac.New(sha256.New, hmacKey1)
	ref.Write(secret)
	assert.Equal(t, ref.Sum(nil), []byte(stored), "the hash is HMAC-SHA256(key, secret)")

	other := mustHMAC(t, "k2", hmacKey2)
	otherStored, err := other.Hash(secret)
	require.NoError(t, err)
	assert.NotEqual(t, stored, otherStored, "different keys give different hashes")
	assert.False(t, other.Verify(secret, stored), "verifying with the wrong key fails")
	assert.False(t, h.Verify(secret, otherStored))

	sameKeyOtherID := mustHMAC(t, "k1-copy", hmacKey1)
	assert.True(t, sameKeyOtherID.Verify(secret, stored), "the key, not its ID, makes the hash")

	plain, err := SHA256().Hash(secret)
	require.NoError(t, err)
	assert.NotEqual(t, plain, stored, "an HMAC hash is not the plain SHA-256")
	assert.False(t, h.Verify(secret, plain))

	t.Run("the key is copied", func(t *testing.T) {
		key := bytes.Clone(hmacKey1)
		hk := mustHMAC(t, "k1", key)
		clear(key)
		assert.True(t, hk.Verify(secret, stored), "changing the caller's key slice does not change the hasher")
	})
}

// TestNewHMACSHA256Refuses checks that a short key or a bad key ID is refused
// at construction with ErrHMACKey.
func TestNewHMACSHA256Refuses(t *testing.T) {
	tests := []struct {
		name  string
		keyID string
		key   []byte
		ok    bool
	}{
		{name: "a 32-byte key with a simple ID is accepted", keyID: "k1", key: hmacKey1, ok: true},
		{name: "a 64-byte key is accepted", keyID: "2025-06_primary", key: make([]byte, 64), ok: true},
		{name: "a 32-character key ID is accepted", keyID: strings.Repeat("a", 32), key: hmacKey1, ok: true},
		{name: "a nil key is refused", keyID: "k1", key: nil},
		{name: "a 31-byte key is refused", keyID: "k1", key: hmacKey1[:31]},
		{name: "an empty key ID is refused", keyID: "", key: hmacKey1},
		{name: "a 33-character key ID is refused", keyID: strings.Repeat("a", 33), key: hmacKey1},
		{name: "a key ID with a colon is refused", keyID: "k:1", key: hmacKey1},
		{name: "a key ID with a space is refused", keyID: "k 1", key: hmacKey1},
		{name: "a key ID with a non-ASCII letter is refused", keyID: "clé", key: hmacKey1},
		{name: "a key ID with a newline is refused", keyID: "k1\n", key: hmacKey1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHMACSHA256(tt.keyID, tt.key)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, "hmac-sha256:"+tt.keyID, h.ID())
				return
			}
			assert.ErrorIs(t, err, ErrHMACKey)
			assert.Nil(t, h)
		})
	}
}

// TestHasherConcurrentVerify runs Verify and Hash from many goroutines at
// once, with right and wrong secrets interleaved, so that a pooled state
// shared by mistake shows up as a wrong answer or under the race detector.
func TestHasherConcurrentVerify(t *testing.T) {
	for _, h := range []Hasher{SHA256(), mustHMAC(t, "k1", hmacKey1)} {
		t.Run(h.ID(), func(t *testing.T) {
			const goroutines, rounds, secrets = 16, 200, 8
			var good [secrets][]byte
			var stored [secrets]Hash
			for i := range good {
				good[i] = []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
				var err error
				stored[i], err = h.Hash(good[i])
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			errs := make(chan string, goroutines)
			for g := range goroutines {
				wg.Go(func() {
					for r := range rounds {
						i := (g + r) % secrets
						j := (i + 1) % secrets
						if !h.Verify(good[i], stored[i]) {
							errs <- fmt.Sprintf("goroutine %d round %d: right secret refused", g, r)
							return
						}
						if h.Verify(good[j], stored[i]) {
							errs <- fmt.Sprintf("goroutine %d round %d: wrong secret accepted", g, r)
							return
						}
						if r%10 == 0 {
							again, err := h.Hash(good[i])
							if err != nil || !bytes.Equal(again, stored[i]) {
								errs <- fmt.Sprintf("goroutine %d round %d: Hash changed", g, r)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
		})
	}
}

// TestHasherVerifyAllocatesNothing: authentication is the hot path (DESIGN
// §4); checking a secret must not allocate.
func TestHasherVerifyAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, h := range []Hasher{SHA256(), mustHMAC(t, "k1", hmacKey1)} {
		t.Run(h.ID(), func(t *testing.T) {
			secret := []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
			stored, err := h.Hash(secret)
			require.NoError(t, err)
			wrong := bytes.Clone(secret)
			wrong[9] ^= 1
			h.Verify(secret, stored) // warm up the pool
			allocs := testing.AllocsPerRun(200, func() {
				if !h.Verify(secret, stored) || h.Verify(wrong, stored) {
					panic("verify answered wrong")
				}
			})
			assert.Zero(t, allocs, "%s Verify allocates", h.ID())
		})
	}
}

// BenchmarkHasher measures one Verify of a correct secret, the cost every
// authenticated request pays, for every hasher of this package: the
// default, HMAC, and the password KDFs next to them (DESIGN §4).
//
//	go test -run '^$' -bench BenchmarkHasher -benchmem ./credential/
func BenchmarkHasher(b *testing.B) {
	hm, err := NewHMACSHA256("k1", hmacKey1)
	require.NoError(b, err)
	bc, err := NewBcrypt(10)
	require.NoError(b, err)
	a2, err := NewArgon2id(Argon2idOWASP)
	require.NoError(b, err)
	for _, h := range []struct {
		name string
		h    Hasher
	}{
		{"sha256", SHA256()},
		{"hmac-sha256", hm},
		{"bcrypt-cost10", bc},
		{"argon2id-t2-m19MiB-p1", a2},
	} {
		b.Run(h.name, func(b *testing.B) {
			secret := []byte(mustSecret(b, DefaultFormat(), EnvironmentLive))
			stored, err := h.h.Hash(secret)
			require.NoError(b, err)
			require.True(b, h.h.Verify(secret, stored))
			b.ReportAllocs()
			for b.Loop() {
				if !h.h.Verify(secret, stored) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}
