package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/apicred/apicred/examples/internal/demo"
)

// runWalkthrough serves on a free loopback port, performs the walk-through
// against it over real HTTP, and stops the server. It returns an error
// when a step does not answer as it must.
func runWalkthrough(ctx context.Context, sc demo.StoreConfig, out io.Writer) error {
	a, err := newApp(ctx, sc)
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := demo.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return err
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- demo.Serve(serveCtx, demo.NewServer(a.handler), ln) }()

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "Walk-through on %s (store: %s), tenant %s:\n", base, a.backend.Description, demo.Tenant)
	w := &walker{client: &http.Client{Timeout: 10 * time.Second}, base: base, adminToken: a.token, out: out}
	err = w.run(ctx)

	stopServing()
	if serveErr := <-served; serveErr != nil && err == nil {
		err = serveErr
	}
	if err != nil {
		fmt.Fprintln(out, "walk-through FAILED:", err)
		return err
	}
	fmt.Fprintf(out, "walk-through passed: all %d steps answered as expected.\n", w.step)
	return nil
}

// walker performs the walk-through's HTTP calls and prints each one.
type walker struct {
	client     *http.Client
	base       string
	adminToken string
	out        io.Writer
	step       int
	credID     string // shown as {id} in the printed paths
}

// oneTime is the part of the management API's one-time answer (create,
// rotate) the walk-through needs.
type oneTime struct {
	Credential struct {
		ID         string `json:"id"`
		SecretHint string `json:"secret_hint"`
	} `json:"credential"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// run performs the steps in order and stops at the first that does not
// answer as it must.
func (w *walker) run(ctx context.Context) error {
	creds := "/admin/tenants/" + demo.Tenant + "/credentials"

	var created oneTime
	if err := w.admin(ctx, "create a credential (products:read)", http.MethodPost, creds,
		`{"name":"Quickstart walk-through","contact_email":"dev@example.com","access":"fine_grained","scopes":["products:read"],"metadata":{"source":"quickstart"}}`,
		http.StatusCreated, &created); err != nil {
		return err
	}
	if created.Credential.ID == "" || created.ClientID == "" || created.ClientSecret == "" {
		return errors.New("the create answer lacks the credential ID, the client ID or the secret")
	}
	fmt.Fprintf(w.out, "     client ID %s, secret %s (shown once; not repeated here)\n", created.ClientID, created.Credential.SecretHint)
	w.credID = created.Credential.ID
	one := creds + "/" + created.Credential.ID

	if err := w.call(ctx, "call GET /v1/products with the secret", created.ClientID, created.ClientSecret, http.StatusOK); err != nil {
		return err
	}
	var rotated oneTime
	if err := w.admin(ctx, "rotate the secret", http.MethodPost, one+"/rotate",
		`{"reason":"Quickstart walk-through"}`, http.StatusOK, &rotated); err != nil {
		return err
	}
	if rotated.ClientID != created.ClientID || rotated.ClientSecret == "" || rotated.ClientSecret == created.ClientSecret {
		return errors.New("rotation must keep the client ID and return a new secret")
	}
	if err := w.call(ctx, "call with the old secret", created.ClientID, created.ClientSecret, http.StatusUnauthorized); err != nil {
		return err
	}
	if err := w.call(ctx, "call with the new secret", rotated.ClientID, rotated.ClientSecret, http.StatusOK); err != nil {
		return err
	}
	var revoked struct {
		State string `json:"state"`
	}
	if err := w.admin(ctx, "revoke the credential", http.MethodPost, one+"/revoke",
		`{"reason":"Quickstart walk-through finished"}`, http.StatusOK, &revoked); err != nil {
		return err
	}
	if revoked.State != "revoked" {
		return fmt.Errorf("the revoked credential reads state %q, want \"revoked\"", revoked.State)
	}
	return w.call(ctx, "call after revocation", rotated.ClientID, rotated.ClientSecret, http.StatusUnauthorized)
}

// admin sends one management API request with the admin token, checks its
// status and decodes the answer into v.
func (w *walker) admin(ctx context.Context, what, method, path, body string, want int, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, w.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.adminToken)
	req.Header.Set("Content-Type", "application/json")
	got, err := w.do(req, what, want)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(got, v); err != nil {
		return fmt.Errorf("step %d (%s): reading the answer: %w", w.step, what, err)
	}
	return nil
}

// call sends GET /v1/products with a client ID and secret as HTTP Basic
// credentials and checks the status.
func (w *walker) call(ctx context.Context, what, clientID, secret string, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+"/v1/products", nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(clientID, secret)
	_, err = w.do(req, what, want)
	return err
}

// do sends req, prints the step with its status and returns the body, or
// an error when the status is not want.
func (w *walker) do(req *http.Request, what string, want int) ([]byte, error) {
	w.step++
	path := req.URL.Path
	if w.credID != "" {
		path = strings.Replace(path, w.credID, "{id}", 1)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		fmt.Fprintf(w.out, "  %d. %-40s %-4s %-50s error\n", w.step, what, req.Method, path)
		return nil, fmt.Errorf("step %d (%s): %w", w.step, what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("step %d (%s): reading the answer: %w", w.step, what, err)
	}
	verdict := "ok"
	if resp.StatusCode != want {
		verdict = fmt.Sprintf("WRONG, want %d", want)
	}
	fmt.Fprintf(w.out, "  %d. %-40s %-4s %-50s %d %-14s %s\n", w.step, what, req.Method, path, resp.StatusCode, http.StatusText(resp.StatusCode), verdict)
	if resp.StatusCode != want {
		err := fmt.Errorf("step %d (%s): %s %s answered %d, want %d", w.step, what, req.Method, path, resp.StatusCode, want)
		if resp.StatusCode >= 400 {
			// A problem body; a success body may hold a secret.
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(excerpt(body)))
		}
		return nil, err
	}
	return body, nil
}

// excerpt shortens an answer for an error message.
func excerpt(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "…"...)
	}
	return b
}
