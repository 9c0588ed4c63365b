// Command quickstart serves the management API of apicred and an example
// API protected by its middleware, on an embedded SQLite file, and prints
// curl lines that walk through the whole life of a credential: create,
// call, rotate (the old secret fails at once), revoke.
//
//	go run ./examples/quickstart                     # ./apicred-quickstart.db on 127.0.0.1:8080
//	go run ./examples/quickstart -db :memory:        # nothing on disk
//	go run ./examples/quickstart -postgres 'postgres://user:pass@127.0.0.1:5432/db?sslmode=disable'
//	go run ./examples/quickstart -walkthrough        # do the walk-through itself and exit
//
// The management API is mounted under /admin/ behind a demo admin token
// that is generated at every start and printed; the example API is
// GET /v1/products, which takes a client ID and secret as HTTP Basic
// credentials and needs the scope products:read.
//
// With -walkthrough the program serves on a free loopback port, performs
// the walk-through itself over HTTP, prints each step with its status, and
// exits with status 1 if any step does not answer as it must.
//
// The printed lines show the one-time secret because showing it once is
// the point of the demonstration; a real service hands it to its owner and
// nowhere else.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/apicred/apicred/examples/internal/demo"
)

// config is the command line.
type config struct {
	addr        string
	store       demo.StoreConfig
	walkthrough bool
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("quickstart", flag.ExitOnError)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to serve on")
	cfg.store.RegisterFlags(fs, "apicred-quickstart.db")
	fs.BoolVar(&cfg.walkthrough, "walkthrough", false, "serve on a free loopback port, walk through create, call, rotate and revoke over HTTP, and exit")
	_ = fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, or performs the walk-through and returns.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.walkthrough {
		return runWalkthrough(ctx, cfg.store, out)
	}
	a, err := newApp(ctx, cfg.store)
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := demo.Listen(ctx, cfg.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if !demo.IsLoopback(ln) {
		fmt.Fprintf(out, "warning: %s is reachable from other machines; the demo admin token below then guards your credentials on the network.\n\n", ln.Addr())
	}
	printIntro(out, base, a.backend.Description)
	printCurl(out, base, a.token)
	fmt.Fprintln(out, "\nPress Ctrl+C to stop.")
	if err := demo.Serve(ctx, demo.NewServer(a.handler), ln); err != nil {
		return err
	}
	fmt.Fprintln(out, "stopped.")
	return nil
}
