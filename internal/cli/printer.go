package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

func newPrinterCommand(o *options) *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "printer",
		Short: "Show, connect, disconnect and command the running server's printer",
		Long: strings.TrimSpace(`
Show, connect, disconnect and command the printer of the server running on
the base directory, through its API (see tentacle print to print a file).`),
	})
	var asJSON bool
	state := &cobra.Command{
		Use:   "state",
		Short: "Show the printer's connection, temperatures and job",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withPrinter(cmd.Context(), func(ctx context.Context, r *remote) error { return o.printerState(ctx, r, asJSON) })
		},
	}
	state.Flags().BoolVar(&asJSON, "json", false, "print GET /api/connection and /api/job (and /api/printer when connected) as JSON")
	var port string
	var baudrate int
	connect := &cobra.Command{
		Use:   "connect",
		Short: "Connect the printer (--port, else the saved port, else VIRTUAL when offered)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withPrinter(cmd.Context(), func(ctx context.Context, r *remote) error {
				var c connectionInfo
				if err := r.do(ctx, http.MethodGet, "/api/connection", nil, &c); err != nil {
					return err
				}
				if port == "" && c.Options.PortPreference == "" && slices.Contains(c.Options.Ports, "VIRTUAL") {
					port = "VIRTUAL"
				}
				body := map[string]any{"command": "connect"}
				if port != "" {
					body["port"] = port
				}
				if baudrate != 0 {
					body["baudrate"] = baudrate
				}
				if err := r.do(ctx, http.MethodPost, "/api/connection", body, nil); err != nil {
					return err
				}
				fmt.Fprintln(o.stdout, "connected")
				return nil
			})
		},
	}
	connect.Flags().StringVar(&port, "port", "", "port to connect to")
	connect.Flags().IntVar(&baudrate, "baudrate", 0, "baudrate to connect at")
	disconnect := &cobra.Command{
		Use:   "disconnect",
		Short: "Disconnect the printer (a running print fails)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withPrinter(cmd.Context(), func(ctx context.Context, r *remote) error {
				if err := r.do(ctx, http.MethodPost, "/api/connection", map[string]any{"command": "disconnect"}, nil); err != nil {
					return err
				}
				fmt.Fprintln(o.stdout, "disconnected")
				return nil
			})
		},
	}
	send := &cobra.Command{
		Use:   "send CMD...",
		Short: "Send G-code commands to the printer, one an argument",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("send needs at least one command")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withPrinter(cmd.Context(), func(ctx context.Context, r *remote) error {
				return r.do(ctx, http.MethodPost, "/api/printer/command", map[string]any{"commands": args}, nil)
			})
		},
	}
	cmd.AddCommand(state, connect, disconnect, send)
	return cmd
}

// withPrinter runs fn with the server running on the base directory.
func (o *options) withPrinter(ctx context.Context, fn func(context.Context, *remote) error) error {
	r, err := o.dialServer(ctx)
	if err != nil {
		return err
	}
	if r == nil {
		dir, _ := o.baseDir()
		return fmt.Errorf("no server runs on %s: start it with tentacle serve", dir)
	}
	defer r.close()
	return fn(ctx, r)
}

// printerState prints the connection, the temperatures and the job.
func (o *options) printerState(ctx context.Context, r *remote, asJSON bool) error {
	var conn, job, printer map[string]any
	if err := r.do(ctx, http.MethodGet, "/api/connection", nil, &conn); err != nil {
		return err
	}
	if err := r.do(ctx, http.MethodGet, "/api/job", nil, &job); err != nil {
		return err
	}
	err := r.do(ctx, http.MethodGet, "/api/printer", nil, &printer)
	var re *remoteError
	if err != nil && !(errors.As(err, &re) && re.status == http.StatusConflict) {
		return err
	}
	if asJSON {
		out := map[string]any{"connection": conn, "job": job, "printer": printer}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(o.stdout, string(b))
		return nil
	}
	cur, _ := conn["current"].(map[string]any)
	fmt.Fprintf(o.stdout, "state: %v", cur["state"])
	if cur["port"] != nil {
		fmt.Fprintf(o.stdout, " (%v at %v)", cur["port"], cur["baudrate"])
	}
	fmt.Fprintln(o.stdout)
	if temps, ok := printer["temperature"].(map[string]any); ok {
		for _, h := range sortedKeys(temps) {
			t, _ := temps[h].(map[string]any)
			fmt.Fprintf(o.stdout, "%s: %v / %v °C\n", h, t["actual"], t["target"])
		}
	}
	j, _ := job["job"].(map[string]any)
	f, _ := j["file"].(map[string]any)
	if f["path"] != nil {
		fmt.Fprintf(o.stdout, "file: %v", f["path"])
		if p, _ := job["progress"].(map[string]any); p["completion"] != nil {
			fmt.Fprintf(o.stdout, " (%.1f%%)", p["completion"])
		}
		fmt.Fprintln(o.stdout)
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
