package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/source"
)

// Run starts the server, serves until ctx is done (a signal, in the
// command), then stops it. It returns an error only when the server could
// not start (the address is taken) or a step of the stop failed; plugin
// failures are logged and listed, never fatal.
func (s *Server) Run(ctx context.Context) error {
	s.started = time.Now().UTC()
	if err := s.marker.begin(); err != nil {
		s.log.Warn("cannot write the start marker; an incomplete start will not be detected", "error", err)
	}
	if err := s.mgr.Start(ctx); err != nil {
		s.log.Warn("some plugins could not be started; see tentacle plugins list", "error", err)
	}
	if ctx.Err() != nil {
		// Told to stop while the plugins started: stop now, without
		// serving (a plugin whose call was under way was abandoned).
		s.log.Info("stopping before serving: asked to stop during the start")
		return s.stop()
	}
	// The restart-needing server hooks, once, before the first request.
	s.routes.hooked.Store(s.collectServerHooks())
	ln, err := net.Listen("tcp", net.JoinHostPort(s.host, strconv.Itoa(s.port)))
	if err != nil {
		err = fmt.Errorf("server: listen: %w", err)
		s.log.Error("cannot listen", "error", err)
		return errors.Join(err, s.stop())
	}
	s.ln = ln
	s.startupCalled = true
	s.bus.Fire(server.EventStartup, nil)
	// Each OnStartup has a deadline (plugins._deadlines.call): one that
	// overruns is abandoned and its plugin disabled, and the server serves
	// anyway. A stop asked for meanwhile is not delayed by them.
	started := make(chan struct{})
	go func() {
		defer close(started)
		callEach(s, "OnStartup", server.SortStartup, func(id string, p server.Startup) { p.OnStartup(s.host, s.listenPort()) })
	}()
	select {
	case <-started:
	case <-ctx.Done():
		s.log.Info("stopping before serving: asked to stop during the startup callbacks")
		return errors.Join(s.stop(), closeListener(ln))
	}

	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	// Serving from the first request on: a plugin enabled by it gets its
	// startup callbacks, and the command line finds the run file.
	s.serving.Store(true)
	s.writeRunFile()
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.http.Serve(ln) }()
	close(s.ready)
	s.log.Info("serving", "url", "http://"+ln.Addr().String(), "safe_mode", s.safeMode)

	s.background(s.autoconnect)
	s.background(func() {
		callEach(s, "OnAfterStartup", server.SortAfterStartup, func(id string, p server.AfterStartup) { s.afterStartup(p.OnAfterStartup) })
		if err := s.marker.complete(); err != nil {
			s.log.Warn("cannot remove the start marker", "error", err)
		}
		s.clearSafeModeOnce()
		s.log.Info("startup complete")
	})
	s.watchPlugins()
	s.background(func() { s.watch.run(s.life) })
	if s.printer.temps != nil {
		s.background(func() { s.printer.temps.run(s.life) })
	}
	if s.repo != nil {
		s.repo.Start(s.life) // fetches what is stale in the background
	}

	var runErr error
	select {
	case <-ctx.Done():
	case <-s.quit:
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("server: serve: %w", err)
		}
	}
	return errors.Join(runErr, s.stop())
}

// writeRunFile records where the server listens, for the command line.
func (s *Server) writeRunFile() {
	host := s.host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	data, _ := json.Marshal(RunInfo{URL: "http://" + net.JoinHostPort(host, strconv.Itoa(s.listenPort())), PID: os.Getpid(), Instance: s.instance})
	tmp := s.dir.runFile() + ".tmp" // renamed: never read half written
	err := os.WriteFile(tmp, data, 0o644)
	if err == nil {
		err = os.Rename(tmp, s.dir.runFile())
	}
	if err != nil {
		s.log.Warn("cannot write the run file; the command line will not find this server", "error", err)
	}
}

// listenPort is the port the server listens on (the one picked, for 0).
func (s *Server) listenPort() int {
	if s.ln != nil {
		if a, ok := s.ln.Addr().(*net.TCPAddr); ok {
			return a.Port
		}
	}
	return s.port
}

// callEach calls a server mixin on every enabled plugin in its sorting
// order, recording the running plugin in the start marker while the start
// is in progress.
func callEach[T any](s *Server, what, sortingContext string, fn func(id string, impl T)) {
	_ = manager.CallEach(s.mgr, sortingContext, func(id string, impl T) error {
		if p, ok := s.mgr.Plugin(id); ok && !p.Bundled() {
			s.marker.enter(id, what)
			defer s.marker.leave(id, what)
		}
		fn(id, impl)
		return nil
	})
}

// stop runs the stop sequence once; every step is bounded by
// ShutdownTimeout.
func (s *Server) stop() error {
	var errs []error
	s.stopOnce.Do(func() {
		timeout := s.opts.ShutdownTimeout
		s.log.Info("stopping")
		if _, asked := s.StopRequested(); !asked {
			s.sockets.stopping(StopRequest{}) // a signal: pages learn of it as of a shutdown
		}
		s.endLife() // an install under way is abandoned and rolled back
		// No plugin hears of the stop while its OnAfterStartup still runs:
		// those under way end first (those not begun are not called).
		if !waitTimeout(func() { s.afterMu.Lock(); s.afterMu.Unlock() }, timeout) {
			s.log.Warn("AfterStartup callbacks still running; telling plugins of the stop without them", "timeout", timeout)
		}
		if s.startupCalled {
			// Only plugins that were told of the start hear of the stop.
			s.bus.Fire(server.EventShutdown, nil)
			if !waitTimeout(func() {
				callEach(s, "OnShutdown", server.SortShutdown, func(id string, p server.Shutdown) { p.OnShutdown() })
			}, timeout) {
				s.log.Warn("Shutdown callbacks still running; stopping without them", "timeout", timeout)
			}
		}
		// Socket clients first: a SockJS client's streaming or polling
		// request is a request in progress that would otherwise hold the
		// stop up until it timed out.
		s.sockets.closeAll()
		if s.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			if err := s.http.Shutdown(ctx); err != nil {
				// Requests still running: cut them off, as with any step
				// that overruns its time, and fail the stop once it is
				// done (the exit status says a client lost an answer).
				s.log.Warn("requests still running; closing their connections", "timeout", timeout)
				_ = s.http.Close()
				errs = append(errs, fmt.Errorf("stop serving: %w", err))
			}
			cancel()
		}
		s.serving.Store(false)
		s.bgMu.Lock()
		s.bgClosed = true
		stopWatch := s.stopWatch
		s.bgMu.Unlock()
		if stopWatch != nil {
			stopWatch()
		}
		if !waitTimeout(s.bg.Wait, timeout) {
			s.log.Warn("AfterStartup callbacks still running; stopping without them")
		}
		s.closePrinter(s.log)
		// Deliver what is queued (Shutdown included) while every plugin is
		// still enabled, then stop the plugins.
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := s.bus.Close(ctx); err != nil {
			s.log.Warn("events left undelivered", "error", err)
		}
		cancel()
		if s.ops != nil && !waitTimeout(s.ops.Wait, timeout) {
			s.log.Warn("an install is still running; stopping without it")
		}
		if s.repo != nil {
			s.repo.Stop()
		}
		var shutdownErr error
		if !waitTimeout(func() { shutdownErr = s.mgr.Shutdown(context.Background()) }, timeout) {
			s.log.Warn("plugins still stopping; leaving them behind", "timeout", timeout)
		} else if shutdownErr != nil {
			s.log.Warn("plugins stopped with errors", "error", shutdownErr)
		}
		if err := s.marker.complete(); err != nil {
			s.log.Warn("cannot remove the start marker", "error", err)
		}
		_ = os.Remove(s.dir.runFile())
		if s.configErr == nil {
			if err := s.store.Save(); err != nil {
				errs = append(errs, fmt.Errorf("save settings: %w", err))
			}
		}
		s.log.Info("stopped")
		s.logFile.Close()
		s.unlock()
	})
	return errors.Join(errs...)
}

// waitTimeout runs wait and reports whether it returned within d.
func waitTimeout(wait func(), d time.Duration) bool {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// watchPlugins watches <basedir>/plugins and <basedir>/packages in the
// background and rescans the plugins when either changes: new plugins are
// found (and enabled with plugins._autoEnable), changed ones reloaded,
// removed ones unloaded.
func (s *Server) watchPlugins() {
	if s.opts.NoWatch {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.bgMu.Lock()
	s.stopWatch = cancel
	s.bgMu.Unlock()
	for _, name := range []string{"plugins", "packages"} {
		dir := filepath.Join(s.dir.root, name)
		s.background(func() {
			err := source.Watch(ctx, dir, 0, func() {
				res, err := s.mgr.Rescan(ctx)
				if len(res.Added)+len(res.Removed)+len(res.Reloaded)+len(res.Pending) > 0 {
					s.log.Info("the "+name+" folder changed", "added", res.Added, "removed", res.Removed, "reloaded", res.Reloaded, "pending", res.Pending)
				}
				if err != nil {
					s.log.Warn("rescan after a change in the "+name+" folder found problems", "error", err)
				}
			})
			if err != nil {
				s.log.Warn("the "+name+" folder is not watched: changes need a restart", "folder", dir, "error", err)
			}
		})
	}
}

// closeListener closes a listener that never served (stop closes the
// server's, once it serves).
func closeListener(ln net.Listener) error {
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}
