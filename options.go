package apicred

import (
	"context"
	"fmt"
	"time"

	"github.com/apicred/apicred/credential"
)

// Option configures a [Manager]. Options are applied in order by [New],
// which reports the first invalid one.
type Option func(*Manager) error

// WithClock sets the clock the Manager reads once per operation (default
// time.Now). Its readings are converted to UTC and truncated to
// microseconds. Tests use it to control time.
func WithClock(now func() time.Time) Option {
	return func(m *Manager) error {
		if now == nil {
			return fmt.Errorf("%w: WithClock: nil clock", ErrInvalidOption)
		}
		m.clock = now
		return nil
	}
}

// WithHasher sets the hasher of new secrets (default [credential.SHA256]).
// Additional verifiers check hashes made earlier by other hashers, such as
// an HMAC hasher with a retired key or the SHA-256 default after moving to
// HMAC; a credential is rehashed with h at its next rotation.
func WithHasher(h credential.Hasher, verifiers ...credential.Hasher) Option {
	return func(m *Manager) error {
		if h == nil || h.ID() == "" {
			return fmt.Errorf("%w: WithHasher: nil hasher or empty ID", ErrInvalidOption)
		}
		m.hasher = h
		m.verifiers = map[string]credential.Hasher{}
		for _, v := range verifiers {
			if v == nil || v.ID() == "" {
				return fmt.Errorf("%w: WithHasher: nil verifier or empty ID", ErrInvalidOption)
			}
			if v.ID() == h.ID() {
				return fmt.Errorf("%w: WithHasher: verifier %q has the same ID as the hasher", ErrInvalidOption, v.ID())
			}
			m.verifiers[v.ID()] = v
		}
		return nil
	}
}

// WithFormat sets the prefixes of client IDs and secrets (default "mk" and
// "ms", see [credential.DefaultFormat]).
func WithFormat(f credential.Format) Option {
	return func(m *Manager) error {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("%w: WithFormat: %w", ErrInvalidOption, err)
		}
		m.format = f
		return nil
	}
}

// WithExpiryLockWindow sets how close to its expiry a credential's expiry
// is locked (default [credential.DefaultExpiryLockWindow], 72 hours). It
// must not be negative.
func WithExpiryLockWindow(d time.Duration) Option {
	return func(m *Manager) error {
		if d < 0 {
			return fmt.Errorf("%w: WithExpiryLockWindow: negative window %v", ErrInvalidOption, d)
		}
		m.window = d
		return nil
	}
}

// WithKnownScopes declares every scope the service knows; a credential
// asking for any other is refused with a [ValidationError] (R13). Without
// it, every well-formed scope is accepted.
func WithKnownScopes(scopes ...string) Option {
	return func(m *Manager) error {
		r, err := credential.NewScopeRegistry(scopes...)
		if err != nil {
			return fmt.Errorf("%w: WithKnownScopes: %w", ErrInvalidOption, err)
		}
		m.scopes = r
		return nil
	}
}

// WithRequiredContactEmail makes the contact email a required field of
// [Manager.Issue].
func WithRequiredContactEmail() Option {
	return func(m *Manager) error {
		m.requireEmail = true
		return nil
	}
}

// WithEnvPrefix sets the prefix of the variable names in exported .env and
// JSON files (default "TIEBACK": TIEBACK_CLIENT_ID, TIEBACK_CLIENT_SECRET).
func WithEnvPrefix(prefix string) Option {
	return func(m *Manager) error {
		if !credential.ValidEnvPrefix(prefix) {
			return fmt.Errorf("%w: WithEnvPrefix: %q is not an uppercase variable prefix", ErrInvalidOption, prefix)
		}
		m.envPrefix = prefix
		return nil
	}
}

// AuthResult describes one call of [Manager.Authenticate] to an observer.
// It never holds the secret.
type AuthResult struct {
	// ClientID is the client ID presented, when it has the configured
	// layout; empty otherwise, so that a secret pasted into the client ID
	// field is never logged. It is attacker-controlled text: quote it when
	// logging.
	ClientID string
	// Principal is the authenticated principal; zero on failure.
	Principal credential.Principal
	// Reason is the precise failure reason; zero on success and on Err.
	Reason credential.FailureReason
	// Err is a store or configuration error, which is not an
	// authentication failure; nil otherwise.
	Err error
	// Latency is how long the call took.
	Latency time.Duration
}

// WithAuthObserver sets a function called after every [Manager.Authenticate]
// with its outcome, for logs and metrics. It runs on the request's
// goroutine, so it should be quick.
func WithAuthObserver(observe func(ctx context.Context, r AuthResult)) Option {
	return func(m *Manager) error {
		if observe == nil {
			return fmt.Errorf("%w: WithAuthObserver: nil observer", ErrInvalidOption)
		}
		m.observe = observe
		return nil
	}
}
