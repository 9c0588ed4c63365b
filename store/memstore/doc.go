// Package memstore is an in-memory [store.Store]: concurrency-safe, fast,
// and gone when the process exits. It serves tests, examples, single-process
// services whose credentials may be lost on restart, and the benchmark
// baseline of the authentication hot path.
//
// # Design
//
// A [Store] keeps every credential as an immutable record: a write stores a
// fresh deep copy of what it was given and never changes a stored record in
// place, so a read hands out the stored record by value, sharing its
// Scopes, Metadata and SecretHash with the store. The store package allows
// that sharing: slices and maps inside returned values are read-only for
// the caller.
//
// One [sync.RWMutex] guards the indexes: reads share it, writes hold it
// alone, and a write and its audit event are one critical section, which is
// what makes them atomic (rule R16) and the compare-and-swap on Version
// exact (rule R17).
//
// # Cost
//
// [Store.GetByClientID], the authentication path, is one map lookup under a
// read lock: O(1) whatever the number of credentials, and no allocation.
// [Store.List] uses a per-tenant index sorted by ID, so a page costs a
// binary search and the page itself, whatever the other tenants hold.
// [Store.ListEvents] binary-searches per-tenant and per-credential event
// logs by Seq.
package memstore
