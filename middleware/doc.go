// Package middleware authenticates HTTP requests with apicred client
// credentials (rule R18): it reads a client ID and secret from each request,
// checks them with an [Authenticator] (such as *apicred.Manager), puts the
// authenticated [credential.Principal] in the request context, and answers
// refused requests the standard way.
//
//	auth, err := middleware.New(manager, middleware.WithRealm("orders-api"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux := http.NewServeMux()
//	mux.Handle("GET /orders", auth.RequireScopes("orders:read")(listOrders))
//	log.Fatal(http.ListenAndServe(addr, auth.Handler(mux)))
//
// [Middleware.Handler] has the standard func(http.Handler) http.Handler
// shape as a method value, so it plugs into net/http's ServeMux, chi,
// gorilla/mux and anything else that takes handlers.
//
// # Credentials
//
// By default the client ID and secret come from HTTP Basic authentication
// (RFC 7617): "Authorization: Basic base64(client_id:client_secret)".
// [WithHeaderPair] reads them from two headers instead, [WithExtractor] from
// anywhere a function can find them, and [WithInsecureQueryParams] from the
// query string, which only an explicit opt-in allows because URLs end up in
// logs.
//
// A client ID longer than [MaxClientIDLen] bytes, a secret longer than
// [MaxSecretLen] bytes, an empty one, or a header that cannot be parsed is
// malformed and refused like any other failure, before the Authenticator is
// called. [WithFormat] also refuses, before any store lookup, a client ID or
// secret that does not have the credential layout, or a secret whose
// checksum does not match (*apicred.Manager does both checks itself).
//
// The Basic parser allocates nothing: it decodes into a pooled buffer that
// is cleared after every request, so the secret outlives the request in no
// buffer of this package. It gives the results of [http.Request.BasicAuth]
// (a fuzz test compares the two) with two deliberate differences: values
// beyond the length caps are refused, and a request with more than one
// Authorization header is refused instead of having its first one read.
//
// # Answers
//
// Every refusal goes through a [Responder]; the default, [WriteProblem],
// writes an RFC 9457 application/problem+json body and
// "Cache-Control: no-store". The answers are:
//
//	situation                                        status  WWW-Authenticate
//	no credentials, malformed header, bad checksum,  401     Basic realm="…", charset="UTF-8"
//	  unknown client, wrong or rotated-away secret,
//	  expired, revoked (one identical answer, R2)
//	authenticated, a required scope missing          403     Basic realm="…", charset="UTF-8",
//	                                                           error="insufficient_scope", scope="…"
//	authenticated, route of another tenant           403     (none)
//	the Authenticator failed (store down, timeout)   503     (none)
//	scope or tenant check without authentication     401     Basic realm="…", charset="UTF-8"
//
// A malformed Authorization header is a 401 like every other failure, not a
// 400, so that the answer never tells a malformed credential from a wrong
// one. The 401 body is the same for every cause; the 403 body of a scope
// check names the scopes that would have been accepted, never the
// credential's own. A tenant mismatch is a 403 rather than a 404: the guard
// decides before any lookup and answers the same for every foreign tenant,
// existing or not, so it reveals nothing; a [Responder] may answer 404
// instead.
//
// An authentication failure is an error matching
// [credential.ErrAuthenticationFailed]. Any other error from the
// Authenticator is an infrastructure failure (the store is down, a query
// timed out, the context was cancelled) and is answered 503, never 401: a
// database outage must not look like a bad key to the client, nor be logged
// as one.
//
// # Scopes and tenants
//
// [Middleware.RequireScopes] (every one of) and [Middleware.RequireAnyScope]
// (at least one of) wrap handlers behind the authentication; a credential
// with [credential.AccessFull] passes every scope check.
// [Middleware.TenantGuard] refuses a request whose route names a tenant
// other than the principal's. Handlers read the principal with
// [PrincipalFrom].
//
// # Observability
//
// An optional [Observer] ([WithObserver]) sees every decision as an
// [Outcome]: the [Result], the precise [credential.FailureReason] that the
// client is never told, the client ID, the latency, and the error of an
// infrastructure failure; never the secret. [SlogObserver] logs outcomes
// with log/slog. Without an observer, no clock is read and nothing is
// computed for it.
//
// # Cost
//
// With the Basic extractor, a request that authenticates costs three
// allocations here: the client ID string, the request copy made by
// [http.Request.WithContext], and one context value holding the principal.
// Header pair extraction saves the first.
package middleware
