package credential

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireFields asserts that err is a *ValidationError naming exactly fields.
func requireFields(t *testing.T, err error, fields ...string) *ValidationError {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve, "R14: want a *ValidationError, got %v", err)
	got := make([]string, 0, len(ve.Fields))
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	assert.ElementsMatch(t, fields, got, "R14: bad fields")
	return ve
}

// TestCheckExpiryEdit tables the expiry edit rules R5 and R6 to the
// microsecond, in the manner of golang/oauth2's TestTokenExpiry.
func TestCheckExpiryEdit(t *testing.T) {
	const window = DefaultExpiryLockWindow
	never := time.Time{}
	tests := []struct {
		name      string
		expiresAt time.Time // zero: no expiry
		revokedAt time.Time // zero: not revoked
		newExpiry time.Time // zero: clear
		window    time.Duration
		wantErr   error // a sentinel, or nil
		wantField string
	}{
		// R5: no expiry.
		{name: "R5 no expiry: setting one an hour ahead is allowed", newExpiry: t0.Add(time.Hour)},
		{name: "R5 no expiry: setting one 1µs ahead is allowed", newExpiry: t0.Add(time.Microsecond)},
		{name: "R5 no expiry: setting one ten years ahead is allowed", newExpiry: t0.AddDate(10, 0, 0)},
		{name: "R5 no expiry: staying without expiry is allowed", newExpiry: never},

		// R5: the 72-hour boundary.
		{name: "R5 exactly 72h to expiry: changing is locked", expiresAt: t0.Add(72 * time.Hour), newExpiry: t0.Add(100 * time.Hour), wantErr: ErrExpiryLocked},
		{name: "R5 exactly 72h to expiry: clearing is locked", expiresAt: t0.Add(72 * time.Hour), newExpiry: never, wantErr: ErrExpiryLocked},
		{name: "R5 72h+1µs to expiry: changing is allowed", expiresAt: t0.Add(72*time.Hour + time.Microsecond), newExpiry: t0.Add(200 * time.Hour)},
		{name: "R5 72h+1µs to expiry: clearing is allowed", expiresAt: t0.Add(72*time.Hour + time.Microsecond), newExpiry: never},
		{name: "R5 72h+1ns to expiry: editable (strictly more than the window)", expiresAt: t0.Add(72*time.Hour + time.Nanosecond), newExpiry: never},
		{name: "R5 72h-1µs to expiry: locked", expiresAt: t0.Add(72*time.Hour - time.Microsecond), newExpiry: never, wantErr: ErrExpiryLocked},
		{name: "R5 1h to expiry: locked", expiresAt: t0.Add(time.Hour), newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrExpiryLocked},
		{name: "R5 1µs before expiry: locked", expiresAt: t0.Add(time.Microsecond), newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrExpiryLocked},
		{name: "R5 more than 72h to expiry: shortening into the window is allowed", expiresAt: t0.Add(100 * time.Hour), newExpiry: t0.Add(time.Hour)},
		{name: "R5 a year to expiry: extending is allowed", expiresAt: t0.AddDate(1, 0, 0), newExpiry: t0.AddDate(2, 0, 0)},

		// R5/R6: expired and revoked.
		{name: "R5 exactly at expiry: expired", expiresAt: t0, newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrExpired},
		{name: "R6 at expiry: clearing (extending forever) is refused as expired", expiresAt: t0, newExpiry: never, wantErr: ErrExpired},
		{name: "R6 an hour after expiry: extending is refused as expired", expiresAt: t0.Add(-time.Hour), newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrExpired},
		{name: "R5 revoked without expiry: refused as revoked", revokedAt: t0.Add(-time.Hour), newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrRevoked},
		{name: "R5 revoked with a far expiry: refused as revoked", revokedAt: t0.Add(-time.Hour), expiresAt: t0.AddDate(1, 0, 0), newExpiry: never, wantErr: ErrRevoked},
		{name: "R5 revoked and expired: refused as revoked (revoked wins)", revokedAt: t0.Add(-time.Hour), expiresAt: t0.Add(-2 * time.Hour), newExpiry: t0.Add(1000 * time.Hour), wantErr: ErrRevoked},
		{name: "R5 revoked within the lock window: refused as revoked", revokedAt: t0.Add(-time.Hour), expiresAt: t0.Add(time.Hour), newExpiry: never, wantErr: ErrRevoked},

		// R6: the new expiry must be strictly in the future.
		{name: "R6 a new expiry equal to now is invalid", newExpiry: t0, wantField: "expires_at"},
		{name: "R6 a new expiry 1µs in the past is invalid", newExpiry: t0.Add(-time.Microsecond), wantField: "expires_at"},
		{name: "R6 a new expiry a year in the past is invalid", newExpiry: t0.AddDate(-1, 0, 0), wantField: "expires_at"},
		{name: "R6 an editable expiry cannot be moved to now", expiresAt: t0.Add(100 * time.Hour), newExpiry: t0, wantField: "expires_at"},
		{name: "R6 an editable expiry cannot be moved into the past", expiresAt: t0.Add(100 * time.Hour), newExpiry: t0.Add(-time.Hour), wantField: "expires_at"},
		{name: "R6 a locked expiry reports the lock before the bad date", expiresAt: t0.Add(time.Hour), newExpiry: t0.Add(-time.Hour), wantErr: ErrExpiryLocked},

		// R5: the window is configurable.
		{name: "R5 1h window: 2h to expiry is editable", window: time.Hour, expiresAt: t0.Add(2 * time.Hour), newExpiry: never},
		{name: "R5 1h window: 1h+1µs to expiry is editable", window: time.Hour, expiresAt: t0.Add(time.Hour + time.Microsecond), newExpiry: t0.Add(5 * time.Hour)},
		{name: "R5 1h window: exactly 1h to expiry is locked", window: time.Hour, expiresAt: t0.Add(time.Hour), newExpiry: never, wantErr: ErrExpiryLocked},
		{name: "R5 1h window: 59m to expiry is locked", window: time.Hour, expiresAt: t0.Add(59 * time.Minute), newExpiry: never, wantErr: ErrExpiryLocked},
		{name: "R5 1h window: at expiry is expired", window: time.Hour, expiresAt: t0, newExpiry: never, wantErr: ErrExpired},
		{name: "R5 1h window: 71h to expiry is editable although the default would lock it", window: time.Hour, expiresAt: t0.Add(71 * time.Hour), newExpiry: never},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.window
			if w == 0 {
				w = window
			}
			c := Credential{ExpiresAt: tt.expiresAt, RevokedAt: tt.revokedAt}
			before := c.Clone()

			err := c.CheckExpiryEdit(t0, tt.newExpiry, w)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				var ve *ValidationError
				assert.False(t, errors.As(err, &ve), "a lifecycle refusal is not a validation error")
			case tt.wantField != "":
				requireFields(t, err, tt.wantField)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, before, c, "a check changes nothing")

			// ExpiryEditable is the state part of the same rule: it agrees
			// with CheckExpiryEdit on every case except a bad new date.
			wantEditable := tt.wantErr == nil
			assert.Equal(t, wantEditable, c.ExpiryEditable(t0, w), "ExpiryEditable agrees with CheckExpiryEdit")
		})
	}
}

// TestCheckNewExpiry checks rule R6 on its own.
func TestCheckNewExpiry(t *testing.T) {
	assert.NoError(t, CheckNewExpiry(t0, time.Time{}), "R6: zero means no expiry")
	assert.NoError(t, CheckNewExpiry(t0, t0.Add(time.Microsecond)), "R6: 1µs ahead is in the future")
	requireFields(t, CheckNewExpiry(t0, t0.Add(time.Nanosecond)), "expires_at") // stored as t0: not after now
	requireFields(t, CheckNewExpiry(t0, t0), "expires_at")
	requireFields(t, CheckNewExpiry(t0, t0.Add(-time.Nanosecond)), "expires_at")
	// A time that truncates to Go's zero time is a past date, never "no
	// expiry".
	requireFields(t, CheckNewExpiry(t0, time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)), "expires_at")
	assert.NoError(t, CheckNewExpiry(t0, MaxExpiry), "the last microsecond of 9999 is accepted")
	assert.NoError(t, CheckNewExpiry(t0, MaxExpiry.Add(999*time.Nanosecond)), "it truncates to MaxExpiry")
	requireFields(t, CheckNewExpiry(t0, MaxExpiry.Add(time.Microsecond)), "expires_at")
	requireFields(t, CheckNewExpiry(t0, time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)), "expires_at")
}

// TestCheckRotate checks rule R9: rotation is refused on expired and revoked
// credentials.
func TestCheckRotate(t *testing.T) {
	tests := []struct {
		name string
		c    Credential
		want error
	}{
		{name: "R9 an active credential without expiry may rotate", c: Credential{}},
		{name: "R9 an active credential 1µs from expiry may rotate", c: Credential{ExpiresAt: t0.Add(time.Microsecond)}},
		{name: "R9 an active credential within the expiry lock window may rotate", c: Credential{ExpiresAt: t0.Add(time.Hour)}},
		{name: "R9 an expired credential may not", c: Credential{ExpiresAt: t0}, want: ErrExpired},
		{name: "R9 a revoked credential may not", c: Credential{RevokedAt: t0.Add(-time.Hour)}, want: ErrRevoked},
		{name: "R9 a revoked and expired credential reports revoked", c: Credential{RevokedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(-2 * time.Hour)}, want: ErrRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.CheckRotate(t0)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// TestCheckRevoke checks rule R3: revocation needs a reason, is allowed after
// expiry and happens once.
func TestCheckRevoke(t *testing.T) {
	tests := []struct {
		name      string
		c         Credential
		reason    string
		wantErr   error
		wantField string
	}{
		{name: "R3 an active credential may be revoked with a reason", c: Credential{}, reason: "key leaked in a CI log"},
		{name: "R3 an expired credential may still be revoked", c: Credential{ExpiresAt: t0.Add(-time.Hour)}, reason: "cleanup"},
		{name: "R3 a reason may span lines and hold tabs", c: Credential{}, reason: "leaked:\n\tsee ticket 42\r\n"},
		{name: "R3 a reason of exactly MaxReasonLen multi-byte characters is accepted", c: Credential{}, reason: strings.Repeat("é", MaxReasonLen)},
		{name: "R3 an empty reason is refused", c: Credential{}, reason: "", wantField: "reason"},
		{name: "R3 a reason of only white space is refused", c: Credential{}, reason: " \t\n ", wantField: "reason"},
		{name: "R3 a reason with NUL is refused", c: Credential{}, reason: "leak\x00ed", wantField: "reason"},
		{name: "R3 a reason of invalid UTF-8 is refused", c: Credential{}, reason: "bad \xff byte", wantField: "reason"},
		{name: "R3 a reason one character too long is refused", c: Credential{}, reason: strings.Repeat("é", MaxReasonLen+1), wantField: "reason"},
		{name: "R3 an already revoked credential cannot be revoked again", c: Credential{RevokedAt: t0.Add(-time.Hour), RevokeReason: "first"}, reason: "second", wantErr: ErrAlreadyRevoked},
		{name: "R3 an already revoked credential reports that before a missing reason", c: Credential{RevokedAt: t0.Add(-time.Hour)}, reason: "", wantErr: ErrAlreadyRevoked},
		{name: "R3 an already revoked and expired credential cannot be revoked again", c: Credential{RevokedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(-2 * time.Hour)}, reason: "again", wantErr: ErrAlreadyRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.c.Clone()
			err := tt.c.CheckRevoke(tt.reason)
			switch {
			case tt.wantErr != nil:
				assert.ErrorIs(t, err, tt.wantErr)
			case tt.wantField != "":
				requireFields(t, err, tt.wantField)
			default:
				assert.NoError(t, err)
			}
			assert.Equal(t, before, tt.c, "a check changes nothing")
		})
	}
}

// TestLifecycleErrorsArePackagePrefixed follows database/sql: every sentinel's
// text starts with the package name, and the sentinels are distinct.
func TestLifecycleErrorsArePackagePrefixed(t *testing.T) {
	errs := []error{ErrExpiryLocked, ErrExpired, ErrRevoked, ErrAlreadyRevoked, ErrMalformed, ErrHMACKey, ErrAuthenticationFailed}
	for i, err := range errs {
		assert.True(t, strings.HasPrefix(err.Error(), "credential: "), "%q", err)
		for j, other := range errs {
			if i != j {
				assert.NotErrorIs(t, err, other)
			}
		}
	}
}
