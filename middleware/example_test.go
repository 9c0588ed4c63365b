package middleware_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/apicred/apicred/store/memstore"
)

// issue makes a Manager over a memory store and issues one credential, as
// a service does from its settings page.
func issue(access credential.Access, scopes ...string) (*apicred.Manager, apicred.Issued) {
	manager, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	issued, err := manager.Issue(context.Background(), apicred.IssueRequest{
		TenantID: "brand-42",
		Name:     "ERP Sync",
		Access:   access,
		Scopes:   scopes,
		Actor:    "admin@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	return manager, issued
}

// show sends a request to h and prints the answer.
func show(h http.Handler, req *http.Request) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(req.Method, req.URL.Path, rec.Code)
	if c := rec.Header().Get("WWW-Authenticate"); c != "" {
		fmt.Println("  WWW-Authenticate:", c)
	}
	fmt.Println(" ", rec.Body.String())
}

func ExampleMiddleware_Handler() {
	manager, issued := issue(credential.AccessFineGrained, "orders:read")

	auth, err := middleware.New(manager, middleware.WithRealm("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /orders", auth.RequireScopes("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := middleware.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "the orders of %s", p.TenantID)
	})))
	mux.Handle("POST /orders", auth.RequireScopes("orders:write")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})))
	handler := auth.Handler(mux)

	show(handler, httptest.NewRequest(http.MethodGet, "/orders", nil))

	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.SetBasicAuth(issued.ClientID, issued.Secret.Reveal())
	show(handler, req)

	req = httptest.NewRequest(http.MethodPost, "/orders", nil)
	req.SetBasicAuth(issued.ClientID, issued.Secret.Reveal())
	show(handler, req)

	req = httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.SetBasicAuth(issued.ClientID, "ms_live_not-the-secret")
	show(handler, req)
	// Output:
	// GET /orders 401
	//   WWW-Authenticate: Basic realm="orders-api", charset="UTF-8"
	//   {"type":"about:blank","title":"Unauthorized","status":401,"detail":"Valid client credentials are required."}
	// GET /orders 200
	//   the orders of brand-42
	// POST /orders 403
	//   WWW-Authenticate: Basic realm="orders-api", charset="UTF-8", error="insufficient_scope", scope="orders:write"
	//   {"type":"about:blank","title":"Forbidden","status":403,"detail":"The credential does not grant the scopes this request requires.","required_scopes":["orders:write"]}
	// GET /orders 401
	//   WWW-Authenticate: Basic realm="orders-api", charset="UTF-8"
	//   {"type":"about:blank","title":"Unauthorized","status":401,"detail":"Valid client credentials are required."}
}

func ExampleMiddleware_TenantGuard() {
	manager, issued := issue(credential.AccessFull)

	auth, err := middleware.New(manager)
	if err != nil {
		log.Fatal(err)
	}
	sameTenant := auth.TenantGuard(func(r *http.Request) string { return r.PathValue("tenant") })
	mux := http.NewServeMux()
	mux.Handle("GET /brands/{tenant}/products", sameTenant(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "the products of %s", r.PathValue("tenant"))
	})))
	handler := auth.Handler(mux)

	for _, path := range []string{"/brands/brand-42/products", "/brands/brand-7/products"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.SetBasicAuth(issued.ClientID, issued.Secret.Reveal())
		show(handler, req)
	}
	// Output:
	// GET /brands/brand-42/products 200
	//   the products of brand-42
	// GET /brands/brand-7/products 403
	//   {"type":"about:blank","title":"Forbidden","status":403,"detail":"The credential may not access this tenant."}
}

func ExampleWithHeaderPair() {
	manager, issued := issue(credential.AccessFull)

	auth, err := middleware.New(manager, middleware.WithHeaderPair("X-Client-ID", "X-Client-Secret"))
	if err != nil {
		log.Fatal(err)
	}
	handler := auth.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := middleware.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello, %s credential of %s", p.Access, p.TenantID)
	}))

	req := httptest.NewRequest(http.MethodGet, "/hello", nil)
	req.Header.Set("X-Client-ID", issued.ClientID)
	req.Header.Set("X-Client-Secret", issued.Secret.Reveal())
	show(handler, req)
	// Output:
	// GET /hello 200
	//   hello, full credential of brand-42
}

func ExampleSlogObserver() {
	manager, issued := issue(credential.AccessFineGrained, "orders:read")
	_, err := manager.Revoke(context.Background(), apicred.RevokeRequest{
		TenantID: issued.Credential.TenantID,
		ID:       issued.Credential.ID,
		Actor:    "admin@example.com",
		Reason:   "laptop stolen",
	})
	if err != nil {
		log.Fatal(err)
	}

	// Keep the example's output stable: drop the time, the random IDs and
	// the latency.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "client_id", "latency":
				return slog.Attr{}
			}
			return a
		},
	}))
	auth, err := middleware.New(manager, middleware.WithObserver(middleware.SlogObserver(logger)))
	if err != nil {
		log.Fatal(err)
	}
	handler := auth.Handler(http.NotFoundHandler())

	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.SetBasicAuth(issued.ClientID, issued.Secret.Reveal())
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// level=WARN msg="apicred: authentication failed" result=failed reason=revoked
	// 401
}
