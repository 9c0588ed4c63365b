package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apicred/apicred/examples/internal/demo"
)

var memory = demo.StoreConfig{SQLitePath: ":memory:"}

// newTestServer serves the dashboard's handler over SQLite in memory.
func newTestServer(t *testing.T) (srv *httptest.Server, token string) {
	t.Helper()
	b, err := demo.Open(t.Context(), memory)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	token = demo.NewAdminToken()
	h, err := newHandler(b.Manager, token, demo.Tenant)
	require.NoError(t, err)
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, token
}

func get(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestPageIsServedWithStrictHeaders(t *testing.T) {
	srv, token := newTestServer(t)
	resp, body := get(t, srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, contentSecurityPolicy, resp.Header.Get("Content-Security-Policy"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
	assert.Contains(t, body, `data-tenant="brand-42"`)
	assert.Contains(t, body, `data-lock-window="72 hours"`)
	assert.NotContains(t, body, token, "the page itself never carries the token")
	assert.NotRegexp(t, regexp.MustCompile(`<script>|<script [^>]*>[^<]`), body, "no inline script")
	assert.NotContains(t, body, "https://", "nothing from other sites")

	for path, typ := range map[string]string{"/static/app.js": "javascript", "/static/app.css": "text/css", "/static/favicon.svg": "image/svg+xml"} {
		resp, body := get(t, srv.URL+path, nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, resp.Header.Get("Content-Type"), typ, path)
		assert.NotEmpty(t, body, path)
	}
	resp, _ = get(t, srv.URL+"/nowhere", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestScriptNeverUsesBrowserStorage(t *testing.T) {
	js, err := web.ReadFile("web/static/app.js")
	require.NoError(t, err)
	var code strings.Builder // the script without its comment lines
	for line := range strings.Lines(string(js)) {
		if !strings.HasPrefix(strings.TrimSpace(line), "//") {
			code.WriteString(line)
		}
	}
	for _, banned := range []string{"localStorage", "sessionStorage", "document.cookie", "indexedDB", "innerHTML", "eval("} {
		assert.False(t, strings.Contains(code.String(), banned), "app.js uses %s", banned)
	}
}

func TestManagementAPINeedsTheAdminToken(t *testing.T) {
	srv, token := newTestServer(t)
	list := srv.URL + "/admin/tenants/brand-42/credentials"
	resp, _ := get(t, list, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no token")
	resp, _ = get(t, list, http.Header{"Authorization": {"Bearer " + token + "x"}})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a wrong token")
	resp, body := get(t, list, http.Header{"Authorization": {"Bearer " + token}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the token")
	assert.JSONEq(t, `{"credentials":[],"next_cursor":""}`, body)
}

func TestExampleAPINeedsClientCredentials(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, _ := get(t, srv.URL+"/v1/products", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
}

func TestRunPrintsTheAddressWithTheTokenAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, config{addr: "127.0.0.1:0", store: memory, tenant: "brand-7"}, out) }()

	addr := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/#token=(demo_admin_\w+)`)
	require.Eventually(t, func() bool { return addr.MatchString(out.String()) }, 10*time.Second, 20*time.Millisecond)
	m := addr.FindStringSubmatch(out.String())
	resp, body := get(t, m[1]+"/", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `data-tenant="brand-7"`)
	resp, _ = get(t, m[1]+"/admin/tenants/brand-7/credentials", http.Header{"Authorization": {"Bearer " + m[2]}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the printed token opens the management API")

	cancel() // what SIGINT and SIGTERM do through signal.NotifyContext
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop within 10s")
	}
	assert.True(t, strings.HasSuffix(out.String(), "stopped.\n"))
}

func TestRunRefusesABadTenant(t *testing.T) {
	err := run(t.Context(), config{addr: "127.0.0.1:0", store: memory, tenant: " padded "}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-tenant")
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		72 * time.Hour:          "72 hours",
		time.Hour:               "1 hour",
		90 * time.Minute:        "90 minutes",
		1500 * time.Millisecond: "1.5s",
	} {
		assert.Equal(t, want, humanDuration(d), d.String())
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
