package storetest

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// checkCredential reports, as a violation of rule, every field of got that
// differs from want. Times must be the same instant, in UTC, or both zero;
// nil and empty slices and maps are the same.
func checkCredential(t tb, rule string, want, got credential.Credential) bool {
	t.Helper()
	var d diff
	d.value("ID", want.ID, got.ID)
	d.value("TenantID", want.TenantID, got.TenantID)
	d.value("ClientID", want.ClientID, got.ClientID)
	d.value("Name", want.Name, got.Name)
	d.value("ContactEmail", want.ContactEmail, got.ContactEmail)
	d.value("Access", want.Access, got.Access)
	if !slices.Equal(want.Scopes, got.Scopes) {
		d.add("Scopes", got.Scopes, want.Scopes)
	}
	if !maps.Equal(want.Metadata, got.Metadata) {
		d.add("Metadata", got.Metadata, want.Metadata)
	}
	d.value("Environment", want.Environment, got.Environment)
	if !bytes.Equal(want.SecretHash, got.SecretHash) {
		d.add("SecretHash", fmt.Sprintf("%x", []byte(got.SecretHash)), fmt.Sprintf("%x", []byte(want.SecretHash)))
	}
	d.value("HasherID", want.HasherID, got.HasherID)
	d.value("SecretHint", want.SecretHint, got.SecretHint)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("ExpiresAt", want.ExpiresAt, got.ExpiresAt)
	d.time("RevokedAt", want.RevokedAt, got.RevokedAt)
	d.value("RevokeReason", want.RevokeReason, got.RevokeReason)
	d.time("RotatedAt", want.RotatedAt, got.RotatedAt)
	d.time("LastUsedAt", want.LastUsedAt, got.LastUsedAt)
	d.value("Version", want.Version, got.Version)
	return d.report(t, rule, "credential "+want.ID.String())
}

// checkEvent reports, as a violation of rule, every field of got but Seq
// that differs from want.
func checkEvent(t tb, rule string, want, got credential.Event) bool {
	t.Helper()
	var d diff
	d.value("ID", want.ID, got.ID)
	d.value("Type", want.Type, got.Type)
	d.value("TenantID", want.TenantID, got.TenantID)
	d.value("CredentialID", want.CredentialID, got.CredentialID)
	d.value("Actor", want.Actor, got.Actor)
	d.value("Reason", want.Reason, got.Reason)
	d.time("At", want.At, got.At)
	d.time("OldExpiresAt", want.OldExpiresAt, got.OldExpiresAt)
	d.time("NewExpiresAt", want.NewExpiresAt, got.NewExpiresAt)
	return d.report(t, rule, "event "+want.ID.String())
}

// diff collects the fields that differ.
type diff []string

func (d *diff) add(field string, got, want any) {
	*d = append(*d, fmt.Sprintf("%s is %#v, want %#v", field, got, want))
}

func (d *diff) value(field string, want, got any) {
	if want != got {
		d.add(field, got, want)
	}
}

// time requires the same instant in UTC, or zero for zero (R7).
func (d *diff) time(field string, want, got time.Time) {
	switch {
	case want.IsZero() && got.IsZero():
	case want.IsZero() || got.IsZero() || !got.Equal(want):
		*d = append(*d, fmt.Sprintf("%s is %s, want %s", field, fmtTime(got), fmtTime(want)))
	case got.Location() != time.UTC:
		*d = append(*d, fmt.Sprintf("%s is in location %q, want UTC", field, got.Location()))
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.Format(time.RFC3339Nano)
}

func (d diff) report(t tb, rule, what string) bool {
	t.Helper()
	if len(d) == 0 {
		return true
	}
	t.Errorf("%s: %s: %s", rule, what, strings.Join(d, "; "))
	return false
}

// ids returns the IDs of cs, in order.
func ids(cs []credential.Credential) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// eventIDs returns the IDs of es, in order.
func eventIDs(es []credential.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// sortedIDs returns a sorted copy of ids, ascending as 16-byte big-endian
// values, the order of [store.Store.List].
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// secretIn returns the path of the first string or byte slice inside v that
// contains one of secrets, or "" when none does. It walks structs (but not
// the internals of time.Time), slices, arrays, maps, pointers and
// interfaces, reading unexported fields too.
func secretIn(v reflect.Value, path string, secrets ...[]byte) string {
	switch v.Kind() {
	case reflect.String:
		for _, s := range secrets {
			if strings.Contains(v.String(), string(s)) {
				return path
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			for i := range b {
				b[i] = byte(v.Index(i).Uint())
			}
			for _, s := range secrets {
				if bytes.Contains(b, s) {
					return path
				}
			}
			return ""
		}
		for i := range v.Len() {
			if p := secretIn(v.Index(i), fmt.Sprintf("%s[%d]", path, i), secrets...); p != "" {
				return p
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			p := fmt.Sprintf("%s[%v]", path, it.Key())
			if q := secretIn(it.Key(), p+" (key)", secrets...); q != "" {
				return q
			}
			if q := secretIn(it.Value(), p, secrets...); q != "" {
				return q
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return secretIn(v.Elem(), path, secrets...)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return ""
		}
		for i := range v.NumField() {
			if p := secretIn(v.Field(i), path+"."+v.Type().Field(i).Name, secrets...); p != "" {
				return p
			}
		}
	}
	return ""
}

// allEvents returns every event of tenant tenantID (and of credential id
// unless it is zero), reading pages of [store.MaxLimit].
func allEvents(t tb, s store.Store, tenantID string, id uuid.UUID) []credential.Event {
	t.Helper()
	var out []credential.Event
	q := store.EventQuery{TenantID: tenantID, CredentialID: id, Limit: store.MaxLimit}
	for {
		page, err := s.ListEvents(t.Context(), q)
		if err != nil {
			t.Errorf("ListEvents of a tenant must succeed; with %+v it failed: %v", q, err)
			t.FailNow()
		}
		if len(page) == 0 {
			return out
		}
		for _, e := range page {
			if e.Seq <= q.AfterSeq {
				t.Errorf("R16: ListEvents after Seq %d must return only greater Seqs, got event %s with Seq %d", q.AfterSeq, e.ID, e.Seq)
				t.FailNow()
			}
		}
		out = append(out, page...)
		q.AfterSeq = page[len(page)-1].Seq
	}
}

// mustCreate creates c with e and fails the case if Create fails.
func mustCreate(t tb, s store.Store, c credential.Credential, e credential.Event) {
	t.Helper()
	if err := s.Create(t.Context(), c, e); err != nil {
		t.Errorf("Create of a new credential must succeed; it failed: %v", err)
		t.FailNow()
	}
}

// mustGet returns the credential id of tenant tenantID and fails the case
// if Get fails.
func mustGet(t tb, s store.Store, tenantID string, id uuid.UUID) credential.Credential {
	t.Helper()
	c, err := s.Get(t.Context(), tenantID, id)
	if err != nil {
		t.Errorf("Get of an existing credential must succeed; it failed: %v", err)
		t.FailNow()
	}
	return c
}
