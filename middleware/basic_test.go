package middleware

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func enc(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// basicSeeds are header values that the fuzz targets start from: valid
// pairs, every way to be malformed that the parser knows, and the edges of
// the length caps.
var basicSeeds = []string{
	"",
	"Basic",
	"Basic ",
	"Basic " + enc("mk_live_abc:ms_live_def"),
	"basic " + enc("id:secret"),
	"BASIC " + enc("id:secret"),
	"Basic  " + enc("id:secret"),
	"Basic " + enc("id:secret") + " ",
	"Basic " + enc("id:sec:ret"),
	"Basic " + enc(":"),
	"Basic " + enc(":secret"),
	"Basic " + enc("id:"),
	"Basic " + enc("nocolon"),
	"Basic " + base64.RawStdEncoding.EncodeToString([]byte("id:secret")),
	"Basic " + base64.URLEncoding.EncodeToString([]byte("\xff\xfe:\xfb\xff")),
	"Basic QQ==",
	"Basic QR==",
	"Basic aWQ6c2Vj\r\ncmV0",
	"Basic aWQ6c2Vj\ncmV0",
	"Basic aWQ6c2VjcmV0=",
	"Basic ====",
	"Basic \x00",
	"Bearer " + enc("id:secret"),
	"Basi\u017f " + enc("id:secret"),
	"Basic " + enc(strings.Repeat("i", MaxClientIDLen)+":"+strings.Repeat("s", MaxSecretLen)),
	"Basic " + enc(strings.Repeat("i", MaxClientIDLen+1)+":s"),
	"Basic " + enc("i:"+strings.Repeat("s", MaxSecretLen+1)),
	"Basic " + enc("\x00:\x00"),
	"Basic " + enc("id\n:secret\r"),
}

func TestParseBasicAgreesWithBasicAuthOnTheSeeds(t *testing.T) {
	for _, v := range basicSeeds {
		checkParseBasic(t, v)
	}
}

func TestParseBasicRefusesBeyondTheCaps(t *testing.T) {
	var s scratch
	_, _, ok := parseBasic("Basic "+enc(strings.Repeat("i", MaxClientIDLen)+":"+strings.Repeat("s", MaxSecretLen)), &s)
	assert.True(t, ok, "values at the caps are accepted")
	for _, v := range []string{
		"Basic " + enc(strings.Repeat("i", MaxClientIDLen+1)+":s"),
		"Basic " + enc("i:"+strings.Repeat("s", MaxSecretLen+1)),
		"Basic " + strings.Repeat("\r\n", maxBasicEncodedLen) + enc("i:s"),
	} {
		_, _, ok := parseBasic(v, &s)
		assert.False(t, ok)
		r := &http.Request{Header: http.Header{"Authorization": {v}}}
		_, _, stdOK := r.BasicAuth()
		assert.True(t, stdOK, "BasicAuth has no cap; this is a deliberate difference")
	}
}

func TestReleaseClearsTheSecret(t *testing.T) {
	s := getScratch()
	_, secret, ok := parseBasic("Basic "+enc("id:the-secret"), s)
	require.True(t, ok)
	require.Equal(t, "the-secret", string(secret))
	s.release()
	assert.Equal(t, make([]byte, len(secret)), secret, "the decoded secret is zeroed")
	assert.Equal(t, [maxBasicEncodedLen]byte{}, s.enc, "its base64 form is zeroed")
	assert.Equal(t, [maxBasicDecodedLen]byte{}, s.dec)
}

// FuzzParseBasicMatchesBasicAuth checks the allocation-free parser against
// net/http's: whatever it accepts, BasicAuth accepts with the same client
// ID and secret; whatever BasicAuth accepts within the caps, it accepts.
func FuzzParseBasicMatchesBasicAuth(f *testing.F) {
	for _, v := range basicSeeds {
		f.Add(v)
	}
	f.Fuzz(checkParseBasic)
}

func checkParseBasic(t *testing.T, value string) {
	t.Helper()
	var s scratch
	id, secret, ok := parseBasic(value, &s)
	r := &http.Request{Header: http.Header{"Authorization": {value}}}
	stdID, stdSecret, stdOK := r.BasicAuth()
	if ok {
		if !stdOK || string(id) != stdID || string(secret) != stdSecret {
			t.Fatalf("parseBasic(%q) = %q, %q; BasicAuth = %q, %q, %v", value, id, secret, stdID, stdSecret, stdOK)
		}
		return
	}
	withinCaps := len(value)-len(basicScheme) <= maxBasicEncodedLen && len(stdID) <= MaxClientIDLen && len(stdSecret) <= MaxSecretLen
	if stdOK && withinCaps {
		t.Fatalf("parseBasic(%q) refused what BasicAuth accepts within the caps: %q, %q", value, stdID, stdSecret)
	}
}
