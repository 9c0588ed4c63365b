// Package adminapi is the back end of a "Settings → API Credentials" page:
// an [http.Handler] that exposes a JSON management API over an
// [*apicred.Manager]. It creates, lists, reads, rotates and revokes
// credentials, edits their expiry and lists their audit events, each scoped
// by tenant (the brand ID in the product documents).
//
// # Mounting
//
// [New] returns a [*Handler] whose routes are relative to wherever it is
// mounted, so that it fits under any prefix with [http.StripPrefix]:
//
//	h, err := adminapi.New(manager, authorize)
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux.Handle("/admin/", http.StripPrefix("/admin", h))
//
// The routes, relative to the mount point, are:
//
//	POST /tenants/{tenant}/credentials                  create (201, one-time secret)
//	GET  /tenants/{tenant}/credentials?cursor=&limit=   list
//	GET  /tenants/{tenant}/credentials/{id}             get
//	POST /tenants/{tenant}/credentials/{id}/rotate      rotate (one-time secret)
//	POST /tenants/{tenant}/credentials/{id}/revoke      revoke (reason required)
//	PUT  /tenants/{tenant}/credentials/{id}/expiry      set or clear the expiry
//	GET  /tenants/{tenant}/credentials/{id}/events      a credential's audit events
//	GET  /tenants/{tenant}/events                       a tenant's audit events
//	GET  /scopes                                        the known scopes
//	GET  /openapi.json                                  the OpenAPI 3.1 document
//
// The OpenAPI document served at /openapi.json describes every route, body
// and problem in full. Request bodies are JSON objects sent with
// "Content-Type: application/json", at most 64 KiB by default
// ([WithMaxBodySize]); an empty body counts as {}. Unknown fields,
// duplicate fields, trailing data and wrong types are refused. Times are
// RFC 3339 in UTC with microseconds, and null when absent. Every response
// carries "Cache-Control: no-store".
//
// # Authorization
//
// The handler authenticates no one itself. The service passes an
// [AuthorizeFunc] to [New], which refuses a nil one with [ErrNoAuthorizer]:
// a management API cannot be mounted open by accident. The function is
// called with the request and the tenant ID of the path before anything
// else happens on every route that has a tenant, and returns the actor
// recorded in audit events ("alice@example.com") or refuses with
// [ErrUnauthenticated] (401) or [ErrForbidden] (403; any other error is a
// 403 too). It decides which tenants a caller may manage; the handler then
// keeps tenants apart, so that a credential of another tenant is not found.
//
// GET /scopes and GET /openapi.json have no tenant and are served without
// calling the function: they describe the API, not anyone's credentials. A
// service that wants them private too wraps the Handler in its own check.
//
// # Secrets
//
// The one-time client secret appears in exactly two responses: the 201 of
// create and the 200 of rotate, as "client_secret" and inside the ready-made
// "env_file" and "json_file" texts. Nothing else the handler answers or logs
// contains it. Hand it to its owner and drop it; a lost secret is replaced
// by rotating.
//
// # Errors
//
// Failures are RFC 9457 problem details ("application/problem+json") with a
// stable machine-readable "code":
//
//	validation_failed       422  "errors" lists every bad field and why
//	not_found               404  also another tenant's credential and an ID that is not a UUID
//	expiry_locked           409  the expiry is inside the lock window (72 hours by default)
//	credential_expired      409  an expired credential cannot be rotated or have its expiry edited
//	credential_revoked      409  a revoked credential cannot be rotated or have its expiry edited
//	already_revoked         409  a second revocation
//	conflict                409  a concurrent change won; read again and retry
//	malformed_request       400  bad JSON, unknown or duplicate fields, wrong types
//	request_too_large       413  a body over the limit
//	unsupported_media_type  415  a body that is not application/json
//	unauthenticated         401  the AuthorizeFunc returned ErrUnauthenticated
//	forbidden               403  the AuthorizeFunc refused otherwise
//	method_not_allowed      405  with an Allow header
//	internal                500  a store failure; the body says nothing more
//
// The "type" of a problem is a URI ending in its code, under
// https://apicred.dev/problems/ unless [WithProblemTypeBase] says otherwise.
// Internal errors are logged through the [*slog.Logger] given with
// [WithLogger] (slog.Default otherwise), with the method and the route
// pattern, never a request body or a secret.
package adminapi
