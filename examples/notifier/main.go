// Command notifier is a small alerting daemon that takes Tentacle plugins.
// It reads samples from its sensors, lets plugins check every one (the
// hook notify.CheckHook, on its hot path) and has every alert they raise
// delivered by the plugins that send alerts (the mixin notify.Sender).
// Plugins are compiled in (package console) or installed as packages,
// executables that run in processes of their own (journal/ is one). It is
// an example of a host that is not the tentacle server; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"

	"example.com/tentacle-notifier/console"
	"example.com/tentacle-notifier/notify"
)

// options are the command line's.
type options struct {
	packages string        // the packages folder
	basedir  string        // config.yaml and the plugins' data folders; "": a temporary folder
	samples  int           // how many samples to check; 0: until interrupted
	every    time.Duration // the pause between two samples
	budget   time.Duration // the check hook's budget for a process plugin's handler
	quiet    bool          // log warnings and errors only
}

func main() {
	var o options
	flag.StringVar(&o.packages, "packages", "packages", "the packages folder: a folder per process plugin, as tentacle plugins pack writes it")
	flag.StringVar(&o.basedir, "basedir", "", "the base directory: config.yaml and the plugins' data folders (default: a temporary folder, removed at exit)")
	flag.IntVar(&o.samples, "samples", 3000, "how many samples to check (0: until interrupted)")
	flag.DurationVar(&o.every, "every", 0, "the pause between two samples (0: none)")
	flag.DurationVar(&o.budget, "budget", 20*time.Millisecond, "how long a process plugin's check may take before it is skipped")
	flag.BoolVar(&o.quiet, "q", false, "log warnings and errors only")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: notifier [flags]\n\nChecks samples with its plugins and sends the alerts they raise.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "notifier:", err)
		os.Exit(1)
	}
}

// run runs the notifier until it has checked o.samples samples or ctx is
// done. Alerts and the summary go to out, the log to logw.
func run(ctx context.Context, o options, out, logw io.Writer) error {
	level := slog.LevelInfo
	if o.quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: level}))

	basedir := o.basedir
	if basedir == "" {
		tmp, err := os.MkdirTemp("", "notifier-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		basedir = tmp
	}
	// The configuration: plugins' settings and the manager's keys
	// (plugins._disabled, plugins._sortingOrder, ...).
	store, err := settings.Open(filepath.Join(basedir, "config.yaml"), nil)
	var perr *settings.ParseError
	switch {
	case errors.As(err, &perr):
		logger.Warn("config.yaml is broken, running on defaults", "error", perr)
	case err != nil:
		return err
	}

	// The manager, with two origins: the plugins compiled in, and the
	// packages folder, whose plugins run in processes of their own. Its
	// mixins are the notifier's, besides package tentacle's.
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{
			tier.Definitions(tier.OriginBundled, true, map[string]*tentacle.Definition{
				"console": console.New(out),
			}),
			process.New(o.packages, process.Options{}),
		},
		BaseDir:  basedir,
		Settings: store,
		Mixins:   notify.Mixins(),
		Logger:   logger,
	})
	if err != nil {
		return err
	}

	// The hook the notifier calls, declared before Start: a handler for a
	// hook that is not declared is refused.
	check, err := hooks.Declare[notify.Check](m.Hooks(), hooks.Spec{
		Name:   notify.CheckHook,
		Doc:    "Called for every sample; returns the alerts the sample raises.",
		Budget: o.budget, // on the hot path: a process plugin's handler that overruns is skipped
	})
	if err != nil {
		return err
	}

	// What the notifier offers its plugins.
	feed := newFeed()
	m.Inject(notify.InjectSensors, feed.sensors)

	// Discover, load and enable the plugins. A plugin that fails is logged
	// and listed; the others run.
	if err := m.Start(ctx); err != nil {
		logger.Warn("some plugins did not start", "error", err)
	}
	defer func() {
		if err := m.Shutdown(context.Background()); err != nil {
			logger.Warn("shutdown", "error", err)
		}
	}()
	listPlugins(out, m)

	// The hot loop: every sample through every check, then every alert to
	// every sender.
	type raised struct {
		by    string
		alert notify.Alert
	}
	var (
		alerts    []raised
		count     int // samples checked
		raisedN   int // alerts raised
		delivered int // alerts delivered, once per sender
		start     = time.Now()
	)
	fmt.Fprintf(out, "checking samples of %s\n", strings.Join(feed.sensors, ", "))
	for o.samples == 0 || count < o.samples {
		if ctx.Err() != nil {
			fmt.Fprintln(out, "interrupted")
			break
		}
		s := feed.next()
		count++
		alerts = alerts[:0]
		// Call recovers a handler that panics (a process plugin's that
		// overran the budget or crashed, too), has the manager log it and
		// count it against the plugin, and goes on with the next handler.
		check.Call(func(h hooks.Handler[notify.Check]) {
			for _, a := range h.Fn(s) {
				alerts = append(alerts, raised{h.Plugin, a})
			}
		})
		raisedN += len(alerts)
		for _, r := range alerts {
			fmt.Fprintf(out, "#%d %s %.1f: %s alert from %s\n", s.Seq, s.Sensor, s.Value, r.alert.Level, r.by)
			var sentBy []string
			// CallEach recovers, logs and counts a sender's panic or error
			// and goes on with the next sender.
			_ = manager.CallEach(m, notify.SendContext, func(id string, snd notify.Sender) error {
				if err := snd.Send(r.alert); err != nil {
					return err
				}
				sentBy = append(sentBy, id)
				return nil
			})
			delivered += len(sentBy)
			fmt.Fprintf(out, "  sent by %s\n", orNone(sentBy))
		}
		if o.every > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(o.every):
			}
		}
	}
	took := time.Since(start)
	fmt.Fprintf(out, "checked %d samples in %v (%v a sample); %d alerts, %d deliveries\n",
		count, took.Round(time.Millisecond), (took / time.Duration(max(count, 1))).Round(time.Microsecond), raisedN, delivered)
	for _, in := range m.List() {
		line := fmt.Sprintf("  %s: %d faults", in.Key, in.Faults)
		if in.Process != nil {
			line += fmt.Sprintf(", %d overruns, %d restarts", in.Process.Overruns, in.Process.Restarts)
		}
		fmt.Fprintln(out, line)
	}
	return nil
}

// listPlugins prints the plugins, how they run, and what they do for the
// notifier.
func listPlugins(out io.Writer, m *manager.Manager) {
	list := m.List()
	fmt.Fprintln(out, "plugins:")
	for _, in := range list {
		how := in.Tier
		if in.Process != nil {
			how += fmt.Sprintf(" (pid %d)", in.Process.PID)
		}
		var does []string
		for _, mx := range in.Mixins {
			if mx == senderMixin {
				does = append(does, "sends alerts")
			}
		}
		for _, h := range in.Hooks {
			if h == notify.CheckHook {
				does = append(does, "checks samples")
			}
		}
		switch {
		case !in.Enabled && in.Error != nil:
			does = []string{fmt.Sprintf("not running: %s: %s", in.Error.Phase, in.Error.Message)}
		case !in.Enabled && in.Reason != "":
			does = []string{"not running: " + in.Reason}
		case !in.Enabled:
			does = []string{"not running"}
		}
		fmt.Fprintf(out, "  %-8s %-7s %-20s %s\n", in.Key, in.Version, how, strings.Join(does, ", "))
	}
}

// senderMixin is notify.Sender's name in listings.
var senderMixin = reflect.TypeFor[notify.Sender]().String()

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "no one"
	}
	return strings.Join(ids, ", ")
}
