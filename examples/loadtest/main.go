// Command loadtest puts a middleware-protected server on 127.0.0.1 under
// load while credentials are rotated and revoked, and checks the answers:
//
//   - no request sent after the rotation or revocation that killed its
//     secret had returned was accepted;
//   - no request with a live secret (finished before anything started to
//     kill it) was refused;
//   - every successful rotation and revocation has exactly one audit event.
//
// It reports requests per second and p50/p99 latency.
//
//	go run ./examples/loadtest                         # memory store, 10 s
//	go run ./examples/loadtest -store sqlite -duration 5s
//	go run ./examples/loadtest -store postgres -postgres 'postgres://…'
//
// Every address is on the loopback interface, and every loop stops after
// -duration or -max-requests, whichever comes first.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"
)

func main() {
	cfg := Config{}
	flag.StringVar(&cfg.Store, "store", "memory", "memory, sqlite or postgres")
	flag.StringVar(&cfg.SQLitePath, "sqlite", "", "SQLite file (default: a file in a temporary directory)")
	flag.StringVar(&cfg.PostgresDSN, "postgres", os.Getenv("APICRED_TEST_POSTGRES_DSN"), "PostgreSQL DSN for -store postgres")
	flag.IntVar(&cfg.Clients, "clients", 32, "concurrent API clients")
	flag.IntVar(&cfg.Credentials, "credentials", 64, "credentials in use")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long the load runs")
	flag.IntVar(&cfg.MaxRequests, "max-requests", 2_000_000, "upper bound on API requests")
	flag.DurationVar(&cfg.AdminEvery, "admin-every", 5*time.Millisecond, "pause between two admin operations of one admin goroutine")
	flag.Parse()

	rep, err := Run(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep)
	if !rep.OK() {
		os.Exit(1)
	}
}
