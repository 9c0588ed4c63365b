//go:build race

package credential

// raceEnabled reports whether the race detector is on: it changes allocation
// counts (sync.Pool drops items at random under it), so allocation tests skip.
const raceEnabled = true
