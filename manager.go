package apicred

import (
	"context"
	"fmt"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// Manager issues, rotates, revokes and authenticates credentials over a
// [store.Store], applying every rule of the credential lifecycle. It is safe
// for concurrent use; build it once with [New] and share it.
type Manager struct {
	store        store.Store
	clock        func() time.Time
	hasher       credential.Hasher
	verifiers    map[string]credential.Hasher
	format       credential.Format
	window       time.Duration
	scopes       *credential.ScopeRegistry
	requireEmail bool
	envPrefix    string
	observe      func(context.Context, AuthResult)
	usage        *usageTracker

	// dummyHash is verified against when a client ID is unknown, so that
	// an unknown client costs a hash like a wrong secret does (R19).
	dummyHash credential.Hash
}

// New returns a Manager over s. Without options it uses the system clock,
// SHA-256 hashing, "mk"/"ms" prefixes, a 72-hour expiry lock window, any
// well-formed scope, an optional contact email and the "TIEBACK" variable
// prefix. It fails with [ErrInvalidOption] for a nil store or a bad option.
func New(s store.Store, opts ...Option) (*Manager, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalidOption)
	}
	m := &Manager{
		store:     s,
		clock:     time.Now,
		hasher:    credential.SHA256(),
		verifiers: map[string]credential.Hasher{},
		format:    credential.DefaultFormat(),
		window:    credential.DefaultExpiryLockWindow,
		envPrefix: credential.DefaultEnvPrefix,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	if m.usage != nil {
		rec, ok := s.(store.UsageRecorder)
		if !ok {
			return nil, fmt.Errorf("%w: WithLastUsedTracking: the store does not implement store.UsageRecorder", ErrInvalidOption)
		}
		m.usage.rec = rec
	}
	dummy, err := m.format.NewSecret(credential.EnvironmentLive)
	if err != nil {
		return nil, fmt.Errorf("apicred: new: %w", err)
	}
	if m.dummyHash, err = m.hasher.Hash([]byte(dummy.Reveal())); err != nil {
		return nil, fmt.Errorf("apicred: new: hashing: %w", err)
	}
	return m, nil
}

// now reads the clock once: UTC, truncated to microseconds (R7).
func (m *Manager) now() time.Time { return credential.Truncate(m.clock()) }

// Now returns the Manager's current time as its rules see it: UTC,
// truncated to microseconds.
func (m *Manager) Now() time.Time { return m.now() }

// ExpiryLockWindow returns the configured expiry lock window.
func (m *Manager) ExpiryLockWindow() time.Duration { return m.window }

// Format returns the configured client ID and secret format.
func (m *Manager) Format() credential.Format { return m.format }

// KnownScopes returns the scopes declared with [WithKnownScopes], sorted;
// nil when every well-formed scope is accepted.
func (m *Manager) KnownScopes() []string { return m.scopes.Scopes() }

// verifier returns the hasher that made hashes with id, or nil.
func (m *Manager) verifier(id string) credential.Hasher {
	if id == m.hasher.ID() {
		return m.hasher
	}
	return m.verifiers[id]
}

// newSecret makes a secret for env with its hash and display hint.
func (m *Manager) newSecret(env credential.Environment) (credential.Secret, credential.Hash, string, error) {
	secret, err := m.format.NewSecret(env)
	if err != nil {
		return credential.Secret{}, nil, "", err
	}
	b := []byte(secret.Reveal())
	hash, err := m.hasher.Hash(b)
	clear(b)
	if err != nil {
		return credential.Secret{}, nil, "", fmt.Errorf("hashing: %w", err)
	}
	return secret, hash, m.format.SecretHint(secret), nil
}

func (m *Manager) oneTime(clientID string, secret credential.Secret) credential.OneTime {
	return credential.OneTime{ClientID: clientID, Secret: secret, EnvPrefix: m.envPrefix}
}

// newEvent builds an event of type t for c at now.
func newEvent(t credential.EventType, c *credential.Credential, actor, reason string, now time.Time) (credential.Event, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return credential.Event{}, err
	}
	return credential.Event{
		ID:           id,
		Type:         t,
		TenantID:     c.TenantID,
		CredentialID: c.ID,
		Actor:        actor,
		Reason:       reason,
		At:           now,
	}, nil
}
