package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/examples/internal/demo"
)

// web holds the page template and the static files, embedded so that the
// binary needs nothing beside it.
//
//go:embed web/index.html.tmpl web/static
var web embed.FS

// apiBase is where the management API is mounted, as the page sees it.
const apiBase = "/admin"

// contentSecurityPolicy admits only this server's own scripts, styles and
// API: no inline script, no other site, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// pageData is what the template renders into the page.
type pageData struct {
	Tenant        string
	APIBase       string
	LockWindow    string
	ProductsScope string
}

// newHandler returns the dashboard's handler: the page at /, its static
// files under /static/, the management API under /admin/ behind
// adminToken, and the example API at /v1/products.
func newHandler(m *apicred.Manager, adminToken, tenant string) (http.Handler, error) {
	admin, err := adminapi.New(m, demo.Authorizer(adminToken))
	if err != nil {
		return nil, err
	}
	tmpl, err := template.ParseFS(web, "web/index.html.tmpl")
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	data := pageData{Tenant: tenant, APIBase: apiBase, LockWindow: humanDuration(m.ExpiryLockWindow()), ProductsScope: demo.ProductsRead}
	if err := tmpl.Execute(&page, data); err != nil {
		return nil, err
	}
	static, err := fs.Sub(web, "web")
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	pageBytes := page.Bytes()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(pageBytes)
	})
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	mux.Handle(apiBase+"/", http.StripPrefix(apiBase, admin))
	if err := demo.MountProducts(mux, m); err != nil {
		return nil, err
	}
	return securityHeaders(mux), nil
}

// securityHeaders sets the headers every answer of the dashboard carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// humanDuration writes a lock window for people: "72 hours".
func humanDuration(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minutes"
	default:
		return fmt.Sprint(d)
	}
}
