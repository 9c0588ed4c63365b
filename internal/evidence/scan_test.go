package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/apicred/apicred/credential"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// artifact is one piece of collected evidence: a log, a response, an
// error text, a database file or dump.
type artifact struct {
	name string
	data []byte
}

// evidence collects artifacts. It is safe for concurrent use.
type evidence struct {
	mu        sync.Mutex
	artifacts []artifact
}

func (e *evidence) add(name string, data []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.artifacts = append(e.artifacts, artifact{name: name, data: bytes.Clone(data)})
}

func (e *evidence) addString(name, s string) { e.add(name, []byte(s)) }

func (e *evidence) all() []artifact {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]artifact(nil), e.artifacts...)
}

// issuedSecret is a secret handed out by Issue or Rotate, with the client
// ID it belongs to and where it was obtained.
type issuedSecret struct {
	clientID string
	secret   string
	origin   string
}

// secretForm is one way a secret could appear in a leak.
type secretForm struct {
	name  string
	value string
}

// formsOf returns every form of s searched for: the secret; its random
// part (the 43 characters after "ms_live_"); its base64 in the standard
// and URL alphabets, padded and raw; the value of the HTTP Basic header
// that carries it; and its hexadecimal (for dumps that hex-encode bytes).
func formsOf(s issuedSecret) []secretForm {
	random := randomPart(s.secret)
	basic := base64.StdEncoding.EncodeToString([]byte(s.clientID + ":" + s.secret))
	b := []byte(s.secret)
	forms := []secretForm{
		{"plaintext", s.secret},
		{"random part", random},
		{"base64 std", base64.StdEncoding.EncodeToString(b)},
		{"base64 std raw", base64.RawStdEncoding.EncodeToString(b)},
		{"base64 url", base64.URLEncoding.EncodeToString(b)},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(b)},
		{"basic header value", basic},
		{"hex", hex.EncodeToString(b)},
		{"HEX", strings.ToUpper(hex.EncodeToString(b))},
		{"hex of random part", hex.EncodeToString([]byte(random))},
	}
	// Padded and raw base64 of a 57-byte secret coincide; keep one of each
	// distinct value.
	seen := map[string]bool{}
	out := forms[:0]
	for _, f := range forms {
		if f.value != "" && !seen[f.value] {
			seen[f.value] = true
			out = append(out, f)
		}
	}
	return out
}

// randomPart returns the random characters of a secret: the
// credential.SecretRandomLen characters after "<prefix>_<environment>_".
func randomPart(secret string) string {
	i := strings.LastIndexByte(secret, '_')
	if i < 0 || len(secret)-i-1 < credential.SecretRandomLen {
		return ""
	}
	return secret[i+1 : i+1+credential.SecretRandomLen]
}

// leak is one occurrence of a secret in an artifact.
type leak struct {
	artifact string
	form     string
	origin   string
	offset   int
	context  string
}

func (l leak) String() string {
	return fmt.Sprintf("%s holds the %s form of the secret from %s, at byte %d: %s", l.artifact, l.form, l.origin, l.offset, l.context)
}

// scan searches every artifact for every form of every secret.
func scan(artifacts []artifact, secrets []issuedSecret) []leak {
	var leaks []leak
	for _, s := range secrets {
		for _, f := range formsOf(s) {
			needle := []byte(f.value)
			for _, a := range artifacts {
				if i := bytes.Index(a.data, needle); i >= 0 {
					leaks = append(leaks, leak{
						artifact: a.name, form: f.name, origin: s.origin, offset: i,
						context: around(a.data, i, len(needle), f.name),
					})
				}
			}
		}
	}
	return leaks
}

// around shows the bytes around a match, the match itself replaced by
// «form», so that a failure shows where the leak is without repeating it.
func around(data []byte, i, n int, form string) string {
	const span = 48
	from, to := max(0, i-span), min(len(data), i+n+span)
	return fmt.Sprintf("%q«%s»%q", data[from:i], form, data[i+n:to])
}

// reporter is the part of testing.TB the assertion needs, so that the
// scanner's own test can check that it fails.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// assertNoLeaks reports every leak of a secret in the artifacts. It
// returns the number of leaks.
func assertNoLeaks(r reporter, artifacts []artifact, secrets []issuedSecret) int {
	r.Helper()
	leaks := scan(artifacts, secrets)
	for _, l := range leaks {
		r.Errorf("SECRET LEAK (rule R8): %s", l)
	}
	return len(leaks)
}

// lockedBuffer is a bytes.Buffer that several goroutines may write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// recorder is a reporter that keeps what it is told.
type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestLeakScannerReportsPlantedSecrets proves that the leak assertion can
// fail: a secret planted, in each of its forms, in a JSON log line written
// by log/slog and in binary data is reported, naming the artifact and the
// form; clean artifacts and another secret are not.
func TestLeakScannerReportsPlantedSecrets(t *testing.T) {
	f := credential.DefaultFormat()
	issue := func() issuedSecret {
		id, err := f.NewClientID(credential.EnvironmentLive)
		require.NoError(t, err)
		s, err := f.NewSecret(credential.EnvironmentLive)
		require.NoError(t, err)
		return issuedSecret{clientID: id, secret: s.Reveal(), origin: "the planted test secret"}
	}
	planted, other := issue(), issue()
	require.Len(t, randomPart(planted.secret), credential.SecretRandomLen)
	require.True(t, strings.HasPrefix(planted.secret, "ms_live_"+randomPart(planted.secret)))

	forms := formsOf(planted)
	require.GreaterOrEqual(t, len(forms), 6, "secret, random part, base64, Basic value and hex forms")
	for _, form := range forms {
		t.Run(form.name, func(t *testing.T) {
			var logs lockedBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			logger.Debug("request", "client_id", planted.clientID, "note", "value="+form.value+";")
			binary := append(append([]byte{0, 1, 2, 0xff}, form.value...), 0xfe, 0)
			artifacts := []artifact{
				{name: "clean log", data: []byte(`{"msg":"nothing here","client_id":"` + planted.clientID + `"}`)},
				{name: "planted log", data: logs.Bytes()},
				{name: "planted binary", data: binary},
			}

			found := map[string]bool{}
			for _, l := range scan(artifacts, []issuedSecret{planted}) {
				found[l.artifact+" / "+l.form] = true
				assert.NotEqual(t, "clean log", l.artifact, "a client ID alone is no leak")
			}
			assert.True(t, found["planted log / "+form.name], "the %s planted in a slog JSON line is found: %v", form.name, found)
			assert.True(t, found["planted binary / "+form.name], "the %s planted in binary data is found: %v", form.name, found)

			// The assertion itself fails, naming the artifact and the form
			// without repeating the value.
			var r recorder
			n := assertNoLeaks(&r, artifacts, []issuedSecret{planted})
			require.Positive(t, n)
			require.Len(t, r.errors, n)
			joined := strings.Join(r.errors, "\n")
			assert.Contains(t, joined, "SECRET LEAK (rule R8): planted log holds the "+form.name+" form of the secret")
			assert.Contains(t, joined, "SECRET LEAK (rule R8): planted binary holds the "+form.name+" form of the secret")
			assert.Contains(t, joined, "«"+form.name+"»")
			for _, e := range r.errors {
				assert.NotContains(t, e, planted.secret, "a report does not repeat the secret")
			}

			var none recorder
			assert.Zero(t, assertNoLeaks(&none, artifacts, []issuedSecret{other}), "another secret is not reported: %v", none.errors)
			assert.Empty(t, none.errors)
		})
	}

	// A Basic header inside a logged request dump is found as such (a
	// 33-byte "<client ID>:" also aligns the secret's own base64 in it).
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("dump", "headers", map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(planted.clientID+":"+planted.secret))})
	leaks := scan([]artifact{{name: "request dump", data: logs.Bytes()}}, []issuedSecret{planted})
	var kinds []string
	for _, l := range leaks {
		kinds = append(kinds, l.form)
	}
	assert.Contains(t, kinds, "basic header value", "%v", leaks)
}
