package sqlstore_test

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/google/uuid"
)

// placeholders returns "(?, ?, …)" or "($1, $2, …)" with n parameters, in
// e's style, for the tests' own SQL.
func (e engine) placeholders(n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "?"
		if e.dialect == sqlstore.PostgreSQL {
			p[i] = "$" + strconv.Itoa(i+1)
		}
	}
	return "(" + strings.Join(p, ", ") + ")"
}

// baseTime is the creation time of the credentials the store-level tests
// make: UTC, microsecond precision, as the Manager writes.
var baseTime = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

// newCredential returns a new credential of tenant and its "created"
// event, as the Manager would hand them to Create.
func newCredential(tenant string) (credential.Credential, credential.Event) {
	id := uuid.Must(uuid.NewV7())
	hash := sha256.Sum256(id[:])
	c := credential.Credential{
		ID:          id,
		TenantID:    tenant,
		ClientID:    "mk_live_" + strings.ReplaceAll(id.String(), "-", "")[:24],
		Name:        "ERP Sync — Production",
		Access:      credential.AccessFineGrained,
		Scopes:      []string{"orders:read", "orders:write"},
		Metadata:    map[string]string{"team": "billing"},
		Environment: credential.EnvironmentLive,
		SecretHash:  credential.Hash(hash[:]),
		HasherID:    "sha256",
		SecretHint:  "ms_live_…x7Qa",
		CreatedAt:   baseTime,
		Version:     1,
	}
	e := credential.Event{
		ID:           uuid.Must(uuid.NewV7()),
		Type:         credential.EventCreated,
		TenantID:     tenant,
		CredentialID: id,
		Actor:        "alice@example.com",
		At:           baseTime,
	}
	return c, e
}

// changeEvent returns the event of a change of c of type typ.
func changeEvent(c credential.Credential, typ credential.EventType) credential.Event {
	return credential.Event{
		ID:           uuid.Must(uuid.NewV7()),
		Type:         typ,
		TenantID:     c.TenantID,
		CredentialID: c.ID,
		Actor:        "bob@example.com",
		At:           baseTime.Add(time.Hour),
	}
}
