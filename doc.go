// Package apicred issues, rotates, revokes and authenticates API client
// credentials: a public client ID and a secret shown exactly once.
//
// A service holds one [*Manager], built by [New] over a [store.Store]
// (the in-memory store in package store/memstore, or the SQL store in
// store/sqlstore for SQLite, PostgreSQL and MySQL/MariaDB). The Manager owns
// every rule; stores only persist.
//
// # Lifecycle
//
// [Manager.Issue] creates a credential and returns its secret once, in an
// [Issued] that can also be written as a .env file or JSON.
// [Manager.Rotate] replaces the secret and keeps the client ID;
// [Manager.Revoke] ends the credential for good; [Manager.SetExpiry] sets,
// changes or clears its expiry, which is locked during the last 72 hours
// (configurable with [WithExpiryLockWindow]). Each change writes exactly one
// audit event in the same atomic step, listed by [Manager.Events]. Rotation
// and revocation take effect at once: the next authentication with the old
// secret fails.
//
// # Authentication
//
// [Manager.Authenticate] checks a client ID and secret on every API request:
// a checksum test that refuses garbage without a store read, one lookup by
// client ID, a constant-time hash comparison, and the state check. Every
// failure is the same error, [ErrAuthenticationFailed]; the precise reason
// reaches logs through [credential.AuthFailureReason] or an observer set
// with [WithAuthObserver]. A failing store is reported as itself, never as
// a failed authentication. Package middleware puts this in front of any
// net/http handler.
//
// # Tenants
//
// Every management call names its tenant. A credential of another tenant
// is not found, whatever its ID.
//
// # Secrets
//
// Stores keep only a hash of each secret (SHA-256 by default, HMAC-SHA256
// with a server-side key as an option). The plaintext exists only in the
// [Issued] returned by Issue and Rotate, in a [credential.Secret] that
// redacts itself in logs, fmt output and JSON.
package apicred
