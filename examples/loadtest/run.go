package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/apicred/apicred/store/sqlstore"
	"github.com/google/uuid"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Config is one load run.
type Config struct {
	Store       string // memory, sqlite or postgres
	SQLitePath  string
	PostgresDSN string
	Clients     int
	Credentials int
	Duration    time.Duration
	MaxRequests int
	// AdminEvery is the pause between two admin operations of the admin
	// goroutine.
	AdminEvery time.Duration
}

const tenant = "load"

// Report is the outcome of a run.
type Report struct {
	Store              string
	Requests           int
	Accepted, Refused  int
	OtherStatus        int
	Elapsed            time.Duration
	P50, P99           time.Duration
	Rotations, Revokes int
	Conflicts          int
	// The violations; each must be zero.
	AcceptedAfterKill int
	RefusedWhileLive  int
	EventMismatches   int
}

// OK reports whether the run found no violation.
func (r Report) OK() bool {
	return r.AcceptedAfterKill == 0 && r.RefusedWhileLive == 0 && r.EventMismatches == 0 && r.OtherStatus == 0 && r.Requests > 0
}

func (r Report) String() string {
	verdict := "OK"
	if !r.OK() {
		verdict = "FAILED"
	}
	return fmt.Sprintf(`store %s: %d requests in %v = %.0f req/s, p50 %v, p99 %v
  accepted %d, refused %d, other statuses %d
  admin: %d rotations, %d revocations, %d conflicts
  accepted after their secret was killed: %d
  refused while their secret was live:    %d
  credentials whose audit trail does not match: %d
  %s`,
		r.Store, r.Requests, r.Elapsed.Round(time.Millisecond), float64(r.Requests)/r.Elapsed.Seconds(), r.P50, r.P99,
		r.Accepted, r.Refused, r.OtherStatus, r.Rotations, r.Revokes, r.Conflicts,
		r.AcceptedAfterKill, r.RefusedWhileLive, r.EventMismatches, verdict)
}

// secretLife is one secret of one credential and the times that bound its
// validity: usable from born (Issue or Rotate returned it) until dying (the
// call that kills it started); dead once dead (that call returned).
type secretLife struct {
	value       string
	born        time.Time
	dying, dead atomic.Pointer[time.Time]
}

// cred is one credential under load.
type cred struct {
	id       uuid.UUID
	clientID string

	mu      sync.Mutex
	current *secretLife // nil once revoked
	rotated int
	revoked bool
}

// slot is a place for one credential in use; a revoked credential is
// replaced in its slot by a new one, the way a client rolls to a new
// credential before the old one is revoked.
type slot struct {
	mu sync.Mutex
	c  *cred
}

func (s *slot) get() *cred {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// issue creates a credential and records it among all.
func issue(ctx context.Context, m *apicred.Manager, all *[]*cred, n int) (*cred, error) {
	is, err := m.Issue(ctx, apicred.IssueRequest{TenantID: tenant, Name: fmt.Sprintf("load %d", n), Access: credential.AccessFull, Actor: "loadtest"})
	if err != nil {
		return nil, err
	}
	c := &cred{id: is.Credential.ID, clientID: is.ClientID, current: &secretLife{value: is.Secret.Reveal(), born: time.Now()}}
	*all = append(*all, c)
	return c, nil
}

// graveyard keeps killed secrets for clients to replay: a stolen old
// secret must never be accepted again.
type graveyard struct {
	mu    sync.Mutex
	lives []*secretLife
	ids   []string
}

func (g *graveyard) add(clientID string, l *secretLife) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.lives) >= 256 {
		g.lives, g.ids = g.lives[1:], g.ids[1:]
	}
	g.lives, g.ids = append(g.lives, l), append(g.ids, clientID)
}

func (g *graveyard) pick(rng *rand.Rand) (string, *secretLife) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.lives) == 0 {
		return "", nil
	}
	i := rng.IntN(len(g.lives))
	return g.ids[i], g.lives[i]
}

// sample is one API request.
type sample struct {
	life       *secretLife
	start, end time.Time
	status     int
}

// Run performs one load run.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Clients < 1 || cfg.Credentials < 2 || cfg.Duration <= 0 || cfg.MaxRequests < 1 || cfg.AdminEvery <= 0 {
		return Report{}, errors.New("loadtest: clients >= 1, credentials >= 2, duration, max-requests and admin-every > 0 are required")
	}
	st, cleanup, err := openStore(ctx, cfg)
	if err != nil {
		return Report{}, err
	}
	defer cleanup()
	m, err := apicred.New(st)
	if err != nil {
		return Report{}, err
	}
	mw, err := middleware.New(m)
	if err != nil {
		return Report{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Report{}, err
	}
	srv := &http.Server{
		Handler:           mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/v1/ping"

	var all []*cred
	slots := make([]*slot, cfg.Credentials)
	for i := range slots {
		c, err := issue(ctx, m, &all, i)
		if err != nil {
			return Report{}, err
		}
		slots[i] = &slot{c: c}
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients, MaxConnsPerHost: cfg.Clients}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var budget atomic.Int64
	budget.Store(int64(cfg.MaxRequests))

	var rep Report
	rep.Store = cfg.Store
	samples := make([][]sample, cfg.Clients)
	graves := &graveyard{}
	var wg sync.WaitGroup
	began := time.Now()
	for worker := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(worker), uint64(began.UnixNano())))
			for runCtx.Err() == nil && budget.Add(-1) >= 0 {
				c := slots[rng.IntN(len(slots))].get()
				clientID := c.clientID
				c.mu.Lock()
				life := c.current
				c.mu.Unlock()
				if rng.IntN(8) == 0 {
					// One request in eight replays a killed secret.
					if id, dead := graves.pick(rng); dead != nil {
						clientID, life = id, dead
					}
				}
				if life == nil {
					// Revoked an instant ago; its slot is being refilled.
					budget.Add(1)
					runtime.Gosched()
					continue
				}
				smp, err := call(runCtx, client, url, clientID, life)
				if err != nil {
					if runCtx.Err() != nil {
						return
					}
					smp.status = -1
				}
				samples[worker] = append(samples[worker], smp)
			}
		}()
	}

	adminErr := make(chan error, 1)
	go func() { adminErr <- admin(runCtx, m, slots, &all, graves, cfg.AdminEvery, &rep) }()
	wg.Wait()
	rep.Elapsed = time.Since(began)
	cancel()
	if err := <-adminErr; err != nil {
		return rep, err
	}

	var lat []time.Duration
	for _, ss := range samples {
		for _, s := range ss {
			rep.Requests++
			lat = append(lat, s.end.Sub(s.start))
			dead, dying := s.life.dead.Load(), s.life.dying.Load()
			switch s.status {
			case http.StatusNoContent:
				rep.Accepted++
				if dead != nil && s.start.After(*dead) {
					rep.AcceptedAfterKill++
				}
			case http.StatusUnauthorized:
				rep.Refused++
				if s.start.After(s.life.born) && (dying == nil || s.end.Before(*dying)) {
					rep.RefusedWhileLive++
				}
			default:
				rep.OtherStatus++
			}
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		rep.P50 = lat[len(lat)/2]
		rep.P99 = lat[len(lat)*99/100]
	}
	rep.EventMismatches, err = checkAudit(ctx, m, all)
	return rep, err
}

func call(ctx context.Context, client *http.Client, url, clientID string, life *secretLife) (sample, error) {
	smp := sample{life: life}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return smp, err
	}
	req.SetBasicAuth(clientID, life.value)
	smp.start = time.Now()
	resp, err := client.Do(req)
	smp.end = time.Now()
	if err != nil {
		return smp, err
	}
	resp.Body.Close()
	smp.status = resp.StatusCode
	return smp, nil
}

// admin rotates credentials and, every tenth operation, replaces one with
// a new credential and revokes the old, until ctx ends. It records when
// each secret starts dying and when it is dead.
func admin(ctx context.Context, m *apicred.Manager, slots []*slot, all *[]*cred, graves *graveyard, every time.Duration, rep *Report) error {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; ctx.Err() == nil; n++ {
		sl := slots[rng.IntN(len(slots))]
		c := sl.get()
		c.mu.Lock()
		life := c.current
		c.mu.Unlock()
		revoke := n%10 == 9
		opCtx := context.WithoutCancel(ctx)
		if revoke {
			next, err := issue(opCtx, m, all, len(*all))
			if err != nil {
				return fmt.Errorf("loadtest: admin: %w", err)
			}
			sl.mu.Lock()
			sl.c = next
			sl.mu.Unlock()
		}
		start := time.Now()
		life.dying.CompareAndSwap(nil, &start)
		var next *secretLife
		var err error
		if revoke {
			_, err = m.Revoke(opCtx, apicred.RevokeRequest{TenantID: tenant, ID: c.id, Actor: "loadtest", Reason: "load test"})
		} else {
			var is apicred.Issued
			is, err = m.Rotate(opCtx, apicred.RotateRequest{TenantID: tenant, ID: c.id, Actor: "loadtest"})
			next = &secretLife{value: is.Secret.Reveal()}
		}
		end := time.Now()
		if errors.Is(err, apicred.ErrConflict) {
			// Only this goroutine changes credentials, so a conflict
			// would be a store fault: count it and let the audit check
			// judge.
			rep.Conflicts++
			continue
		}
		if err != nil {
			return fmt.Errorf("loadtest: admin: %w", err)
		}
		life.dead.Store(&end)
		graves.add(c.clientID, life)
		c.mu.Lock()
		if revoke {
			c.revoked = true
			c.current = nil
			rep.Revokes++
		} else {
			next.born = end
			c.current = next
			c.rotated++
			rep.Rotations++
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
	return nil
}

// checkAudit counts the credentials whose audit trail is not exactly one
// created event, one rotated event per successful rotation and one revoked
// event if it was revoked.
func checkAudit(ctx context.Context, m *apicred.Manager, all []*cred) (int, error) {
	bad := 0
	for _, s := range all {
		var types []credential.EventType
		req := apicred.EventsRequest{TenantID: tenant, CredentialID: s.id, PageRequest: apicred.PageRequest{Limit: apicred.MaxPageSize}}
		for {
			p, err := m.Events(ctx, req)
			if err != nil {
				return 0, err
			}
			for _, e := range p.Events {
				types = append(types, e.Type)
			}
			if p.NextCursor == "" {
				break
			}
			req.Cursor = p.NextCursor
		}
		want := []credential.EventType{credential.EventCreated}
		for range s.rotated {
			want = append(want, credential.EventRotated)
		}
		if s.revoked {
			want = append(want, credential.EventRevoked)
		}
		if !slices.Equal(types, want) {
			bad++
		}
	}
	return bad, nil
}

// openStore opens the configured store and returns it with its cleanup.
func openStore(ctx context.Context, cfg Config) (store.Store, func(), error) {
	switch cfg.Store {
	case "memory":
		return memstore.New(), func() {}, nil
	case "sqlite":
		path, dir := cfg.SQLitePath, ""
		if path == "" {
			d, err := os.MkdirTemp("", "apicred-loadtest-")
			if err != nil {
				return nil, nil, err
			}
			dir, path = d, filepath.Join(d, "load.db")
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			return nil, nil, err
		}
		return sqlStore(ctx, db, sqlstore.SQLite, "", cfg.Clients, func() {
			if dir != "" {
				os.RemoveAll(dir)
			}
		})
	case "postgres":
		if cfg.PostgresDSN == "" {
			return nil, nil, errors.New("loadtest: -store postgres needs -postgres DSN (or APICRED_TEST_POSTGRES_DSN)")
		}
		db, err := sql.Open("pgx", cfg.PostgresDSN)
		if err != nil {
			return nil, nil, err
		}
		prefix := fmt.Sprintf("load%d_", time.Now().UnixNano()%1_000_000)
		return sqlStore(ctx, db, sqlstore.PostgreSQL, prefix, cfg.Clients, func() {
			for _, t := range []string{"events", "credentials", "schema_version"} {
				_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+prefix+t+" CASCADE")
			}
		})
	}
	return nil, nil, fmt.Errorf("loadtest: unknown store %q (want memory, sqlite or postgres)", cfg.Store)
}

func sqlStore(ctx context.Context, db *sql.DB, d sqlstore.Dialect, prefix string, clients int, drop func()) (store.Store, func(), error) {
	// database/sql keeps 2 idle connections by default: under more
	// concurrent requests than that it would open and close a connection
	// per request. Keep one per client, and a few for the admin goroutine.
	db.SetMaxOpenConns(clients + 4)
	db.SetMaxIdleConns(clients + 4)
	var opts []sqlstore.Option
	if prefix != "" {
		opts = append(opts, sqlstore.WithTablePrefix(prefix))
	}
	st, err := sqlstore.New(db, d, opts...)
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return st, func() {
		st.Close()
		drop()
		db.Close()
	}, nil
}
