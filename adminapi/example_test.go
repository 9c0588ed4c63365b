package adminapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/store/memstore"
)

// Mount the management API under /admin/, behind the service's own check:
// here a fixed admin token that may manage every tenant.
func Example() {
	m, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	authorize := func(r *http.Request, tenantID string) (string, error) {
		if r.Header.Get("Authorization") != "Bearer demo-admin-token" {
			return "", adminapi.ErrUnauthenticated
		}
		return "admin@example.com", nil
	}
	h, err := adminapi.New(m, authorize)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", h))

	send := func(method, target, body, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	w := send(http.MethodPost, "/admin/tenants/brand-42/credentials",
		`{"name":"ERP Sync","access":"fine_grained","scopes":["products:read"]}`, "demo-admin-token")
	var created struct {
		Credential struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"credential"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil {
		log.Fatal(err)
	}
	fmt.Println("create:", w.Code, w.Header().Get("Cache-Control"), created.Credential.State)
	fmt.Println("secret shown once:", strings.HasPrefix(created.ClientSecret, "ms_live_"))

	credential := "/admin/tenants/brand-42/credentials/" + created.Credential.ID
	w = send(http.MethodGet, credential, "", "demo-admin-token")
	fmt.Println("get:", w.Code, "holds the secret:", strings.Contains(w.Body.String(), created.ClientSecret))

	w = send(http.MethodPost, credential+"/revoke", `{}`, "demo-admin-token")
	fmt.Println("revoke without a reason:", w.Code, w.Header().Get("Content-Type"))

	w = send(http.MethodPost, credential+"/revoke", `{"reason":"no longer used"}`, "demo-admin-token")
	fmt.Println("revoke:", w.Code)

	w = send(http.MethodGet, "/admin/tenants/brand-42/credentials", "", "")
	fmt.Println("without the token:", w.Code)
	// Output:
	// create: 201 no-store active
	// secret shown once: true
	// get: 200 holds the secret: false
	// revoke without a reason: 422 application/problem+json
	// revoke: 200
	// without the token: 401
}

// New refuses to build a management API without an authorization function.
func ExampleNew() {
	m, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	_, err = adminapi.New(m, nil)
	fmt.Println(errors.Is(err, adminapi.ErrNoAuthorizer))
	// Output:
	// true
}
