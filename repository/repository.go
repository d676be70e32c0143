package repository

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"

	tentacle "github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

// Defaults of [Options].
const (
	DefaultIndexTTL     = 24 * time.Hour   // OctoPrint's repository_ttl, 1440 minutes
	DefaultNoticesTTL   = 6 * time.Hour    // OctoPrint's notices_ttl, 360 minutes
	DefaultBlocklistTTL = 24 * time.Hour   // OctoPrint's is 15 minutes, read once at start
	DefaultTimeout      = 10 * time.Second // per fetch
	DefaultMaxSize      = 16 << 20         // bytes per list
)

// Cache file names in Options.CacheDir.
const (
	IndexFile     = "plugins.json"
	NoticesFile   = "notices.json"
	BlocklistFile = "blocklist.json"
)

// Options configure a [Repository]. The zero value of a field is its
// default.
type Options struct {
	// CacheDir is where the lists are cached (IndexFile, NoticesFile,
	// BlocklistFile); the server gives <basedir>/data/pluginmanager. It is
	// created at the first save. "": nothing is cached.
	CacheDir string
	// IndexURL, NoticesURL and BlocklistURL are where the lists are
	// fetched from, http or https. "" turns that list off: it is never
	// fetched nor read from the cache, and reported unavailable with
	// ReasonNotConfigured.
	IndexURL, NoticesURL, BlocklistURL string
	// IndexTTL, NoticesTTL and BlocklistTTL are how long a copy stays
	// fresh (defaults DefaultIndexTTL, ...). A negative one never expires:
	// the list is fetched only when there is no copy or when forced.
	IndexTTL, NoticesTTL, BlocklistTTL time.Duration
	// Client makes the requests; default: a client of its own, whose idle
	// connections Stop closes.
	Client *http.Client
	// Timeout bounds each fetch, from the request to the end of the body
	// (default DefaultTimeout).
	Timeout time.Duration
	// MaxSize is the largest list accepted, in bytes (default
	// DefaultMaxSize).
	MaxSize int64
	// APIVersion is the host's API version, which entries'
	// compatibility.tentacle and the lists' octoversions are checked
	// against (default tentacle.APIVersion). It must be semver.
	APIVersion string
	// GOOS and GOARCH are the host's platform (default runtime.GOOS and
	// runtime.GOARCH), for entries' is_compatible.os.
	GOOS, GOARCH string
	// Now is the clock that dates fetches and decides staleness (default
	// time.Now).
	Now func() time.Time
	// Logger receives what happens (default slog.Default()).
	Logger *slog.Logger
}

// Repository holds the plugin repository's index, notices and blocklist,
// each from its own URL, cached, and refreshed when stale. It is safe for
// concurrent use; its readers never wait for the network and return
// copies.
type Repository struct {
	opts   Options
	log    *slog.Logger
	client *http.Client
	own    *http.Transport // the default client's, closed by Stop
	host   *semver.Version // APIVersion without pre-release, for octoversions

	index     *list[*indexData]
	notices   *list[map[string][]Notice]
	blocklist *list[map[string][]BlocklistEntry]

	ctx    context.Context // ends at Stop; every fetch runs under it
	cancel context.CancelFunc

	mu        sync.Mutex
	started   bool
	stopped   bool
	stopAfter func() bool // unregisters Start's context.AfterFunc
	wg        sync.WaitGroup

	checkEvery time.Duration     // how often Start's goroutine looks for stale lists
	onJoin     func(list string) // test hook: a caller joined a fetch under way
}

// New makes a Repository and reads the cached lists from Options.CacheDir,
// without any network: a list with a copy is available at once, however
// old. A cached file that cannot be read is reported as that list's error
// and the list is unavailable until fetched. New fails when a URL is not
// http or https (ErrInvalidURL) or APIVersion is not semver. Call Start to
// refresh stale lists in the background and Stop to end it.
func New(opts Options) (*Repository, error) {
	for _, u := range []struct{ name, url string }{
		{"index", opts.IndexURL}, {"notices", opts.NoticesURL}, {"blocklist", opts.BlocklistURL},
	} {
		if err := checkURL(u.url); err != nil {
			return nil, fmt.Errorf("repository: %s URL %q: %w", u.name, redact(u.url), err)
		}
	}
	opts = withDefaults(opts)
	api, err := semver.NewVersion(opts.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("repository: invalid API version %q: %w", opts.APIVersion, err)
	}
	r := &Repository{
		opts:       opts,
		log:        opts.Logger.With("logger", "tentacle.plugins.pluginmanager.repository"),
		client:     opts.Client,
		host:       semver.New(api.Major(), api.Minor(), api.Patch(), "", ""),
		checkEvery: time.Minute,
	}
	if r.client == nil {
		r.own = http.DefaultTransport.(*http.Transport).Clone()
		r.client = &http.Client{Transport: r.own}
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.index = &list[*indexData]{name: "index", file: IndexFile, url: opts.IndexURL, ttl: opts.IndexTTL,
		parse: func(b []byte) (*indexData, error) { return newIndexData(b, opts.APIVersion, opts.GOOS) }}
	r.notices = &list[map[string][]Notice]{name: "notices", file: NoticesFile, url: opts.NoticesURL,
		ttl: opts.NoticesTTL, parse: r.parseNotices}
	r.blocklist = &list[map[string][]BlocklistEntry]{name: "blocklist", file: BlocklistFile,
		url: opts.BlocklistURL, ttl: opts.BlocklistTTL, parse: r.parseBlocklist}
	if opts.CacheDir != "" {
		// Leftovers of writes a crash interrupted; failing to remove
		// them only leaves them.
		for _, name := range []string{IndexFile, NoticesFile, BlocklistFile} {
			_, _ = atomicfile.RemoveTemps(filepath.Join(opts.CacheDir, name))
		}
	}
	r.index.load(opts.CacheDir)
	r.notices.load(opts.CacheDir)
	r.blocklist.load(opts.CacheDir)
	return r, nil
}

func withDefaults(o Options) Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.IndexTTL, DefaultIndexTTL)
	def(&o.NoticesTTL, DefaultNoticesTTL)
	def(&o.BlocklistTTL, DefaultBlocklistTTL)
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.APIVersion == "" {
		o.APIVersion = tentacle.APIVersion
	}
	if o.GOOS == "" {
		o.GOOS = runtime.GOOS
	}
	if o.GOARCH == "" {
		o.GOARCH = runtime.GOARCH
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func checkURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrInvalidURL
	}
	return nil
}

func (r *Repository) now() time.Time { return r.opts.Now() }

func (r *Repository) parseNotices(b []byte) (map[string][]Notice, error) {
	notices, skipped, err := ParseNotices(b)
	return byPlugin(r, "notices without plugin, text or a valid date", notices, skipped, err,
		func(n Notice) string { return n.Plugin })
}

func (r *Repository) parseBlocklist(b []byte) (map[string][]BlocklistEntry, error) {
	entries, skipped, err := ParseBlocklist(b)
	return byPlugin(r, "blocklist entries without plugin", entries, skipped, err,
		func(e BlocklistEntry) string { return e.Plugin })
}

// byPlugin groups a parsed list's items by plugin, after logging how many
// were skipped.
func byPlugin[T any](r *Repository, skippedWhat string, items []T, skipped int, err error,
	plugin func(T) string) (map[string][]T, error) {
	if err != nil {
		return nil, err
	}
	if skipped > 0 {
		r.log.Warn("skipped "+skippedWhat, "count", skipped)
	}
	out := make(map[string][]T)
	for _, it := range items {
		out[plugin(it)] = append(out[plugin(it)], it)
	}
	return out, nil
}

// Start refreshes the stale lists in the background and returns at once;
// the server never waits on the network to start. While it runs, it looks
// every minute for lists that have gone stale and fetches them, waiting
// at least five minutes (or the list's time to live, if shorter) after a
// failure before trying a list again. When ctx ends, the Repository stops
// as with Stop. A second Start, or a Start after Stop, does nothing.
func (r *Repository) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	r.wg.Add(1)
	go r.background()
	r.stopAfter = context.AfterFunc(ctx, r.Stop)
}

func (r *Repository) background() {
	defer r.wg.Done()
	t := time.NewTicker(r.checkEvery)
	defer t.Stop()
	for {
		r.refreshDue()
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshDue fetches the lists that are stale and not resting after a
// failure, all at once, and waits for them.
func (r *Repository) refreshDue() {
	now := r.now()
	due := func(stale bool, err error, errAt time.Time, ttl time.Duration) bool {
		rest := 5 * time.Minute
		if ttl > 0 {
			rest = min(rest, ttl)
		}
		return stale && (err == nil || errAt.IsZero() || !now.Before(errAt.Add(rest)))
	}
	var wg sync.WaitGroup
	if s := r.index.snap.Load(); due(r.index.stale(s, now), s.err, s.errAt, r.index.ttl) {
		wg.Go(func() { _ = r.index.refresh(r.ctx, r, false) })
	}
	if s := r.notices.snap.Load(); due(r.notices.stale(s, now), s.err, s.errAt, r.notices.ttl) {
		wg.Go(func() { _ = r.notices.refresh(r.ctx, r, false) })
	}
	if s := r.blocklist.snap.Load(); due(r.blocklist.stale(s, now), s.err, s.errAt, r.blocklist.ttl) {
		wg.Go(func() { _ = r.blocklist.refresh(r.ctx, r, false) })
	}
	wg.Wait()
}

// Stop ends the background work: Start's goroutine and every fetch under
// way (which fail and keep the copies), and waits for them. The lists
// stay readable; Refresh returns ErrStopped from then on. Stop may be
// called more than once.
func (r *Repository) Stop() {
	r.mu.Lock()
	if !r.stopped {
		r.stopped = true
		r.cancel()
		if r.stopAfter != nil {
			r.stopAfter()
		}
	}
	r.mu.Unlock()
	r.wg.Wait()
	if r.own != nil {
		r.own.CloseIdleConnections()
	}
}

// goTracked runs fn in a goroutine Stop waits for, unless stopped.
func (r *Repository) goTracked(fn func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	r.wg.Go(fn)
	return true
}

// Refresh fetches the lists now, all three at once: the stale ones, or
// with force every one (what GET /plugin/pluginmanager/repository?refresh=true
// asks). It waits for the fetches, each bounded by Options.Timeout, or
// for ctx; a fetch whose caller stopped waiting still completes and is
// recorded. A fetch of a list that is already under way is joined, not
// repeated. Lists that are off are skipped. It returns nil when every
// fetch succeeded, else the errors joined (each a *FetchError, or ctx's
// error), and ErrStopped after Stop. A failed fetch keeps the list's copy.
func (r *Repository) Refresh(ctx context.Context, force bool) error {
	r.mu.Lock()
	stopped := r.stopped
	r.mu.Unlock()
	if stopped {
		return ErrStopped
	}
	var wg sync.WaitGroup
	var errIndex, errNotices, errBlocklist error
	wg.Go(func() { errIndex = r.index.refresh(ctx, r, force) })
	wg.Go(func() { errNotices = r.notices.refresh(ctx, r, force) })
	wg.Go(func() { errBlocklist = r.blocklist.refresh(ctx, r, force) })
	wg.Wait()
	err := errors.Join(errIndex, errNotices, errBlocklist)
	if errors.Is(err, ErrStopped) {
		return ErrStopped
	}
	return err
}
