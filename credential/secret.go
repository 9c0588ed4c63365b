package credential

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret holds a plaintext client secret. Every way of turning it into text
// by accident redacts it: String, GoString, every fmt verb, JSON, text
// marshalling and slog all give "[REDACTED]". The only way to read the value
// is [Secret.Reveal], so that a reviewer can find every use with one search
// (rule R8).
//
// The zero Secret is empty. == on Secrets compares identity, not values;
// compare revealed values with crypto/subtle.
type Secret struct {
	// value is held behind a pointer: the paths of fmt that skip a type's
	// methods (a bad verb such as %p, whose error text prints the raw
	// operand, or a Secret in an unexported struct field) then print an
	// address, never the plaintext.
	value *string
}

// Redacted is what a [Secret] shows instead of its value.
const Redacted = "[REDACTED]"

// NewSecret wraps a plaintext value, for callers that received a secret
// from elsewhere (a request, a file) and want it to stay redacted.
func NewSecret(value string) Secret { return Secret{value: &value} }

// Reveal returns the plaintext secret. Call it only to hand the secret to
// its owner (a one-time display, a download) or to authenticate.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// IsZero reports whether s is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// String returns "[REDACTED]".
func (Secret) String() string { return Redacted }

// GoString returns "[REDACTED]", so %#v redacts too.
func (Secret) GoString() string { return Redacted }

// Format writes "[REDACTED]" for every verb, including %s, %q, %x and %v.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// MarshalJSON encodes "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText encodes "[REDACTED]".
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue logs "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }
