package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// Response bodies. Each is a dedicated struct with snake_case names;
// domain types are never marshalled directly, so that a field added to
// them never reaches a response by accident.

type credentialBody struct {
	ID              uuid.UUID         `json:"id"`
	TenantID        string            `json:"tenant_id"`
	ClientID        string            `json:"client_id"`
	Name            string            `json:"name"`
	ContactEmail    string            `json:"contact_email"`
	Access          string            `json:"access"`
	Scopes          []string          `json:"scopes"`
	Metadata        map[string]string `json:"metadata"`
	Environment     string            `json:"environment"`
	SecretHint      string            `json:"secret_hint"`
	State           string            `json:"state"`
	CreatedAt       timestamp         `json:"created_at"`
	ExpiresAt       timestamp         `json:"expires_at"`
	RevokedAt       timestamp         `json:"revoked_at"`
	RevokeReason    string            `json:"revoke_reason"`
	RotatedAt       timestamp         `json:"rotated_at"`
	LastUsedAt      timestamp         `json:"last_used_at"`
	Version         int64             `json:"version"`
	ExpiryEditable  bool              `json:"expiry_editable"`
	ExpiryBlockedBy *string           `json:"expiry_blocked_by"`
}

type oneTimeBody struct {
	Credential   credentialBody `json:"credential"`
	ClientID     string         `json:"client_id"`
	ClientSecret string         `json:"client_secret"`
	EnvFile      string         `json:"env_file"`
	JSONFile     string         `json:"json_file"`
}

type credentialPageBody struct {
	Credentials []credentialBody `json:"credentials"`
	NextCursor  string           `json:"next_cursor"`
}

type eventBody struct {
	ID           uuid.UUID `json:"id"`
	Seq          int64     `json:"seq"`
	Type         string    `json:"type"`
	TenantID     string    `json:"tenant_id"`
	CredentialID uuid.UUID `json:"credential_id"`
	Actor        string    `json:"actor"`
	Reason       string    `json:"reason"`
	At           timestamp `json:"at"`
	OldExpiresAt timestamp `json:"old_expires_at"`
	NewExpiresAt timestamp `json:"new_expires_at"`
}

type eventPageBody struct {
	Events     []eventBody `json:"events"`
	NextCursor string      `json:"next_cursor"`
}

type scopesBody struct {
	Scopes []string `json:"scopes"`
}

// timestampLayout is RFC 3339 in UTC with exactly six fractional digits:
// the Manager keeps times at microsecond precision.
const timestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// timestamp is a time that encodes as an RFC 3339 UTC string, or null when
// zero.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(timestampLayout)+2)
	b = append(b, '"')
	b = tt.UTC().AppendFormat(b, timestampLayout)
	return append(b, '"'), nil
}

// credentialJSON describes c at now under the Manager's lock window.
func (h *Handler) credentialJSON(c *credential.Credential, now time.Time) credentialBody {
	b := credentialBody{
		ID:           c.ID,
		TenantID:     c.TenantID,
		ClientID:     c.ClientID,
		Name:         c.Name,
		ContactEmail: c.ContactEmail,
		Access:       string(c.Access),
		Scopes:       c.Scopes,
		Metadata:     c.Metadata,
		Environment:  string(c.Environment),
		SecretHint:   c.SecretHint,
		State:        c.State(now).String(),
		CreatedAt:    timestamp(c.CreatedAt),
		ExpiresAt:    timestamp(c.ExpiresAt),
		RevokedAt:    timestamp(c.RevokedAt),
		RevokeReason: c.RevokeReason,
		RotatedAt:    timestamp(c.RotatedAt),
		LastUsedAt:   timestamp(c.LastUsedAt),
		Version:      c.Version,
	}
	if b.Scopes == nil {
		b.Scopes = []string{}
	}
	if b.Metadata == nil {
		b.Metadata = map[string]string{}
	}
	// expiry_blocked_by is named like the problem code an edit would get.
	var blocked string
	switch err := c.CheckExpiryEdit(now, time.Time{}, h.m.ExpiryLockWindow()); {
	case err == nil:
		b.ExpiryEditable = true
	case errors.Is(err, apicred.ErrExpiryLocked):
		blocked = codeExpiryLocked
	case errors.Is(err, apicred.ErrExpired):
		blocked = codeExpired
	case errors.Is(err, apicred.ErrRevoked):
		blocked = codeRevoked
	}
	if blocked != "" {
		b.ExpiryBlockedBy = &blocked
	}
	return b
}

// oneTimeJSON is the body of create and rotate: the only place a secret
// is written.
func (h *Handler) oneTimeJSON(is *apicred.Issued, now time.Time) (oneTimeBody, error) {
	var env, file bytes.Buffer
	if err := is.WriteEnv(&env); err != nil {
		return oneTimeBody{}, err
	}
	if err := is.WriteJSON(&file); err != nil {
		return oneTimeBody{}, err
	}
	return oneTimeBody{
		Credential:   h.credentialJSON(&is.Credential, now),
		ClientID:     is.ClientID,
		ClientSecret: is.Secret.Reveal(),
		EnvFile:      env.String(),
		JSONFile:     file.String(),
	}, nil
}

func eventJSON(e *credential.Event) eventBody {
	return eventBody{
		ID:           e.ID,
		Seq:          e.Seq,
		Type:         string(e.Type),
		TenantID:     e.TenantID,
		CredentialID: e.CredentialID,
		Actor:        e.Actor,
		Reason:       e.Reason,
		At:           timestamp(e.At),
		OldExpiresAt: timestamp(e.OldExpiresAt),
		NewExpiresAt: timestamp(e.NewExpiresAt),
	}
}

func eventPageJSON(p apicred.EventPage) eventPageBody {
	b := eventPageBody{Events: make([]eventBody, len(p.Events)), NextCursor: p.NextCursor}
	for i := range p.Events {
		b.Events[i] = eventJSON(&p.Events[i])
	}
	return b
}

// writeJSON answers v as application/json with status. The encoded bytes
// are cleared once written: for create and rotate they hold the secret.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	clear(b)
	return nil
}
