package apicred

import (
	"context"
	"fmt"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// RotateRequest is the input of [Manager.Rotate].
type RotateRequest struct {
	TenantID string
	ID       uuid.UUID
	// Actor is who rotates, for the audit trail. Required.
	Actor string
	// Reason is optional, such as "Scheduled quarterly rotation".
	Reason string
}

// RevokeRequest is the input of [Manager.Revoke].
type RevokeRequest struct {
	TenantID string
	ID       uuid.UUID
	// Actor is who revokes, for the audit trail. Required.
	Actor string
	// Reason is required (R3).
	Reason string
}

// ExpiryRequest is the input of [Manager.SetExpiry].
type ExpiryRequest struct {
	TenantID string
	ID       uuid.UUID
	// ExpiresAt is the new expiry, strictly in the future; zero clears it.
	ExpiresAt time.Time
	// Actor is who changes the expiry, for the audit trail. Required.
	Actor string
	// Reason is optional.
	Reason string
}

// Rotate replaces a credential's secret and returns the new one, shown
// this once (R8, R9). The client ID and the expiry stay as they are. The
// old secret stops working the moment Rotate returns (R4).
//
// It fails with [ErrExpired] or [ErrRevoked] for a credential that cannot
// rotate, [ErrNotFound] for an unknown ID or another tenant's credential,
// [ErrConflict] when a concurrent change won the race (R17), and a
// [ValidationError] for bad input. A failed Rotate changes nothing and
// writes no event.
func (m *Manager) Rotate(ctx context.Context, req RotateRequest) (Issued, error) {
	now := m.now()
	if err := validateChange(req.TenantID, req.Actor, req.Reason, false); err != nil {
		return Issued{}, err
	}
	c, err := m.store.Get(ctx, req.TenantID, req.ID)
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: rotate: %w", err)
	}
	if err := c.CheckRotate(now); err != nil {
		return Issued{}, err
	}
	secret, hash, hint, err := m.newSecret(c.Environment)
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: rotate: %w", err)
	}
	next := c.Clone()
	next.SecretHash = hash
	next.HasherID = m.hasher.ID()
	next.SecretHint = hint
	next.RotatedAt = now
	if err := m.update(ctx, &next, credential.EventRotated, req.Actor, req.Reason, now, nil); err != nil {
		return Issued{}, fmt.Errorf("apicred: rotate: %w", err)
	}
	return Issued{Credential: next, OneTime: m.oneTime(next.ClientID, secret)}, nil
}

// Revoke ends a credential for good (R3): it stops authenticating the
// moment Revoke returns (R4) and nothing reactivates it. A reason is
// required. An expired credential can be revoked, which records the
// administrative intent; a revoked one gives [ErrAlreadyRevoked]. It
// returns the credential as stored.
func (m *Manager) Revoke(ctx context.Context, req RevokeRequest) (credential.Credential, error) {
	now := m.now()
	if err := validateChange(req.TenantID, req.Actor, req.Reason, true); err != nil {
		return credential.Credential{}, err
	}
	c, err := m.store.Get(ctx, req.TenantID, req.ID)
	if err != nil {
		return credential.Credential{}, fmt.Errorf("apicred: revoke: %w", err)
	}
	if err := c.CheckRevoke(req.Reason); err != nil {
		return credential.Credential{}, err
	}
	next := c.Clone()
	next.RevokedAt = now
	next.RevokeReason = req.Reason
	if err := m.update(ctx, &next, credential.EventRevoked, req.Actor, req.Reason, now, nil); err != nil {
		return credential.Credential{}, fmt.Errorf("apicred: revoke: %w", err)
	}
	return next, nil
}

// SetExpiry sets, changes or clears (zero ExpiresAt) a credential's expiry
// under the lock window (R5, R6): allowed with no expiry or more than the
// window to go; [ErrExpiryLocked] within the window (exactly the window is
// locked); [ErrExpired] once expired, which is never extended;
// [ErrRevoked] when revoked. A new expiry must be strictly in the future.
// The audit event records the old and the new expiry. It returns the
// credential as stored.
func (m *Manager) SetExpiry(ctx context.Context, req ExpiryRequest) (credential.Credential, error) {
	now := m.now()
	if err := validateChange(req.TenantID, req.Actor, req.Reason, false); err != nil {
		return credential.Credential{}, err
	}
	expiresAt := credential.Truncate(req.ExpiresAt)
	c, err := m.store.Get(ctx, req.TenantID, req.ID)
	if err != nil {
		return credential.Credential{}, fmt.Errorf("apicred: set expiry: %w", err)
	}
	if err := c.CheckExpiryEdit(now, req.ExpiresAt, m.window); err != nil {
		return credential.Credential{}, err
	}
	next := c.Clone()
	next.ExpiresAt = expiresAt
	details := func(e *credential.Event) {
		e.OldExpiresAt = c.ExpiresAt
		e.NewExpiresAt = expiresAt
	}
	if err := m.update(ctx, &next, credential.EventExpiryChanged, req.Actor, req.Reason, now, details); err != nil {
		return credential.Credential{}, fmt.Errorf("apicred: set expiry: %w", err)
	}
	return next, nil
}

// update stores next (carrying the version it was read at) with one event
// and, on success, advances next.Version as the store did.
func (m *Manager) update(ctx context.Context, next *credential.Credential, t credential.EventType, actor, reason string, now time.Time, details func(*credential.Event)) error {
	e, err := newEvent(t, next, actor, reason, now)
	if err != nil {
		return err
	}
	if details != nil {
		details(&e)
	}
	if err := m.store.Update(ctx, *next, e); err != nil {
		return err
	}
	next.Version++
	return nil
}

func validateChange(tenantID, actor, reason string, reasonRequired bool) error {
	var v ValidationError
	if msg := credential.ValidateTenantID(tenantID); msg != "" {
		v.Add("tenant_id", msg)
	}
	if msg := credential.ValidateActor(actor); msg != "" {
		v.Add("actor", msg)
	}
	if msg := credential.ValidateReason(reason, reasonRequired); msg != "" {
		v.Add("reason", msg)
	}
	return v.Err()
}
