package apicred

import (
	"errors"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
)

// The errors of the Manager's operations, to be tested with [errors.Is].
// They are the same values as those of packages credential and store, so
// either name matches.
var (
	// ErrNotFound: no such credential in this tenant (R15).
	ErrNotFound = store.ErrNotFound
	// ErrConflict: the credential changed concurrently; read it again and
	// retry if the change still makes sense (R17).
	ErrConflict = store.ErrConflict
	// ErrExpiryLocked: the expiry is within the lock window (R5).
	ErrExpiryLocked = credential.ErrExpiryLocked
	// ErrExpired: the credential has expired (R5, R6, R9).
	ErrExpired = credential.ErrExpired
	// ErrRevoked: the credential is revoked (R3, R5, R9).
	ErrRevoked = credential.ErrRevoked
	// ErrAlreadyRevoked: a second revocation (R3).
	ErrAlreadyRevoked = credential.ErrAlreadyRevoked
	// ErrAuthenticationFailed: every failed authentication (R2).
	ErrAuthenticationFailed = credential.ErrAuthenticationFailed
)

// ValidationError is [credential.ValidationError]: input that was refused,
// naming every bad field (R14). Reach it with [errors.As].
type ValidationError = credential.ValidationError

// ErrInvalidOption reports an option given to [New] that cannot be used.
var ErrInvalidOption = errors.New("apicred: invalid option")

// ErrUnknownHasher reports a stored hash made by a hasher the Manager was
// not given (see [WithHasher]). It is a configuration fault, not an
// authentication failure.
var ErrUnknownHasher = errors.New("apicred: stored hash was made by a hasher this Manager does not have")
