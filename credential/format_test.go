package credential

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	liveClientIDRE = regexp.MustCompile(`^mk_live_[0-9A-Za-z]{24}$`)
	testClientIDRE = regexp.MustCompile(`^mk_test_[0-9A-Za-z]{24}$`)
	liveSecretRE   = regexp.MustCompile(`^ms_live_[0-9A-Za-z]{43}[0-9A-Za-z]{6}$`)
	testSecretRE   = regexp.MustCompile(`^ms_test_[0-9A-Za-z]{43}[0-9A-Za-z]{6}$`)
)

func mustSecret(t testing.TB, f Format, env Environment) string {
	t.Helper()
	s, err := f.NewSecret(env)
	require.NoError(t, err)
	return s.Reveal()
}

func mustClientID(t testing.TB, f Format, env Environment) string {
	t.Helper()
	id, err := f.NewClientID(env)
	require.NoError(t, err)
	return id
}

// TestFormatLayout checks rule R11: readable prefixes with the environment.
func TestFormatLayout(t *testing.T) {
	f := DefaultFormat()
	require.NoError(t, f.Validate())
	tests := []struct {
		env            Environment
		idRE, secretRE *regexp.Regexp
	}{
		{env: EnvironmentLive, idRE: liveClientIDRE, secretRE: liveSecretRE},
		{env: EnvironmentTest, idRE: testClientIDRE, secretRE: testSecretRE},
	}
	for _, tt := range tests {
		t.Run(string(tt.env), func(t *testing.T) {
			id := mustClientID(t, f, tt.env)
			assert.Regexp(t, tt.idRE, id, "R11: client ID layout")
			env, err := f.ParseClientID(id)
			require.NoError(t, err)
			assert.Equal(t, tt.env, env)

			sec := mustSecret(t, f, tt.env)
			assert.Regexp(t, tt.secretRE, sec, "R11: secret layout")
			env, err = f.ParseSecret([]byte(sec))
			require.NoError(t, err)
			assert.Equal(t, tt.env, env)
		})
	}

	t.Run("an invalid environment is refused", func(t *testing.T) {
		for _, env := range []Environment{"", "prod", "LIVE"} {
			_, err := f.NewClientID(env)
			assert.Error(t, err)
			s, err := f.NewSecret(env)
			assert.Error(t, err)
			assert.True(t, s.IsZero())
		}
	})
}

// TestFormatValidate checks that configured prefixes (R11) are usable.
func TestFormatValidate(t *testing.T) {
	tests := []struct {
		name   string
		f      Format
		fields []string
	}{
		{name: "the default format is valid", f: DefaultFormat()},
		{name: "custom lowercase prefixes are valid", f: Format{ClientIDPrefix: "acme", SecretPrefix: "acmesk"}},
		{name: "prefixes with digits are valid", f: Format{ClientIDPrefix: "k1", SecretPrefix: "s2"}},
		{name: "prefixes of 16 characters are valid", f: Format{ClientIDPrefix: strings.Repeat("a", 16), SecretPrefix: strings.Repeat("b", 16)}},
		{name: "the zero format is invalid", f: Format{}, fields: []string{"client_id_prefix", "secret_prefix"}},
		{name: "an empty client ID prefix is invalid", f: Format{SecretPrefix: "ms"}, fields: []string{"client_id_prefix"}},
		{name: "an empty secret prefix is invalid", f: Format{ClientIDPrefix: "mk"}, fields: []string{"secret_prefix"}},
		{name: "a prefix of 17 characters is invalid", f: Format{ClientIDPrefix: strings.Repeat("a", 17), SecretPrefix: "ms"}, fields: []string{"client_id_prefix"}},
		{name: "an uppercase prefix is invalid", f: Format{ClientIDPrefix: "MK", SecretPrefix: "ms"}, fields: []string{"client_id_prefix"}},
		{name: "a prefix with an underscore is invalid", f: Format{ClientIDPrefix: "mk", SecretPrefix: "m_s"}, fields: []string{"secret_prefix"}},
		{name: "a prefix with a dash is invalid", f: Format{ClientIDPrefix: "m-k", SecretPrefix: "ms"}, fields: []string{"client_id_prefix"}},
		{name: "a non-ASCII prefix is invalid", f: Format{ClientIDPrefix: "mké", SecretPrefix: "ms"}, fields: []string{"client_id_prefix"}},
		{name: "equal prefixes are invalid", f: Format{ClientIDPrefix: "mk", SecretPrefix: "mk"}, fields: []string{"secret_prefix"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if len(tt.fields) == 0 {
				assert.NoError(t, err)
				return
			}
			requireFields(t, err, tt.fields...)
		})
	}
}

// TestFormatCustomPrefixes checks that R11's prefixes are configurable and
// that formats do not accept each other's values.
func TestFormatCustomPrefixes(t *testing.T) {
	custom := Format{ClientIDPrefix: "acme", SecretPrefix: "acmesk"}
	require.NoError(t, custom.Validate())
	def := DefaultFormat()

	id := mustClientID(t, custom, EnvironmentLive)
	assert.Regexp(t, `^acme_live_[0-9A-Za-z]{24}$`, id)
	sec := mustSecret(t, custom, EnvironmentTest)
	assert.Regexp(t, `^acmesk_test_[0-9A-Za-z]{49}$`, sec)

	env, err := custom.ParseClientID(id)
	require.NoError(t, err)
	assert.Equal(t, EnvironmentLive, env)
	env, err = custom.ParseSecret([]byte(sec))
	require.NoError(t, err)
	assert.Equal(t, EnvironmentTest, env)

	_, err = def.ParseClientID(id)
	assert.ErrorIs(t, err, ErrMalformed, "the default format refuses a custom client ID")
	_, err = def.ParseSecret([]byte(sec))
	assert.ErrorIs(t, err, ErrMalformed, "the default format refuses a custom secret")
	_, err = custom.ParseSecret([]byte(mustSecret(t, def, EnvironmentLive)))
	assert.ErrorIs(t, err, ErrMalformed, "a custom format refuses a default secret")

	// A prefix that is a prefix of the other must not confuse parsing.
	nested := Format{ClientIDPrefix: "ak", SecretPrefix: "akx"}
	require.NoError(t, nested.Validate())
	s := mustSecret(t, nested, EnvironmentLive)
	_, err = nested.ParseClientID(s)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = nested.ParseSecret([]byte(mustClientID(t, nested, EnvironmentLive)))
	assert.ErrorIs(t, err, ErrMalformed)
}

// TestParseSecretAcceptsGenerated checks R11 on many generated secrets.
func TestParseSecretAcceptsGenerated(t *testing.T) {
	f := DefaultFormat()
	for i := range 1000 {
		env := EnvironmentLive
		if i%2 == 1 {
			env = EnvironmentTest
		}
		sec := mustSecret(t, f, env)
		got, err := f.ParseSecret([]byte(sec))
		require.NoError(t, err, "R11: generated secret %d refused", i)
		require.Equal(t, env, got)
	}
}

// TestParseSecretRefusesEverySingleCharacterError checks R11's checksum: a
// typo anywhere in a secret, replacing one character by any other byte, is
// refused without a store lookup. CRC-32 detects every error burst of at most
// 32 bits, so no single-byte substitution can slip through.
func TestParseSecretRefusesEverySingleCharacterError(t *testing.T) {
	f := DefaultFormat()
	for _, env := range []Environment{EnvironmentLive, EnvironmentTest} {
		for range 4 {
			sec := []byte(mustSecret(t, f, env))
			buf := make([]byte, len(sec))
			for pos := range sec {
				for c := range 256 {
					if byte(c) == sec[pos] {
						continue
					}
					copy(buf, sec)
					buf[pos] = byte(c)
					if got, err := f.ParseSecret(buf); err == nil {
						t.Fatalf("R11: substituting %q at position %d of a %s secret was accepted (env %q)", byte(c), pos, env, got)
					} else {
						require.ErrorIs(t, err, ErrMalformed)
					}
				}
			}
		}
	}
}

// TestParseSecretRefusesMalformed checks R11: garbage, truncation, a wrong
// prefix or environment, and non-base62 characters are refused offline.
func TestParseSecretRefusesMalformed(t *testing.T) {
	f := DefaultFormat()
	sec := mustSecret(t, f, EnvironmentLive)
	testSec := mustSecret(t, f, EnvironmentTest)
	body := sec[:len(sec)-SecretChecksumLen]
	swapped := []byte(sec)
	swapped[10], swapped[11] = swapped[11], swapped[10]
	tests := []struct {
		name  string
		input string
	}{
		{"an empty value", ""},
		{"the prefix alone", "ms_"},
		{"the prefix and environment alone", "ms_live_"},
		{"a secret missing its last character", sec[:len(sec)-1]},
		{"a secret missing its first character", sec[1:]},
		{"a secret missing its checksum", body},
		{"a secret with one character too many", sec + "0"},
		{"a secret with trailing white space", sec + " "},
		{"a secret with a trailing newline", sec + "\n"},
		{"a secret with leading white space", " " + sec},
		{"a secret written twice", sec + sec},
		{"a secret with the wrong prefix", "mx" + sec[2:]},
		{"a secret with an uppercase prefix", "MS" + sec[2:]},
		{"a secret with the client ID prefix", "mk" + sec[2:]},
		{"a live secret relabelled as test", strings.Replace(sec, "_live_", "_test_", 1)},
		{"a test secret relabelled as live", strings.Replace(testSec, "_test_", "_live_", 1)},
		{"a secret with an unknown environment", strings.Replace(sec, "_live_", "_prod_", 1)},
		{"a secret without the environment", "ms_" + sec[len("ms_live_"):]},
		{"a secret with a hyphen for an underscore", "ms-live_" + sec[len("ms_live_"):]},
		{"a secret with a non-base62 character", body[:20] + "-" + body[21:] + sec[len(body):]},
		{"a secret with a non-ASCII character", body[:20] + "é" + body[22:] + sec[len(body):]},
		{"a secret with a NUL", body[:20] + "\x00" + body[21:] + sec[len(body):]},
		{"a secret with two characters transposed", string(swapped)},
		{"a client ID", mustClientID(t, f, EnvironmentLive)},
		{"the right length of garbage", "ms_live_" + strings.Repeat("A", SecretRandomLen+SecretChecksumLen)},
		{"the right length of zeros", strings.Repeat("0", len(sec))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := f.ParseSecret([]byte(tt.input))
			assert.ErrorIs(t, err, ErrMalformed, "R11")
			assert.Empty(t, env)
		})
	}
	t.Run("a nil slice", func(t *testing.T) {
		_, err := f.ParseSecret(nil)
		assert.ErrorIs(t, err, ErrMalformed)
	})
}

// TestParseClientIDRefusesMalformed checks R11 for client IDs.
func TestParseClientIDRefusesMalformed(t *testing.T) {
	f := DefaultFormat()
	id := mustClientID(t, f, EnvironmentLive)
	tests := []struct {
		name  string
		input string
	}{
		{"an empty value", ""},
		{"the prefix and environment alone", "mk_live_"},
		{"a client ID missing a character", id[:len(id)-1]},
		{"a client ID with a character too many", id + "a"},
		{"a client ID with the secret prefix", "ms" + id[2:]},
		{"a client ID with an unknown environment", strings.Replace(id, "_live_", "_prod_", 1)},
		{"a client ID with a non-base62 character", id[:len(id)-1] + "-"},
		{"a client ID with a trailing newline", id[:len(id)-1] + "\n"},
		{"a secret", mustSecret(t, f, EnvironmentLive)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := f.ParseClientID(tt.input)
			assert.ErrorIs(t, err, ErrMalformed, "R11")
			assert.Empty(t, env)
		})
	}
}

// TestParseAllocatesNothing checks that refusing garbage costs no
// allocation (R11: "without a store lookup", and cheaply).
func TestParseAllocatesNothing(t *testing.T) {
	f := DefaultFormat()
	good := []byte(mustSecret(t, f, EnvironmentLive))
	bad := bytes.Clone(good)
	bad[20] ^= 1
	garbage := []byte("garbage")
	id := mustClientID(t, f, EnvironmentTest)
	for name, fn := range map[string]func(){
		"ParseSecret of a good secret": func() { _, _ = f.ParseSecret(good) },
		"ParseSecret of a typo":        func() { _, _ = f.ParseSecret(bad) },
		"ParseSecret of garbage":       func() { _, _ = f.ParseSecret(garbage) },
		"ParseClientID":                func() { _, _ = f.ParseClientID(id) },
		"ParseClientID of garbage":     func() { _, _ = f.ParseClientID("mk_live_garbage") },
	} {
		assert.Zero(t, testing.AllocsPerRun(200, fn), "%s allocates", name)
	}
}

// TestUniqueness checks that generated client IDs and secrets do not repeat.
func TestUniqueness(t *testing.T) {
	const n = 10_000
	f := DefaultFormat()
	ids := make(map[string]struct{}, n)
	secrets := make(map[string]struct{}, n)
	for range n {
		ids[mustClientID(t, f, EnvironmentLive)] = struct{}{}
		secrets[mustSecret(t, f, EnvironmentLive)] = struct{}{}
	}
	assert.Len(t, ids, n, "client IDs repeat")
	assert.Len(t, secrets, n, "secrets repeat")
}

// seqReader yields the bytes of data, then fails with err (io.EOF if nil).
type seqReader struct {
	data []byte
	err  error
	read int
}

func (r *seqReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	r.read += n
	return n, nil
}

// cycleReader yields 0, 1, …, 255, 0, 1, … for ever.
type cycleReader struct{ next byte }

func (r *cycleReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}

// TestRandomBase62RejectionSampling drives the generator with a known byte
// stream: bytes of 248 or more are skipped, the others map to base62[b%62].
func TestRandomBase62RejectionSampling(t *testing.T) {
	f := DefaultFormat()

	t.Run("bytes of 248 and more are skipped", func(t *testing.T) {
		stream := []byte{255, 248, 250}
		var want []byte
		for i := 0; len(want) < SecretRandomLen; i++ {
			b := byte(i * 37) // visits every byte value
			stream = append(stream, b)
			if b < 248 {
				want = append(want, base62[b%62])
			}
		}
		stream = append(stream, bytes.Repeat([]byte{0xff}, 256)...)
		sec, err := f.newSecret(&seqReader{data: stream}, EnvironmentLive)
		require.NoError(t, err)
		v := sec.Reveal()
		assert.Equal(t, "ms_live_"+string(want), v[:len(v)-SecretChecksumLen])
		_, err = f.ParseSecret([]byte(v))
		assert.NoError(t, err)
	})

	t.Run("only rejected bytes first still gives a full secret", func(t *testing.T) {
		stream := append(bytes.Repeat([]byte{248, 249, 250, 251, 252, 253, 254, 255}, 40), bytes.Repeat([]byte{61}, 128)...)
		sec, err := f.newSecret(&seqReader{data: stream}, EnvironmentTest)
		require.NoError(t, err)
		assert.Equal(t, "ms_test_"+strings.Repeat("z", SecretRandomLen), sec.Reveal()[:len("ms_test_")+SecretRandomLen])
	})

	t.Run("the boundary bytes 247 and 248", func(t *testing.T) {
		stream := append([]byte{248, 247, 248, 0, 62, 61, 124, 186}, bytes.Repeat([]byte{0}, 128)...)
		id, err := f.newClientID(&seqReader{data: stream}, EnvironmentLive)
		require.NoError(t, err)
		// 247%62 = 61 'z'; 0 '0'; 62 '0'; 61 'z'; 124 '0'; 186 '0'.
		assert.Equal(t, "mk_live_z00z00"+strings.Repeat("0", ClientIDRandomLen-6), id)
	})

	t.Run("every byte value below 248 maps to each symbol exactly four times", func(t *testing.T) {
		// Four cycles of 0…255 are 1024 bytes (16 blocks of 64), of which
		// 4*248 are accepted: a bias-free mapping gives each symbol 16 times.
		out, err := appendRandomBase62(nil, &cycleReader{}, 4*248)
		require.NoError(t, err)
		counts := map[byte]int{}
		for _, c := range out {
			counts[c]++
		}
		require.Len(t, counts, 62)
		for c, n := range counts {
			assert.Equal(t, 16, n, "symbol %q", c)
		}
	})
}

// TestRandomReaderFailure checks that a failing random source gives an
// error, never a panic or a short secret.
func TestRandomReaderFailure(t *testing.T) {
	f := DefaultFormat()
	boom := errors.New("entropy pool on fire")
	tests := []struct {
		name string
		r    func() io.Reader
		want error
	}{
		{"a reader that fails at once", func() io.Reader { return &seqReader{err: boom} }, boom},
		{"a reader that fails after a few bytes", func() io.Reader { return &seqReader{data: []byte{1, 2, 3}, err: boom} }, boom},
		{"a reader that ends after a few bytes", func() io.Reader { return &seqReader{data: []byte{1, 2, 3}} }, io.ErrUnexpectedEOF},
		{"a reader that ends after one block too few for a secret", func() io.Reader {
			return &seqReader{data: append(bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{0xff}, 32)...)}
		}, io.EOF},
		{"a reader that yields only rejected bytes, then ends", func() io.Reader { return &seqReader{data: bytes.Repeat([]byte{0xff}, 64*4)} }, io.EOF},
		{"an empty reader", func() io.Reader { return bytes.NewReader(nil) }, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec, err := f.newSecret(tt.r(), EnvironmentLive)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, sec.IsZero(), "no partial secret")
			assert.Empty(t, sec.Reveal())

			id, err := f.newClientID(tt.r(), EnvironmentLive)
			if tt.name == "a reader that ends after one block too few for a secret" {
				// 32 accepted bytes are enough for a 24-character client ID.
				require.NoError(t, err)
				assert.Regexp(t, liveClientIDRE, id)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, id, "no partial client ID")
		})
	}
}

// TestSecretCharacterDistribution checks that the characters of generated
// secrets are spread evenly over the 62 symbols: a loose chi-square bound
// that a modulo bias (the first 8 symbols 25% more likely) or a stuck
// generator fails by far.
func TestSecretCharacterDistribution(t *testing.T) {
	const secrets = 2000
	f := DefaultFormat()
	var counts [256]int
	for range secrets {
		v := mustSecret(t, f, EnvironmentLive)
		for _, c := range []byte(v[len("ms_live_") : len("ms_live_")+SecretRandomLen]) {
			counts[c]++
		}
	}
	chi := chiSquare(t, counts)
	// 61 degrees of freedom: mean 61, standard deviation about 11. The bound
	// is eight deviations out; modulo bias gives about 580.
	assert.Less(t, chi, 150.0, "R11: secret characters are not uniform (chi-square %.1f)", chi)

	t.Run("the bound catches a modulo bias", func(t *testing.T) {
		var biased [256]int
		r := &cycleReader{}
		var b [1]byte
		for range secrets * SecretRandomLen {
			_, _ = r.Read(b[:])
			biased[base62[b[0]%62]]++ // no rejection
		}
		assert.Greater(t, chiSquare(t, biased), 150.0)
	})
}

func chiSquare(t *testing.T, counts [256]int) float64 {
	t.Helper()
	total := 0
	for c, n := range counts {
		if n > 0 {
			require.True(t, isBase62(byte(c)), "non-base62 character %q generated", byte(c))
		}
		total += n
	}
	expected := float64(total) / 62
	var chi float64
	for i := range len(base62) {
		d := float64(counts[base62[i]]) - expected
		chi += d * d / expected
	}
	return chi
}

// TestChecksum checks that the last six characters are the CRC-32C of the
// rest in base62, so that scanners can validate a found secret offline.
func TestChecksum(t *testing.T) {
	f := DefaultFormat()
	for range 100 {
		v := mustSecret(t, f, EnvironmentLive)
		body := v[:len(v)-SecretChecksumLen]
		assert.Equal(t, referenceChecksum(crc32.Checksum([]byte(body), crc32.MakeTable(crc32.Castagnoli))), v[len(body):])
	}
	for _, sum := range []uint32{0, 1, 61, 62, 0x7fffffff, 0xfffffffe, 0xffffffff} {
		assert.Equal(t, referenceChecksum(sum), string(appendChecksum(nil, sum)), "sum %#x", sum)
	}
	assert.Equal(t, "000000", string(appendChecksum(nil, 0)))
	assert.Equal(t, "4gfFC3", string(appendChecksum(nil, 0xffffffff)), "the largest CRC fits in six digits")
}

// referenceChecksum is base62 of sum in six digits, written independently.
func referenceChecksum(sum uint32) string {
	out := make([]byte, SecretChecksumLen)
	v := uint64(sum)
	for i := range out {
		p := uint64(1)
		for range SecretChecksumLen - 1 - i {
			p *= 62
		}
		out[i] = base62[v/p]
		v %= p
	}
	return string(out)
}

// TestSecretHint checks that the display hint shows the prefix, the
// environment and the last four characters, which belong to the checksum,
// and never the random part.
func TestSecretHint(t *testing.T) {
	f := DefaultFormat()
	for _, env := range []Environment{EnvironmentLive, EnvironmentTest} {
		sec, err := f.NewSecret(env)
		require.NoError(t, err)
		v := sec.Reveal()
		hint := f.SecretHint(sec)
		head := "ms_" + string(env) + "_"
		assert.Equal(t, head+"…"+v[len(v)-4:], hint)
		random := v[len(head) : len(head)+SecretRandomLen]
		assert.NotContains(t, hint, random[len(random)-4:], "R8: the hint shows no random character")
		assert.Equal(t, v[len(v)-4:], strings.TrimPrefix(hint, head+"…"))
	}

	custom := Format{ClientIDPrefix: "acme", SecretPrefix: "acmesk"}
	sec, err := custom.NewSecret(EnvironmentLive)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(custom.SecretHint(sec), "acmesk_live_…"))

	good := mustSecret(t, f, EnvironmentLive)
	body := good[:len(good)-SecretChecksumLen]
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"an empty value", "", "ms_…"},
		{"garbage", "garbage-value", "ms_…"},
		{"the wrong prefix", "mk" + good[2:], "ms_…"},
		{"an unknown environment", "ms_prod_" + good[8:], "ms_…"},
		{"the head alone", "ms_live_", "ms_live_…"},
		{"the head and two characters", "ms_live_ab", "ms_live_…"},
		{"a secret without its checksum", body, "ms_live_…"},
		{"a secret with a character too many", good + "x", "ms_live_…"},
		{"a multi-byte tail", "ms_live_" + strings.Repeat("é", 10), "ms_live_…"},
		{"the right length with a wrong checksum", body + "000000", "ms_live_…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			require.NotPanics(t, func() { got = f.SecretHint(NewSecret(tt.input)) })
			assert.Equal(t, tt.want, got)
		})
	}
}
