package middleware_test

import (
	"context"
	"testing"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/middleware"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type otherKey struct{}

func testPrincipal() credential.Principal {
	return credential.NewPrincipal(testTenant, uuid.New(), "mk_live_abc", credential.AccessFineGrained, credential.EnvironmentLive, []string{"orders:read"})
}

func TestPrincipalContextPassesCancellationThrough(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.WithValue(t.Context(), otherKey{}, "kept"))
	ctx := middleware.ContextWithPrincipal(parent, testPrincipal())
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	afterFuncRan := make(chan struct{})
	context.AfterFunc(ctx, func() { close(afterFuncRan) })

	assert.Equal(t, "kept", ctx.Value(otherKey{}), "other keys are asked of the parent")
	require.NoError(t, ctx.Err())
	cause := assert.AnError
	cancel(cause)

	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the principal context was not cancelled with its parent")
	}
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived from the principal context was not cancelled")
	}
	select {
	case <-afterFuncRan:
	case <-time.After(5 * time.Second):
		t.Fatal("context.AfterFunc did not run")
	}
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
	assert.ErrorIs(t, child.Err(), context.Canceled)
	assert.Equal(t, cause, context.Cause(child), "the cause passes through")
}

func TestPrincipalContextPassesTheDeadlineThrough(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	got, ok := middleware.ContextWithPrincipal(parent, testPrincipal()).Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, got)
}

func TestPrincipalFromReturnsACopy(t *testing.T) {
	want := testPrincipal()
	ctx := context.WithValue(middleware.ContextWithPrincipal(t.Context(), want), otherKey{}, "later")

	p, ok := middleware.PrincipalFrom(ctx)
	require.True(t, ok, "found through a context derived later")
	assert.Equal(t, want.CredentialID, p.CredentialID)
	p.TenantID = "changed"
	scopes := p.Scopes()
	scopes[0] = "changed:too"

	again, _ := middleware.PrincipalFrom(ctx)
	assert.Equal(t, testTenant, again.TenantID)
	assert.Equal(t, []string{"orders:read"}, again.Scopes())
}

func TestPrincipalFromAContextWithoutOne(t *testing.T) {
	p, ok := middleware.PrincipalFrom(t.Context())
	assert.False(t, ok)
	assert.Zero(t, p)
	assert.Panics(t, func() {
		//lint:ignore SA1012 the test checks the nil parent
		middleware.ContextWithPrincipal(nil, testPrincipal())
	})
}
