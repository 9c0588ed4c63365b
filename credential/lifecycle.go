package credential

import "time"

// DefaultExpiryLockWindow is how close to its expiry a credential's expiry
// becomes locked (rule R5): an expiry at most this far away can no longer be
// changed or cleared.
const DefaultExpiryLockWindow = 72 * time.Hour

// CheckAuthenticate reports whether c may authenticate at now (rule R2):
// nil for an active credential, [ErrRevoked] or [ErrExpired] otherwise.
func (c *Credential) CheckAuthenticate(now time.Time) error {
	switch c.State(now) {
	case StateRevoked:
		return ErrRevoked
	case StateExpired:
		return ErrExpired
	}
	return nil
}

// CheckExpiryEdit reports whether c's expiry may be set to newExpiry at now,
// with the given lock window (rules R5, R6). A zero newExpiry clears the
// expiry.
//
//   - revoked: [ErrRevoked]; expired: [ErrExpired] (an expired credential
//     is never extended);
//   - an expiry with ExpiresAt - now <= window: [ErrExpiryLocked] (exactly
//     the window is locked; a microsecond more is editable);
//   - no expiry, or more than the window to go: allowed, provided
//     newExpiry passes [CheckNewExpiry], else a [*ValidationError] on
//     "expires_at".
func (c *Credential) CheckExpiryEdit(now, newExpiry time.Time, window time.Duration) error {
	if err := c.CheckAuthenticate(now); err != nil {
		return err
	}
	if !c.ExpiresAt.IsZero() && c.ExpiresAt.Sub(now) <= window {
		return ErrExpiryLocked
	}
	return CheckNewExpiry(now, newExpiry)
}

// ExpiryEditable reports whether c's expiry may be edited at all at now:
// the state part of [Credential.CheckExpiryEdit], for a user interface that
// disables the control.
func (c *Credential) ExpiryEditable(now time.Time, window time.Duration) bool {
	return c.CheckExpiryEdit(now, time.Time{}, window) == nil
}

// MaxExpiry is the latest expiry accepted: the last microsecond of the year
// 9999, the end of RFC 3339's range and within what every store keeps.
var MaxExpiry = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// CheckNewExpiry reports whether expiresAt is acceptable as a new expiry at
// now (rule R6): zero (no expiry), or a time that, once stored (UTC,
// truncated to microseconds), is strictly after now and not after
// [MaxExpiry]. Pass the time as given, before truncation: a non-zero time
// that truncates to the zero time is a past date, not "no expiry".
func CheckNewExpiry(now, expiresAt time.Time) error {
	if expiresAt.IsZero() {
		return nil
	}
	t := Truncate(expiresAt)
	var msg string
	switch {
	case t.IsZero() || !t.After(now):
		msg = "must be in the future"
	case t.After(MaxExpiry):
		msg = "must not be later than 9999-12-31T23:59:59.999999Z"
	default:
		return nil
	}
	v := &ValidationError{}
	v.Add("expires_at", msg)
	return v
}

// CheckRotate reports whether c's secret may be replaced at now (rule R9):
// [ErrRevoked] for a revoked credential, [ErrExpired] for an expired one.
func (c *Credential) CheckRotate(now time.Time) error {
	return c.CheckAuthenticate(now)
}

// CheckRevoke reports whether c may be revoked with reason (rule R3): an
// active or expired credential may, with a non-empty valid reason; a
// revoked one gives [ErrAlreadyRevoked].
func (c *Credential) CheckRevoke(reason string) error {
	if !c.RevokedAt.IsZero() {
		return ErrAlreadyRevoked
	}
	var v ValidationError
	if msg := ValidateReason(reason, true); msg != "" {
		v.Add("reason", msg)
	}
	return v.Err()
}
