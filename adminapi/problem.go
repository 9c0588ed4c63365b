package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
)

// The problem codes: the stable, machine-readable "code" of every problem
// body, also the last segment of its "type" URI.
const (
	codeValidation           = "validation_failed"
	codeNotFound             = "not_found"
	codeExpiryLocked         = "expiry_locked"
	codeExpired              = "credential_expired"
	codeRevoked              = "credential_revoked"
	codeAlreadyRevoked       = "already_revoked"
	codeConflict             = "conflict"
	codeMalformed            = "malformed_request"
	codeTooLarge             = "request_too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeUnauthenticated      = "unauthenticated"
	codeForbidden            = "forbidden"
	codeMethodNotAllowed     = "method_not_allowed"
	codeInternal             = "internal"
)

// problemKinds gives each code its status and title.
var problemKinds = map[string]struct {
	status int
	title  string
}{
	codeValidation:           {http.StatusUnprocessableEntity, "Validation failed"},
	codeNotFound:             {http.StatusNotFound, "Not found"},
	codeExpiryLocked:         {http.StatusConflict, "Expiry locked"},
	codeExpired:              {http.StatusConflict, "Credential expired"},
	codeRevoked:              {http.StatusConflict, "Credential revoked"},
	codeAlreadyRevoked:       {http.StatusConflict, "Already revoked"},
	codeConflict:             {http.StatusConflict, "Conflict"},
	codeMalformed:            {http.StatusBadRequest, "Malformed request"},
	codeTooLarge:             {http.StatusRequestEntityTooLarge, "Request too large"},
	codeUnsupportedMediaType: {http.StatusUnsupportedMediaType, "Unsupported media type"},
	codeUnauthenticated:      {http.StatusUnauthorized, "Unauthenticated"},
	codeForbidden:            {http.StatusForbidden, "Forbidden"},
	codeMethodNotAllowed:     {http.StatusMethodNotAllowed, "Method not allowed"},
	codeInternal:             {http.StatusInternalServerError, "Internal error"},
}

// Fixed details.
const (
	detailNotFound   = "There is no credential with this ID in this tenant."
	detailNoRoute    = "There is no such resource."
	detailValidation = "The request has invalid fields; errors lists each one."
	detailInternal   = "The request could not be completed. Try again later."
)

// problem is a refusal to be answered with problem details.
type problem struct {
	code   string
	detail string
	fields []credential.FieldError
}

func problemFor(code, detail string) *problem { return &problem{code: code, detail: detail} }

// Error makes a problem an error, so that request decoding can return one.
func (p *problem) Error() string { return "adminapi: " + p.code + ": " + p.detail }

// problemBody is an RFC 9457 problem details object.
type problemBody struct {
	Type   string           `json:"type"`
	Title  string           `json:"title"`
	Status int              `json:"status"`
	Detail string           `json:"detail"`
	Code   string           `json:"code"`
	Errors []fieldErrorBody `json:"errors,omitempty"`
}

type fieldErrorBody struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// writeProblem answers p as application/problem+json.
func (h *Handler) writeProblem(w http.ResponseWriter, p *problem) {
	kind, ok := problemKinds[p.code]
	if !ok {
		p = problemFor(codeInternal, detailInternal)
		kind = problemKinds[codeInternal]
	}
	body := problemBody{
		Type:   h.cfg.problemBase + p.code,
		Title:  kind.title,
		Status: kind.status,
		Detail: p.detail,
		Code:   p.code,
	}
	for _, f := range p.fields {
		body.Errors = append(body.Errors, fieldErrorBody{Field: f.Field, Message: f.Message})
	}
	b, err := json.Marshal(body)
	if err != nil {
		// Strings and ints always marshal.
		b = []byte(`{"code":"internal","status":500}`)
	}
	b = append(b, '\n')
	hd := w.Header()
	hd.Set("Content-Type", "application/problem+json")
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(kind.status)
	_, _ = w.Write(b)
}

// refuse answers an error of the AuthorizeFunc.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, pattern string, err error) {
	switch {
	case errors.Is(err, ErrUnauthenticated):
		h.writeProblem(w, problemFor(codeUnauthenticated, "Authentication is required."))
		return
	case !errors.Is(err, ErrForbidden):
		h.cfg.logger.LogAttrs(r.Context(), slog.LevelWarn, "adminapi: authorization failed; answering 403",
			slog.String("method", r.Method), slog.String("route", pattern), slog.Any("error", err))
	}
	h.writeProblem(w, problemFor(codeForbidden, "You may not manage the credentials of this tenant."))
}

// fail answers the error of a route: a problem from decoding, or an error
// of the Manager mapped to its code. Anything unexpected is logged and
// answered 500 with a body that says nothing about it.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, pattern string, err error) {
	var p *problem
	var v *apicred.ValidationError
	switch {
	case errors.As(err, &p):
		// Already a problem: a refused request body.
	case errors.As(err, &v):
		p = &problem{code: codeValidation, detail: detailValidation, fields: v.Fields}
	case errors.Is(err, apicred.ErrNotFound):
		p = problemFor(codeNotFound, detailNotFound)
	case errors.Is(err, apicred.ErrExpiryLocked):
		p = problemFor(codeExpiryLocked, fmt.Sprintf(
			"The credential expires in %s or less: its expiry can no longer be changed or cleared.", window(h.m.ExpiryLockWindow())))
	case errors.Is(err, apicred.ErrExpired):
		p = problemFor(codeExpired, "The credential has expired: it cannot be rotated and its expiry cannot be changed.")
	case errors.Is(err, apicred.ErrAlreadyRevoked):
		p = problemFor(codeAlreadyRevoked, "The credential is already revoked.")
	case errors.Is(err, apicred.ErrRevoked):
		p = problemFor(codeRevoked, "The credential is revoked: it cannot be rotated and its expiry cannot be changed.")
	case errors.Is(err, apicred.ErrConflict):
		p = problemFor(codeConflict, "The credential was changed concurrently. Read it again and retry if the change still makes sense.")
	default:
		h.internal(w, r, pattern, err)
		return
	}
	h.writeProblem(w, p)
}

// internal logs err and answers 500.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, pattern string, err error) {
	h.cfg.logger.LogAttrs(r.Context(), slog.LevelError, "adminapi: request failed",
		slog.String("method", r.Method), slog.String("route", pattern), slog.Any("error", err))
	h.writeProblem(w, problemFor(codeInternal, detailInternal))
}

// window writes a lock window for people: "72 hours", or Go's duration
// text when it is not a whole number of hours.
func window(d time.Duration) string {
	if d > 0 && d%time.Hour == 0 {
		if d == time.Hour {
			return "1 hour"
		}
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	}
	return d.String()
}
