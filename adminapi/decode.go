package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apicred/apicred/credential"
)

// Request bodies.

type createRequest struct {
	Name         string            `json:"name"`
	ContactEmail string            `json:"contact_email"`
	Access       string            `json:"access"`
	Scopes       []string          `json:"scopes"`
	Metadata     map[string]string `json:"metadata"`
	ExpiresAt    optionalTime      `json:"expires_at"`
	Environment  string            `json:"environment"`
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

type expiryRequest struct {
	ExpiresAt optionalTime `json:"expires_at"`
	Reason    string       `json:"reason"`
}

// optionalTime is a JSON time that may be absent, null or an RFC 3339
// string. A string that is not an RFC 3339 time decodes without error and
// is marked invalid, so that it is answered as a bad field (422) rather
// than as a malformed body; a value of another JSON type is a type error.
//
// The instant 0001-01-01T00:00:00Z is a valid RFC 3339 time, but it is
// also Go's zero time, which the Manager reads as "no expiry": it is
// marked zero so that it is refused as a past date rather than taken for
// null.
type optionalTime struct {
	present bool
	invalid bool
	zero    bool
	t       time.Time
}

func (o *optionalTime) UnmarshalJSON(b []byte) error {
	o.present = true
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[optionalTime]()}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		o.invalid = true
		return nil
	}
	o.t, o.zero = t, t.IsZero()
	return nil
}

// check returns the 422 of a present expires_at that cannot be used: not
// an RFC 3339 time, or the zero instant.
func (o *optionalTime) check() error {
	switch {
	case o.invalid:
		return invalidTime()
	case o.zero:
		return &problem{code: codeValidation, detail: detailValidation, fields: []credential.FieldError{{
			Field: "expires_at", Message: "must be in the future",
		}}}
	}
	return nil
}

// invalidTime is the 422 of an expires_at that is not an RFC 3339 time.
func invalidTime() *problem {
	return &problem{code: codeValidation, detail: detailValidation, fields: []credential.FieldError{{
		Field:   "expires_at",
		Message: "must be an RFC 3339 date-time such as 2030-01-02T15:04:05Z, or null",
	}}}
}

// decodeBody reads the request body into dst, a pointer to one of the
// request structs, strictly: the media type must be application/json
// (415), the body at most the configured size (413), and it must be a
// single JSON object of valid UTF-8 whose fields are all known, each once,
// with the right types (400). An empty body counts as {}.
func (h *Handler) decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	contentType := r.Header.Get("Content-Type")
	if contentType != "" && !isJSONMediaType(contentType) {
		return problemFor(codeUnsupportedMediaType, "Request bodies must be sent with Content-Type: application/json.")
	}
	if r.ContentLength > h.cfg.maxBody {
		return h.tooLarge()
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return h.tooLarge()
			}
			return malformed("The request body could not be read.")
		}
	}
	if len(body) == 0 {
		return nil
	}
	if contentType == "" {
		return problemFor(codeUnsupportedMediaType, "A request body needs Content-Type: application/json.")
	}
	if !utf8.Valid(body) {
		return malformed("The request body is not valid UTF-8.")
	}
	fields := fieldsOf(reflect.TypeOf(dst).Elem())
	if err := checkObject(body, fields); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			// te.Field is the top-level field; te.Type may be the type of
			// one of its elements. The detail names the field's type.
			want := te.Type
			if ft, ok := fields[te.Field]; ok {
				want = ft
			}
			return malformed(fmt.Sprintf("The field %q must be %s; it holds %s.", te.Field, typeName(want), kindWithArticle(te.Value)))
		}
		// checkObject has seen valid JSON with known fields only.
		return malformed("The request body is not a valid request.")
	}
	return nil
}

func (h *Handler) tooLarge() *problem {
	return problemFor(codeTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", h.cfg.maxBody))
}

func malformed(detail string) *problem { return problemFor(codeMalformed, detail) }

// isJSONMediaType reports whether a Content-Type is application/json, in
// UTF-8 if a charset is given.
func isJSONMediaType(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// checkObject checks that body is exactly one JSON object whose top-level
// field names are all in fields, matched exactly (encoding/json would
// otherwise accept "NAME" for "name"), and each given once.
func checkObject(body []byte, fields map[string]reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return malformed("The request body must be a JSON object.")
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxProblem(err)
		}
		name, _ := tok.(string)
		if _, ok := fields[name]; !ok {
			if !looksLikeFieldName(name) {
				return malformed("The request body has an unknown field.")
			}
			return malformed(fmt.Sprintf("The request body has the unknown field %q.", name))
		}
		if seen[name] {
			return malformed(fmt.Sprintf("The request body has the field %q more than once.", name))
		}
		seen[name] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return syntaxProblem(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("The request body has data after the JSON object.")
	}
	return nil
}

func syntaxProblem(err error) *problem {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return malformed(fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return malformed("The request body ends before its JSON is complete.")
	}
	return malformed("The request body is not valid JSON.")
}

// looksLikeFieldName reports whether an unknown field's name may be
// repeated in an answer: 1 to 32 lowercase ASCII letters, digits or '_'.
// Anything else is the client's arbitrary text, possibly a secret pasted in
// the wrong place, and is not echoed.
func looksLikeFieldName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// kindWithArticle names the JSON kind of an UnmarshalTypeError's Value
// ("a number" for "number 12"): the detail names the kind, never the value.
func kindWithArticle(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "object", "array":
		return "an " + kind
	case "":
		return "another type"
	}
	return "a " + kind
}

// jsonKind names the JSON type of a valid JSON value.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "empty"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// typeName says what a Go type of a request struct is in JSON.
func typeName(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	switch {
	case t == reflect.TypeFor[optionalTime]():
		return "an RFC 3339 date-time string or null"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "a list of strings"
	case t.Kind() == reflect.Map:
		return "an object of strings"
	}
	return "of another type"
}

// fieldsOf returns the JSON field names of a request struct type, with
// their Go types.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type
