package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the expiry conversion check, whatever the machine has

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/examples/internal/demo"
)

// chromiumPath is where the Debian package chromium installs the browser.
const chromiumPath = "/usr/bin/chromium"

// browserTimeZone is the browser's time zone, so that converting the
// Create dialog's local expiry to UTC is a real conversion.
const browserTimeZone = "Europe/Berlin"

// stepTimeout bounds every single browser step.
const stepTimeout = 15 * time.Second

// TestDashboardInChromium operates the dashboard in real headless Chromium
// end to end: create through the form, the one-time dialog and its
// acknowledgement gate, the secret against the protected API, rotation,
// revocation with its confirmation, the state badge and the audit log.
func TestDashboardInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("APICRED_REQUIRE_BROWSER") != "" {
			t.Fatalf("APICRED_REQUIRE_BROWSER is set but there is no Chromium at %s: %v", chromiumPath, err)
		}
		t.Skipf("browser test skipped: no Chromium at %s (install the Debian package chromium to run it): %v", chromiumPath, err)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	berlin, err := time.LoadLocation(browserTimeZone)
	require.NoError(t, err)

	overall, cancelOverall := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancelOverall()

	// The dashboard, in process, on 127.0.0.1 with SQLite in memory.
	backend, err := demo.Open(overall, demo.StoreConfig{SQLitePath: ":memory:"})
	require.NoError(t, err)
	defer backend.Close()
	m := backend.Manager
	token := demo.NewAdminToken()
	h, err := newHandler(m, token, demo.Tenant)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()

	// Chromium, headless, with a fresh profile.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(overall,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
		chromedp.Env("TZ="+browserTimeZone),
	)
	defer cancelAlloc() // stops Chromium and waits for it, before the profile directory is removed
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	b := &browser{t: t, ctx: tabCtx}
	if err := chromedp.Do(tabCtx); err != nil { // starts the browser, bound by overall
		t.Fatalf("starting Chromium: %v", err)
	}
	problems := b.watchConsole()
	downloads := t.TempDir()
	b.call("allow downloads", func(ctx context.Context) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	})
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		b.call("grant "+name, func(ctx context.Context) error {
			_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: srv.URL})
			return err
		})
	}

	// Without the token the page asks for it, and refuses a wrong one.
	b.do("open the page without a token", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("signin-token")),
		chromedp.SendKeys(chromedp.ID("signin-token"), "demo_admin_wrong"+kb.Enter))
	b.waitFor("the wrong token is refused", `document.getElementById('signin-why').textContent.includes('refused')`)
	assert.True(t, b.eval(`document.getElementById('credentials').hidden`), "no table without a valid token")

	// Open the printed address: the token moves into memory and off the URL.
	b.do("open the dashboard", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/#token="+token), chromedp.WaitVisible(chromedp.ID("cred-empty")))
	href := value(b, "read the address", chromedp.Evaluate[string](`location.href`))
	assert.NotContains(t, href, "token", "the token is stripped from the address bar")
	assert.True(t, b.eval(`localStorage.length === 0 && sessionStorage.length === 0 && document.cookie === ''`), "nothing is stored")

	// Cancel creates nothing.
	b.do("open Create and cancel", chromedp.Click(chromedp.ID("create-open")), chromedp.WaitVisible(chromedp.CSS("#create-dialog[open]")),
		chromedp.SendKeys(chromedp.ID("c-name"), "Never created"),
		chromedp.Click(chromedp.CSS("#create-dialog .dialog-foot [data-cancel]")), chromedp.WaitNotVisible(chromedp.ID("create-dialog")))
	page, err := m.List(overall, demo.Tenant, apicred.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Credentials, "Cancel creates nothing")

	// Create: the button waits for valid input.
	b.do("open Create", chromedp.Click(chromedp.ID("create-open")), chromedp.WaitVisible(chromedp.CSS("#create-dialog[open]")))
	assert.True(t, b.eval(`document.getElementById('c-name').value === ''`), "Cancel cleared the form")
	assert.True(t, b.disabled("create-submit"), "Create is disabled with an empty form")
	b.do("type a name", chromedp.SendKeys(chromedp.ID("c-name"), "ERP Sync — Production"))
	assert.True(t, b.disabled("create-submit"), "Create is disabled while Fine Grained has no scope")
	b.do("choose products:read", chromedp.Click(chromedp.CSS(`#c-scope-list input[value="products:read"]`)))
	assert.False(t, b.disabled("create-submit"), "Create is enabled with a name and a scope")
	b.do("type a bad email", chromedp.SendKeys(chromedp.ID("c-email"), "erp-team"), chromedp.Focus(chromedp.ID("c-meta")))
	assert.True(t, b.disabled("create-submit"), "Create is disabled with an invalid email")
	assert.Contains(t, value(b, "read the email error", chromedp.TextContent(chromedp.ID("c-email-err"))), "valid email")
	b.do("fix the email", chromedp.SendKeys(chromedp.ID("c-email"), "@example.com"))
	assert.False(t, b.disabled("create-submit"), "Create is enabled again")

	// A refusal only the server detects (a tag value over 256 characters)
	// shows the problem and its field error, and creates nothing.
	b.do("submit a tag that is too long", chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById('c-meta');
			i.value = 'team=' + 'x'.repeat(300); i.dispatchEvent(new Event('input', { bubbles: true })); })()`),
		chromedp.Click(chromedp.ID("create-submit")), chromedp.WaitVisible(chromedp.ID("c-meta-err")))
	assert.Contains(t, b.text("c-meta-err"), "at most 256")
	assert.NotEmpty(t, b.text("create-error"), "the problem's title is shown")
	assert.True(t, b.eval(`document.getElementById('create-dialog').open`), "the dialog stays open to fix the field")
	page, err = m.List(overall, demo.Tenant, apicred.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Credentials, "a refused create creates nothing")
	b.do("fix the tag", chromedp.Evaluate[chromedp.Void](`document.getElementById('c-meta').value = ''`), chromedp.SendKeys(chromedp.ID("c-meta"), "team=erp"))
	assert.False(t, b.disabled("create-submit"), "Create is enabled with valid input")
	b.do("create", chromedp.Click(chromedp.ID("create-submit")), chromedp.WaitVisible(chromedp.CSS("#secret-dialog[open]")))

	// The one-time dialog.
	clientID := b.text("secret-client-id")
	secret := b.text("secret-value")
	require.True(t, strings.HasPrefix(clientID, "mk_live_"), "client ID %q", clientID)
	require.True(t, strings.HasPrefix(secret, "ms_live_"), "secret has the ms_live_ prefix")
	assert.True(t, b.disabled("secret-close"), "Close is disabled with no box ticked")
	b.do("tick the first box", chromedp.Click(chromedp.ID("ack-stored")))
	assert.True(t, b.disabled("secret-close"), "Close is disabled with one box ticked")
	b.do("untick it, tick the other", chromedp.Click(chromedp.ID("ack-stored")), chromedp.Click(chromedp.ID("ack-once")))
	assert.True(t, b.disabled("secret-close"), "Close is disabled with only the other box ticked")
	b.do("copy the secret", chromedp.Click(chromedp.ID("copy-secret")))
	b.waitFor("the copy is confirmed", `document.getElementById('copy-status').textContent === 'Client secret copied to the clipboard.'`)
	clipboard := value(b, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	assert.True(t, clipboard == secret, "Copy Client Secret puts the secret on the clipboard")
	b.do("download .env and JSON", chromedp.Click(chromedp.ID("download-env")), chromedp.Click(chromedp.ID("download-json")))
	env := waitForFile(t, filepath.Join(downloads, clientID+".env"))
	assert.True(t, env == "TIEBACK_CLIENT_ID="+clientID+"\nTIEBACK_CLIENT_SECRET="+secret+"\n", "the .env file holds the client ID and secret")
	var exported map[string]string
	require.NoError(t, json.Unmarshal([]byte(waitForFile(t, filepath.Join(downloads, clientID+".json"))), &exported))
	assert.True(t, exported["TIEBACK_CLIENT_ID"] == clientID && exported["TIEBACK_CLIENT_SECRET"] == secret, "the JSON file holds the client ID and secret")
	b.do("press Escape", chromedp.KeyEvent(kb.Escape))
	assert.True(t, b.eval(`document.getElementById('secret-dialog').open`), "Escape does not close the one-time dialog")
	dialogShot := b.screenshot("one-time dialog", "one-time-dialog.png", chromedp.CaptureScreenshot())
	b.do("tick both boxes", chromedp.Click(chromedp.ID("ack-stored")))
	assert.False(t, b.disabled("secret-close"), "Close is enabled with both boxes ticked")
	b.do("close the dialog", chromedp.Click(chromedp.ID("secret-close")), chromedp.WaitNotVisible(chromedp.ID("secret-dialog")))
	b.assertSecretGone(secret)

	credID := value(b, "read the new row", chromedp.Evaluate[string](`document.querySelector('#cred-rows tr').dataset.id`))
	row := "#cred-" + credID
	assert.Equal(t, "Active", b.textOf(row+" .badge"))
	assert.Equal(t, clientID, b.textOf(row+" .client-id"))
	assert.Equal(t, http.StatusOK, callProducts(t, srv.URL, clientID, secret), "the new secret calls the protected API")

	// Rotate: same client ID, a new secret; the old one fails at once.
	b.do("open Rotate", chromedp.Click(chromedp.CSS(row+` [data-action="rotate"]`)), chromedp.WaitVisible(chromedp.CSS("#rotate-dialog[open]")),
		chromedp.SendKeys(chromedp.ID("r-reason"), "Scheduled quarterly rotation"),
		chromedp.Click(chromedp.ID("rotate-submit")), chromedp.WaitVisible(chromedp.CSS("#secret-dialog[open]")))
	assert.Equal(t, clientID, b.text("secret-client-id"), "rotation keeps the client ID")
	newSecret := b.text("secret-value")
	require.True(t, strings.HasPrefix(newSecret, "ms_live_"))
	require.NotEqual(t, secret, newSecret)
	assert.True(t, b.disabled("secret-close"), "the gate is reset for the new secret")
	b.do("acknowledge and close", chromedp.Click(chromedp.ID("ack-stored")), chromedp.Click(chromedp.ID("ack-once")),
		chromedp.Click(chromedp.ID("secret-close")), chromedp.WaitNotVisible(chromedp.ID("secret-dialog")))
	b.assertSecretGone(newSecret)
	assert.Equal(t, http.StatusUnauthorized, callProducts(t, srv.URL, clientID, secret), "the old secret fails after rotation")
	assert.Equal(t, http.StatusOK, callProducts(t, srv.URL, clientID, newSecret), "the new secret works")

	// Revoke: a reason, then a confirmation.
	b.do("open Revoke", chromedp.Click(chromedp.CSS(row+` [data-action="revoke"]`)), chromedp.WaitVisible(chromedp.CSS("#revoke-dialog[open]")))
	assert.True(t, b.disabled("revoke-next"), "Revoke needs a reason")
	b.do("give a reason", chromedp.SendKeys(chromedp.ID("v-reason"), "Integration retired"), chromedp.Click(chromedp.ID("revoke-next")),
		chromedp.WaitVisible(chromedp.ID("revoke-submit")))
	assert.Contains(t, b.text("revoke-question"), "cannot be undone")
	assert.Equal(t, http.StatusOK, callProducts(t, srv.URL, clientID, newSecret), "nothing is revoked before the confirmation")
	b.do("confirm", chromedp.Click(chromedp.ID("revoke-submit")), chromedp.WaitNotVisible(chromedp.ID("revoke-dialog")))
	b.waitFor("the badge reads Revoked", fmt.Sprintf(`document.querySelector(%q)?.textContent === 'Revoked'`, row+" .badge"))
	assert.Equal(t, http.StatusUnauthorized, callProducts(t, srv.URL, clientID, newSecret), "the revoked credential fails")
	assert.True(t, b.disabled(row+` [data-action="rotate"]`), "a revoked credential cannot rotate")
	assert.True(t, b.disabled(row+` [data-action="expiry"]`), "a revoked credential's expiry cannot change")
	assert.Contains(t, value(b, "read the expiry button's explanation",
		chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).title`, row+` [data-action="expiry"]`))), "revoked")

	// The audit log.
	b.do("open the audit log", chromedp.Click(chromedp.CSS(row+` [data-action="audit"]`)), chromedp.WaitVisible(chromedp.CSS("#audit-rows tr")))
	b.waitFor("three events", `document.querySelectorAll('#audit-rows tr').length === 3`)
	events := value(b, "read the events", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#audit-rows tr')].map(r => [...r.cells].map(c => c.textContent.trim()).join(' | '))`))
	require.Len(t, events, 3)
	for i, want := range []string{"Created | demo-admin", "Rotated | demo-admin | Scheduled quarterly rotation", "Revoked | demo-admin | Integration retired"} {
		assert.Contains(t, events[i], want, "event %d", i)
	}

	// A second credential, Full access, with an expiry typed in the
	// browser's local time (Europe/Berlin), stored in UTC.
	day := time.Now().In(berlin).AddDate(0, 0, 30)
	wantExpiry := time.Date(day.Year(), day.Month(), day.Day(), 10, 30, 0, 0, berlin).UTC()
	b.do("create a second credential", chromedp.Click(chromedp.ID("create-open")), chromedp.WaitVisible(chromedp.CSS("#create-dialog[open]")),
		chromedp.SendKeys(chromedp.ID("c-name"), "Warehouse robot"),
		chromedp.Click(chromedp.CSS(`#create-form input[name="access"][value="full"]`)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const i = document.getElementById('c-expiry');
			i.value = %q; i.dispatchEvent(new Event('change', { bubbles: true })); })()`, day.Format("2006-01-02")+"T10:30")))
	assert.False(t, b.disabled("create-submit"), "Full access needs no scope")
	b.do("create it", chromedp.Click(chromedp.ID("create-submit")), chromedp.WaitVisible(chromedp.CSS("#secret-dialog[open]")),
		chromedp.Click(chromedp.ID("ack-stored")), chromedp.Click(chromedp.ID("ack-once")),
		chromedp.Click(chromedp.ID("secret-close")), chromedp.WaitNotVisible(chromedp.ID("secret-dialog")))
	page, err = m.List(overall, demo.Tenant, apicred.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Credentials, 2)
	assert.Equal(t, wantExpiry, page.Credentials[1].ExpiresAt, "10:30 in %s is stored as %s UTC", browserTimeZone, wantExpiry.Format(time.TimeOnly))
	assert.True(t, b.eval(`document.querySelectorAll('#cred-rows tr').length === 2`))
	b.do("close the audit log", chromedp.Click(chromedp.ID("audit-close")))

	// Edit its expiry: 60 days ahead at 09:00 local time.
	second := page.Credentials[1].ID
	row2 := "#cred-" + second.String()
	later := time.Now().In(berlin).AddDate(0, 0, 60)
	wantExpiry = time.Date(later.Year(), later.Month(), later.Day(), 9, 0, 0, 0, berlin).UTC()
	b.do("edit the expiry", chromedp.Click(chromedp.CSS(row2+` [data-action="expiry"]`)), chromedp.WaitVisible(chromedp.CSS("#expiry-dialog[open]")),
		chromedp.SetValue(chromedp.ID("e-date"), later.Format("2006-01-02")+"T09:00"),
		chromedp.SendKeys(chromedp.ID("e-reason"), "Contract extended"),
		chromedp.Click(chromedp.ID("expiry-submit")), chromedp.WaitNotVisible(chromedp.ID("expiry-dialog")))
	b.waitFor("the notice of the new expiry", `document.getElementById('notice-text').textContent.startsWith('Expiry of')`)
	got, err := m.Get(overall, demo.Tenant, second)
	require.NoError(t, err)
	assert.Equal(t, wantExpiry, got.ExpiresAt, "the edited expiry is stored in UTC")

	// Behind the page's back (another tab, or a clock ahead of the
	// server's), the expiry moves into the 72-hour lock window. The page
	// still offers the edit; the server refuses it with 409, and the page
	// reloads the list and says why.
	_, err = m.SetExpiry(overall, apicred.ExpiryRequest{TenantID: demo.Tenant, ID: second, ExpiresAt: time.Now().Add(time.Hour), Actor: "another-admin"})
	require.NoError(t, err)
	assert.False(t, b.disabled(row2+` [data-action="expiry"]`), "the page does not know yet")
	b.do("open the expiry dialog again", chromedp.Click(chromedp.CSS(row2+` [data-action="expiry"]`)), chromedp.WaitVisible(chromedp.CSS("#expiry-dialog[open]")))
	b.do("pick a date 90 days ahead", chromedp.SetValue(chromedp.ID("e-date"), later.AddDate(0, 0, 30).Format("2006-01-02")+"T09:00"))
	b.do("save the expiry", chromedp.Click(chromedp.ID("expiry-submit")))
	b.do("wait for the dialog to close", chromedp.WaitNotVisible(chromedp.ID("expiry-dialog")))
	b.waitFor("the refusal is explained", `document.getElementById('notice-text').textContent.includes('refreshed')`)
	assert.Contains(t, b.text("notice-text"), "refused by the server")
	b.waitFor("the list is reloaded", fmt.Sprintf(`document.querySelector(%q).disabled`, row2+` [data-action="expiry"]`))
	assert.Contains(t, b.textOf(row2+" .note"), "locked")
	assert.Contains(t, value(b, "read the locked explanation",
		chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).title`, row2+` [data-action="expiry"]`))), "within 72 hours")
	assert.Equal(t, "Active", b.textOf(row2+" .badge"))

	tableShot := b.screenshot("credentials table", "credentials-table.png", chromedp.Screenshot(chromedp.ID("credentials")))
	for _, shot := range []string{dialogShot, tableShot} {
		info, err := os.Stat(shot)
		require.NoError(t, err)
		t.Logf("screenshot %s: %d bytes", shot, info.Size())
	}

	cancelTab()
	assert.Empty(t, problems(), "the page logged no errors and threw no exceptions")
}

// browser drives one tab of Chromium; every step has its own time limit.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// do runs actions in order, within stepTimeout.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser step %q: %v", what, err)
	}
}

// call runs a protocol command, within stepTimeout.
func (b *browser) call(what string, f func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		b.t.Fatalf("browser step %q: %v", what, err)
	}
}

// waitForFile waits until Chromium has finished downloading path and
// returns its content.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	var content []byte
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(path)
		content = b
		return err == nil && len(b) > 0
	}, stepTimeout, 20*time.Millisecond, "the download of %s", filepath.Base(path))
	return string(content)
}

// value runs one action that returns a value, within stepTimeout.
func value[T any](b *browser, what string, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.t.Fatalf("browser step %q: %v", what, err)
	}
	return v
}

func (b *browser) eval(expr string) bool {
	b.t.Helper()
	return value(b, expr, chromedp.Evaluate[bool](expr))
}

// disabled reports whether the element with this id, or CSS selector, is
// disabled.
func (b *browser) disabled(idOrSelector string) bool {
	b.t.Helper()
	sel := idOrSelector
	if !strings.ContainsAny(sel, "#[ .") {
		sel = "#" + sel
	}
	return b.eval(fmt.Sprintf(`document.querySelector(%q).disabled`, sel))
}

// text returns the text content of the element with this id.
func (b *browser) text(id string) string {
	b.t.Helper()
	return strings.TrimSpace(value(b, "read #"+id, chromedp.TextContent(chromedp.ID(id))))
}

// textOf returns the text content of the first element matching sel.
func (b *browser) textOf(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(value(b, "read "+sel, chromedp.TextContent(chromedp.CSS(sel))))
}

// waitFor waits until a JavaScript predicate holds.
func (b *browser) waitFor(what, predicate string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(stepTimeout)))
}

// assertSecretGone checks that secret is nowhere in the page (markup,
// text, form values) nor in the browser's storage.
func (b *browser) assertSecretGone(secret string) {
	b.t.Helper()
	q, err := json.Marshal(secret)
	require.NoError(b.t, err)
	expr := fmt.Sprintf(`(() => {
		const s = %s;
		const found = [];
		if (document.documentElement.outerHTML.includes(s)) found.push('markup');
		if (document.body.innerText.includes(s)) found.push('text');
		for (const e of document.querySelectorAll('input, textarea')) if (e.value.includes(s)) found.push('value of #' + e.id);
		for (const [name, st] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]]) {
			if (st.length > 0) found.push(name + ' is not empty');
			if (Object.values(st).some((v) => String(v).includes(s))) found.push(name);
		}
		if (document.cookie.includes(s)) found.push('cookie');
		return found;
	})()`, q)
	assert.Empty(b.t, value(b, "look for the secret", chromedp.Evaluate[[]string](expr)),
		"the secret is gone from the page and the storage once the dialog is closed")
	assert.True(b.t, b.text("secret-value") == "", "the secret's element is empty")
}

// screenshot saves a PNG in the test's artifact directory (kept with
// go test -artifacts) and returns its path.
func (b *browser) screenshot(what, name string, action chromedp.Action[[]byte]) string {
	b.t.Helper()
	png := value(b, "screenshot of the "+what, action)
	require.True(b.t, len(png) > 8 && string(png[1:4]) == "PNG", "the %s screenshot is a PNG", what)
	path := filepath.Join(b.t.ArtifactDir(), name)
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	return path
}

// watchConsole collects the page's console errors and uncaught exceptions
// until the tab closes; the returned function waits for that and returns
// them.
func (b *browser) watchConsole() func() []string {
	messages := chromedp.Console(b.ctx)
	var (
		mu       sync.Mutex
		problems []string
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		for msg, err := range messages {
			if err != nil {
				return
			}
			if msg.Source == "network" && regexp.MustCompile(`status of (401|409|422)\b`).MatchString(msg.Text) {
				continue // the wrong token, the refused create and the refused expiry edit, on purpose
			}
			if msg.Type == chromedp.ConsoleError || msg.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", msg.Type, msg.Text, msg.URL, msg.Line))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		select {
		case <-done:
		case <-time.After(stepTimeout):
			b.t.Error("the console watcher did not stop")
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(problems)
	}
}

// callProducts calls the protected example API with a client ID and secret
// from Go's HTTP client, and returns the status.
func callProducts(t *testing.T, base, clientID, secret string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/products", nil)
	require.NoError(t, err)
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		var list demo.ProductList
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
		assert.Equal(t, clientID, list.ClientID)
		assert.NotEmpty(t, list.Products)
	}
	return resp.StatusCode
}
