package adminapi

import (
	"fmt"
	"log/slog"
	"net/url"
)

// DefaultMaxBodySize is the default cap on request bodies: 64 KiB.
const DefaultMaxBodySize = 64 << 10

// DefaultProblemTypeBase is the default prefix of the "type" URI of problem
// details; the problem's code follows it.
const DefaultProblemTypeBase = "https://apicred.dev/problems/"

// Option configures a [Handler]. Options are applied in order by [New],
// which reports the first invalid one.
type Option func(*config) error

type config struct {
	maxBody     int64
	problemBase string
	logger      *slog.Logger
}

func defaultConfig() config {
	return config{maxBody: DefaultMaxBodySize, problemBase: DefaultProblemTypeBase}
}

func wrapOption(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithMaxBodySize caps request bodies at n bytes (default
// [DefaultMaxBodySize]); a larger body is answered 413. n must be
// positive.
func WithMaxBodySize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return wrapOption("WithMaxBodySize: %d is not a positive size", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithProblemTypeBase sets the prefix of the "type" URI of problem details
// (default [DefaultProblemTypeBase]); the problem's code is appended to it,
// as in "https://apicred.dev/problems/expiry_locked". It must be an
// absolute URI.
func WithProblemTypeBase(base string) Option {
	return func(c *config) error {
		u, err := url.Parse(base)
		if err != nil || !u.IsAbs() {
			return wrapOption("WithProblemTypeBase: %q is not an absolute URI", base)
		}
		c.problemBase = base
		return nil
	}
}

// WithLogger sets the logger of failures the client is not told about:
// store errors answered 500, unusable actors, and authorization errors other
// than [ErrUnauthenticated] and [ErrForbidden]. The default is
// [slog.Default]. Request bodies and secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return wrapOption("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}
