package demo

import (
	"encoding/json"
	"net/http"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/middleware"
)

// Product is one item of the example API's catalogue.
type Product struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
	Currency   string `json:"currency"`
}

// catalogue is what GET /v1/products lists to every tenant.
var catalogue = []Product{
	{SKU: "TB-1001", Name: "Linen tieback, natural", PriceCents: 1499, Currency: "EUR"},
	{SKU: "TB-1002", Name: "Velvet tieback, forest green", PriceCents: 1999, Currency: "EUR"},
	{SKU: "TB-2001", Name: "Brass holdback hook (pair)", PriceCents: 2450, Currency: "EUR"},
}

// ProductList is the body of GET /v1/products: who called, and the
// products.
type ProductList struct {
	TenantID string    `json:"tenant_id"`
	ClientID string    `json:"client_id"`
	Products []Product `json:"products"`
}

// MountProducts registers the example protected API on mux:
// GET /v1/products, authenticated with HTTP Basic client credentials by
// package middleware and requiring the scope [ProductsRead].
func MountProducts(mux *http.ServeMux, m *apicred.Manager) error {
	auth, err := middleware.New(m, middleware.WithRealm("demo-api"))
	if err != nil {
		return err
	}
	list := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := middleware.PrincipalFrom(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(ProductList{TenantID: p.TenantID, ClientID: p.ClientID, Products: catalogue})
	})
	mux.Handle("GET /v1/products", auth.Handler(auth.RequireScopes(ProductsRead)(list)))
	return nil
}
