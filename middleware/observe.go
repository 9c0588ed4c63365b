package middleware

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/apicred/apicred/credential"
)

// Result is the outcome of one decision of the middleware.
type Result int

// The results.
const (
	// ResultOK: the request authenticated.
	ResultOK Result = iota + 1
	// ResultMissing: the request presented no credentials, or reached a
	// scope or tenant check without having been authenticated.
	ResultMissing
	// ResultFailed: the credentials did not authenticate; Outcome.Reason
	// says why.
	ResultFailed
	// ResultInsufficientScope: authenticated, but a required scope is
	// missing.
	ResultInsufficientScope
	// ResultWrongTenant: authenticated, but the route belongs to another
	// tenant.
	ResultWrongTenant
	// ResultStoreError: the Authenticator failed with an error that is not
	// an authentication failure (store down, timeout); Outcome.Err holds
	// it.
	ResultStoreError
)

// String returns the result in snake_case, such as "store_error".
func (r Result) String() string {
	switch r {
	case ResultOK:
		return "ok"
	case ResultMissing:
		return "missing"
	case ResultFailed:
		return "failed"
	case ResultInsufficientScope:
		return "insufficient_scope"
	case ResultWrongTenant:
		return "wrong_tenant"
	case ResultStoreError:
		return "store_error"
	}
	return "unknown_result"
}

// Outcome is what an [Observer] learns of a decision. It never holds the
// secret.
type Outcome struct {
	// Result is what was decided.
	Result Result
	// Reason is the precise cause of a ResultFailed (unknown client,
	// wrong secret, expired, revoked, malformed) or
	// [credential.ReasonInsufficientScope]; zero otherwise, and for a
	// failure the Authenticator gave no reason for. The client is never
	// told it (rule R2).
	Reason credential.FailureReason
	// ClientID is the principal's client ID after authentication, and the
	// presented client ID, at most [MaxClientIDLen] bytes, when
	// authentication failed. A presented value is reported only if it has
	// the layout of a client ID (that of [WithFormat] if given, else
	// apicred's layout with any prefix); otherwise ClientID is empty, so
	// that a secret pasted into the client ID field never reaches a log.
	ClientID string
	// Principal is the authenticated principal, for ResultOK,
	// ResultInsufficientScope and ResultWrongTenant.
	Principal credential.Principal
	// Latency is the time spent extracting and authenticating the
	// credentials; zero for scope and tenant checks.
	Latency time.Duration
	// Err is the Authenticator's error for ResultStoreError, and for a
	// ResultMissing from a scope or tenant check, an error saying that the
	// authentication is missing in front of it.
	Err error
}

// Observer receives every decision of a [Middleware] ([WithObserver]):
// one per request from [Middleware.Handler], and one more from a scope or
// tenant check that refuses. It runs synchronously on the request's
// goroutine, with the request's context, before the answer is written, so
// it should be quick. It must be safe for concurrent use.
type Observer func(ctx context.Context, o Outcome)

// SlogObserver returns an [Observer] that logs each outcome to l (or to
// slog.Default() if l is nil): a success at Debug, a request without
// credentials at Info, a failed authentication, a missing scope or a wrong
// tenant at Warn, and a store failure (or a check wired without
// authentication) at Error, with the message "apicred: credential store
// failure". Attributes: result, reason, client_id, tenant_id,
// credential_id, latency and error, each when it applies. The secret is
// never among them.
func SlogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return func(ctx context.Context, o Outcome) {
		level, msg := slog.LevelError, "apicred: credential store failure"
		switch o.Result {
		case ResultOK:
			level, msg = slog.LevelDebug, "apicred: authenticated"
		case ResultMissing:
			level, msg = slog.LevelInfo, "apicred: no credentials"
			if o.Err != nil {
				level, msg = slog.LevelError, "apicred: request not authenticated before a scope or tenant check"
			}
		case ResultFailed:
			level, msg = slog.LevelWarn, "apicred: authentication failed"
		case ResultInsufficientScope:
			level, msg = slog.LevelWarn, "apicred: insufficient scope"
		case ResultWrongTenant:
			level, msg = slog.LevelWarn, "apicred: wrong tenant"
		}
		if !l.Enabled(ctx, level) {
			return
		}
		var buf [7]slog.Attr
		attrs := append(buf[:0], slog.String("result", o.Result.String()))
		if o.Reason != 0 {
			attrs = append(attrs, slog.String("reason", o.Reason.String()))
		}
		if o.ClientID != "" {
			attrs = append(attrs, slog.String("client_id", o.ClientID))
		}
		if o.Principal.TenantID != "" {
			attrs = append(attrs,
				slog.String("tenant_id", o.Principal.TenantID),
				slog.String("credential_id", o.Principal.CredentialID.String()))
		}
		if o.Latency != 0 {
			attrs = append(attrs, slog.Duration("latency", o.Latency))
		}
		if o.Err != nil {
			attrs = append(attrs, slog.String("error", o.Err.Error()))
		}
		l.LogAttrs(ctx, level, msg, attrs...)
	}
}

// loggableClientID returns the presented clientID if it has the layout of
// a client ID, and "" otherwise (see Outcome.ClientID).
func (m *Middleware) loggableClientID(clientID string) string {
	if clientID == "" || len(clientID) > MaxClientIDLen {
		return ""
	}
	f := credential.Format{}
	if m.format != nil {
		f = *m.format
	} else {
		prefix, _, ok := strings.Cut(clientID, "_")
		if !ok || !validPrefix(prefix) {
			return ""
		}
		f.ClientIDPrefix = prefix
	}
	if _, err := f.ParseClientID(clientID); err != nil {
		return ""
	}
	return clientID
}

// withoutSecret returns err, unless its text contains the secret: an
// Authenticator should never do that, and if one does, the message is
// withheld from observers and logs.
func withoutSecret(err error, secret []byte) error {
	if len(secret) > 0 && bytes.Contains([]byte(err.Error()), secret) {
		return errSecretInError
	}
	return err
}

// errSecretInError replaces an Authenticator error whose text contained
// the secret.
var errSecretInError = errors.New("middleware: the Authenticator failed with an error whose message contained the secret; the message is withheld")

// validPrefix reports whether p could be a configured prefix: 1 to
// credential.MaxPrefixLen lowercase ASCII letters or digits.
func validPrefix(p string) bool {
	if len(p) == 0 || len(p) > credential.MaxPrefixLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
