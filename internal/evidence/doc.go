// Package evidence holds tests that gather evidence about the whole library:
// they drive the Manager, the middleware and the admin API together over
// every store engine (memory, an SQLite file, and PostgreSQL and
// MySQL/MariaDB when their DSNs are set in APICRED_TEST_POSTGRES_DSN and
// APICRED_TEST_MYSQL_DSN) and check properties that no single package can
// show on its own:
//
//   - TestNoSecretLeaksAnywhere runs a whole credential lifecycle over real
//     HTTP with every log at debug level captured, and searches the logs,
//     every response but the one-time create and rotate bodies, every error
//     text, every audit event and the raw database contents (the SQLite
//     file with its WAL, a PostgreSQL dump, a MariaDB dump) for any issued
//     secret in any of its encodings (rule R8).
//   - TestHostileInputs sends SQL-injection shapes, control characters,
//     invalid UTF-8, oversized and exotic Unicode strings and odd times
//     through every field of every create and edit call: each is stored
//     verbatim or refused with a *credential.ValidationError naming the
//     field, never answered with an SQL error or a panic, and a refused call
//     writes nothing (rules R13, R14).
//
// The package holds no code outside its tests.
package evidence
