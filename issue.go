package apicred

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// IssueRequest is the input of [Manager.Issue] (rule R13).
type IssueRequest struct {
	// TenantID owns the credential (the brand ID). Required.
	TenantID string
	// Name describes the credential, such as "ERP Sync — Production".
	// Required; surrounding white space is trimmed.
	Name string
	// ContactEmail is the responsible contact. Optional unless the Manager
	// was built with [WithRequiredContactEmail].
	ContactEmail string
	// Access is [credential.AccessFull] or [credential.AccessFineGrained].
	Access credential.Access
	// Scopes are required for fine grained access and must be empty for
	// full access. Each must be well-formed and, with [WithKnownScopes],
	// known.
	Scopes []string
	// Metadata is an optional small map of tags.
	Metadata map[string]string
	// ExpiresAt is optional; when set it must be strictly in the future.
	ExpiresAt time.Time
	// Environment is live or test; empty means live.
	Environment credential.Environment
	// Actor is who issues the credential, for the audit trail. Required.
	Actor string
}

// Issued is the one-time result of [Manager.Issue] and [Manager.Rotate]:
// the credential as stored and its new secret. The secret exists nowhere
// else; hand it to its owner and drop it. It redacts itself when printed or
// encoded; the embedded [credential.OneTime] writes it, on purpose, as a
// .env file or JSON.
type Issued struct {
	// Credential is the credential as stored, without the secret.
	Credential credential.Credential
	credential.OneTime
}

// Issue creates a credential and returns it with its secret, which is
// shown this once (R8). It validates every field first and returns a
// [ValidationError] naming each bad one, writing nothing (R14). The
// credential and its "created" audit event are stored together (R16).
func (m *Manager) Issue(ctx context.Context, req IssueRequest) (Issued, error) {
	now := m.now()
	req.Name = credential.NormalizeName(req.Name)
	if req.Environment == "" {
		req.Environment = credential.EnvironmentLive
	}
	expiresAt := credential.Truncate(req.ExpiresAt)
	if err := m.validateIssue(&req, now); err != nil {
		return Issued{}, err
	}

	id, err := uuid.NewV7()
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: issue: %w", err)
	}
	clientID, err := m.format.NewClientID(req.Environment)
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: issue: %w", err)
	}
	secret, hash, hint, err := m.newSecret(req.Environment)
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: issue: %w", err)
	}
	c := credential.Credential{
		ID:           id,
		TenantID:     req.TenantID,
		ClientID:     clientID,
		Name:         req.Name,
		ContactEmail: req.ContactEmail,
		Access:       req.Access,
		Scopes:       nilIfEmpty(slices.Clone(req.Scopes)),
		Metadata:     nilIfEmptyMap(maps.Clone(req.Metadata)),
		Environment:  req.Environment,
		SecretHash:   hash,
		HasherID:     m.hasher.ID(),
		SecretHint:   hint,
		CreatedAt:    now,
		ExpiresAt:    expiresAt,
		Version:      1,
	}
	e, err := newEvent(credential.EventCreated, &c, req.Actor, "", now)
	if err != nil {
		return Issued{}, fmt.Errorf("apicred: issue: %w", err)
	}
	e.NewExpiresAt = expiresAt
	if err := m.store.Create(ctx, c, e); err != nil {
		return Issued{}, fmt.Errorf("apicred: issue: %w", err)
	}
	return Issued{Credential: c, OneTime: m.oneTime(clientID, secret)}, nil
}

func (m *Manager) validateIssue(req *IssueRequest, now time.Time) error {
	var v ValidationError
	add := func(field, msg string) {
		if msg != "" {
			v.Add(field, msg)
		}
	}
	add("tenant_id", credential.ValidateTenantID(req.TenantID))
	add("name", credential.ValidateName(req.Name))
	add("contact_email", credential.ValidateContactEmail(req.ContactEmail, m.requireEmail))
	credential.ValidateAccess(&v, req.Access, req.Scopes, m.scopes)
	credential.ValidateMetadata(&v, req.Metadata)
	var expiry *ValidationError
	if errors.As(credential.CheckNewExpiry(now, req.ExpiresAt), &expiry) {
		v.Fields = append(v.Fields, expiry.Fields...)
	}
	if !req.Environment.Valid() {
		add("environment", `must be "live" or "test"`)
	}
	add("actor", credential.ValidateActor(req.Actor))
	return v.Err()
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
