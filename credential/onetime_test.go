package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testOneTime(t *testing.T) (OneTime, string, string) {
	t.Helper()
	f := DefaultFormat()
	id := mustClientID(t, f, EnvironmentLive)
	sec, err := f.NewSecret(EnvironmentLive)
	require.NoError(t, err)
	return OneTime{ClientID: id, Secret: sec}, id, sec.Reveal()
}

// TestOneTimeWriteEnv checks rule R12's .env export.
func TestOneTimeWriteEnv(t *testing.T) {
	ot, id, sec := testOneTime(t)

	var buf bytes.Buffer
	require.NoError(t, ot.WriteEnv(&buf))
	assert.Equal(t, "TIEBACK_CLIENT_ID="+id+"\nTIEBACK_CLIENT_SECRET="+sec+"\n", buf.String(), "R12: default .env")

	ot.EnvPrefix = "ACME_API"
	buf.Reset()
	require.NoError(t, ot.WriteEnv(&buf))
	assert.Equal(t, "ACME_API_CLIENT_ID="+id+"\nACME_API_CLIENT_SECRET="+sec+"\n", buf.String(), "R12: custom prefix")
}

// TestOneTimeWriteJSON checks rule R12's JSON export: an object with exactly
// the .env keys.
func TestOneTimeWriteJSON(t *testing.T) {
	ot, id, sec := testOneTime(t)
	for _, tt := range []struct {
		prefix, idKey, secretKey string
	}{
		{"", "TIEBACK_CLIENT_ID", "TIEBACK_CLIENT_SECRET"},
		{"ACME", "ACME_CLIENT_ID", "ACME_CLIENT_SECRET"},
	} {
		t.Run("prefix "+tt.prefix, func(t *testing.T) {
			ot.EnvPrefix = tt.prefix
			var buf bytes.Buffer
			require.NoError(t, ot.WriteJSON(&buf))
			require.True(t, json.Valid(buf.Bytes()))
			assert.True(t, strings.HasPrefix(buf.String(), "{"), "a JSON object")
			var got map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
			assert.Equal(t, map[string]any{tt.idKey: id, tt.secretKey: sec}, got, "R12: exactly the two keys")
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestOneTimeWriteErrors checks that a failing writer is reported (R12).
func TestOneTimeWriteErrors(t *testing.T) {
	ot, _, _ := testOneTime(t)
	boom := errors.New("disk full")
	assert.ErrorIs(t, ot.WriteEnv(failingWriter{boom}), boom)
	assert.ErrorIs(t, ot.WriteJSON(failingWriter{boom}), boom)
}

// TestOneTimeRedaction checks rule R8 for the one-time result: only the two
// writers show the secret.
func TestOneTimeRedaction(t *testing.T) {
	ot, id, sec := testOneTime(t)
	for name, text := range map[string]string{
		"%v":        fmt.Sprintf("%v", ot),
		"%+v":       fmt.Sprintf("%+v", ot),
		"%#v":       fmt.Sprintf("%#v", ot),
		"%s":        fmt.Sprintf("%s", ot),
		"%+v of &":  fmt.Sprintf("%+v", &ot),
		"json":      string(must(json.Marshal(ot))),
		"json of &": string(must(json.Marshal(&ot))),
	} {
		assert.NotContains(t, text, sec, "R8: %s of a OneTime shows the secret", name)
		assert.Contains(t, text, id, "%s still shows the client ID", name)
		assert.Contains(t, text, Redacted)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestValidEnvPrefix tables the variable-name prefix of rule R12.
func TestValidEnvPrefix(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		want   bool
	}{
		{"the default is valid", DefaultEnvPrefix, true},
		{"one letter is valid", "A", true},
		{"letters, digits and underscores are valid", "ACME_API_2", true},
		{"a leading underscore is valid", "_ACME", true},
		{"32 characters are valid", strings.Repeat("A", 32), true},
		{"empty is invalid", "", false},
		{"33 characters are invalid", strings.Repeat("A", 33), false},
		{"a leading digit is invalid", "1ACME", false},
		{"lowercase is invalid", "acme", false},
		{"a dash is invalid", "ACME-API", false},
		{"a space is invalid", "ACME API", false},
		{"an equals sign is invalid", "ACME=X", false},
		{"a newline is invalid", "ACME\nX", false},
		{"a non-ASCII letter is invalid", "ÄCME", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ValidEnvPrefix(tt.prefix), "R12: ValidEnvPrefix(%q)", tt.prefix)
		})
	}
}

// TestOneTimeRefusesWhatWouldBreakTheFile checks that a OneTime built by
// hand with a bad prefix or a value carrying a line break is refused, not
// written as a corrupt or injectable .env file (R12).
func TestOneTimeRefusesWhatWouldBreakTheFile(t *testing.T) {
	good := OneTime{ClientID: "mk_live_abc", Secret: NewSecret("ms_live_xyz")}
	cases := map[string]OneTime{
		"lowercase prefix":           {ClientID: good.ClientID, Secret: good.Secret, EnvPrefix: "acme"},
		"prefix with a line break":   {ClientID: good.ClientID, Secret: good.Secret, EnvPrefix: "A\nB"},
		"client ID with a new line":  {ClientID: "mk\nEVIL=1", Secret: good.Secret},
		"secret with an equals sign": {ClientID: good.ClientID, Secret: NewSecret("a=b")},
		"empty secret":               {ClientID: good.ClientID},
	}
	for name, ot := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			assert.ErrorIs(t, ot.WriteEnv(&buf), ErrExport)
			assert.ErrorIs(t, ot.WriteJSON(&buf), ErrExport)
			assert.Zero(t, buf.Len(), "nothing is written")
		})
	}
	var buf bytes.Buffer
	require.NoError(t, good.WriteEnv(&buf))
}
