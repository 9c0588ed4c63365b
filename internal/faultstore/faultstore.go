// Package faultstore wraps a store.Store to inject faults, for tests that
// prove what a failed operation leaves behind: the Nth call fails, a call
// loses a compare-and-swap, a call is delayed, or its context is cancelled
// before it reaches the store.
package faultstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// ErrInjected is the error of an injected failure.
var ErrInjected = errors.New("faultstore: injected failure")

// Op names a Store method.
type Op string

// The store operations.
const (
	OpCreate        Op = "Create"
	OpGet           Op = "Get"
	OpGetByClientID Op = "GetByClientID"
	OpUpdate        Op = "Update"
	OpList          Op = "List"
	OpListEvents    Op = "ListEvents"
)

// Fault is what happens to the call it is armed for.
type Fault int

// The faults.
const (
	// Fail returns ErrInjected without calling the wrapped store.
	Fail Fault = iota + 1
	// Conflict returns store.ErrConflict without calling the wrapped store.
	Conflict
	// Cancel calls the wrapped store with a context already cancelled.
	Cancel
	// Delay sleeps for the configured delay, then calls the wrapped store.
	Delay
	// FailAfter calls the wrapped store and then returns ErrInjected,
	// whatever it did: a write that happened but whose answer was lost.
	FailAfter
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case Fail:
		return "fail"
	case Conflict:
		return "conflict"
	case Cancel:
		return "cancel"
	case Delay:
		return "delay"
	case FailAfter:
		return "fail-after"
	}
	return "none"
}

// Store is a fault-injecting store.Store. Arm it with [Store.Arm]; each
// armed fault fires once, on the numbered call it names.
type Store struct {
	inner store.Store
	delay time.Duration

	mu    sync.Mutex
	calls map[Op]int
	armed map[armKey]Fault
	log   []Op
}

type armKey struct {
	op Op
	n  int
}

var _ store.Store = (*Store)(nil)

// New wraps inner. delay is the sleep of a [Delay] fault.
func New(inner store.Store, delay time.Duration) *Store {
	return &Store{inner: inner, delay: delay, calls: map[Op]int{}, armed: map[armKey]Fault{}}
}

// Arm makes the nth call (1-based, counted from now) of op suffer f.
func (s *Store) Arm(op Op, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed[armKey{op, s.calls[op] + n}] = f
}

// Calls returns the operations called so far, in order.
func (s *Store) Calls() []Op {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Op(nil), s.log...)
}

// Reset forgets the call counts, the log and every armed fault.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.armed, s.log = map[Op]int{}, map[armKey]Fault{}, nil
}

// before counts a call of op and applies its fault, if any. It returns the
// context to call the wrapped store with, an error to return instead of
// calling it, and whether to fail after calling it.
func (s *Store) before(ctx context.Context, op Op) (context.Context, error, bool) {
	s.mu.Lock()
	s.calls[op]++
	s.log = append(s.log, op)
	f := s.armed[armKey{op, s.calls[op]}]
	s.mu.Unlock()
	switch f {
	case Fail:
		return ctx, ErrInjected, false
	case Conflict:
		return ctx, store.ErrConflict, false
	case Cancel:
		c, cancel := context.WithCancel(ctx)
		cancel()
		return c, nil, false
	case Delay:
		time.Sleep(s.delay)
	case FailAfter:
		return ctx, nil, true
	}
	return ctx, nil, false
}

func after(err error, failAfter bool) error {
	if failAfter && err == nil {
		return ErrInjected
	}
	return err
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	ctx, err, late := s.before(ctx, OpCreate)
	if err != nil {
		return err
	}
	return after(s.inner.Create(ctx, c, e), late)
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	ctx, err, late := s.before(ctx, OpGet)
	if err != nil {
		return credential.Credential{}, err
	}
	c, err := s.inner.Get(ctx, tenantID, id)
	return c, after(err, late)
}

// GetByClientID implements store.Store.
func (s *Store) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	ctx, err, late := s.before(ctx, OpGetByClientID)
	if err != nil {
		return credential.Credential{}, err
	}
	c, err := s.inner.GetByClientID(ctx, clientID)
	return c, after(err, late)
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	ctx, err, late := s.before(ctx, OpUpdate)
	if err != nil {
		return err
	}
	return after(s.inner.Update(ctx, c, e), late)
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, q store.ListQuery) ([]credential.Credential, error) {
	ctx, err, late := s.before(ctx, OpList)
	if err != nil {
		return nil, err
	}
	cs, err := s.inner.List(ctx, q)
	return cs, after(err, late)
}

// ListEvents implements store.Store.
func (s *Store) ListEvents(ctx context.Context, q store.EventQuery) ([]credential.Event, error) {
	ctx, err, late := s.before(ctx, OpListEvents)
	if err != nil {
		return nil, err
	}
	es, err := s.inner.ListEvents(ctx, q)
	return es, after(err, late)
}
