package credential

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkMessage asserts that a field validator's message is empty when ok,
// and otherwise non-empty and free of the value.
func checkMessage(t *testing.T, msg, value string, ok bool) {
	t.Helper()
	if ok {
		assert.Empty(t, msg, "R13: want no message")
		return
	}
	assert.NotEmpty(t, msg, "R13: want a message")
	if len(value) > 3 {
		assert.NotContains(t, msg, value, "R14: a message never repeats the value")
	}
}

// TestValidateName checks rule R13's name: required, trimmed, bounded in
// characters (not bytes), valid UTF-8, no control characters.
func TestValidateName(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{"a plain name is valid", "ERP Sync", true},
		{"a name with an em dash is valid", "ERP Sync — Production", true},
		{"an emoji is valid", "Deploy bot 🚀", true},
		{"one character is valid", "x", true},
		{"MaxNameLen ASCII characters are valid", strings.Repeat("a", MaxNameLen), true},
		{"MaxNameLen two-byte characters are valid (counted in runes)", strings.Repeat("é", MaxNameLen), true},
		{"MaxNameLen four-byte characters are valid", strings.Repeat("🚀", MaxNameLen), true},
		{"an empty name is required", "", false},
		{"MaxNameLen+1 characters are too long", strings.Repeat("a", MaxNameLen+1), false},
		{"MaxNameLen+1 two-byte characters are too long", strings.Repeat("é", MaxNameLen+1), false},
		{"a NUL is refused", "ERP\x00Sync", false},
		{"a newline is refused", "ERP\nSync", false},
		{"a tab is refused", "ERP\tSync", false},
		{"DEL is refused", "ERP\x7fSync", false},
		{"a C1 control is refused", "ERP\u0085Sync", false},
		{"invalid UTF-8 is refused", "ERP \xff Sync", false},
		{"a truncated multi-byte sequence is refused", "ERP \xe2\x80", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, ValidateName(tt.input), tt.input, tt.ok)
		})
	}
}

// TestNormalizeName checks R13: a name is trimmed before it is checked.
func TestNormalizeName(t *testing.T) {
	assert.Equal(t, "ERP Sync", NormalizeName("  ERP Sync \t\n"))
	assert.Equal(t, "ERP  Sync", NormalizeName("ERP  Sync"), "inner spaces stay")
	assert.Equal(t, "", NormalizeName(" \t "))
	assert.NotEmpty(t, ValidateName(NormalizeName("   ")), "R13: a name of white space is required after trimming")
	assert.Empty(t, ValidateName(NormalizeName(" "+strings.Repeat("a", MaxNameLen)+" ")), "the bound applies after trimming")
}

// TestValidateTenantID checks R13's tenant ID (R15 scopes every call by it).
func TestValidateTenantID(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{"a simple ID is valid", "brand-42", true},
		{"a UUID is valid", "0195f3a1-1c2b-7d4e-8f90-123456789abc", true},
		{"an inner space is valid", "brand 42", true},
		{"MaxTenantIDLen characters are valid", strings.Repeat("t", MaxTenantIDLen), true},
		{"an empty ID is required", "", false},
		{"a leading space is refused", " brand-42", false},
		{"a trailing space is refused", "brand-42 ", false},
		{"only spaces are refused", "   ", false},
		{"a trailing no-break space is refused", "brand-42\u00a0", false},
		{"MaxTenantIDLen+1 characters are too long", strings.Repeat("t", MaxTenantIDLen+1), false},
		{"a NUL is refused", "brand\x0042", false},
		{"invalid UTF-8 is refused", "brand\xc3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, ValidateTenantID(tt.input), tt.input, tt.ok)
		})
	}
}

// TestValidateActor checks the actor recorded in audit events (R13, R16).
func TestValidateActor(t *testing.T) {
	checkMessage(t, ValidateActor("user:42"), "", true)
	checkMessage(t, ValidateActor(""), "", false)
	checkMessage(t, ValidateActor(strings.Repeat("a", MaxActorLen)), "", true)
	checkMessage(t, ValidateActor(strings.Repeat("a", MaxActorLen+1)), "", false)
	checkMessage(t, ValidateActor("user\x00"), "user\x00", false)
}

// TestValidateContactEmail checks R13's optional (or required) contact email.
func TestValidateContactEmail(t *testing.T) {
	local := strings.Repeat("a", 64)
	longDomain := strings.Repeat("d", 63) + "." + strings.Repeat("e", 63) + "." + strings.Repeat("f", 63) + "." + strings.Repeat("g", 63)
	tests := []struct {
		name     string
		input    string
		required bool
		ok       bool
	}{
		{name: "a bare address is valid", input: "dev@example.com", ok: true},
		{name: "a plus tag and subdomain are valid", input: "dev+api@mail.example.co.uk", ok: true},
		{name: "empty is accepted when optional", input: "", ok: true},
		{name: "empty is refused when required", input: "", required: true},
		{name: "a bare address is valid when required", input: "dev@example.com", required: true, ok: true},
		{name: "a display-name form is refused", input: "Dev Team <dev@example.com>"},
		{name: "an angle-bracket form is refused", input: "<dev@example.com>"},
		{name: "a domain without a dot is refused", input: "dev@localhost"},
		{name: "a missing @ is refused", input: "dev.example.com"},
		{name: "a missing local part is refused", input: "@example.org"},
		{name: "a missing domain is refused", input: "ops@"},
		{name: "two @ are refused", input: "dev@team@example.com"},
		{name: "surrounding spaces are refused", input: " dev@example.com "},
		{name: "an inner space is refused", input: "dev team@example.com"},
		{name: "a newline is refused", input: "dev@example.com\nBcc: x@example.com"},
		{name: "invalid UTF-8 is refused", input: "dev\xff@example.com"},
		{name: "a comment is refused", input: "dev@example.com (Dev)"},
		{name: "a list is refused", input: "a@example.com, b@example.com"},
		{name: "exactly MaxEmailLen bytes is accepted", input: local + "@" + longDomain[:MaxEmailLen-len(local)-1-4] + ".com", ok: true},
		{name: "MaxEmailLen+1 bytes is refused", input: local + "@" + longDomain[:MaxEmailLen-len(local)-4] + ".com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.name, "MaxEmailLen") {
				want := MaxEmailLen
				if !tt.ok {
					want++
				}
				require.Len(t, tt.input, want)
			}
			checkMessage(t, ValidateContactEmail(tt.input, tt.required), tt.input, tt.ok)
		})
	}
}

// TestValidateReason checks reasons (R3 requires one for revocation, R6 and
// R9 take an optional one).
func TestValidateReason(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		required bool
		ok       bool
	}{
		{name: "a reason is valid", input: "key leaked", required: true, ok: true},
		{name: "an empty optional reason is valid", input: "", ok: true},
		{name: "an optional reason of spaces is valid", input: "   ", ok: true},
		{name: "an empty required reason is refused", input: "", required: true},
		{name: "a required reason of white space is refused", input: " \n\t ", required: true},
		{name: "newlines, tabs and CRLF are allowed", input: "line one\nline two\r\n\tindented", required: true, ok: true},
		{name: "a NUL is refused", input: "leak\x00ed", required: true},
		{name: "a NUL is refused in an optional reason", input: "leak\x00ed"},
		{name: "a lone NUL is refused", input: "\x00"},
		{name: "an escape character is refused", input: "leak \x1b[31m red"},
		{name: "invalid UTF-8 is refused", input: "leak \xff"},
		{name: "MaxReasonLen characters are valid", input: strings.Repeat("ü", MaxReasonLen), required: true, ok: true},
		{name: "MaxReasonLen+1 characters are refused", input: strings.Repeat("ü", MaxReasonLen+1), required: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, ValidateReason(tt.input, tt.required), tt.input, tt.ok)
		})
	}
}

// TestValidateAccess checks rule R13's access level and scopes, and R14's
// field naming.
func TestValidateAccess(t *testing.T) {
	known, err := NewScopeRegistry("products:read", "products:write", "orders:read")
	require.NoError(t, err)
	tooMany := make([]string, MaxScopes+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("res%d:read", i)
	}
	exactlyMax := tooMany[:MaxScopes]

	tests := []struct {
		name   string
		access Access
		scopes []string
		known  *ScopeRegistry
		fields []string
	}{
		{name: "full access without scopes is valid", access: AccessFull},
		{name: "full access with an empty scope list is valid", access: AccessFull, scopes: []string{}},
		{name: "full access with scopes is refused", access: AccessFull, scopes: []string{"products:read"}, fields: []string{"scopes"}},
		{name: "fine grained with a scope is valid", access: AccessFineGrained, scopes: []string{"products:read"}},
		{name: "fine grained with known scopes is valid", access: AccessFineGrained, scopes: []string{"products:read", "orders:read"}, known: known},
		{name: "fine grained with MaxScopes scopes is valid", access: AccessFineGrained, scopes: exactlyMax},
		{name: "fine grained without scopes is refused", access: AccessFineGrained, fields: []string{"scopes"}},
		{name: "fine grained with bad syntax names the scope", access: AccessFineGrained, scopes: []string{"products:read", "Products:Write", "orders"}, fields: []string{"scopes[1]", "scopes[2]"}},
		{name: "a duplicate is refused at its second place", access: AccessFineGrained, scopes: []string{"products:read", "orders:read", "products:read"}, fields: []string{"scopes[2]"}},
		{name: "an unknown scope is refused against a registry", access: AccessFineGrained, scopes: []string{"products:read", "users:delete"}, known: known, fields: []string{"scopes[1]"}},
		{name: "without a registry any well-formed scope is valid", access: AccessFineGrained, scopes: []string{"users:delete"}},
		{name: "more than MaxScopes scopes are refused once", access: AccessFineGrained, scopes: tooMany, fields: []string{"scopes"}},
		{name: "an unknown access level is refused", access: "admin", scopes: []string{"products:read"}, fields: []string{"access"}},
		{name: "an empty access level is refused", access: "", fields: []string{"access"}},
		{name: "every bad field is named", access: AccessFull, scopes: []string{"Bad", "products:read", "products:read"}, fields: []string{"scopes", "scopes[0]", "scopes[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v ValidationError
			ValidateAccess(&v, tt.access, tt.scopes, tt.known)
			if len(tt.fields) == 0 {
				assert.NoError(t, v.Err())
				return
			}
			requireFields(t, v.Err(), tt.fields...)
		})
	}
}

// TestValidateScopesNamesFieldsByIndex checks R14's field names scopes[i].
func TestValidateScopesNamesFieldsByIndex(t *testing.T) {
	var v ValidationError
	ValidateScopes(&v, []string{"a:b", "", "c:d", "x", "a:b"}, nil)
	requireFields(t, v.Err(), "scopes[1]", "scopes[3]", "scopes[4]")

	var empty ValidationError
	ValidateScopes(&empty, nil, nil)
	assert.NoError(t, empty.Err())
}

// TestValidateMetadata checks R13's bounded metadata and R14's field names
// metadata.<key>.
func TestValidateMetadata(t *testing.T) {
	tooMany := map[string]string{}
	for i := range MaxMetadataEntries + 1 {
		tooMany[fmt.Sprintf("k%d", i)] = "v"
	}
	exactlyMax := map[string]string{}
	for i := range MaxMetadataEntries {
		exactlyMax[fmt.Sprintf("k%d", i)] = "v"
	}
	tests := []struct {
		name   string
		md     map[string]string
		fields []string
	}{
		{name: "nil metadata is valid", md: nil},
		{name: "small metadata is valid", md: map[string]string{"team": "erp", "cost-center": "42", "env.region": "eu_1"}},
		{name: "an empty value is valid", md: map[string]string{"team": ""}},
		{name: "MaxMetadataEntries entries are valid", md: exactlyMax},
		{name: "a key of MaxMetadataKeyLen bytes is valid", md: map[string]string{strings.Repeat("k", MaxMetadataKeyLen): "v"}},
		{name: "a value of MaxMetadataValLen multi-byte characters is valid", md: map[string]string{"k": strings.Repeat("ß", MaxMetadataValLen)}},
		{name: "too many entries are refused once", md: tooMany, fields: []string{"metadata"}},
		{name: "an empty key is refused", md: map[string]string{"": "v"}, fields: []string{"metadata"}},
		{name: "a key with a space is refused", md: map[string]string{"my team": "v"}, fields: []string{"metadata"}},
		{name: "a key with a colon is refused", md: map[string]string{"a:b": "v"}, fields: []string{"metadata"}},
		{name: "a non-ASCII key is refused", md: map[string]string{"équipe": "v"}, fields: []string{"metadata"}},
		{name: "a key of MaxMetadataKeyLen+1 bytes is refused", md: map[string]string{strings.Repeat("k", MaxMetadataKeyLen+1): "v"}, fields: []string{"metadata"}},
		{name: "a long value is named by its key", md: map[string]string{"team": strings.Repeat("x", MaxMetadataValLen+1)}, fields: []string{"metadata.team"}},
		{name: "a value with a newline is named by its key", md: map[string]string{"team": "a\nb"}, fields: []string{"metadata.team"}},
		{name: "a value with a NUL is named by its key", md: map[string]string{"team": "a\x00b"}, fields: []string{"metadata.team"}},
		{name: "a value of invalid UTF-8 is named by its key", md: map[string]string{"team": "\xff"}, fields: []string{"metadata.team"}},
		{name: "every bad entry is named", md: map[string]string{"a": "\x01", "b": "ok", "c": "\x02", "bad key": "v"}, fields: []string{"metadata", "metadata.a", "metadata.c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v ValidationError
			ValidateMetadata(&v, tt.md)
			if len(tt.fields) == 0 {
				assert.NoError(t, v.Err())
				return
			}
			requireFields(t, v.Err(), tt.fields...)
		})
	}

	t.Run("bad entries are reported in key order", func(t *testing.T) {
		for range 20 { // map iteration order varies from run to run
			var v ValidationError
			ValidateMetadata(&v, map[string]string{"z": "\x01", "a": "\x01", "m": "\x01"})
			require.Len(t, v.Fields, 3)
			assert.Equal(t, []string{"metadata.a", "metadata.m", "metadata.z"}, []string{v.Fields[0].Field, v.Fields[1].Field, v.Fields[2].Field})
		}
	})
}

// TestValidationError checks rule R14: one error naming every bad field,
// reachable with errors.As, and never repeating a bad value.
func TestValidationError(t *testing.T) {
	const value = "s3cr3t-value"
	var v ValidationError
	require.NoError(t, v.Err(), "no bad field, no error")

	add := func(field, msg string) {
		if msg != "" {
			v.Add(field, msg)
		}
	}
	add("tenant_id", ValidateTenantID(" "+value))
	add("name", ValidateName(value+"\x00"))
	add("contact_email", ValidateContactEmail(value, false))
	add("reason", ValidateReason(value+"\x00", true))
	add("actor", ValidateActor(value+"\x07"))
	ValidateAccess(&v, AccessFineGrained, []string{"S3cr3t-value:read", "ok:scope", value}, nil)
	ValidateMetadata(&v, map[string]string{"team": value + "\x00", value + " bad": "v"})
	add("expires_at", CheckNewExpiry(t0, t0).(*ValidationError).Fields[0].Message)

	err := v.Err()
	require.Error(t, err)
	ve := requireFields(t, err, "tenant_id", "name", "contact_email", "reason", "actor", "scopes[0]", "scopes[2]", "metadata", "metadata.team", "expires_at")

	text := err.Error()
	assert.True(t, strings.HasPrefix(text, "credential: invalid input: "), text)
	for _, f := range ve.Fields {
		assert.Contains(t, text, f.Field+": "+f.Message, "R14: Error lists every field with its message")
		assert.True(t, ve.Has(f.Field))
	}
	assert.NotContains(t, text, value, "R14: the error never contains an offending value")
	assert.NotContains(t, strings.ToLower(text), strings.ToLower(value))
	assert.False(t, ve.Has("scopes[1]"))
	assert.False(t, ve.Has("nope"))

	wrapped := fmt.Errorf("issue: %w", err)
	var got *ValidationError
	require.ErrorAs(t, wrapped, &got, "R14: reachable with errors.As")
	assert.Same(t, ve, got)
}

// TestValidationErrorFormat checks R14's error text.
func TestValidationErrorFormat(t *testing.T) {
	v := &ValidationError{}
	v.Add("name", "is required")
	assert.Equal(t, "credential: invalid input: name: is required", v.Error())
	v.Add("scopes[0]", "is a duplicate")
	assert.Equal(t, "credential: invalid input: name: is required; scopes[0]: is a duplicate", v.Error())
	assert.True(t, v.Has("name"))
	assert.Same(t, v, v.Err())
}
