package apicred

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
)

// Authenticate checks a client ID and secret and returns the principal
// they authenticate as. It is the hot path of every API request: a
// checksum test that refuses garbage without touching the store, one store
// lookup by client ID, a constant-time hash comparison, and the state
// check, allocating nothing on success with the in-memory store.
//
// Every failure, whatever its cause (malformed input, unknown client ID,
// wrong or rotated-away secret, expired or revoked credential), is an error
// matching [ErrAuthenticationFailed] with the same text (R2). The cause is
// available to logs and metrics only, through
// [credential.AuthFailureReason] or [WithAuthObserver]. An unknown client
// ID costs a hash comparison like a wrong secret does (R19).
//
// An error that does not match ErrAuthenticationFailed is a store or
// configuration failure: the caller should answer it as a server error,
// never as bad credentials.
//
// The secret is a byte slice so that callers can pass a buffer they clear
// or reuse; Authenticate does not retain it.
func (m *Manager) Authenticate(ctx context.Context, clientID string, secret []byte) (credential.Principal, error) {
	if m.observe == nil {
		return m.authenticate(ctx, clientID, secret)
	}
	start := time.Now()
	p, err := m.authenticate(ctx, clientID, secret)
	r := AuthResult{Principal: p, Latency: time.Since(start)}
	// Only a well-formed client ID reaches the observer: a caller who pasted
	// the secret into the client ID field must not see it logged (R8).
	if _, err := m.format.ParseClientID(clientID); err == nil {
		r.ClientID = clientID
	}
	if reason, ok := credential.AuthFailureReason(err); ok {
		r.Reason = reason
	} else {
		r.Err = err
	}
	m.observe(ctx, r)
	return p, err
}

func (m *Manager) authenticate(ctx context.Context, clientID string, secret []byte) (credential.Principal, error) {
	if _, err := m.format.ParseSecret(secret); err != nil {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonMalformed)
	}
	if _, err := m.format.ParseClientID(clientID); err != nil {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonMalformed)
	}
	c, err := m.store.GetByClientID(ctx, clientID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			m.hasher.Verify(secret, m.dummyHash)
			return credential.Principal{}, credential.AuthFailure(credential.ReasonUnknownClient)
		}
		return credential.Principal{}, fmt.Errorf("apicred: authenticate: %w", err)
	}
	h := m.verifier(c.HasherID)
	if h == nil {
		return credential.Principal{}, fmt.Errorf("%w: %q", ErrUnknownHasher, c.HasherID)
	}
	if !h.Verify(secret, c.SecretHash) {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonWrongSecret)
	}
	// The state rule of credential.State (R1), ordered so that the clock,
	// a noticeable share of this path's cost, is read only when the answer
	// depends on it: a revoked credential is revoked at any time, one
	// without expiry is active at any time.
	if !c.RevokedAt.IsZero() {
		return credential.Principal{}, credential.AuthFailure(credential.ReasonRevoked)
	}
	if !c.ExpiresAt.IsZero() || m.usage != nil {
		now := m.now()
		if c.State(now) == credential.StateExpired {
			return credential.Principal{}, credential.AuthFailure(credential.ReasonExpired)
		}
		if m.usage != nil {
			m.usage.record(ctx, &c, now)
		}
	}
	return c.Principal(), nil
}
