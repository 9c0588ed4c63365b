package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"
)

// Scopes and metadata are stored as JSON text (an array of strings, an
// object of strings), NULL when the slice or map is nil, so that nil and
// empty round-trip as themselves. JSON text is the one representation all
// three engines store and return unchanged without extensions (PostgreSQL's
// jsonb would reorder and normalise, MariaDB's JSON is LONGTEXT anyway), and
// the store never queries inside them: a side table would cost a join or a
// second query on the hot path for no use.

// stringsArg encodes scopes.
func stringsArg(s []string) (any, error) {
	if s == nil {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// mapArg encodes metadata.
func mapArg(m map[string]string) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// decodeStrings decodes stored scopes. Scopes are plain ASCII, so the
// common case takes a fast path that slices the text without copying;
// anything with an escape goes through encoding/json.
func decodeStrings(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	if out, ok := fastStrings(v.String); ok {
		return out, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v.String), &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// decodeMap decodes stored metadata, with the same fast path as
// decodeStrings.
func decodeMap(v sql.NullString) (map[string]string, error) {
	if !v.Valid {
		return nil, nil
	}
	if out, ok := fastMap(v.String); ok {
		return out, nil
	}
	out := map[string]string{}
	if err := json.Unmarshal([]byte(v.String), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// fastStrings decodes a compact JSON array of strings without escapes, as
// json.Marshal writes it. It reports false for anything else.
func fastStrings(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	out := make([]string, 0, strings.Count(body, `","`)+1)
	for len(body) > 0 {
		str, rest, ok := fastString(body)
		if !ok {
			return nil, false
		}
		out = append(out, str)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, false
		}
		body = rest[1:]
		if body == "" {
			return nil, false
		}
	}
	return out, true
}

// fastMap decodes a compact JSON object of strings without escapes.
func fastMap(s string) (map[string]string, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	out := make(map[string]string, strings.Count(body, `":"`))
	for len(body) > 0 {
		k, rest, ok := fastString(body)
		if !ok || rest == "" || rest[0] != ':' {
			return nil, false
		}
		v, rest, ok := fastString(rest[1:])
		if !ok {
			return nil, false
		}
		if _, dup := out[k]; dup {
			return nil, false
		}
		out[k] = v
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, false
		}
		body = rest[1:]
		if body == "" {
			return nil, false
		}
	}
	return out, true
}

// fastString reads one JSON string at the start of s that holds no escape
// sequence and no control character, returning it and the rest.
func fastString(s string) (str, rest string, ok bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], s[i+1:], true
		case c == '\\' || c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}
