package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/examples/internal/demo"
)

// app is the quickstart's server: the management API under /admin/ and
// the example API at /v1/products, over one Manager.
type app struct {
	backend *demo.Backend
	token   string
	handler http.Handler
}

// newApp opens the store and builds the handler, with a new demo admin
// token.
func newApp(ctx context.Context, sc demo.StoreConfig) (*app, error) {
	b, err := demo.Open(ctx, sc)
	if err != nil {
		return nil, err
	}
	a := &app{backend: b, token: demo.NewAdminToken()}
	admin, err := adminapi.New(b.Manager, demo.Authorizer(a.token))
	if err != nil {
		b.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", admin))
	if err := demo.MountProducts(mux, b.Manager); err != nil {
		b.Close()
		return nil, err
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "apicred quickstart\n\n"+
			"management API: /admin/ (Authorization: Bearer <the admin token printed at start>; OpenAPI at /admin/openapi.json)\n"+
			"example API:    GET /v1/products (HTTP Basic client ID and secret, scope products:read)\n")
	})
	a.handler = mux
	return a, nil
}

func (a *app) close() { a.backend.Close() }
