package repository

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

var (
	// ErrMalformed: a list is not JSON, or not a JSON list.
	ErrMalformed = errors.New("malformed list")
	// ErrTooLarge: a response is larger than Options.MaxSize.
	ErrTooLarge = errors.New("response too large")
	// ErrStopped: the Repository was stopped (Stop, or the end of Start's
	// context); it fetches nothing more.
	ErrStopped = errors.New("repository stopped")
	// ErrInvalidURL: a configured URL is not an absolute http or https URL.
	ErrInvalidURL = errors.New("not an http or https URL")
)

// Reasons an Index or a [ListStatus] gives when there is no copy and no
// failure to report.
const (
	ReasonNotConfigured = "no repository configured"
	ReasonNotFetched    = "not fetched yet"
)

// StatusError is a response with a status other than 2xx.
type StatusError struct {
	Code   int    // 404
	Status string // "404 Not Found"
}

func (e *StatusError) Error() string { return "server answered " + e.Status }

// FetchError is a failed attempt to fetch one list. It wraps the cause:
// a *StatusError, ErrTooLarge, ErrMalformed, context.DeadlineExceeded
// (the timeout), a network error, ...; branch with errors.Is and
// errors.As.
type FetchError struct {
	List string    // "index", "notices" or "blocklist"
	URL  string    // with any password redacted
	At   time.Time // when it failed, by Options.Now
	Err  error
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("fetch %s from %s: %v", e.List, e.URL, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// redact returns u with any password replaced.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Redacted()
}
