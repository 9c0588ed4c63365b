package adminapi

import (
	"net/http"
	"strconv"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
)

// create issues a credential: POST /tenants/{tenant}/credentials.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, c call) error {
	var req createRequest
	if err := h.decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := req.ExpiresAt.check(); err != nil {
		return err
	}
	is, err := h.m.Issue(r.Context(), apicred.IssueRequest{
		TenantID:     c.tenant,
		Name:         req.Name,
		ContactEmail: req.ContactEmail,
		Access:       credential.Access(req.Access),
		Scopes:       req.Scopes,
		Metadata:     req.Metadata,
		ExpiresAt:    req.ExpiresAt.t,
		Environment:  credential.Environment(req.Environment),
		Actor:        c.actor,
	})
	if err != nil {
		return err
	}
	body, err := h.oneTimeJSON(&is, h.m.Now())
	if err != nil {
		return err
	}
	// Relative to the request's URL, whatever the mount prefix.
	w.Header().Set("Location", "credentials/"+is.Credential.ID.String())
	return writeJSON(w, http.StatusCreated, body)
}

// list lists a tenant's credentials: GET /tenants/{tenant}/credentials.
func (h *Handler) list(w http.ResponseWriter, r *http.Request, c call) error {
	page, err := h.m.List(r.Context(), c.tenant, pageRequest(r))
	if err != nil {
		return err
	}
	now := h.m.Now()
	body := credentialPageBody{Credentials: make([]credentialBody, len(page.Credentials)), NextCursor: page.NextCursor}
	for i := range page.Credentials {
		body.Credentials[i] = h.credentialJSON(&page.Credentials[i], now)
	}
	return writeJSON(w, http.StatusOK, body)
}

// get reads a credential: GET /tenants/{tenant}/credentials/{id}.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, c call) error {
	cred, err := h.m.Get(r.Context(), c.tenant, c.id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.credentialJSON(&cred, h.m.Now()))
}

// rotate replaces a secret: POST /tenants/{tenant}/credentials/{id}/rotate.
func (h *Handler) rotate(w http.ResponseWriter, r *http.Request, c call) error {
	var req reasonRequest
	if err := h.decodeBody(w, r, &req); err != nil {
		return err
	}
	is, err := h.m.Rotate(r.Context(), apicred.RotateRequest{TenantID: c.tenant, ID: c.id, Actor: c.actor, Reason: req.Reason})
	if err != nil {
		return err
	}
	body, err := h.oneTimeJSON(&is, h.m.Now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, body)
}

// revoke ends a credential: POST /tenants/{tenant}/credentials/{id}/revoke.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request, c call) error {
	var req reasonRequest
	if err := h.decodeBody(w, r, &req); err != nil {
		return err
	}
	cred, err := h.m.Revoke(r.Context(), apicred.RevokeRequest{TenantID: c.tenant, ID: c.id, Actor: c.actor, Reason: req.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.credentialJSON(&cred, h.m.Now()))
}

// setExpiry sets or clears an expiry: PUT
// /tenants/{tenant}/credentials/{id}/expiry. The expires_at field is
// required, so that an empty body cannot clear an expiry by accident; null
// clears it.
func (h *Handler) setExpiry(w http.ResponseWriter, r *http.Request, c call) error {
	var req expiryRequest
	if err := h.decodeBody(w, r, &req); err != nil {
		return err
	}
	if !req.ExpiresAt.present {
		return &problem{code: codeValidation, detail: detailValidation, fields: []credential.FieldError{{
			Field:   "expires_at",
			Message: "is required: an RFC 3339 date-time, or null to clear the expiry",
		}}}
	}
	if err := req.ExpiresAt.check(); err != nil {
		return err
	}
	cred, err := h.m.SetExpiry(r.Context(), apicred.ExpiryRequest{
		TenantID: c.tenant, ID: c.id, ExpiresAt: req.ExpiresAt.t, Actor: c.actor, Reason: req.Reason,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.credentialJSON(&cred, h.m.Now()))
}

// credentialEvents lists a credential's audit events: GET
// /tenants/{tenant}/credentials/{id}/events. A credential that is not in
// the tenant is not found, rather than an empty list.
func (h *Handler) credentialEvents(w http.ResponseWriter, r *http.Request, c call) error {
	if _, err := h.m.Get(r.Context(), c.tenant, c.id); err != nil {
		return err
	}
	page, err := h.m.Events(r.Context(), apicred.EventsRequest{TenantID: c.tenant, CredentialID: c.id, PageRequest: pageRequest(r)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, eventPageJSON(page))
}

// tenantEvents lists a tenant's audit events: GET /tenants/{tenant}/events.
func (h *Handler) tenantEvents(w http.ResponseWriter, r *http.Request, c call) error {
	page, err := h.m.Events(r.Context(), apicred.EventsRequest{TenantID: c.tenant, PageRequest: pageRequest(r)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, eventPageJSON(page))
}

// scopes lists the known scopes: GET /scopes.
func (h *Handler) scopes(w http.ResponseWriter, _ *http.Request, _ call) error {
	s := h.m.KnownScopes()
	if s == nil {
		s = []string{}
	}
	return writeJSON(w, http.StatusOK, scopesBody{Scopes: s})
}

// pageRequest reads the cursor and limit query parameters. A limit that
// is not an integer is passed on as -1, which the Manager refuses as a bad
// "limit" together with any other bad field of the listing.
func pageRequest(r *http.Request) apicred.PageRequest {
	q := r.URL.Query()
	p := apicred.PageRequest{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		p.Limit = n
	}
	return p
}
