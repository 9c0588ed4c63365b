package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// List returns up to q.Limit credentials of tenant q.TenantID whose ID sorts
// after q.After, in ascending ID order (16-byte big-endian). It reads only
// that tenant's sorted index. A Limit outside 1 to [store.MaxLimit] is taken
// as [store.MaxLimit].
func (s *Store) List(ctx context.Context, q store.ListQuery) ([]credential.Credential, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: list: %w", err)
	}
	limit := pageSize(q.Limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tenants[q.TenantID]
	if !ok {
		return []credential.Credential{}, nil
	}
	i := 0
	if q.After != uuid.Nil {
		var found bool
		i, found = slices.BinarySearchFunc(t.ids, q.After, compareIDs)
		if found {
			i++
		}
	}
	ids := t.ids[i:]
	ids = ids[:min(len(ids), limit)]
	out := make([]credential.Credential, len(ids))
	for k, id := range ids {
		out[k] = *s.byID[id]
	}
	return out, nil
}

// ListEvents returns up to q.Limit events of tenant q.TenantID, of
// credential q.CredentialID when it is not zero, whose Seq is greater than
// q.AfterSeq, in ascending Seq order. A Limit outside 1 to
// [store.MaxLimit] is taken as [store.MaxLimit].
func (s *Store) ListEvents(ctx context.Context, q store.EventQuery) ([]credential.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: list events: %w", err)
	}
	limit := pageSize(q.Limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tenants[q.TenantID]
	if !ok {
		return []credential.Event{}, nil
	}
	if q.CredentialID == uuid.Nil {
		i := sort.Search(len(t.events), func(i int) bool { return t.events[i].Seq > q.AfterSeq })
		page := t.events[i:]
		return slices.Clone(page[:min(len(page), limit)]), nil
	}
	pos := t.eventsOf[q.CredentialID]
	i := sort.Search(len(pos), func(i int) bool { return t.events[pos[i]].Seq > q.AfterSeq })
	pos = pos[i:]
	pos = pos[:min(len(pos), limit)]
	out := make([]credential.Event, len(pos))
	for k, p := range pos {
		out[k] = t.events[p]
	}
	return out, nil
}

// pageSize returns limit, or [store.MaxLimit] when limit is out of range.
func pageSize(limit int) int {
	if limit <= 0 || limit > store.MaxLimit {
		return store.MaxLimit
	}
	return limit
}
