package main

import (
	"bytes"
	"context"
	"net"
	"os/exec"
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

func TestWalkthroughPassesOverRealHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, config{store: memory, walkthrough: true}, &out)
	t.Log("\n" + out.String())
	require.NoError(t, err)

	want := []string{
		`1\. create .* 201 Created +ok`,
		`2\. call .* 200 OK +ok`,
		`3\. rotate .* 200 OK +ok`,
		`4\. call with the old secret .* 401 Unauthorized +ok`,
		`5\. call with the new secret .* 200 OK +ok`,
		`6\. revoke .* 200 OK +ok`,
		`7\. call after revocation .* 401 Unauthorized +ok`,
		`walk-through passed`,
	}
	for _, w := range want {
		assert.Regexp(t, regexp.MustCompile(w), out.String())
	}
	assert.NotRegexp(t, regexp.MustCompile(`ms_live_[0-9A-Za-z]{8,}`), out.String(), "the walk-through prints secret hints, never secrets")
}

func TestPrintedCurlLinesWorkAsPrinted(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "grep", "cut", "head"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the printed lines need %s, which is not installed: %v", tool, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	a, err := newApp(ctx, memory)
	require.NoError(t, err)
	defer a.close()
	ln, err := demo.Listen(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- demo.Serve(serveCtx, demo.NewServer(a.handler), ln) }()
	defer func() {
		stop()
		require.NoError(t, <-served)
	}()

	var printed bytes.Buffer
	printCurl(&printed, "http://"+ln.Addr().String(), a.token)
	cmd := exec.CommandContext(ctx, "bash", "-c", printed.String())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "bash ran the printed lines:\n%s", out)

	codes := regexp.MustCompile(`(?m)^HTTP (\d{3})$`).FindAllStringSubmatch(string(out), -1)
	var got []string
	for _, c := range codes {
		got = append(got, c[1])
	}
	assert.Equal(t, []string{"200", "401", "200", "200", "401"}, got,
		"call, old secret, new secret, revoke, after revocation; output:\n%s", out)
	for _, event := range []string{`"type":"created"`, `"type":"rotated"`, `"type":"revoked"`} {
		assert.Contains(t, string(out), event)
	}
	assert.NotContains(t, string(out), "curl:", "no curl error")
}

func TestBusyPortIsReportedClearly(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	var out bytes.Buffer
	err = run(t.Context(), config{addr: taken.Addr().String(), store: memory}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already in use")
	assert.Contains(t, err.Error(), "-addr")
}

func TestServerStopsGracefullyWhenTold(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, config{addr: "127.0.0.1:0", store: memory}, out) }()

	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Press Ctrl+C") }, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, out.String(), "ADMIN_TOKEN=demo_admin_")
	cancel() // what SIGINT and SIGTERM do through signal.NotifyContext
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop within 10s")
	}
	assert.Contains(t, out.String(), "stopped.")
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
