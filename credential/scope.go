package credential

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ValidScope reports whether s is a well-formed scope: two or more segments
// joined by ':' (such as "products:read" or "orders:items:write"), each
// segment starting with a lowercase letter and continuing with lowercase
// letters, digits, '_', '-' or '.', at most MaxScopeLen bytes in all.
func ValidScope(s string) bool {
	if len(s) == 0 || len(s) > MaxScopeLen {
		return false
	}
	segments := 0
	for seg := range strings.SplitSeq(s, ":") {
		if seg == "" || seg[0] < 'a' || seg[0] > 'z' {
			return false
		}
		for i := 1; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
				return false
			}
		}
		segments++
	}
	return segments >= 2
}

// ScopeRegistry is the set of scopes a service knows. Given to a Manager,
// it makes every other scope a validation error (rule R13). A nil
// *ScopeRegistry accepts every well-formed scope.
type ScopeRegistry struct {
	known map[string]struct{}
}

// NewScopeRegistry returns a registry of scopes. Every scope must be
// well-formed ([ValidScope]); a bad one gives a [*ValidationError] naming it
// by index.
func NewScopeRegistry(scopes ...string) (*ScopeRegistry, error) {
	var v ValidationError
	r := &ScopeRegistry{known: make(map[string]struct{}, len(scopes))}
	for i, s := range scopes {
		if !ValidScope(s) {
			v.Add(fmt.Sprintf("scopes[%d]", i), `must look like "resource:action" in lowercase letters, digits, '_', '-' and '.'`)
		}
		r.known[s] = struct{}{}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// Known reports whether scope is in the registry; a nil registry knows
// every well-formed scope.
func (r *ScopeRegistry) Known(scope string) bool {
	if r == nil {
		return ValidScope(scope)
	}
	_, ok := r.known[scope]
	return ok
}

// Scopes returns the registry's scopes in sorted order; nil for a nil
// registry.
func (r *ScopeRegistry) Scopes() []string {
	if r == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(r.known))
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
