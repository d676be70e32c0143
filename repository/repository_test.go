package repository

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

var fixtureIDs = []string{"weather", "camstream", "mqtt", "oldthing"}

func TestFirstFetchWritesCache(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	r := open(t, srv.options(dir, c))

	ix := r.Index()
	if ix.Available || ix.Error != ReasonNotFetched || ix.Plugins == nil || len(ix.Plugins) != 0 {
		t.Fatalf("before any fetch: %+v", ix)
	}
	refresh(t, r, false)

	ix = r.Index()
	if !ix.Available || ix.Stale || ix.Error != "" || !ix.Fetched.Equal(c.Now()) {
		t.Fatalf("after the fetch: available %v stale %v error %q fetched %v", ix.Available, ix.Stale, ix.Error, ix.Fetched)
	}
	if got := ids(ix.Plugins); !slices.Equal(got, fixtureIDs) {
		t.Errorf("plugins %v, want %v", got, fixtureIDs)
	}
	if ix.Skipped != 2 {
		t.Errorf("skipped %d, want 2 (a number and an entry without id)", ix.Skipped)
	}
	for _, name := range []string{IndexFile, NoticesFile, BlocklistFile} {
		cached, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		served, _ := os.ReadFile(filepath.Join("testdata", name))
		if !bytes.Equal(cached, served) {
			t.Errorf("%s: the cache is not the body served", name)
		}
		info, _ := os.Stat(filepath.Join(dir, name))
		if !info.ModTime().Equal(c.Now()) {
			t.Errorf("%s: dated %v, want the fetch's time %v", name, info.ModTime(), c.Now())
		}
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 3 {
		t.Errorf("cache folder holds %d files, want the 3 lists only", len(files))
	}
	for _, st := range r.Status() {
		if !st.Available || st.Error != "" || st.Stale {
			t.Errorf("status %+v", st)
		}
	}
}

func TestOfflineFromCache(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	opts := srv.options(dir, c)
	first := open(t, opts)
	refresh(t, first, false)
	first.Stop()
	srv.Close() // the network is gone

	r := open(t, opts) // reads the cache, fetches nothing
	ix := r.Index()
	if !ix.Available || ix.Stale || ix.Error != "" || !slices.Equal(ids(ix.Plugins), fixtureIDs) {
		t.Fatalf("offline from the cache: %+v", ix)
	}
	if _, ok := r.Blocked("roomtemp", "1.0.0"); !ok {
		t.Error("the cached blocklist does not block roomtemp")
	}
	if n := r.Notices("weather", "1.2.0"); len(n) == 0 {
		t.Error("no cached notices for weather")
	}

	c.Advance(DefaultIndexTTL + time.Second)
	if ix := r.Index(); !ix.Available || !ix.Stale {
		t.Fatalf("past its time to live: available %v stale %v, want both", ix.Available, ix.Stale)
	}
	err := r.Refresh(context.Background(), false)
	var fe *FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("Refresh with the server gone: %v, want a *FetchError", err)
	}
	ix = r.Index()
	if !ix.Available || !slices.Equal(ids(ix.Plugins), fixtureIDs) {
		t.Fatalf("a failed fetch lost the copy: %+v", ix)
	}
	if !strings.Contains(ix.Error, "fetch index from") || !ix.ErrorAt.Equal(c.Now()) {
		t.Errorf("error %q at %v, want the fetch's failure at %v", ix.Error, ix.ErrorAt, c.Now())
	}
}

func TestTTL(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	r := open(t, srv.options(dir, c))
	refresh(t, r, false)
	hits := func() [3]int {
		return [3]int{srv.hitsOf("/plugins.json"), srv.hitsOf("/notices.json"), srv.hitsOf("/blocklist.json")}
	}
	steps := []struct {
		advance time.Duration
		want    [3]int // requests so far: index, notices, blocklist
	}{
		{0, [3]int{1, 1, 1}}, // fresh: nothing fetched
		{DefaultNoticesTTL - time.Second, [3]int{1, 1, 1}}, // still fresh
		{time.Second, [3]int{1, 2, 1}},                     // the notices expire first
		{DefaultIndexTTL - DefaultNoticesTTL - time.Second, [3]int{1, 3, 1}},
		{time.Second, [3]int{2, 3, 2}}, // a day after the first fetch
		{time.Minute, [3]int{2, 3, 2}},
	}
	for i, s := range steps {
		c.Advance(s.advance)
		refresh(t, r, false)
		if got := hits(); got != s.want {
			t.Fatalf("step %d: requests %v, want %v", i, got, s.want)
		}
	}

	// The next Repository finds the cache fresh by its files' dates.
	again := open(t, srv.options(dir, c))
	refresh(t, again, false)
	if got := hits(); got != steps[len(steps)-1].want {
		t.Errorf("a fresh cache was fetched again: %v", got)
	}
}

func TestNegativeTTLNeverExpires(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	opts := srv.options(dir, c)
	opts.IndexTTL = -1
	r := open(t, opts)
	refresh(t, r, false)
	c.Advance(365 * 24 * time.Hour)
	refresh(t, r, false)
	if n := srv.hitsOf("/plugins.json"); n != 1 {
		t.Errorf("index fetched %d times, want once", n)
	}
	if srv.hitsOf("/notices.json") != 2 {
		t.Error("the notices, with the default time to live, were not fetched again")
	}
	if r.Index().Stale {
		t.Error("a list that never expires is stale")
	}
}

func TestForceRefresh(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	r := open(t, srv.options(dir, c))
	refresh(t, r, false)
	refresh(t, r, true)
	refresh(t, r, true)
	for _, p := range []string{"/plugins.json", "/notices.json", "/blocklist.json"} {
		if n := srv.hitsOf(p); n != 3 {
			t.Errorf("%s fetched %d times, want 3", p, n)
		}
	}
}

func TestNotConfigured(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	// A cache from an earlier configuration is not read either.
	served, _ := os.ReadFile(filepath.Join("testdata", IndexFile))
	if err := os.WriteFile(filepath.Join(dir, IndexFile), served, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := srv.options(dir, c)
	opts.IndexURL, opts.BlocklistURL = "", ""
	r := open(t, opts)
	refresh(t, r, true)
	ix := r.Index()
	if ix.Available || ix.Error != ReasonNotConfigured || len(ix.Plugins) != 0 {
		t.Errorf("index off: %+v", ix)
	}
	if srv.hitsOf("/plugins.json") != 0 || srv.hitsOf("/blocklist.json") != 0 {
		t.Error("a list that is off was fetched")
	}
	if srv.hitsOf("/notices.json") != 1 {
		t.Error("the notices, which are on, were not fetched")
	}
	if _, blocked := r.Blocked("roomtemp", "1.0"); blocked {
		t.Error("a blocklist that is off blocks")
	}
	b, _ := json.Marshal(map[string]Index{"repository": ix})
	want := `{"repository":{"available":false,"plugins":[],"error":"no repository configured"}}`
	if string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
}

func TestNoCacheNoNetwork(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	opts := srv.options(t.TempDir(), c)
	srv.Close()
	r := open(t, opts)
	err := r.Refresh(context.Background(), false)
	if err == nil {
		t.Fatal("Refresh succeeded without a network")
	}
	ix := r.Index()
	if ix.Available || len(ix.Plugins) != 0 || ix.Plugins == nil {
		t.Fatalf("index %+v, want unavailable with an empty list", ix)
	}
	if !strings.HasPrefix(ix.Error, "fetch index from "+srv.URL) || !ix.ErrorAt.Equal(c.Now()) {
		t.Errorf("error %q at %v", ix.Error, ix.ErrorAt)
	}
	if _, ok := r.Entry("weather"); ok {
		t.Error("Entry found a plugin without an index")
	}
	if n := r.Notices("weather", "1.0.0"); n != nil {
		t.Errorf("notices without a list: %v", n)
	}
}

func TestCorruptCache(t *testing.T) {
	srv, c, dir := newFakeServer(t), newClock(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(`{"not": "a list"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(dir, atomicfile.TempPrefix(IndexFile)+"123")
	if err := os.WriteFile(leftover, []byte("half a list"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := open(t, srv.options(dir, c))
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Error("New left a crashed save's temporary file")
	}
	ix := r.Index()
	if ix.Available || !strings.Contains(ix.Error, "read cached index") {
		t.Fatalf("corrupt cache: %+v", ix)
	}
	refresh(t, r, false) // no copy: fetched
	if ix := r.Index(); !ix.Available || ix.Error != "" {
		t.Errorf("after a fetch: %+v", ix)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []Options{
		{IndexURL: "ftp://example.org/plugins.json"},
		{NoticesURL: "/relative/notices.json"},
		{BlocklistURL: "https://"},
	} {
		if _, err := New(o); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("New(%+v): %v, want ErrInvalidURL", o, err)
		}
	}
	if _, err := New(Options{APIVersion: "one"}); err == nil {
		t.Error("New accepted an API version that is not semver")
	}
}

func TestReadersReturnCopies(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	r := open(t, srv.options(t.TempDir(), c))
	refresh(t, r, false)

	ix := r.Index()
	ix.Plugins[0].Title = "changed"
	ix.Plugins[0].Attributes = append(ix.Plugins[0].Attributes, "changed")
	ix.Plugins[1].Archives["linux_arm64"] = Archive{URL: "changed"}
	ix.Plugins[0].Extra["x_mirror"][2] = 'X'
	e, _ := r.Entry("camstream")
	e.Compatibility.OS[0] = "changed"
	n := r.Notices("weather", "1.0.0")
	n[1].Versions[0] = "changed"

	again, _ := r.Entry("weather")
	cam, _ := r.Entry("camstream")
	switch {
	case again.Title != "Weather" || len(again.Attributes) != 0 || string(again.Extra["x_mirror"][2]) == "X":
		t.Errorf("weather changed through a copy: %+v", again)
	case cam.Archives["linux_arm64"].URL == "changed" || cam.Compatibility.OS[0] == "changed":
		t.Errorf("camstream changed through a copy: %+v", cam)
	case r.Notices("weather", "1.0.0")[1].Versions[0] == "changed":
		t.Error("a notice changed through a copy")
	}
}

func TestSearch(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	r := open(t, srv.options(t.TempDir(), c))
	if got := r.Search(""); got == nil || len(got) != 0 {
		t.Errorf("Search without an index: %v, want an empty list", got)
	}
	refresh(t, r, false)
	for _, tc := range []struct {
		term string
		want []string
	}{
		{"", fixtureIDs},
		{"  ", fixtureIDs},
		{"WEATHER", []string{"weather"}},             // id and title, any case
		{"hardware encoding", []string{"camstream"}}, // description
		{"häußge", []string{"mqtt"}},                 // author
		{"a", fixtureIDs},
		{"nothing like it", []string{}},
	} {
		if got := ids(r.Search(tc.term)); !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q) = %v, want %v", tc.term, got, tc.want)
		}
	}
}

// TestSaveFailure: a list fetched but not saved is used, and the error
// says so.
func TestSaveFailure(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, r := indexOnly(t, notADir, response{})
	if err := r.Refresh(context.Background(), false); err != nil {
		t.Fatalf("Refresh: %v (a failed save is no failed fetch)", err)
	}
	ix := r.Index()
	if !ix.Available || !strings.HasPrefix(ix.Error, "save index: create folder") || ix.ErrorAt.IsZero() {
		t.Errorf("after a failed save: available %v, error %q at %v", ix.Available, ix.Error, ix.ErrorAt)
	}
}
