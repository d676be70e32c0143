package repository

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

// userAgent names Tentacle to the repository's server.
const userAgent = "tentacle-repository/1"

// get fetches url and returns its body: a 2xx answer of at most
// Options.MaxSize bytes, or an error (a *StatusError, ErrTooLarge, the
// client's error, which wraps ctx's when the timeout ends it).
func (r *Repository) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Read a little of the body so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return nil, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	limit := r.opts.MaxSize
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes announced, the limit is %d", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return body, nil
}

// writeCache replaces dir/name with data atomically (see
// atomicfile.Write), dated fetched: how a later New knows the copy's age.
// dir is created (0755) when missing; "" caches nothing.
func writeCache(dir, name string, data []byte, fetched time.Time) error {
	if dir == "" {
		return nil
	}
	return atomicfile.Write(filepath.Join(dir, name), data, atomicfile.Options{
		Perm: 0o644, DirPerm: 0o755, ModTime: fetched,
	})
}

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
