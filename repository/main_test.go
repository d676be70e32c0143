package repository

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// response is what the fake server answers on one path.
type response struct {
	status int    // 0: 200
	body   []byte // nil: the fixture of the same name
	// chunked: send the body without a Content-Length.
	chunked bool
	// hang: block until the test releases the server (at its end), not
	// answering.
	hang bool
	// gate: when not nil, answer only once it is closed.
	gate chan struct{}
}

// fakeServer serves the three lists from testdata, counts requests per
// path, and can be told to fail or hang.
type fakeServer struct {
	*httptest.Server
	mu      sync.Mutex
	resp    map[string]response
	hits    map[string]int
	arrived chan string   // a request arrived (buffered)
	release chan struct{} // closed at the test's end: hanging handlers return
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	s := &fakeServer{
		resp:    map[string]response{},
		hits:    map[string]int{},
		arrived: make(chan string, 100),
		release: make(chan struct{}),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.release) }) // runs before Close
	return s
}

func (s *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	resp := s.resp[r.URL.Path]
	s.mu.Unlock()
	select {
	case s.arrived <- r.URL.Path:
	default:
	}
	if resp.hang {
		<-s.release
		return
	}
	if resp.gate != nil {
		<-resp.gate
	}
	body := resp.body
	if body == nil {
		b, err := os.ReadFile(filepath.Join("testdata", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		body = b
	}
	if !resp.chunked {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	if resp.status != 0 {
		w.WriteHeader(resp.status)
	}
	if resp.chunked {
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		w.Write(body[len(body)/2:])
		return
	}
	w.Write(body)
}

func (s *fakeServer) set(path string, r response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resp[path] = r
}

func (s *fakeServer) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// options returns options for the fake server's three lists, cached in
// dir, on the fake clock.
func (s *fakeServer) options(dir string, c *clock) Options {
	return Options{
		CacheDir:     dir,
		IndexURL:     s.URL + "/plugins.json",
		NoticesURL:   s.URL + "/notices.json",
		BlocklistURL: s.URL + "/blocklist.json",
		Client:       s.Client(),
		Now:          c.Now,
		APIVersion:   "1.0.0",
		GOOS:         "linux",
		GOARCH:       "arm64",
		Logger:       slog.New(slog.DiscardHandler),
	}
}

// indexOnly returns a fake server, a clock and a Repository of the
// server's index alone (notices and blocklist off), cached in dir, with
// the index answered as resp.
func indexOnly(t *testing.T, dir string, resp response) (*fakeServer, *clock, *Repository) {
	t.Helper()
	srv, c := newFakeServer(t), newClock()
	srv.set("/plugins.json", resp)
	opts := srv.options(dir, c)
	opts.NoticesURL, opts.BlocklistURL = "", ""
	return srv, c, open(t, opts)
}

// open makes a Repository that the test stops at its end.
func open(t *testing.T, opts Options) *Repository {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// refresh refreshes and fails the test on an error.
func refresh(t *testing.T, r *Repository, force bool) {
	t.Helper()
	if err := r.Refresh(context.Background(), force); err != nil {
		t.Fatalf("Refresh(%v): %v", force, err)
	}
}

func ids(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}
