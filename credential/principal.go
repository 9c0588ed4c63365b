package credential

import (
	"errors"
	"slices"

	"github.com/google/uuid"
)

// Principal is what an authenticated request is: which tenant, which
// credential, and what it may do. It is a read-only view: its scopes are
// reachable only through methods that copy or test them.
type Principal struct {
	// TenantID is the tenant the credential belongs to.
	TenantID string
	// CredentialID is the credential's ID.
	CredentialID uuid.UUID
	// ClientID is the credential's public client ID.
	ClientID string
	// Access is the credential's access level.
	Access Access
	// Environment is live or test.
	Environment Environment

	scopes []string
}

// NewPrincipal builds a Principal, copying scopes. It serves
// implementations of authentication other than apicred's Manager, and tests.
func NewPrincipal(tenantID string, credentialID uuid.UUID, clientID string, access Access, env Environment, scopes []string) Principal {
	return Principal{
		TenantID:     tenantID,
		CredentialID: credentialID,
		ClientID:     clientID,
		Access:       access,
		Environment:  env,
		scopes:       slices.Clone(scopes),
	}
}

// Scopes returns a copy of the granted scopes (empty for [AccessFull],
// which grants every scope).
func (p Principal) Scopes() []string { return slices.Clone(p.scopes) }

// HasScope reports whether the principal may use scope: always for
// [AccessFull], and for [AccessFineGrained] when scope was granted.
func (p Principal) HasScope(scope string) bool {
	if p.Access == AccessFull {
		return true
	}
	return p.Access == AccessFineGrained && slices.Contains(p.scopes, scope)
}

// HasAllScopes reports whether the principal may use every one of scopes.
func (p Principal) HasAllScopes(scopes ...string) bool {
	for _, s := range scopes {
		if !p.HasScope(s) {
			return false
		}
	}
	return true
}

// HasAnyScope reports whether the principal may use at least one of scopes.
// With no scopes it reports false.
func (p Principal) HasAnyScope(scopes ...string) bool {
	for _, s := range scopes {
		if p.HasScope(s) {
			return true
		}
	}
	return false
}

// ErrAuthenticationFailed is the one error every failed authentication
// matches with [errors.Is], whatever the cause: unknown client ID, wrong
// secret, malformed input, expired or revoked credential (rule R2). Its text
// is the same for every cause. The cause is for logs and metrics only, through
// [AuthFailureReason].
//
// A failing store is not an authentication failure: it is reported as its
// own error, so that "store down" is never mistaken for "bad key".
var ErrAuthenticationFailed = errors.New("credential: authentication failed")

// FailureReason is the precise cause of a failed authentication. It belongs
// in logs and metrics, never in an answer to the client.
type FailureReason int

// The failure reasons.
const (
	// ReasonMalformed: the client ID or secret does not have the configured
	// layout or the secret's checksum does not match. No store was read.
	ReasonMalformed FailureReason = iota + 1
	// ReasonUnknownClient: no credential has that client ID.
	ReasonUnknownClient
	// ReasonWrongSecret: the secret does not match the credential's hash.
	ReasonWrongSecret
	// ReasonExpired: the secret matched, but the credential has expired.
	ReasonExpired
	// ReasonRevoked: the secret matched, but the credential is revoked.
	ReasonRevoked
	// ReasonInsufficientScope: authentication succeeded but a required scope
	// is missing. Authentication never returns it; middleware reports it.
	ReasonInsufficientScope
)

// String returns the reason in snake_case, such as "unknown_client".
func (r FailureReason) String() string {
	switch r {
	case ReasonMalformed:
		return "malformed"
	case ReasonUnknownClient:
		return "unknown_client"
	case ReasonWrongSecret:
		return "wrong_secret"
	case ReasonExpired:
		return "expired"
	case ReasonRevoked:
		return "revoked"
	case ReasonInsufficientScope:
		return "insufficient_scope"
	}
	return "unknown_reason"
}

// authError is a failed authentication with its reason. Its text and its
// errors.Is identity are those of ErrAuthenticationFailed for every reason.
type authError struct{ reason FailureReason }

func (e *authError) Error() string        { return ErrAuthenticationFailed.Error() }
func (e *authError) Is(target error) bool { return target == ErrAuthenticationFailed }

// One shared value per reason, so that failing costs no allocation.
var authErrors = [...]*authError{
	ReasonMalformed:         {ReasonMalformed},
	ReasonUnknownClient:     {ReasonUnknownClient},
	ReasonWrongSecret:       {ReasonWrongSecret},
	ReasonExpired:           {ReasonExpired},
	ReasonRevoked:           {ReasonRevoked},
	ReasonInsufficientScope: {ReasonInsufficientScope},
}

// AuthFailure returns the authentication-failure error for reason. It
// matches [ErrAuthenticationFailed] and reads the same for every reason;
// [AuthFailureReason] recovers the reason.
func AuthFailure(reason FailureReason) error {
	if reason < ReasonMalformed || int(reason) >= len(authErrors) {
		return ErrAuthenticationFailed
	}
	return authErrors[reason]
}

// AuthFailureReason returns the reason carried by an authentication failure
// made by [AuthFailure], looking through wrapped errors. It reports false
// for any other error, including a bare [ErrAuthenticationFailed].
func AuthFailureReason(err error) (FailureReason, bool) {
	var ae *authError
	if errors.As(err, &ae) {
		return ae.reason, true
	}
	return 0, false
}
