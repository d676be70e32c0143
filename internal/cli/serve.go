package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/settings"
)

func newServeCommand(o *options) *cobra.Command {
	var opts serve.Options
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the tentacle server",
		Long: strings.TrimSpace(`
Run the tentacle server on the base directory, which is created with its
layout on first start: the HTTP API, the event bus and socket, and every
plugin. It stops cleanly on SIGINT or SIGTERM (Ctrl-C).

The address is --host and --port, else server.host and server.port from
config.yaml, else 127.0.0.1:5000. Requests must name the server in their
Host header: localhost, an IP address, the listening host, or a name in
server.allowedHosts or --allowed-host (a defence against DNS rebinding).
On first start an API key is made, kept in config.yaml (api.key) and
printed once; every request that changes something must carry it (header
X-Api-Key), or come from the browser session of an admin user (see
"tentacle users").

Safe mode (only bundled plugins run) is used with --safe-mode, after
"tentacle safemode", when config.yaml does not parse, and when the previous
start did not complete without saying which plugin's code was running. When
it says, only that plugin is kept from running (quarantined), for this run.
A second SIGINT or SIGTERM during the stop ends the process at once.

POST /api/system/commands/core/restart (restart_safe: in safe mode) stops
the server as a signal does, then runs it again in the same process (exec:
the same process identifier), with the same arguments and environment, from
the executable file at the path it was started from.`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := o.baseDir()
			if err != nil {
				return err
			}
			opts.BaseDir = dir
			opts.Console = o.stderr
			opts.ExtraOrigins = o.extra
			// The program to run again on a restart: the path of this
			// one, taken now, at the start (a file put at that path since,
			// an upgrade, is what the restart runs; taken at the restart,
			// Linux would give where the file the process runs is now,
			// which an upgrade that moved it aside would change).
			exe, exeErr := os.Executable()
			opts.Restartable = canReexec && exeErr == nil
			srv, err := serve.New(opts)
			if err != nil {
				return err
			}
			// The first SIGINT or SIGTERM stops the server cleanly; a second
			// one, while it stops, ends the process at once.
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			sigs := make(chan os.Signal, 2)
			signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
			defer func() { signal.Stop(sigs); close(sigs) }()
			go func() {
				if _, ok := <-sigs; !ok {
					return
				}
				cancel()
				if _, ok := <-sigs; ok {
					fmt.Fprintln(o.stderr, "tentacle: second signal: exiting without a clean stop")
					os.Exit(exitFailure)
				}
			}()
			err = srv.Run(ctx)
			req, asked := srv.StopRequested()
			if !asked || !req.Restart || ctx.Err() != nil {
				return err // a signal during a restart's stop ends the process
			}
			if err != nil {
				fmt.Fprintln(o.stderr, "tentacle: restarting although the stop failed:", err)
			}
			signal.Stop(sigs)
			fmt.Fprintln(o.stderr, "tentacle: restarting")
			return reexec(exe, os.Args, os.Environ())
		},
	}
	cmd.Flags().StringVar(&opts.Host, "host", "", "address to listen on (default server.host, 127.0.0.1)")
	cmd.Flags().IntVar(&opts.Port, "port", 0, "port to listen on (default server.port, 5000)")
	cmd.Flags().BoolVar(&opts.SafeMode, "safe-mode", false, "run only bundled plugins")
	cmd.Flags().StringArrayVar(&opts.AllowedHosts, "allowed-host", nil, "a host name to answer to besides server.allowedHosts (repeatable; \"*\": any)")
	return cmd
}

func newSafeModeCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "safemode",
		Short: "Make the next start of the server run in safe mode",
		Long: strings.TrimSpace(`
Make the next start of the server run in safe mode: only bundled plugins
run. It sets server.startOnceInSafeMode, which the server clears once that
start is complete: through the running server when there is one (with
--offline, in config.yaml regardless, which a running server may
overwrite).`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Through the server when one runs: its next save would undo a
			// change made behind its back.
			if r, err := o.dialServer(cmd.Context()); err != nil {
				return err
			} else if r != nil && !o.offline {
				if err := r.do(cmd.Context(), "POST", "/api/server", map[string]any{"command": "safemode"}, nil); err != nil {
					return fmt.Errorf("safemode: %w", err)
				}
				fmt.Fprintln(o.stdout, "the next start of the server runs in safe mode")
				return nil
			}
			dir, err := o.baseDir()
			if err != nil {
				return err
			}
			st, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
			if err != nil {
				return fmt.Errorf("safemode: %w", err)
			}
			if err := serve.RequestSafeMode(st); err != nil {
				return fmt.Errorf("safemode: %w", err)
			}
			fmt.Fprintln(o.stdout, "the next start of the server runs in safe mode")
			return nil
		},
	}
}
