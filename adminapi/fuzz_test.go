package adminapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/adminapi"
	"github.com/apicred/apicred/store/memstore"
)

// FuzzCreateBody feeds arbitrary bodies and content types to the create
// route: the handler never panics, answers only 201, 400, 413, 415 or
// 422, and answers every refusal as a problem with the status's code.
func FuzzCreateBody(f *testing.F) {
	for _, seed := range []struct {
		body string
		json bool
	}{
		{`{"name":"ERP Sync","access":"full"}`, true},
		{`{"name":"Storefront","contact_email":"dev@example.com","access":"fine_grained","scopes":["products:read"],"metadata":{"team":"web"},"expires_at":"2031-01-02T15:04:05Z","environment":"test"}`, true},
		{`{"name":"n","access":"full","expires_at":null}`, true},
		{`{"name":"n","access":"full","expires_at":"2031-01-02"}`, true},
		{`{"name":"n","access":"full","expires_at":12}`, true},
		{`{"name":"n","access":"full","extra":1}`, true},
		{`{"Name":"n","access":"full"}`, true},
		{`{"name":"n","name":"m","access":"full"}`, true},
		{`{"name":"n","access":"full"} {}`, true},
		{`{"name":`, true},
		{`[]`, true},
		{`null`, true},
		{``, true},
		{`{"name":"\ud800","access":"full"}`, true},
		{"{\"name\":\"\xff\",\"access\":\"full\"}", true},
		{`{"name":"n","access":"full","metadata":{"":""}}`, true},
		{`{"scopes":[null,1,"a:b"]}`, true},
		{strings.Repeat(`{"a":`, 100), true},
		{strings.Repeat(" ", 5000), true},
		{`{"name":"n","access":"full"}`, false},
	} {
		f.Add(seed.body, seed.json)
	}
	m, err := apicred.New(memstore.New(), apicred.WithClock(func() time.Time { return t0 }))
	if err != nil {
		f.Fatal(err)
	}
	h, err := adminapi.New(m, func(*http.Request, string) (string, error) { return "fuzzer", nil }, adminapi.WithMaxBodySize(4096))
	if err != nil {
		f.Fatal(err)
	}
	codes := map[int]string{
		http.StatusBadRequest:            "malformed_request",
		http.StatusRequestEntityTooLarge: "request_too_large",
		http.StatusUnsupportedMediaType:  "unsupported_media_type",
		http.StatusUnprocessableEntity:   "validation_failed",
	}
	f.Fuzz(func(t *testing.T, body string, isJSON bool) {
		r := httptest.NewRequest(http.MethodPost, "/tenants/fuzz/credentials", strings.NewReader(body))
		if isJSON {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "text/plain")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == http.StatusCreated {
			var got struct {
				ClientSecret string `json:"client_secret"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.ClientSecret == "" {
				t.Fatalf("201 without a one-time body: %v", err)
			}
			return
		}
		want, ok := codes[w.Code]
		if !ok {
			t.Fatalf("status %d for body %q; body: %s", w.Code, body, w.Body)
		}
		var p struct {
			Code string `json:"code"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Code != want {
			t.Fatalf("status %d with code %q (%v); want %q", w.Code, p.Code, err, want)
		}
	})
}
