package credential

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidScope tables the scope syntax of rule R13.
func TestValidScope(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		want  bool
	}{
		{"resource and action is valid", "products:read", true},
		{"three segments are valid", "a:b:c", true},
		{"a nested resource is valid", "orders:items:write", true},
		{"digits, '_', '-' and '.' after the first letter are valid", "v2.api_x-y:read-all", true},
		{"single letters are valid", "a:b", true},
		{"exactly MaxScopeLen bytes is valid", "a:" + strings.Repeat("b", MaxScopeLen-2), true},
		{"an empty scope is invalid", "", false},
		{"an uppercase letter is invalid", "Products:read", false},
		{"an uppercase action is invalid", "products:Read", false},
		{"a missing resource is invalid", ":read", false},
		{"a missing action is invalid", "products:", false},
		{"a single segment is invalid", "products", false},
		{"an empty middle segment is invalid", "a::b", false},
		{"a lone colon is invalid", ":", false},
		{"a leading space is invalid", " products:read", false},
		{"a trailing space is invalid", "products:read ", false},
		{"an inner space is invalid", "products: read", false},
		{"a segment starting with a digit is invalid", "2products:read", false},
		{"a segment starting with '_' is invalid", "products:_read", false},
		{"a segment starting with '.' is invalid", "products:.read", false},
		{"a wildcard is invalid", "products:*", false},
		{"a slash is invalid", "products/read:x", false},
		{"a non-ASCII letter is invalid", "prodüct:read", false},
		{"a NUL is invalid", "products:re\x00ad", false},
		{"MaxScopeLen+1 bytes is invalid", "a:" + strings.Repeat("b", MaxScopeLen-1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ValidScope(tt.scope), "R13: ValidScope(%q)", tt.scope)
		})
	}
}

// TestNewScopeRegistry checks the registry of known scopes of rule R13.
func TestNewScopeRegistry(t *testing.T) {
	t.Run("known scopes are known, others are not", func(t *testing.T) {
		r, err := NewScopeRegistry("products:read", "orders:write", "products:write")
		require.NoError(t, err)
		assert.True(t, r.Known("products:read"))
		assert.True(t, r.Known("orders:write"))
		assert.False(t, r.Known("orders:read"))
		assert.False(t, r.Known(""))
		assert.False(t, r.Known("Products:read"))
		assert.Equal(t, []string{"orders:write", "products:read", "products:write"}, r.Scopes(), "Scopes is sorted")
	})

	t.Run("duplicates collapse", func(t *testing.T) {
		r, err := NewScopeRegistry("a:b", "a:b")
		require.NoError(t, err)
		assert.Equal(t, []string{"a:b"}, r.Scopes())
	})

	t.Run("an empty registry knows nothing", func(t *testing.T) {
		r, err := NewScopeRegistry()
		require.NoError(t, err)
		assert.False(t, r.Known("products:read"))
		assert.Empty(t, r.Scopes())
	})

	t.Run("more than MaxScopes scopes are allowed", func(t *testing.T) {
		var all []string
		for i := range 3 * MaxScopes {
			all = append(all, fmt.Sprintf("res%03d:read", i))
		}
		r, err := NewScopeRegistry(all...)
		require.NoError(t, err)
		assert.Len(t, r.Scopes(), 3*MaxScopes)
		assert.True(t, r.Known("res191:read"))
	})

	t.Run("bad scopes are refused by index", func(t *testing.T) {
		r, err := NewScopeRegistry("products:read", "Bad", "orders:write", "", "x:")
		assert.Nil(t, r)
		requireFields(t, err, "scopes[1]", "scopes[3]", "scopes[4]")
	})

	t.Run("Scopes returns a copy", func(t *testing.T) {
		r, err := NewScopeRegistry("a:b", "c:d")
		require.NoError(t, err)
		s := r.Scopes()
		s[0] = "z:z"
		assert.Equal(t, []string{"a:b", "c:d"}, r.Scopes())
	})

	t.Run("a nil registry knows every well-formed scope", func(t *testing.T) {
		var r *ScopeRegistry
		assert.True(t, r.Known("products:read"))
		assert.True(t, r.Known("anything:at:all"))
		assert.False(t, r.Known("Products:read"))
		assert.False(t, r.Known("products"))
		assert.Nil(t, r.Scopes())
	})
}
