package sqlstore

import "strings"

// credentialColumns are the columns of a credential in the order
// scanCredential reads them.
const credentialColumns = `id, tenant_id, client_id, name, contact_email, access, scopes, metadata, environment,
    secret_hash, hasher_id, secret_hint, created_at, expires_at, revoked_at, revoke_reason, rotated_at,
    last_used_at, version`

// eventColumns are the columns of an event in the order scanEvent reads
// them.
const eventColumns = `seq, id, type, tenant_id, credential_id, actor, reason, at, old_expires_at, new_expires_at`

// queries holds every statement of a Store, built once by New for its
// dialect and table prefix.
type queries struct {
	insertCredential string
	insertEvent      string
	lockEvents       string
	get              string
	getByClientID    string
	update           string
	version          string
	exists           string
	list             string
	listAfter        string
	listEvents       string
	listCredEvents   string
	recordUse        string

	createVersionTable string
	schemaVersion      string
	insertVersion      string
}

// Portable query texts: "?" placeholders and {prefix} for the table
// prefix. Every query names its columns; none relies on column order.
const (
	qInsertCredential = `INSERT INTO {prefix}credentials (` + credentialColumns + `)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	qInsertEvent = `INSERT INTO {prefix}events (id, type, tenant_id, credential_id, actor, reason, at,
    old_expires_at, new_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

	qGet = `SELECT ` + credentialColumns + ` FROM {prefix}credentials WHERE tenant_id = ? AND id = ?`

	qGetByClientID = `SELECT ` + credentialColumns + ` FROM {prefix}credentials WHERE client_id = ?`

	// qUpdate compares and swaps on version. ID, tenant, client ID,
	// environment and creation time never change (the Store contract), so
	// they are not written. last_used_at keeps the later of the stored and
	// the given value: it is maintained by RecordUse without a version
	// bump, so the caller's copy may be older than the row's.
	qUpdate = `UPDATE {prefix}credentials SET name = ?, contact_email = ?, access = ?, scopes = ?, metadata = ?,
    secret_hash = ?, hasher_id = ?, secret_hint = ?, expires_at = ?, revoked_at = ?, revoke_reason = ?,
    rotated_at = ?,
    last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END,
    version = version + 1
    WHERE tenant_id = ? AND id = ? AND version = ?`

	qVersion = `SELECT version FROM {prefix}credentials WHERE tenant_id = ? AND id = ?`

	qExists = `SELECT 1 FROM {prefix}credentials WHERE tenant_id = ? AND id = ?`

	qList = `SELECT ` + credentialColumns + ` FROM {prefix}credentials WHERE tenant_id = ?
    ORDER BY id LIMIT ?`

	qListAfter = `SELECT ` + credentialColumns + ` FROM {prefix}credentials WHERE tenant_id = ? AND id > ?
    ORDER BY id LIMIT ?`

	qListEvents = `SELECT ` + eventColumns + ` FROM {prefix}events WHERE tenant_id = ? AND seq > ?
    ORDER BY seq LIMIT ?`

	qListCredEvents = `SELECT ` + eventColumns + ` FROM {prefix}events
    WHERE tenant_id = ? AND credential_id = ? AND seq > ? ORDER BY seq LIMIT ?`

	qRecordUse = `UPDATE {prefix}credentials SET last_used_at = ?
    WHERE tenant_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)`

	qSchemaVersion = `SELECT COALESCE(MAX(version), 0) FROM {prefix}schema_version`

	qInsertVersion = `INSERT INTO {prefix}schema_version (version) VALUES (?)`
)

// buildQueries fills in the prefix and the dialect's placeholders.
func buildQueries(d *dialect, prefix string) queries {
	q := func(s string) string { return d.bind(withPrefix(s, prefix)) }
	return queries{
		insertCredential:   q(qInsertCredential),
		insertEvent:        q(qInsertEvent),
		lockEvents:         q(d.lockEvents),
		get:                q(qGet),
		getByClientID:      q(qGetByClientID),
		update:             q(qUpdate),
		version:            q(qVersion),
		exists:             q(qExists),
		list:               q(qList),
		listAfter:          q(qListAfter),
		listEvents:         q(qListEvents),
		listCredEvents:     q(qListCredEvents),
		recordUse:          q(qRecordUse),
		createVersionTable: q(d.createVersionTable),
		schemaVersion:      q(qSchemaVersion),
		insertVersion:      q(qInsertVersion),
	}
}

// withPrefix replaces {prefix} by the validated table prefix.
func withPrefix(s, prefix string) string { return strings.ReplaceAll(s, "{prefix}", prefix) }
