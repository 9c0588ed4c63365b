package credential

import (
	"errors"
	"strings"
)

// Lifecycle errors. Each is a sentinel to be tested with [errors.Is].
var (
	// ErrExpiryLocked reports an expiry edit on a credential whose expiry is
	// at most the lock window (72 hours by default) away (rule R5).
	ErrExpiryLocked = errors.New("credential: expiry is locked: it is within the lock window")

	// ErrExpired reports an operation refused because the credential has
	// expired: editing its expiry (R5, R6) or rotating it (R9).
	ErrExpired = errors.New("credential: credential has expired")

	// ErrRevoked reports an operation refused because the credential is
	// revoked (R3, R5, R9).
	ErrRevoked = errors.New("credential: credential is revoked")

	// ErrAlreadyRevoked reports a revocation of a credential that is already
	// revoked. Revocation is permanent and recorded once (R3).
	ErrAlreadyRevoked = errors.New("credential: credential is already revoked")
)

// FieldError is one bad field of an input.
type FieldError struct {
	// Field is the input's field name in snake_case, such as "name" or
	// "contact_email"; an element of a list or map is named with its index
	// or key, such as "scopes[2]" or "metadata.team".
	Field string
	// Message says what is wrong, without repeating the value.
	Message string
}

// ValidationError reports input that was refused. It names every bad field,
// not only the first (rule R14). A call that returns it has changed nothing.
type ValidationError struct {
	Fields []FieldError
}

// Error lists every bad field and its message.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("credential: invalid input: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	return b.String()
}

// Has reports whether field is among the bad fields.
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Add records a bad field. It is meant for building a ValidationError field
// by field before returning it with [ValidationError.Err].
func (e *ValidationError) Add(field, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: message})
}

// Err returns e as an error when it holds at least one bad field, and nil
// otherwise.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
