// Package serve is the tentacle server: it runs the plugin system of a base
// directory behind an HTTP API, with settings, an event bus, a socket for
// browser clients, the server mixins of package server, and safe mode with
// per-plugin quarantine after a start that did not complete.
//
// The start, in order: the base directory's layout, logging, config.yaml,
// the API key, the safe mode decision, the event bus and the plugin manager;
// plugins loaded and enabled; the listening socket bound; the Startup event
// and the Startup mixins; serving; in the background the AfterStartup
// mixins, after which the start counts as complete. The stop, in order: the
// Shutdown event and the Shutdown mixins, no more requests, plugins disabled
// and unloaded, events drained, settings saved.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/internal/metrics"
	"github.com/tentacle-go/tentacle/internal/web"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/events"
	"github.com/tentacle-go/tentacle/internal/files"
	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/internal/pluginops"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// Version is the server's version, reported by GET /api/version.
var Version = "0.1.0-dev"

// Defaults of the listening address.
const (
	DefaultHost = "127.0.0.1"
	DefaultPort = 5000
)

// Options configure a [Server].
type Options struct {
	// BaseDir is the base directory; it is created with its layout.
	BaseDir string
	// Host and Port to listen on; empty and 0 mean server.host and
	// server.port from config.yaml, else 127.0.0.1:5000. Port -1 picks a
	// free port (tests).
	Host string
	Port int
	// AllowedHosts are names the server answers to besides those of
	// server.allowedHosts (--allowed-host); see hostCheck.
	AllowedHosts []string
	// SafeMode starts in safe mode (--safe-mode): only bundled plugins run.
	SafeMode bool
	// Origins are where plugins come from; default DefaultOrigins, followed by
	// ExtraOrigins.
	Origins      []tier.Origin
	ExtraOrigins []tier.Origin
	// Console receives the log for humans and the one-time API key notice;
	// default os.Stderr. The log file is <basedir>/logs/tentacle.log.
	Console io.Writer
	// LogLevel of the console: it shows what the loggers' levels let
	// through from LogLevel up; the file gets all of it. Default info.
	LogLevel slog.Level
	// ShutdownTimeout bounds each step of the stop; default 10 s.
	ShutdownTimeout time.Duration
	// Restartable: the command that runs the server re-executes it after
	// Run returns when a system command asked for a restart
	// ([Server.StopRequested]), so the restarts are offered (tentacle serve
	// sets it where the system can re-execute a process).
	Restartable bool
	// Now is the clock of browser sessions, login sessions and the login
	// throttle; default time.Now (tests).
	Now func() time.Time
	// NoWatch turns off watching <basedir>/plugins: by default a new,
	// changed or removed source plugin is noticed while the server runs
	// (Manager.Rescan) and needs no restart.
	NoWatch bool

	// Printer, when set, makes the server's printer (tests give a fake):
	// fire publishes its events on the server's bus. What it returns must
	// also have the methods of *printer.Service that the API uses (Ports,
	// Baudrates, Log, SetTargets), else New fails.
	Printer func(fire func(event string, payload map[string]any)) (server.Printer, error)
}

// Server is one run of the tentacle host.
type Server struct {
	opts     Options
	dir      basedir
	lock     *os.File // the base directory's lock
	instance string   // identifies this run, in the run file and GET /api/server
	log      *slog.Logger
	logFile  io.Closer
	store    *settings.Store
	mgr      *manager.Manager
	metrics  *metrics.Metrics
	bus      *events.Bus
	marker   *startMarker
	hung     *hungPlugins // plugins whose code hung, for the next start
	routes   *pluginRoutes
	hooks    serverHooks // the restart-needing server hooks, called once at the start
	ui       *uiTemplates
	sockets  *socketHub
	page     *web.Page   // the web page at /
	watch    *stateWatch // pushes the listing's changes to the socket
	handler  http.Handler
	repo     *repository.Repository // nil when it could not be opened
	ops      *pluginops.Ops         // installs
	printer  *printerState          // the printer and what the API keeps of it
	uploads  *files.Store           // <basedir>/uploads
	// life ends when the stop begins: work that outlives a request (an
	// install) ends with it.
	life    context.Context
	endLife context.CancelFunc
	// afterMu is held for reading by each OnAfterStartup call and taken
	// by the stop once life has ended (afterStartup).
	afterMu sync.RWMutex

	apiKey     string
	sessions   *loginSessions   // login sessions, for the socket's auth
	browsers   *browserSessions // browser sessions, named by the session cookie
	accounts   *userDB          // users.yaml
	throttle   *loginThrottle   // failed logins by address
	hashSlots  chan struct{}    // bounds the password hashes computed at once
	host       string
	port       int
	hosts      hostCheck         // the Host headers the server answers to
	safeMode   string            // reason, "" when not in safe mode
	quarantine map[string]string // plugin -> evidence
	configErr  error             // config.yaml did not parse

	started time.Time // when Run began
	// startupCalled: the Startup event and mixins were delivered, so the
	// Shutdown ones are due.
	startupCalled bool
	ln            net.Listener
	http          *http.Server
	ready         chan struct{}
	serving       atomic.Bool
	stopOnce      sync.Once
	bg            sync.WaitGroup // background callbacks (AfterStartup)
	bgMu          sync.Mutex     // guards bgClosed and bg.Add against the stop's Wait
	bgClosed      bool
	stopWatch     context.CancelFunc // ends the plugins folder watcher

	stopMu    sync.Mutex
	stopAsked *StopRequest  // by a system command; guarded by stopMu
	quit      chan struct{} // closed to end Run, once a stop was asked for

	settingsMu sync.Mutex // serialises POST /api/settings
	badViews   sync.Map   // plugin and path of settings GET shows as null, logged once

	levels *loglevel.Registry // the loggers' levels
	// levelsFile is logging.yaml, where the levels an operator set are
	// kept; levelsMu serialises their changes.
	levelsFile *settings.Store
	levelsMu   sync.Mutex
}

// New prepares a server: it creates the base directory layout, opens the
// log, reads config.yaml (one that does not parse means safe mode and a
// read-only configuration, never an error), makes the API key, decides on
// safe mode and quarantine, and makes the plugin manager. Nothing is loaded
// or served before Run.
func New(opts Options) (*Server, error) {
	if opts.BaseDir == "" {
		return nil, errors.New("server: no base directory")
	}
	if opts.Console == nil {
		opts.Console = os.Stderr
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	s := &Server{opts: opts, ready: make(chan struct{}), quit: make(chan struct{}), instance: randomHex(8)}
	s.life, s.endLife = context.WithCancel(context.Background())
	dir, err := makeBaseDir(opts.BaseDir)
	if err != nil {
		return nil, err
	}
	s.dir = dir
	if s.lock, err = lockBaseDir(dir.root); err != nil {
		return nil, err
	}
	if err := s.openLog(); err != nil {
		s.unlock()
		return nil, err
	}
	if err := s.openSettings(); err != nil {
		s.release()
		return nil, err
	}
	if s.opts.Origins == nil {
		s.opts.Origins = append(DefaultOrigins(dir.root, s.store, s.log), s.opts.ExtraOrigins...)
	}
	if err := s.setupAPIKey(); err != nil {
		s.release()
		return nil, err
	}
	s.setupHostCheck()
	s.decideSafeMode()
	s.setupRepository()
	if err := s.setupPlugins(); err != nil {
		s.release()
		return nil, err
	}
	if err := s.setupPrinter(); err != nil {
		s.release()
		return nil, err
	}
	if s.uploads, err = files.Open(s.dir.uploads()); err != nil {
		s.release()
		return nil, fmt.Errorf("server: %w", err)
	}
	if err := s.setupOps(); err != nil {
		s.release()
		return nil, err
	}
	if err := s.setupPage(); err != nil {
		s.release()
		return nil, err
	}
	s.handler = s.routesHandler()
	return s, nil
}

// DefaultOrigins are the plugin sources of a base directory, in
// precedence order: the bundled plugins, the plugins folder
// (<basedir>/plugins, Go source run by the interpreter), the installed
// packages (<basedir>/packages, executables run as processes). The
// configuration (st, which may be nil) sets the process tier, see
// [ProcessOptions]; log (nil: none) gets its warnings. The plugin
// processes' sockets go in <basedir>/.run (see process.Options.SocketDir),
// the record of their executables' checks in <basedir>/.process-checks.json
// (process.Options.CheckRecords).
func DefaultOrigins(basedir string, st *settings.Store, log *slog.Logger) []tier.Origin {
	popts, warnings := ProcessOptions(st)
	popts.SocketDir = filepath.Join(basedir, SocketDir)
	popts.CheckRecords = filepath.Join(basedir, CheckRecordsFile)
	if log != nil {
		for _, w := range warnings {
			log.Warn("config.yaml: " + w)
		}
	}
	return []tier.Origin{
		tier.Bundled(),
		source.New(filepath.Join(basedir, "plugins"), source.Options{}),
		process.New(filepath.Join(basedir, "packages"), popts),
	}
}

// ProcessOptions reads the process tier's keys of the configuration (st
// may be nil): plugins._pathDiscovery (also find tentacle-plugin-<id> on
// PATH), plugins._hookTimeout (milliseconds, the default deadline of a
// process plugin's hook handler), plugins._hookTimeouts (hook name to
// milliseconds) and plugins._hungAfter (overruns in a row after which a
// plugin process is restarted; a negative number: never). Fractions of a
// millisecond are allowed. A value of the wrong kind is ignored, and a
// warning says which.
func ProcessOptions(st *settings.Store) (opts process.Options, warnings []string) {
	if st == nil {
		return opts, nil
	}
	switch v := st.Get("plugins._pathDiscovery").(type) {
	case nil:
	case bool:
		opts.PathDiscovery = v
	default:
		warnings = append(warnings, fmt.Sprintf("plugins._pathDiscovery is %v, not true or false: PATH discovery stays off", v))
	}
	if v := st.Get("plugins._hookTimeout"); v != nil {
		if d, ok := millis(v); ok {
			opts.HookTimeout = d
		} else {
			warnings = append(warnings, fmt.Sprintf("plugins._hookTimeout is %v, not a positive number of milliseconds: the default applies", v))
		}
	}
	switch m := st.Get("plugins._hookTimeouts").(type) {
	case nil:
	case map[string]any:
		hooks := make([]string, 0, len(m))
		for hook := range m {
			hooks = append(hooks, hook)
		}
		sort.Strings(hooks)
		opts.HookTimeouts = make(map[string]time.Duration, len(m))
		for _, hook := range hooks {
			if d, ok := millis(m[hook]); ok {
				opts.HookTimeouts[hook] = d
			} else {
				warnings = append(warnings, fmt.Sprintf("plugins._hookTimeouts: %s is %v, not a positive number of milliseconds: ignored", hook, m[hook]))
			}
		}
	default:
		warnings = append(warnings, fmt.Sprintf("plugins._hookTimeouts is %v, not a map of hook names to milliseconds: ignored", m))
	}
	switch v := st.Get("plugins._hungAfter").(type) {
	case nil:
	case int:
		if v == 0 {
			warnings = append(warnings, "plugins._hungAfter is 0, not a count of calls (or negative for never): the default applies")
		}
		opts.HungAfter = v
	default:
		warnings = append(warnings, fmt.Sprintf("plugins._hungAfter is %v, not a whole number: the default applies", v))
	}
	return opts, warnings
}

// millis reads a positive number of milliseconds.
func millis(v any) (time.Duration, bool) {
	var ms float64
	switch v := v.(type) {
	case int:
		ms = float64(v)
	case float64:
		ms = v
	default:
		return 0, false
	}
	if ms <= 0 || ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// release closes the log and the base directory's lock, for a New that
// failed.
func (s *Server) release() {
	s.logFile.Close()
	s.unlock()
}

// unlock gives the base directory's lock back.
func (s *Server) unlock() {
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// Close releases what New took (the log, the base directory's lock) when
// Run is not going to be called; Run releases them itself.
func (s *Server) Close() {
	s.stopOnce.Do(s.release)
}

// openSettings reads config.yaml, after removing the temporary files of
// saves that a killed server left beside it (the base directory's lock is
// held: no other server is saving). A file that does not parse is kept as
// it is and the server runs in safe mode on defaults. Values of the file
// that the store does not take are left out and logged, and
// GET /api/server lists them.
func (s *Server) openSettings() error {
	removed, err := settings.RemoveStaleTemporaryFiles(s.dir.config())
	for _, p := range removed {
		s.log.Info("removed the temporary file of a save that did not complete", "file", p)
	}
	if err != nil {
		s.log.Warn("cannot remove the temporary files of saves that did not complete", "error", err)
	}
	store, err := settings.Open(s.dir.config(), map[string]any{
		"server": map[string]any{"host": DefaultHost, "port": DefaultPort},
	})
	var perr *settings.ParseError
	switch {
	case errors.As(err, &perr):
		s.configErr = perr
		s.log.Error("config.yaml does not parse; running in safe mode on defaults and leaving the file as it is", "error", perr)
	case err != nil:
		return fmt.Errorf("server: %w", err)
	}
	for _, iv := range store.Ignored() {
		s.log.Warn("config.yaml holds a value that settings cannot take: it is ignored (its default applies), and the next save of config.yaml leaves it out",
			"path", iv.Path, "line", iv.Line, "reason", iv.Reason)
	}
	s.store = store
	s.host = s.opts.Host
	if s.host == "" {
		s.host = store.GetString("server.host")
	}
	switch {
	case s.opts.Port > 0:
		s.port = s.opts.Port
	case s.opts.Port < 0:
		s.port = 0
	default:
		s.port = store.GetInt("server.port")
	}
	return nil
}

// setupHostCheck reads which Host headers the server answers to.
func (s *Server) setupHostCheck() {
	hosts, warnings := newHostCheck(s.store.Get(allowedHostsPath), s.opts.AllowedHosts, s.host)
	for _, w := range warnings {
		s.log.Warn(w)
	}
	if hosts.off {
		s.log.Warn("the Host header is not checked (" + allowedHostsPath + " has \"*\"): a web page using DNS rebinding can reach the server")
	}
	s.hosts = hosts
}

// setupPlugins makes the event bus and the plugin manager with the server's
// mixins, injectables and activators.
func (s *Server) setupPlugins() error {
	s.bus = events.New(events.Options{
		Logger:  s.log.With("logger", "tentacle.events"),
		OnFault: s.eventFault,
	})
	quarantine := s.quarantine
	deadlines, warnings := deadlines(s.store)
	for _, w := range warnings {
		s.log.Warn(w)
	}
	var blocked func(id, version string) (string, bool)
	if s.repo != nil {
		blocked = s.repo.Blocked
	}
	s.setupMetrics()
	m, err := manager.New(manager.Options{
		Timed:          s.metrics.Timed,
		Blocked:        blocked,
		Deadlines:      deadlines,
		OnHung:         s.onHung,
		Origins:        s.opts.Origins,
		BaseDir:        s.dir.root,
		APIVersion:     tentacle.APIVersion,
		Settings:       s.store,
		Mixins:         server.Mixins(),
		SafeMode:       s.safeMode != "",
		SafeModeReason: s.safeMode,
		Quarantine:     quarantine,
		Logger:         s.log,
		Trace:          s.marker.trace,
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if err := m.Hooks().DeclareAll(server.Hooks()); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if s.hooks, err = declareServerHooks(m.Hooks()); err != nil {
		return err
	}
	s.mgr = m
	m.Inject(server.InjectEventBus, busView{s.bus})
	m.InjectFactory(server.InjectMessages, func(info tentacle.PluginInfo) (any, error) {
		return messenger{hub: s.sockets, plugin: info.Identifier}, nil
	})
	m.InjectFactory(bundled.InjectAdmin, func(info tentacle.PluginInfo) (any, error) {
		if !info.Bundled {
			return nil, nil
		}
		return admin{s: s}, nil
	})
	m.InjectFactory(bundled.InjectLogs, func(info tentacle.PluginInfo) (any, error) {
		if !info.Bundled {
			return nil, nil
		}
		return logs{s: s}, nil
	})
	s.routes = newPluginRoutes(s)
	s.sockets = newSocketHub(s)
	s.watch = newStateWatch(s)
	s.sessions = newLoginSessions()
	s.sessions.now = s.opts.Now
	s.browsers = newBrowserSessions(s.opts.Now)
	s.throttle = newLoginThrottle(s.opts.Now)
	s.hashSlots = make(chan struct{}, maxHashes)
	s.accounts = newUserDB(s.dir.root, s.log, s.endUsers)
	m.AddActivator(s.routes)
	s.ui = newUITemplates(s)
	m.AddActivator(s.ui)
	m.AddActivator(&eventActivator{s: s})
	m.AddActivator(startupActivator{s})
	m.Subscribe(s.transition)
	return nil
}

// transition publishes the manager's transitions on the bus as events, and
// has the state watch look at the listing.
func (s *Server) transition(ev manager.Transition) {
	s.watch.changed()
	name := map[manager.TransitionKind]string{
		manager.Loaded:   server.EventPluginLoaded,
		manager.Enabled:  server.EventPluginEnabled,
		manager.Disabled: server.EventPluginDisabled,
		manager.Unloaded: server.EventPluginUnloaded,
	}[ev.Kind]
	if name != "" {
		s.bus.Fire(name, map[string]any{"id": ev.Plugin, "version": ev.Info.Version})
	}
	if ev.Kind == manager.Enabled {
		// Enabled after it hung: no quarantine at the next start.
		if err := s.hung.remove(ev.Plugin); err != nil {
			s.log.Warn("cannot update the record of hung plugins", "error", err)
		}
	}
}

// Manager returns the server's plugin manager.
func (s *Server) Manager() *manager.Manager { return s.mgr }

// Settings returns the server's settings store.
func (s *Server) Settings() *settings.Store { return s.store }

// APIKey returns the key that requests changing something must carry.
func (s *Server) APIKey() string { return s.apiKey }

// Handler returns the server's HTTP handler (for tests with httptest).
func (s *Server) Handler() http.Handler { return s.handler }

// Ready is closed once the server serves.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr returns the address the server listens on, once Ready.
func (s *Server) Addr() string {
	if s.ln == nil {
		return net.JoinHostPort(s.host, strconv.Itoa(s.port))
	}
	return s.ln.Addr().String()
}

// SafeMode returns why the server runs in safe mode, or "".
func (s *Server) SafeMode() string { return s.safeMode }
