// Command dashboard is a small web UI over apicred's management API: the
// "Settings → API Credentials" page of the product documents, with its
// credentials table, Create dialog, one-time secret dialog, expiry edit,
// rotation, revocation and audit log.
//
//	go run ./examples/dashboard                  # ./apicred-dashboard.db on 127.0.0.1:8081
//	go run ./examples/dashboard -db :memory:     # nothing on disk
//	go run ./examples/dashboard -postgres 'postgres://user:pass@127.0.0.1:5432/db?sslmode=disable'
//
// It prints an address carrying a demo admin token, new at every start, in
// its fragment (http://127.0.0.1:8081/#token=…). The page moves the token
// into memory and strips it from the address bar, then calls the
// management API mounted under /admin/ with it, for one demo tenant
// (-tenant, default brand-42). Everything it serves is embedded in the
// binary: one html/template page and a little plain JavaScript and CSS,
// with no build step and nothing from other sites.
//
// The same server also serves the example API GET /v1/products (HTTP Basic
// client ID and secret, scope products:read), to try the credentials made
// on the page.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/examples/internal/demo"
)

// config is the command line.
type config struct {
	addr   string
	store  demo.StoreConfig
	tenant string
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("dashboard", flag.ExitOnError)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8081", "address to serve on")
	cfg.store.RegisterFlags(fs, "apicred-dashboard.db")
	fs.StringVar(&cfg.tenant, "tenant", demo.Tenant, "the tenant (brand ID) whose credentials the page manages")
	_ = fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

// run serves the dashboard until ctx is done.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if msg := credential.ValidateTenantID(cfg.tenant); msg != "" {
		return fmt.Errorf("-tenant %s", msg)
	}
	b, err := demo.Open(ctx, cfg.store)
	if err != nil {
		return err
	}
	defer b.Close()
	token := demo.NewAdminToken()
	h, err := newHandler(b.Manager, token, cfg.tenant)
	if err != nil {
		return err
	}
	ln, err := demo.Listen(ctx, cfg.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if !demo.IsLoopback(ln) {
		fmt.Fprintf(out, "warning: %s is reachable from other machines; the admin token in the address below then guards your credentials on the network.\n\n", ln.Addr())
	}
	fmt.Fprintf(out, "apicred dashboard for tenant %s (store: %s)\n\n", cfg.tenant, b.Description)
	fmt.Fprintf(out, "Open this address in a browser; it carries this run's demo admin token:\n\n  %s/#token=%s\n\n", base, token)
	fmt.Fprintf(out, "Try a credential made on the page:\n\n  curl -u \"$CLIENT_ID:$CLIENT_SECRET\" %s/v1/products\n\nPress Ctrl+C to stop.\n", base)
	if err := demo.Serve(ctx, demo.NewServer(h), ln); err != nil {
		return err
	}
	fmt.Fprintln(out, "stopped.")
	return nil
}
