package repository

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// list is one of the three lists: where it comes from, its cache file,
// and the latest snapshot of it. Readers load the snapshot without a lock;
// it is never changed once published, only replaced.
type list[T any] struct {
	name  string // "index", "notices", "blocklist"
	file  string // the cache file's name in Options.CacheDir
	url   string // "" turns the list off
	ttl   time.Duration
	parse func([]byte) (T, error)

	snap atomic.Pointer[snapshot[T]]

	mu     sync.Mutex
	flight *flight // the fetch under way, shared by every caller
}

// snapshot is what is known of a list at one time.
type snapshot[T any] struct {
	data    T
	has     bool      // there is a copy (fetched now or read from the cache)
	fetched time.Time // when the copy was fetched
	err     error     // the last failure; nil after a success
	errAt   time.Time
}

// flight is one fetch under way; done is closed when it ends, err set.
type flight struct {
	done chan struct{}
	err  error
}

// off reports whether the list is turned off (no URL).
func (l *list[T]) off() bool { return l.url == "" }

// stale reports whether snapshot s should be fetched again at now: there
// is no copy, or the copy is older than the time to live, or dated after
// now (a clock set back). A negative time to live never expires a copy.
func (l *list[T]) stale(s *snapshot[T], now time.Time) bool {
	if !s.has {
		return true
	}
	if l.ttl < 0 {
		return false
	}
	return now.Before(s.fetched) || !now.Before(s.fetched.Add(l.ttl))
}

// statusOf describes snapshot s for a listing.
func (l *list[T]) statusOf(s *snapshot[T], now time.Time) ListStatus {
	st := ListStatus{Name: l.name, URL: redact(l.url), Available: s.has}
	switch {
	case l.off():
		st.Error = ReasonNotConfigured
		return st
	case s.err != nil:
		st.Error, st.ErrorAt = s.err.Error(), s.errAt
	case !s.has:
		st.Error = ReasonNotFetched
	}
	if s.has {
		st.Fetched, st.Stale = s.fetched, l.stale(s, now)
	}
	return st
}

// load reads the cache file at New, without any network. A missing file
// leaves the list without a copy; one that cannot be read or parsed is
// reported as the list's error.
func (l *list[T]) load(dir string) {
	s := &snapshot[T]{}
	l.snap.Store(s)
	if l.off() || dir == "" {
		return
	}
	path := filepath.Join(dir, l.file)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var info fs.FileInfo
	if err == nil {
		info, err = os.Stat(path)
	}
	var data T
	if err == nil {
		data, err = l.parse(b)
	}
	if err != nil {
		s.err = fmt.Errorf("read cached %s %s: %w", l.name, path, err)
		return
	}
	s.data, s.has, s.fetched = data, true, info.ModTime()
}

// refresh fetches the list when force is set or its copy is stale,
// joining a fetch already under way, and waits for it or for ctx. The
// fetch itself runs in r's goroutines, bounded by Options.Timeout, and
// records its outcome even when ctx ends first.
func (l *list[T]) refresh(ctx context.Context, r *Repository, force bool) error {
	if l.off() {
		return nil
	}
	l.mu.Lock()
	f := l.flight
	switch {
	case f != nil:
		if r.onJoin != nil {
			r.onJoin(l.name)
		}
	case !force && !l.stale(l.snap.Load(), r.now()):
		l.mu.Unlock()
		return nil
	default:
		f = &flight{done: make(chan struct{})}
		if !r.goTracked(func() { l.fly(r, f) }) {
			l.mu.Unlock()
			return ErrStopped
		}
		l.flight = f
	}
	l.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fly runs fetch f to its end and publishes its outcome.
func (l *list[T]) fly(r *Repository, f *flight) {
	f.err = l.fetch(r)
	l.mu.Lock()
	l.flight = nil
	l.mu.Unlock()
	close(f.done)
}

// fetch gets the list, and on success replaces the snapshot and the cache
// file; on failure it keeps the copy it had and records the error.
func (l *list[T]) fetch(r *Repository) error {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.Timeout)
	defer cancel()
	body, err := r.get(ctx, l.url)
	var data T
	if err == nil {
		data, err = l.parse(body)
	}
	now := r.now()
	old := l.snap.Load()
	if err != nil {
		ferr := &FetchError{List: l.name, URL: redact(l.url), At: now, Err: err}
		next := *old
		next.err, next.errAt = ferr, now
		l.snap.Store(&next)
		r.log.Warn("fetching a list failed; keeping the copy", "list", l.name, "url", ferr.URL,
			"have_copy", old.has, "error", err)
		return ferr
	}
	next := &snapshot[T]{data: data, has: true, fetched: now}
	if werr := writeCache(r.opts.CacheDir, l.file, body, now); werr != nil {
		next.err = fmt.Errorf("save %s: %w", l.name, werr)
		next.errAt = now
		r.log.Warn("saving a list failed", "list", l.name, "error", werr)
	}
	l.snap.Store(next)
	r.log.Info("fetched a list", "list", l.name, "url", redact(l.url), "bytes", len(body))
	return nil
}

// ListStatus is the state of one list: the index, the notices or the
// blocklist.
type ListStatus struct {
	Name      string    `json:"name"` // "index", "notices", "blocklist"
	URL       string    `json:"url"`  // "" when the list is off; passwords redacted
	Available bool      `json:"available"`
	Fetched   time.Time `json:"fetched,omitzero"`
	Stale     bool      `json:"stale,omitempty"`
	Error     string    `json:"error,omitempty"` // as Index.Error
	ErrorAt   time.Time `json:"error_at,omitzero"`
}
