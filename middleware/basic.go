package middleware

import (
	"bytes"
	"encoding/base64"
)

// Sizes of an HTTP Basic credential at the length caps: the base64 text of
// "<client ID>:<secret>" and the room its decoding needs.
const (
	maxBasicEncodedLen = (MaxClientIDLen + 1 + MaxSecretLen + 2) / 3 * 4
	maxBasicDecodedLen = maxBasicEncodedLen / 4 * 3
)

// basicScheme starts a Basic Authorization header; it matches without
// regard to ASCII case, as in [http.Request.BasicAuth].
const basicScheme = "Basic "

// parseBasic parses the value of an Authorization header of the Basic
// scheme into s, allocating nothing: the client ID and secret it returns
// are slices of s. It accepts what [http.Request.BasicAuth] accepts, with
// the same results, except that it refuses a value whose base64 text is
// longer than the caps allow, a client ID longer than MaxClientIDLen and a
// secret longer than MaxSecretLen.
func parseBasic(value string, s *scratch) (clientID, secret []byte, ok bool) {
	if len(value) < len(basicScheme) || !asciiEqualFold(value[:len(basicScheme)], basicScheme) {
		return nil, nil, false
	}
	text := value[len(basicScheme):]
	if len(text) > len(s.enc) {
		return nil, nil, false
	}
	s.encN = copy(s.enc[:], text)
	// The decoding is base64.StdEncoding's own, so that padding, line
	// breaks and trailing bits are treated exactly as BasicAuth treats
	// them; len(s.dec) is DecodedLen of the longest accepted text.
	n, err := base64.StdEncoding.Decode(s.dec[:], s.enc[:s.encN])
	// Decode may write a few bytes past n (a word at a time, and on
	// error), so the room to clear is what it could have touched.
	s.decN = min(len(s.dec), base64.StdEncoding.DecodedLen(s.encN)+8)
	if err != nil {
		return nil, nil, false
	}
	decoded := s.dec[:n]
	colon := bytes.IndexByte(decoded, ':')
	if colon < 0 || colon > MaxClientIDLen || n-colon-1 > MaxSecretLen {
		return nil, nil, false
	}
	return decoded[:colon], decoded[colon+1:], true
}

// asciiEqualFold reports whether s and t are equal under ASCII case
// folding only, as net/http compares the scheme.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if asciiLower(s[i]) != asciiLower(t[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
