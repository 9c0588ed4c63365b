package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultEnvPrefix is the default prefix of the variable names in exported
// files: TIEBACK_CLIENT_ID and TIEBACK_CLIENT_SECRET (rule R12).
const DefaultEnvPrefix = "TIEBACK"

// ValidEnvPrefix reports whether p can prefix environment variable names:
// 1 to 32 characters, uppercase ASCII letters, digits and '_', not starting
// with a digit.
func ValidEnvPrefix(p string) bool {
	if len(p) == 0 || len(p) > 32 || p[0] >= '0' && p[0] <= '9' {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// OneTime is the one-time result of issuing or rotating: the client ID and
// the new secret, to be handed to their owner once and then forgotten. The
// Secret field redacts itself, so printing or encoding a OneTime shows no
// secret; only [OneTime.WriteEnv] and [OneTime.WriteJSON] write it, on
// purpose.
type OneTime struct {
	ClientID string
	Secret   Secret
	// EnvPrefix prefixes the variable names in the exported files; empty
	// means [DefaultEnvPrefix].
	EnvPrefix string
}

// ErrExport reports a [OneTime] that cannot be written as a file: an
// invalid EnvPrefix, or a client ID or secret containing characters that
// would break the file's lines.
var ErrExport = errors.New("credential: cannot export: invalid variable prefix, client ID or secret")

func (o OneTime) names() (id, secret string, err error) {
	p := o.EnvPrefix
	if p == "" {
		p = DefaultEnvPrefix
	}
	if !ValidEnvPrefix(p) || !exportable(o.ClientID) || !exportable(o.Secret.Reveal()) {
		return "", "", ErrExport
	}
	return p + "_CLIENT_ID", p + "_CLIENT_SECRET", nil
}

// exportable reports whether v can stand unquoted as a .env value: not
// empty, printable ASCII without spaces, quotes, '=', '#' or '\\'.
func exportable(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '=' || c == '#' || c == '\\' {
			return false
		}
	}
	return true
}

// WriteEnv writes the client ID and the plaintext secret as a .env file:
//
//	TIEBACK_CLIENT_ID=mk_live_…
//	TIEBACK_CLIENT_SECRET=ms_live_…
func (o OneTime) WriteEnv(w io.Writer) error {
	id, sec, err := o.names()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s=%s\n%s=%s\n", id, o.ClientID, sec, o.Secret.Reveal())
	return err
}

// WriteJSON writes the client ID and the plaintext secret as a JSON object
// with the same keys as [OneTime.WriteEnv].
func (o OneTime) WriteJSON(w io.Writer) error {
	id, sec, err := o.names()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(map[string]string{id: o.ClientID, sec: o.Secret.Reveal()}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	clear(b)
	return err
}
