package repository

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFailureKeepsCache: whatever makes a fetch fail, the copy stays, the
// cache file is untouched, and the listing reports the error and its time.
func TestFailureKeepsCache(t *testing.T) {
	big := append([]byte("["), bytes.Repeat([]byte(`{"id":"x"},`), 200)...)
	big = append(big, []byte(`{"id":"y"}]`)...)
	tests := []struct {
		name  string
		resp  response
		check func(error) bool
		text  string
	}{
		{"server error", response{status: http.StatusServiceUnavailable},
			func(err error) bool {
				var se *StatusError
				return errors.As(err, &se) && se.Code == 503
			}, "server answered 503 Service Unavailable"},
		{"not found", response{status: http.StatusNotFound, body: []byte("[]")},
			func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Code == 404 }, "404"},
		{"malformed JSON", response{body: []byte(`[{"id": "weather",`)},
			func(err error) bool { return errors.Is(err, ErrMalformed) }, "malformed list"},
		{"wrong shape", response{body: []byte(`{"plugins": []}`)},
			func(err error) bool { return errors.Is(err, ErrMalformed) }, "expected a JSON list"},
		{"empty body", response{body: []byte{}},
			func(err error) bool { return errors.Is(err, ErrMalformed) }, "expected a JSON list"},
		{"too large, announced", response{body: big},
			func(err error) bool { return errors.Is(err, ErrTooLarge) }, "announced"},
		{"too large, chunked", response{body: big, chunked: true},
			func(err error) bool { return errors.Is(err, ErrTooLarge) }, "more than 1024 bytes"},
		{"slow server", response{hang: true},
			func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }, "deadline exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, c, r := indexOnly(t, dir, response{})
			refresh(t, r, false)
			cached, _ := os.ReadFile(filepath.Join(dir, IndexFile))

			// The handler of the slow server blocks until the test ends;
			// the fetch's timeout ends the wait. (Only there: a short
			// timeout could end the other cases' fetches on a busy
			// machine.)
			if tc.resp.hang {
				r.opts.Timeout = 50 * time.Millisecond
			}
			r.opts.MaxSize = 1024
			srv.set("/plugins.json", tc.resp)
			c.Advance(time.Hour)
			err := r.Refresh(context.Background(), true)
			var fe *FetchError
			if !errors.As(err, &fe) || fe.List != "index" || !fe.At.Equal(c.Now()) {
				t.Fatalf("Refresh: %v, want a *FetchError for the index", err)
			}
			if !tc.check(err) {
				t.Errorf("Refresh: %v, not the expected cause", err)
			}
			ix := r.Index()
			if !ix.Available || !slices.Equal(ids(ix.Plugins), fixtureIDs) {
				t.Errorf("the copy was lost: %v", ids(ix.Plugins))
			}
			if !strings.Contains(ix.Error, tc.text) || !ix.ErrorAt.Equal(c.Now()) {
				t.Errorf("listing error %q at %v, want one with %q at %v", ix.Error, ix.ErrorAt, tc.text, c.Now())
			}
			if ix.Fetched.Equal(c.Now()) {
				t.Error("the failed fetch dated the copy")
			}
			if now, _ := os.ReadFile(filepath.Join(dir, IndexFile)); !bytes.Equal(now, cached) {
				t.Error("the failed fetch changed the cache file")
			}

			// The next success clears the error.
			srv.set("/plugins.json", response{})
			r.opts.MaxSize, r.opts.Timeout = DefaultMaxSize, DefaultTimeout
			refresh(t, r, true)
			if ix := r.Index(); ix.Error != "" || !ix.ErrorAt.IsZero() {
				t.Errorf("after a success: error %q at %v", ix.Error, ix.ErrorAt)
			}
		})
	}
}

// TestStartReturnsWhileServerHangs: Start never waits on the network,
// and Stop ends a fetch under way.
func TestStartReturnsWhileServerHangs(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	for _, p := range []string{"/plugins.json", "/notices.json", "/blocklist.json"} {
		srv.set(p, response{hang: true})
	}
	r := open(t, srv.options(t.TempDir(), c))
	r.Start(context.Background()) // returns although every request hangs
	for range 3 {
		<-srv.arrived // the background fetches are under way
	}
	if ix := r.Index(); ix.Available || ix.Error != ReasonNotFetched {
		t.Errorf("while fetching: %+v", ix)
	}
	r.Stop()
	ix := r.Index()
	if ix.Available || !strings.Contains(ix.Error, "context canceled") {
		t.Errorf("after Stop: %+v, want the cancelled fetch's error", ix)
	}
	if err := r.Refresh(context.Background(), true); !errors.Is(err, ErrStopped) {
		t.Errorf("Refresh after Stop: %v, want ErrStopped", err)
	}
}

// TestStartContextStops: the end of Start's context stops the Repository.
func TestStartContextStops(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	srv.set("/plugins.json", response{hang: true})
	r := open(t, srv.options(t.TempDir(), c))
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	<-srv.arrived
	cancel()
	<-r.ctx.Done() // Stop ran (it cancels r.ctx)
	if err := r.Refresh(context.Background(), false); !errors.Is(err, ErrStopped) {
		t.Errorf("Refresh after the context ended: %v, want ErrStopped", err)
	}
	r.Start(context.Background()) // does nothing now
}

// TestConcurrentRefreshSharesFetch: callers that want the same list at
// the same time share one request.
func TestConcurrentRefreshSharesFetch(t *testing.T) {
	const callers = 8
	release := make(chan struct{})
	srv, _, r := indexOnly(t, t.TempDir(), response{gate: release})
	joined := make(chan string, callers)
	r.onJoin = func(list string) { joined <- list }

	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { errs[i] = r.Refresh(context.Background(), true) })
	}
	// Each caller either sends a request or joins one under way; wait
	// until every caller has done one or the other.
	for range callers {
		select {
		case <-srv.arrived:
		case <-joined:
		}
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n := srv.hitsOf("/plugins.json"); n != 1 {
		t.Errorf("%d requests for %d concurrent refreshes, want 1", n, callers)
	}
	if !r.Index().Available {
		t.Error("no index after the shared fetch")
	}
}

// TestCallerStopsWaiting: a caller whose context ends returns, and the
// fetch it started still completes and is recorded.
func TestCallerStopsWaiting(t *testing.T) {
	release := make(chan struct{})
	srv, _, r := indexOnly(t, t.TempDir(), response{gate: release})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Refresh(ctx, true) }()
	<-srv.arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Refresh: %v, want context.Canceled", err)
	}
	close(release)
	refresh(t, r, false) // waits for the fetch under way, or finds it done
	if !r.Index().Available {
		t.Error("the fetch its caller left was not recorded")
	}
	if n := srv.hitsOf("/plugins.json"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestBackgroundRetriesAfterRest: the background loop fetches stale lists,
// and after a failure waits before trying that list again.
func TestBackgroundRetriesAfterRest(t *testing.T) {
	srv, c, r := indexOnly(t, t.TempDir(), response{})
	srv.set("/plugins.json", response{status: 500})
	steps := []struct {
		advance time.Duration
		want    int
	}{
		{0, 1},               // no copy: fetched (and fails)
		{time.Minute, 1},     // resting after the failure
		{4 * time.Minute, 2}, // five minutes on: tried again
		{0, 2},
	}
	for i, s := range steps {
		c.Advance(s.advance)
		if i == 2 {
			srv.set("/plugins.json", response{})
		}
		r.refreshDue()
		if n := srv.hitsOf("/plugins.json"); n != s.want {
			t.Fatalf("step %d: %d requests, want %d", i, n, s.want)
		}
	}
	if !r.Index().Available {
		t.Fatal("no index after the retry")
	}
	c.Advance(DefaultIndexTTL)
	r.refreshDue()
	if n := srv.hitsOf("/plugins.json"); n != 3 {
		t.Errorf("a stale copy was not fetched again: %d requests", n)
	}
}

// TestBackgroundLoopTicks: Start's goroutine looks for stale lists again
// and again.
func TestBackgroundLoopTicks(t *testing.T) {
	srv, c, r := indexOnly(t, t.TempDir(), response{})
	r.checkEvery = time.Millisecond
	r.Start(context.Background())
	<-srv.arrived
	refresh(t, r, false) // waits for that fetch to end
	c.Advance(DefaultIndexTTL)
	<-srv.arrived // fetched again once stale, by the loop alone
	r.Stop()
}
