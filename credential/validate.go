package credential

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input limits (rule R13). Lengths count characters (runes) unless said
// otherwise.
const (
	MaxTenantIDLen     = 128
	MaxNameLen         = 200
	MaxEmailLen        = 254 // bytes, as SMTP bounds an address
	MaxScopes          = 64
	MaxScopeLen        = 128 // bytes
	MaxMetadataEntries = 16
	MaxMetadataKeyLen  = 64 // bytes
	MaxMetadataValLen  = 256
	MaxReasonLen       = 1000
	MaxActorLen        = 256
)

// The field validators below return "" for a good value and otherwise a
// message that never repeats the value. They are the building blocks of
// [ValidationError]s; callers that validate a whole input call them all and
// add each message under its field.

// ValidateTenantID checks a tenant ID: required, at most MaxTenantIDLen
// characters of valid UTF-8, no control characters, no surrounding spaces.
func ValidateTenantID(id string) string {
	if id == "" {
		return "is required"
	}
	return checkLine(id, MaxTenantIDLen, true)
}

// ValidateName checks a credential name after trimming: required, at most
// MaxNameLen characters, valid UTF-8, no control characters. Use
// [NormalizeName] to trim first.
func ValidateName(name string) string {
	if name == "" {
		return "is required"
	}
	return checkLine(name, MaxNameLen, false)
}

// NormalizeName trims surrounding white space from a name.
func NormalizeName(name string) string { return strings.TrimSpace(name) }

// ValidateActor checks the actor of a change: required, at most MaxActorLen
// characters, valid UTF-8, no control characters.
func ValidateActor(actor string) string {
	if actor == "" {
		return "is required"
	}
	return checkLine(actor, MaxActorLen, false)
}

// ValidateReason checks a reason: at most MaxReasonLen characters of valid
// UTF-8, no control characters but line breaks and tabs; required when
// required is true (a reason of only white space counts as empty).
func ValidateReason(reason string, required bool) string {
	if strings.TrimSpace(reason) == "" {
		if required {
			return "is required"
		}
		if reason == "" {
			return ""
		}
	}
	if !utf8.ValidString(reason) {
		return "must be valid UTF-8"
	}
	if utf8.RuneCountInString(reason) > MaxReasonLen {
		return fmt.Sprintf("must be at most %d characters", MaxReasonLen)
	}
	for _, r := range reason {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "must not contain control characters"
		}
	}
	return ""
}

// ValidateContactEmail checks a contact email: a bare address
// ("dev@example.com", no display name), at most MaxEmailLen bytes; empty is
// accepted unless required is true.
func ValidateContactEmail(email string, required bool) string {
	if email == "" {
		if required {
			return "is required"
		}
		return ""
	}
	if len(email) > MaxEmailLen {
		return fmt.Sprintf("must be at most %d bytes", MaxEmailLen)
	}
	if !utf8.ValidString(email) {
		return "must be valid UTF-8"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "must be a valid email address such as dev@example.com"
	}
	return ""
}

// ValidateAccess checks an access level and the scopes that go with it:
// [AccessFineGrained] needs at least one scope, [AccessFull] takes none
// (it grants every scope). Each scope is checked by [ValidateScopes].
func ValidateAccess(v *ValidationError, access Access, scopes []string, known *ScopeRegistry) {
	switch access {
	case AccessFull:
		if len(scopes) > 0 {
			v.Add("scopes", "must be empty for full access, which grants every scope")
		}
	case AccessFineGrained:
		if len(scopes) == 0 {
			v.Add("scopes", "fine grained access needs at least one scope")
		}
	default:
		v.Add("access", `must be "full" or "fine_grained"`)
	}
	ValidateScopes(v, scopes, known)
}

// ValidateScopes checks every scope's syntax (see [ValidScope]), refuses
// duplicates and more than MaxScopes, and, when known is not nil, refuses
// scopes it does not list. Each bad scope is named "scopes[i]".
func ValidateScopes(v *ValidationError, scopes []string, known *ScopeRegistry) {
	if len(scopes) > MaxScopes {
		v.Add("scopes", fmt.Sprintf("must be at most %d scopes", MaxScopes))
		return
	}
	for i, s := range scopes {
		field := fmt.Sprintf("scopes[%d]", i)
		switch {
		case !ValidScope(s):
			v.Add(field, `must look like "resource:action" in lowercase letters, digits, '_', '-' and '.'`)
		case known != nil && !known.Known(s):
			v.Add(field, "is not a known scope")
		case indexOf(scopes[:i], s) >= 0:
			v.Add(field, "is a duplicate")
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// ValidateMetadata checks a metadata map: at most MaxMetadataEntries
// entries; keys of 1 to MaxMetadataKeyLen ASCII letters, digits, '_', '-'
// or '.'; values of at most MaxMetadataValLen characters of valid UTF-8
// without control characters. Each bad entry is named "metadata.<key>"
// (or "metadata" when the key itself cannot be shown).
func ValidateMetadata(v *ValidationError, md map[string]string) {
	if len(md) > MaxMetadataEntries {
		v.Add("metadata", fmt.Sprintf("must have at most %d entries", MaxMetadataEntries))
		return
	}
	for _, k := range sortedKeys(md) {
		if !validMetadataKey(k) {
			v.Add("metadata", fmt.Sprintf("keys must be 1 to %d ASCII letters, digits, '_', '-' or '.'", MaxMetadataKeyLen))
			continue
		}
		if msg := checkLine(md[k], MaxMetadataValLen, false); msg != "" {
			v.Add("metadata."+k, msg)
		}
	}
}

func validMetadataKey(k string) bool {
	if len(k) == 0 || len(k) > MaxMetadataKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkLine checks a single-line text: valid UTF-8, at most max characters,
// no control characters and, when noSpaceEdges, no surrounding white space.
func checkLine(s string, max int, noSpaceEdges bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("must be at most %d characters", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "must not contain control characters"
		}
	}
	if noSpaceEdges && strings.TrimSpace(s) != s {
		return "must not start or end with white space"
	}
	return ""
}
