package credential

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// TestKDFHashers checks the password-style hashers: a round trip, a wrong
// secret refused, a damaged hash refused without panicking, a fresh salt
// per hash, and IDs that name their parameters.
func TestKDFHashers(t *testing.T) {
	bc, err := NewBcrypt(bcrypt.MinCost)
	require.NoError(t, err)
	fast := Argon2idParams{Time: 1, MemoryKiB: 64, Threads: 1}
	a2, err := NewArgon2id(fast)
	require.NoError(t, err)
	assert.Equal(t, "bcrypt", bc.ID())
	assert.Equal(t, "argon2id:t=1,m=64,p=1", a2.ID())

	secret := []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
	other := []byte(mustSecret(t, DefaultFormat(), EnvironmentLive))
	for _, h := range []Hasher{bc, a2} {
		t.Run(h.ID(), func(t *testing.T) {
			stored, err := h.Hash(secret)
			require.NoError(t, err)
			again, err := h.Hash(secret)
			require.NoError(t, err)
			assert.NotEqual(t, []byte(stored), []byte(again), "each hash has its own salt")
			assert.True(t, h.Verify(secret, stored))
			assert.True(t, h.Verify(secret, again))
			assert.False(t, h.Verify(other, stored), "a wrong secret is refused")
			assert.False(t, h.Verify(secret, stored[:len(stored)-1]), "a damaged hash is refused")
			assert.False(t, h.Verify(secret, nil))
			assert.NotContains(t, string(stored), string(secret), "R8: the hash does not hold the secret")
		})
	}

	t.Run("argon2id parameters are part of the hash's identity", func(t *testing.T) {
		stored, err := a2.Hash(secret)
		require.NoError(t, err)
		other, err := NewArgon2id(Argon2idParams{Time: 2, MemoryKiB: 64, Threads: 1})
		require.NoError(t, err)
		assert.NotEqual(t, a2.ID(), other.ID())
		assert.False(t, other.Verify(secret, stored), "other parameters derive another key")
	})
	t.Run("one bcrypt hasher verifies every cost", func(t *testing.T) {
		stronger, err := NewBcrypt(bcrypt.MinCost + 1)
		require.NoError(t, err)
		stored, err := stronger.Hash(secret)
		require.NoError(t, err)
		assert.True(t, bc.Verify(secret, stored))
	})
	t.Run("bcrypt refuses a secret past its 72 bytes", func(t *testing.T) {
		_, err := bc.Hash(make([]byte, 73))
		assert.Error(t, err)
	})
}

// TestKDFParamsRefused checks that unusable parameters are refused with a
// typed error.
func TestKDFParamsRefused(t *testing.T) {
	for _, cost := range []int{bcrypt.MinCost - 1, bcrypt.MaxCost + 1} {
		_, err := NewBcrypt(cost)
		assert.ErrorIs(t, err, ErrKDFParams, "cost %d", cost)
	}
	for _, p := range []Argon2idParams{
		{Time: 0, MemoryKiB: 64, Threads: 1},
		{Time: 1, MemoryKiB: 64, Threads: 0},
		{Time: 1, MemoryKiB: 15, Threads: 2},
	} {
		_, err := NewArgon2id(p)
		assert.ErrorIs(t, err, ErrKDFParams, "%+v", p)
	}
}
