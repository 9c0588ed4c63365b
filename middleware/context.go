package middleware

import (
	"context"

	"github.com/apicred/apicred/credential"
)

// principalKey is the context key of the principal. Being unexported, no
// other package can set or shadow it.
type principalKey struct{}

// principalContext carries the principal of an authenticated request. It
// is one allocation for both the context and the principal, where
// context.WithValue would need a second one to box the principal. Done,
// Err and Deadline are its parent's, so cancellation passes through.
type principalContext struct {
	context.Context
	p credential.Principal
}

func newPrincipalContext(parent context.Context, p credential.Principal) context.Context {
	return &principalContext{Context: parent, p: p}
}

// Value returns a pointer to the principal for principalKey and asks the
// parent for every other key.
func (c *principalContext) Value(key any) any {
	if _, ok := key.(principalKey); ok {
		return &c.p
	}
	return c.Context.Value(key)
}

// String names the context for debugging, without the principal's scopes.
func (c *principalContext) String() string {
	return "middleware.WithPrincipal(" + c.p.ClientID + ")"
}

// ContextWithPrincipal returns a copy of ctx that carries p, as
// [Middleware.Handler] makes for an authenticated request. It serves tests
// of handlers and transports other than HTTP; [PrincipalFrom] reads it.
// Like [context.WithValue], it panics on a nil ctx.
func ContextWithPrincipal(ctx context.Context, p credential.Principal) context.Context {
	if ctx == nil {
		panic("middleware: ContextWithPrincipal: nil parent context")
	}
	return newPrincipalContext(ctx, p)
}

// PrincipalFrom returns the principal of an authenticated request's
// context, and whether there is one.
func PrincipalFrom(ctx context.Context) (credential.Principal, bool) {
	if p := principalOf(ctx); p != nil {
		return *p, true
	}
	return credential.Principal{}, false
}

// principalOf returns the principal in ctx without copying it, or nil.
func principalOf(ctx context.Context) *credential.Principal {
	p, _ := ctx.Value(principalKey{}).(*credential.Principal)
	return p
}
