package apicred_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/apicred/apicred"
	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store/memstore"
)

// exampleClock is a fixed clock, so that the examples print the same
// output every time.
func exampleClock() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }

func ExampleManager_Issue() {
	m, err := apicred.New(memstore.New(), apicred.WithClock(exampleClock))
	if err != nil {
		log.Fatal(err)
	}
	issued, err := m.Issue(context.Background(), apicred.IssueRequest{
		TenantID: "brand-42",
		Name:     "ERP Sync — Production",
		Access:   credential.AccessFineGrained,
		Scopes:   []string{"products:read"},
		Actor:    "alice@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The secret is in issued.Secret, shown this once: hand it to its
	// owner with issued.Secret.Reveal() or issued.WriteEnv. Printed, it
	// redacts itself.
	fmt.Println(strings.HasPrefix(issued.ClientID, "mk_live_"))
	fmt.Println(issued.Secret)
	fmt.Println(issued.Credential.State(m.Now()))
	// Output:
	// true
	// [REDACTED]
	// active
}

func ExampleManager_Authenticate() {
	m, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	issued, err := m.Issue(ctx, apicred.IssueRequest{
		TenantID: "brand-42", Name: "reporting", Access: credential.AccessFineGrained,
		Scopes: []string{"products:read"}, Actor: "alice",
	})
	if err != nil {
		log.Fatal(err)
	}

	p, err := m.Authenticate(ctx, issued.ClientID, []byte(issued.Secret.Reveal()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.TenantID, p.HasScope("products:read"), p.HasScope("orders:write"))

	_, err = m.Authenticate(ctx, issued.ClientID, []byte("ms_live_wrong"))
	fmt.Println(errors.Is(err, apicred.ErrAuthenticationFailed), err)
	// Output:
	// brand-42 true false
	// true credential: authentication failed
}

func ExampleManager_Rotate() {
	m, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	issued, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "brand-42", Name: "erp", Access: credential.AccessFull, Actor: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	rotated, err := m.Rotate(ctx, apicred.RotateRequest{
		TenantID: "brand-42", ID: issued.Credential.ID, Actor: "alice", Reason: "Scheduled quarterly rotation",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, errOld := m.Authenticate(ctx, issued.ClientID, []byte(issued.Secret.Reveal()))
	_, errNew := m.Authenticate(ctx, rotated.ClientID, []byte(rotated.Secret.Reveal()))
	fmt.Println("same client ID:", rotated.ClientID == issued.ClientID)
	fmt.Println("old secret:", errOld)
	fmt.Println("new secret:", errNew)
	// Output:
	// same client ID: true
	// old secret: credential: authentication failed
	// new secret: <nil>
}

func ExampleManager_Revoke() {
	m, err := apicred.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	issued, err := m.Issue(ctx, apicred.IssueRequest{TenantID: "brand-42", Name: "erp", Access: credential.AccessFull, Actor: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	revoked, err := m.Revoke(ctx, apicred.RevokeRequest{
		TenantID: "brand-42", ID: issued.Credential.ID, Actor: "alice", Reason: "secret pasted in a ticket",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(revoked.State(m.Now()), revoked.RevokeReason)

	_, err = m.Revoke(ctx, apicred.RevokeRequest{TenantID: "brand-42", ID: issued.Credential.ID, Actor: "alice", Reason: "again"})
	fmt.Println(errors.Is(err, apicred.ErrAlreadyRevoked))
	// Output:
	// revoked secret pasted in a ticket
	// true
}

func ExampleManager_SetExpiry() {
	now := exampleClock()
	clock := func() time.Time { return now }
	m, err := apicred.New(memstore.New(), apicred.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	issued, err := m.Issue(ctx, apicred.IssueRequest{
		TenantID: "brand-42", Name: "erp", Access: credential.AccessFull, Actor: "alice",
		ExpiresAt: now.Add(30 * 24 * time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	id := issued.Credential.ID

	// More than 72 hours to go: the expiry can be changed.
	c, err := m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "brand-42", ID: id, ExpiresAt: now.Add(5 * 24 * time.Hour), Actor: "alice"})
	fmt.Println(c.ExpiresAt.Format(time.RFC3339), err)

	// Two days later, exactly 72 hours remain: the expiry is locked.
	now = now.Add(2 * 24 * time.Hour)
	_, err = m.SetExpiry(ctx, apicred.ExpiryRequest{TenantID: "brand-42", ID: id, Actor: "alice"})
	fmt.Println(errors.Is(err, apicred.ErrExpiryLocked))
	// Output:
	// 2026-01-07T09:00:00Z <nil>
	// true
}

func ExampleIssued_WriteEnv() {
	m, err := apicred.New(memstore.New(), apicred.WithEnvPrefix("ACME"))
	if err != nil {
		log.Fatal(err)
	}
	issued, err := m.Issue(context.Background(), apicred.IssueRequest{TenantID: "brand-42", Name: "erp", Access: credential.AccessFull, Actor: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	// In a real service this goes to the owner's download, not to stdout.
	var env strings.Builder
	if err := issued.WriteEnv(&env); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(env.String()), "\n") {
		name, _, _ := strings.Cut(line, "=")
		fmt.Println(name)
	}
	// Output:
	// ACME_CLIENT_ID
	// ACME_CLIENT_SECRET
}
