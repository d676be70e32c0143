package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tentacle-go/tentacle/internal/metrics"
)

// topCommand is `tentacle plugins top`.
func (o *options) topCommand() *cobra.Command {
	var once bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Show live what each plugin costs: calls, failures, latency, process memory and CPU",
		Long: strings.TrimSpace(`
Show live what each plugin of the running server costs, refreshed every
second like top: calls per second of its hook handlers, skipped calls per
second, errors, panics and overruns so far, the mean and 99th percentile
time of a call over the last interval (the plugins folder and installed
packages; compiled-in handlers are counted, not timed), and the resident
memory and CPU use of its process (installed packages, on Linux). q or
Ctrl-C quits. With --once it prints one frame, measured over one interval,
and exits. It reads GET /metrics/plugins with the API key from config.yaml.`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if interval <= 0 {
				return usageError{fmt.Errorf("--interval must be positive, not %s", interval)}
			}
			return o.top(cmd.Context(), once, interval)
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "print one frame and exit")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "time between frames")
	return cmd
}

// top shows the frames until ctx ends, q or Ctrl-C, or after one with once.
func (o *options) top(ctx context.Context, once bool, interval time.Duration) error {
	r, err := o.dialServer(ctx)
	if err != nil {
		return err
	}
	if r == nil {
		dir, _ := o.baseDir()
		return fmt.Errorf("plugins top: no tentacle server runs on %s", dir)
	}
	defer r.close()
	fetch := func() (metrics.Costs, error) {
		var c metrics.Costs
		if err := r.do(ctx, http.MethodGet, "/metrics/plugins", nil, &c); err != nil {
			return c, fmt.Errorf("plugins top: %w", err)
		}
		return c, nil
	}
	prev, err := fetch()
	if err != nil {
		return err
	}
	if once {
		if err := sleep(ctx, interval); err != nil {
			return err
		}
		cur, err := fetch()
		if err != nil {
			return err
		}
		writeTop(o.stdout, r.base, interval, prev, cur)
		return nil
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := o.stdout
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		if old, err := term.MakeRaw(fd); err == nil {
			defer func() { _ = term.Restore(fd, old) }()
			out = crlf{o.stdout} // raw mode: a line feed does not return the carriage
			go quitOnKey(os.Stdin, cancel)
		}
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		cur, err := fetch()
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil
		}
		if err != nil {
			return err
		}
		var b bytes.Buffer
		b.WriteString("\x1b[H\x1b[2J") // home, clear
		writeTop(&b, r.base, interval, prev, cur)
		fmt.Fprint(&b, "q quits\n")
		_, _ = out.Write(b.Bytes())
		prev = cur
	}
}

// quitOnKey calls cancel when q, Q or Ctrl-C (raw mode) is typed.
func quitOnKey(in io.Reader, cancel func()) {
	buf := make([]byte, 1)
	for {
		if _, err := in.Read(buf); err != nil {
			return
		}
		switch buf[0] {
		case 'q', 'Q', 3:
			cancel()
			return
		}
	}
}

// crlf writes a terminal in raw mode: every "\n" becomes "\r\n".
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	_, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	return len(p), err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// writeTop writes one frame: what each plugin cost between prev and cur,
// the busiest first.
func writeTop(w io.Writer, server string, interval time.Duration, prev, cur metrics.Costs) {
	dt := cur.Time.Sub(prev.Time).Seconds()
	if dt <= 0 {
		dt = interval.Seconds()
	}
	before := map[string]metrics.PluginCost{}
	for _, p := range prev.Plugins {
		before[p.Plugin] = p
	}
	type row struct {
		p              metrics.PluginCost
		calls, skips   float64
		mean, p99, cpu string
	}
	var rows []row
	for _, p := range cur.Plugins {
		b := before[p.Plugin]
		rw := row{p: p, calls: float64(p.Calls-min(b.Calls, p.Calls)) / dt, skips: float64(p.Skipped-min(b.Skipped, p.Skipped)) / dt, mean: "-", p99: "-", cpu: "-"}
		if n := p.TimedCalls - min(b.TimedCalls, p.TimedCalls); n > 0 {
			rw.mean = fmtSeconds((p.LatencySeconds - b.LatencySeconds) / float64(n))
			rw.p99 = quantile(cur.LatencyBounds, b.Latency, p.Latency, 0.99)
		}
		if p.PID > 0 && p.CPUSeconds > 0 {
			rw.cpu = fmt.Sprintf("%.1f%%", max(p.CPUSeconds-b.CPUSeconds, 0)/dt*100)
		}
		rows = append(rows, rw)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.calls, a.calls), strings.Compare(a.p.Plugin, b.p.Plugin))
	})
	fmt.Fprintf(w, "tentacle plugins top: %s, %d plugins, over %.1fs\n\n", server, len(rows), dt)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PLUGIN\tTIER\tCALLS/S\tSKIPPED/S\tERRORS\tPANICS\tOVERRUNS\tMEAN\tP99\tRSS\tCPU\t")
	for _, rw := range rows {
		rss := "-"
		if rw.p.RSS > 0 {
			rss = fmt.Sprintf("%.1fM", float64(rw.p.RSS)/(1<<20))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", rw.p.Plugin, rw.p.Tier, rw.calls, rw.skips,
			rw.p.Errors, rw.p.Panics, rw.p.Overruns, rw.mean, rw.p99, rss, rw.cpu)
	}
	_ = tw.Flush()
}

// quantile returns the upper bound of the latency bucket that holds the
// q-quantile of the calls between two counts per bucket, as "≤bound".
func quantile(bounds []float64, before, after []uint64, q float64) string {
	var total uint64
	delta := make([]uint64, len(after))
	for i, n := range after {
		if i < len(before) {
			n -= min(before[i], n)
		}
		delta[i] = n
		total += n
	}
	if total == 0 {
		return "-"
	}
	var seen uint64
	for i, n := range delta {
		seen += n
		if float64(seen) >= q*float64(total) {
			if i < len(bounds) {
				return "≤" + fmtSeconds(bounds[i])
			}
			break
		}
	}
	return ">" + fmtSeconds(bounds[len(bounds)-1])
}

// fmtSeconds formats a time in seconds with a unit that fits it.
func fmtSeconds(s float64) string {
	switch {
	case s < 1e-3:
		return fmt.Sprintf("%.1fµs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1fms", s*1e3)
	}
	return fmt.Sprintf("%.2fs", s)
}
