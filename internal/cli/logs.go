package cli

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/internal/loglevel"
)

// levelsPath is where the Logging plugin answers with and takes the
// levels set.
const levelsPath = "/plugin/logging/setup/levels"

// newLogsCommand reads and sets the levels of the server's loggers.
func newLogsCommand(o *options) *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "logs",
		Short: "Read and set the levels of the server's loggers",
		Long: strings.TrimSpace(`
The server logs to <basedir>/logs/tentacle.log, rotated by size
(config.yaml logging.maxSize, maxBackups, maxAge, compress). Each logger has
a name: tentacle for the server, tentacle.plugins.<id> for plugin <id>,
tentacle.plugin.core for the plugin manager, tentacle.events,
tentacle.printer. A level set for a name applies to the names below it
unless they have their own; without any, loggers log at INFO.

The levels set are kept in <basedir>/logging.yaml, as OctoPrint keeps them.
Through a running server a change applies at once to every plugin, those
running as processes included; with --offline, or without a server, it is
written to logging.yaml for the next start (a running server may overwrite
it).`),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "levels",
		Short: "List the levels set, one logger a line",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			levels, _, err := o.logLevels(cmd.Context())
			if err != nil {
				return err
			}
			if len(levels) == 0 {
				fmt.Fprintln(o.stdout, "no levels set: every logger logs at INFO")
				return nil
			}
			for _, name := range slices.Sorted(maps.Keys(levels)) {
				fmt.Fprintf(o.stdout, "%s %s\n", name, loglevel.Name(levels[name]))
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "level PLUGIN|LOGGER LEVEL|default",
		Short: "Set the level of a plugin's logger, or of any logger (default: unset it)",
		Long: strings.TrimSpace(`
Set the level of a logger: DEBUG, INFO, WARNING, ERROR or CRITICAL; default
unsets it, so that the level of the nearest logger above it with one
applies. A name without a dot is a plugin's identifier (foo is
tentacle.plugins.foo); OctoPrint's names are taken as Tentacle's
(octoprint.plugins.foo is tentacle.plugins.foo).`),
		Args: exactArgs(2, "a plugin identifier or logger name, and a level"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.setLogLevel(cmd.Context(), args[0], args[1])
		},
	})
	return cmd
}

// loggerName returns the logger an argument names: a plugin identifier
// (no dot) names its plugin's logger.
func loggerName(arg string) (string, error) {
	if !strings.Contains(arg, ".") && arg != loglevel.Root && arg != "octoprint" {
		arg = loglevel.PluginLogger(arg)
	}
	return loglevel.Canonical(arg)
}

// setLogLevel sets (level "default": unsets) the level of the logger arg
// names, through the running server or in logging.yaml.
func (o *options) setLogLevel(ctx context.Context, arg, level string) error {
	name, err := loggerName(arg)
	if err != nil {
		return usageError{err}
	}
	var l slog.Level
	unset := strings.EqualFold(level, "default")
	if !unset {
		if l, err = loglevel.Parse(level); err != nil {
			return usageError{fmt.Errorf("logger %s: %w (or default)", name, err)}
		}
	}
	levels, save, err := o.logLevels(ctx)
	if err != nil {
		return err
	}
	if unset {
		delete(levels, name)
	} else {
		levels[name] = l
	}
	when, err := save(levels)
	if err != nil {
		return err
	}
	if unset {
		fmt.Fprintf(o.stdout, "%s: level unset %s\n", name, when)
	} else {
		fmt.Fprintf(o.stdout, "%s: %s %s\n", name, loglevel.Name(l), when)
	}
	return nil
}

// logLevels returns the levels set, and a function that makes others the
// levels set and says when they apply: through the running server (the
// Logging plugin's API), else in logging.yaml.
func (o *options) logLevels(ctx context.Context) (map[string]slog.Level, func(map[string]slog.Level) (string, error), error) {
	r, err := o.dialServer(ctx)
	if err != nil {
		return nil, nil, err
	}
	if r != nil && !o.offline {
		var named map[string]string
		if err := r.do(ctx, http.MethodGet, levelsPath, nil, &named); err != nil {
			return nil, nil, fmt.Errorf("logs: %w", err)
		}
		levels, err := loglevel.ParseLevels(named)
		if err != nil {
			return nil, nil, fmt.Errorf("logs: the server's levels: %w", err)
		}
		return levels, func(levels map[string]slog.Level) (string, error) {
			if err := r.do(ctx, http.MethodPut, levelsPath, loglevel.Format(levels), nil); err != nil {
				return "", fmt.Errorf("logs: %w", err)
			}
			return "(applied now)", nil
		}, nil
	}
	dir, err := o.baseDir()
	if err != nil {
		return nil, nil, err
	}
	st, err := loglevel.OpenFile(filepath.Join(dir, loglevel.FileName))
	if err != nil {
		return nil, nil, fmt.Errorf("logs: %w", err)
	}
	levels, warnings := loglevel.ReadLevels(st)
	for _, w := range warnings {
		fmt.Fprintln(o.stderr, "tentacle: warning:", w)
	}
	return levels, func(levels map[string]slog.Level) (string, error) {
		if err := loglevel.WriteLevels(st, levels); err != nil {
			return "", fmt.Errorf("logs: %w", err)
		}
		return "(applies at the next start)", nil
	}, nil
}
