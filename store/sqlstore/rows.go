package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/google/uuid"
)

// idArg encodes an ID as its 16 bytes, which every engine compares in the
// order of the canonical text form.
func idArg(id uuid.UUID) []byte { return id[:] }

// hashArg encodes a secret hash; a nil hash is stored as empty, not NULL.
func hashArg(h credential.Hash) []byte {
	if h == nil {
		return []byte{}
	}
	return h
}

// errBadID reports a stored ID that is not 16 bytes.
var errBadID = errors.New("stored ID is not 16 bytes")

// credentialRow holds the scan targets of one credential row. Rows are
// pooled, so scanning a credential allocates only what the driver and the
// returned value need.
type credentialRow struct {
	id           sql.RawBytes
	tenantID     string
	clientID     string
	name         string
	contactEmail string
	access       string
	scopes       sql.NullString
	metadata     sql.NullString
	environment  string
	secretHash   []byte
	hasherID     string
	secretHint   string
	createdAt    int64
	expiresAt    sql.NullInt64
	revokedAt    sql.NullInt64
	revokeReason string
	rotatedAt    sql.NullInt64
	lastUsedAt   sql.NullInt64
	version      int64

	dest [19]any
}

var credentialRows = sync.Pool{New: func() any {
	r := new(credentialRow)
	r.dest = [...]any{&r.id, &r.tenantID, &r.clientID, &r.name, &r.contactEmail, &r.access,
		&r.scopes, &r.metadata, &r.environment, &r.secretHash, &r.hasherID, &r.secretHint,
		&r.createdAt, &r.expiresAt, &r.revokedAt, &r.revokeReason, &r.rotatedAt, &r.lastUsedAt,
		&r.version}
	return r
}}

// scanCredential scans the current row of rows (selected with
// credentialColumns) into c.
func scanCredential(rows *sql.Rows, c *credential.Credential) error {
	r := credentialRows.Get().(*credentialRow)
	defer func() {
		dest := r.dest
		*r = credentialRow{dest: dest}
		credentialRows.Put(r)
	}()
	if err := rows.Scan(r.dest[:]...); err != nil {
		return err
	}
	if len(r.id) != len(c.ID) {
		return errBadID
	}
	copy(c.ID[:], r.id)
	scopes, err := decodeStrings(r.scopes)
	if err != nil {
		return fmt.Errorf("decoding scopes: %w", err)
	}
	metadata, err := decodeMap(r.metadata)
	if err != nil {
		return fmt.Errorf("decoding metadata: %w", err)
	}
	c.TenantID = r.tenantID
	c.ClientID = r.clientID
	c.Name = r.name
	c.ContactEmail = r.contactEmail
	c.Access = credential.Access(r.access)
	c.Scopes = scopes
	c.Metadata = metadata
	c.Environment = credential.Environment(r.environment)
	if len(r.secretHash) > 0 {
		c.SecretHash = credential.Hash(r.secretHash)
	}
	c.HasherID = r.hasherID
	c.SecretHint = r.secretHint
	c.CreatedAt = fromMicros(r.createdAt)
	c.ExpiresAt = fromNullMicros(r.expiresAt)
	c.RevokedAt = fromNullMicros(r.revokedAt)
	c.RevokeReason = r.revokeReason
	c.RotatedAt = fromNullMicros(r.rotatedAt)
	c.LastUsedAt = fromNullMicros(r.lastUsedAt)
	c.Version = r.version
	return nil
}

// scanEvent scans the current row of rows (selected with eventColumns)
// into e.
func scanEvent(rows *sql.Rows, e *credential.Event) error {
	var (
		id, credID  sql.RawBytes
		typ         string
		at          int64
		oldExp, exp sql.NullInt64
	)
	if err := rows.Scan(&e.Seq, &id, &typ, &e.TenantID, &credID, &e.Actor, &e.Reason, &at, &oldExp, &exp); err != nil {
		return err
	}
	if len(id) != len(e.ID) || len(credID) != len(e.CredentialID) {
		return errBadID
	}
	copy(e.ID[:], id)
	copy(e.CredentialID[:], credID)
	e.Type = credential.EventType(typ)
	e.At = fromMicros(at)
	e.OldExpiresAt = fromNullMicros(oldExp)
	e.NewExpiresAt = fromNullMicros(exp)
	return nil
}

// written holds the encoded values of the fields that both Create and
// Update write.
type written struct {
	scopes, metadata, lastUsed any
	times                      [3]any // expires_at, revoked_at, rotated_at
}

func encodeWritten(c *credential.Credential) (written, error) {
	var w written
	var err error
	if w.scopes, err = stringsArg(c.Scopes); err != nil {
		return w, fmt.Errorf("encoding scopes: %w", err)
	}
	if w.metadata, err = mapArg(c.Metadata); err != nil {
		return w, fmt.Errorf("encoding metadata: %w", err)
	}
	if w.times, err = lifecycleTimes(c); err != nil {
		return w, err
	}
	if w.lastUsed, err = timeArg(c.LastUsedAt); err != nil {
		return w, fmt.Errorf("last_used_at: %w", err)
	}
	return w, nil
}

// credentialArgs are the arguments of qInsertCredential, in column order.
func credentialArgs(c *credential.Credential) ([]any, error) {
	w, err := encodeWritten(c)
	if err != nil {
		return nil, err
	}
	created, err := micros(c.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("created_at: %w", err)
	}
	return []any{
		idArg(c.ID), c.TenantID, c.ClientID, c.Name, c.ContactEmail, string(c.Access),
		w.scopes, w.metadata, string(c.Environment), hashArg(c.SecretHash), c.HasherID, c.SecretHint,
		created, w.times[0], w.times[1], c.RevokeReason, w.times[2], w.lastUsed, c.Version,
	}, nil
}

// updateArgs are the arguments of qUpdate.
func updateArgs(c *credential.Credential) ([]any, error) {
	w, err := encodeWritten(c)
	if err != nil {
		return nil, err
	}
	return []any{
		c.Name, c.ContactEmail, string(c.Access), w.scopes, w.metadata,
		hashArg(c.SecretHash), c.HasherID, c.SecretHint, w.times[0], w.times[1], c.RevokeReason,
		w.times[2],
		w.lastUsed, w.lastUsed,
		c.TenantID, idArg(c.ID), c.Version,
	}, nil
}

// lifecycleTimes encodes ExpiresAt, RevokedAt and RotatedAt.
func lifecycleTimes(c *credential.Credential) ([3]any, error) {
	var out [3]any
	for i, f := range [...]struct {
		name string
		t    time.Time
	}{{"expires_at", c.ExpiresAt}, {"revoked_at", c.RevokedAt}, {"rotated_at", c.RotatedAt}} {
		v, err := timeArg(f.t)
		if err != nil {
			return out, fmt.Errorf("%s: %w", f.name, err)
		}
		out[i] = v
	}
	return out, nil
}

// eventArgs are the arguments of qInsertEvent.
func eventArgs(e *credential.Event) ([]any, error) {
	at, err := micros(e.At)
	if err != nil {
		return nil, fmt.Errorf("event at: %w", err)
	}
	oldExp, err := timeArg(e.OldExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("event old_expires_at: %w", err)
	}
	newExp, err := timeArg(e.NewExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("event new_expires_at: %w", err)
	}
	return []any{
		idArg(e.ID), string(e.Type), e.TenantID, idArg(e.CredentialID), e.Actor, e.Reason,
		at, oldExp, newExp,
	}, nil
}
