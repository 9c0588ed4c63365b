package sqlstore

// SetBeforeCommit makes Create and Update of s call f between the INSERT
// of their event and their COMMIT, so that a test of package sqlstore_test
// can hold a write's transaction open at that point. Set it before s is
// shared between goroutines; nil removes it.
func SetBeforeCommit(s *Store, f func()) { s.beforeCommit = f }
