package storetest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// flaw is one way a store can break the contract.
type flaw int

// The flaws of [mapStore]. Each breaks one rule, the way a real store could.
const (
	flawless                    flaw = iota
	flawNoCAS                        // Update ignores Version: last writer wins (R17)
	flawEventOutsideCAS              // Update writes its event before the version check, so a conflict leaves an event (R16)
	flawLosesUpdateEvent             // Update changes the credential but writes no event (R16)
	flawGetIgnoresTenant             // Get finds credentials of every tenant (R15)
	flawUpdateIgnoresTenant          // Update changes credentials of every tenant (R15)
	flawListIgnoresTenant            // List returns credentials of every tenant (R15)
	flawEventsIgnoreTenant           // ListEvents returns events of every tenant (R15)
	flawDuplicateIDOverwrites        // Create with a taken ID replaces the credential
	flawClientIDUniquePerTenant      // client IDs are unique per tenant only, not across tenants (R15)
	flawTimesInSeconds               // times are kept to the second (R7)
	flawTimesNotUTC                  // times come back in a local time zone (R7)
	flawIgnoresContext               // done contexts are ignored
	flawPageSkips                    // List drops the first credential of every page after the first
	flawPageRepeats                  // List returns the After credential again
	flawListInsertionOrder           // List pages in creation order, not ID order
	flawAliasesInput                 // the caller's slices and maps are kept, not copied
	flawEventsNewestFirst            // ListEvents returns the newest events first
	flawEchoesSecret                 // a returned field holds a plaintext secret (R8)
	flawRecordUseMovesBackward       // RecordUse sets LastUsedAt even when it is earlier
	flawRecordUseBumpsVersion        // RecordUse increments Version
	flawRecordUseIgnoresTenant       // RecordUse finds credentials of every tenant (R15)
)

// mapStore is a deliberately simple store: a mutex over slices, searched
// linearly. Without a flaw it keeps the whole contract, which the
// self-tests check; with one, it breaks exactly that flaw's rule.
type mapStore struct {
	flaw   flaw
	mu     sync.Mutex
	creds  []credential.Credential // in creation order
	events []credential.Event      // in write order
	seq    int64
}

var (
	_ store.Store         = (*mapStore)(nil)
	_ store.UsageRecorder = (*mapStore)(nil)
)

func (m *mapStore) ctxErr(ctx context.Context) error {
	if m.flaw == flawIgnoresContext {
		return nil
	}
	return ctx.Err()
}

// keep returns what the store keeps of c.
func (m *mapStore) keep(c credential.Credential) credential.Credential {
	if m.flaw != flawAliasesInput {
		c = c.Clone()
	}
	if m.flaw == flawTimesInSeconds {
		for _, t := range []*time.Time{&c.CreatedAt, &c.ExpiresAt, &c.RevokedAt, &c.RotatedAt, &c.LastUsedAt} {
			*t = t.Truncate(time.Second)
		}
	}
	return c
}

var paris = time.FixedZone("CET", 3600)

// out returns what the store returns of a kept credential.
func (m *mapStore) out(c credential.Credential) credential.Credential {
	switch m.flaw {
	case flawTimesNotUTC:
		for _, t := range []*time.Time{&c.CreatedAt, &c.ExpiresAt, &c.RevokedAt, &c.RotatedAt, &c.LastUsedAt} {
			if !t.IsZero() {
				*t = t.In(paris)
			}
		}
	case flawEchoesSecret:
		c.SecretHint = fixtureSecret
	}
	return c
}

func (m *mapStore) outEvent(e credential.Event) credential.Event {
	if m.flaw == flawTimesNotUTC {
		e.At = e.At.In(paris)
	}
	return e
}

// find returns the index of credential id of tenant, or -1. With
// anyTenant, the tenant is not checked.
func (m *mapStore) find(tenant string, id uuid.UUID, anyTenant bool) int {
	return slices.IndexFunc(m.creds, func(c credential.Credential) bool {
		return c.ID == id && (anyTenant || c.TenantID == tenant)
	})
}

func (m *mapStore) appendEvent(e credential.Event) {
	m.seq++
	e.Seq = m.seq
	m.events = append(m.events, e)
}

func (m *mapStore) Create(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := m.ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := m.find("", c.ID, true); i >= 0 {
		if m.flaw != flawDuplicateIDOverwrites {
			return store.ErrDuplicate
		}
		m.creds[i] = m.keep(c)
		m.appendEvent(e)
		return nil
	}
	for _, old := range m.creds {
		if old.ClientID == c.ClientID && (m.flaw != flawClientIDUniquePerTenant || old.TenantID == c.TenantID) {
			return store.ErrDuplicate
		}
	}
	m.creds = append(m.creds, m.keep(c))
	m.appendEvent(e)
	return nil
}

func (m *mapStore) Get(ctx context.Context, tenantID string, id uuid.UUID) (credential.Credential, error) {
	if err := m.ctxErr(ctx); err != nil {
		return credential.Credential{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(tenantID, id, m.flaw == flawGetIgnoresTenant)
	if i < 0 {
		return credential.Credential{}, store.ErrNotFound
	}
	return m.out(m.creds[i]), nil
}

func (m *mapStore) GetByClientID(ctx context.Context, clientID string) (credential.Credential, error) {
	if err := m.ctxErr(ctx); err != nil {
		return credential.Credential{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.creds {
		if c.ClientID == clientID {
			return m.out(c), nil
		}
	}
	return credential.Credential{}, store.ErrNotFound
}

func (m *mapStore) Update(ctx context.Context, c credential.Credential, e credential.Event) error {
	if err := m.ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(c.TenantID, c.ID, m.flaw == flawUpdateIgnoresTenant)
	if i < 0 {
		return store.ErrNotFound
	}
	if m.flaw == flawEventOutsideCAS {
		m.appendEvent(e)
	}
	old := m.creds[i]
	if old.Version != c.Version && m.flaw != flawNoCAS {
		return store.ErrConflict
	}
	next := m.keep(c)
	next.TenantID = old.TenantID
	next.Version = old.Version + 1
	m.creds[i] = next
	if m.flaw != flawLosesUpdateEvent && m.flaw != flawEventOutsideCAS {
		m.appendEvent(e)
	}
	return nil
}

func (m *mapStore) List(ctx context.Context, q store.ListQuery) ([]credential.Credential, error) {
	if err := m.ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var sel []credential.Credential
	for _, c := range m.creds {
		if c.TenantID == q.TenantID || m.flaw == flawListIgnoresTenant {
			sel = append(sel, c)
		}
	}
	start := 0
	if m.flaw == flawListInsertionOrder {
		if i := slices.IndexFunc(sel, func(c credential.Credential) bool { return c.ID == q.After }); i >= 0 {
			start = i + 1
		}
	} else {
		slices.SortFunc(sel, func(a, b credential.Credential) int { return bytes.Compare(a.ID[:], b.ID[:]) })
		if q.After != uuid.Nil {
			start = len(sel)
			for i, c := range sel {
				cmp := bytes.Compare(c.ID[:], q.After[:])
				if cmp > 0 || cmp == 0 && m.flaw == flawPageRepeats {
					start = i
					break
				}
			}
		}
	}
	page := sel[start:min(start+q.Limit, len(sel))]
	if m.flaw == flawPageSkips && q.After != uuid.Nil && len(page) > 0 {
		page = page[1:]
	}
	out := make([]credential.Credential, len(page))
	for i, c := range page {
		out[i] = m.out(c)
	}
	return out, nil
}

func (m *mapStore) ListEvents(ctx context.Context, q store.EventQuery) ([]credential.Event, error) {
	if err := m.ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []credential.Event
	for _, e := range m.events {
		if (e.TenantID == q.TenantID || m.flaw == flawEventsIgnoreTenant) &&
			(q.CredentialID == uuid.Nil || e.CredentialID == q.CredentialID) &&
			e.Seq > q.AfterSeq {
			out = append(out, m.outEvent(e))
		}
	}
	if m.flaw == flawEventsNewestFirst {
		slices.Reverse(out)
	}
	return out[:min(q.Limit, len(out))], nil
}

func (m *mapStore) RecordUse(ctx context.Context, tenantID string, id uuid.UUID, at time.Time) error {
	if err := m.ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(tenantID, id, m.flaw == flawRecordUseIgnoresTenant)
	if i < 0 {
		return store.ErrNotFound
	}
	if at.After(m.creds[i].LastUsedAt) || m.flaw == flawRecordUseMovesBackward {
		m.creds[i].LastUsedAt = at
	}
	if m.flaw == flawRecordUseBumpsVersion {
		m.creds[i].Version++
	}
	return nil
}
