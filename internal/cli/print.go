package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/internal/files"
)

// exitInterrupted is the exit status of a print cancelled with Ctrl-C.
const exitInterrupted = 130

// interruptContext returns a context cancelled by Ctrl-C (SIGINT) or
// SIGTERM (tests replace it).
var interruptContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// jobPollInterval is how often tentacle print asks for the job's progress.
var jobPollInterval = 250 * time.Millisecond

func newPrintCommand(o *options) *cobra.Command {
	var port string
	var baudrate int
	cmd := &cobra.Command{
		Use:   "print FILE",
		Short: "Print a G-code file on the running server's printer",
		Long: strings.TrimSpace(`
Print a G-code file (.gcode, .gco or .g) through the server running on the
base directory: upload it to the uploads folder, connect the printer if it
is not (to --port at --baudrate, else the saved port, else VIRTUAL, the
virtual printer, when offered), select and print it, and show the progress
until the print ends.

Exit status: 0 when the print is done, 1 when it failed or could not start,
130 when interrupted (Ctrl-C cancels the print).`),
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.print(cmd.Context(), args[0], port, baudrate)
		},
	}
	cmd.Flags().StringVar(&port, "port", "", "port to connect to when the printer is not connected")
	cmd.Flags().IntVar(&baudrate, "baudrate", 0, "baudrate to connect at (default: the saved one, else detected)")
	return cmd
}

// connectionInfo is what tentacle print reads of GET /api/connection.
type connectionInfo struct {
	Current struct {
		State string `json:"state"`
		Port  string `json:"port"`
	} `json:"current"`
	Options struct {
		Ports          []string `json:"ports"`
		PortPreference string   `json:"portPreference"`
	} `json:"options"`
}

// jobInfo is what tentacle print reads of GET /api/job.
type jobInfo struct {
	Job struct {
		File struct {
			Path string `json:"path"`
			Size int64  `json:"size"`
		} `json:"file"`
		LastPrint struct {
			ID     int     `json:"id"`
			Path   string  `json:"path"`
			Result string  `json:"result"`
			Time   float64 `json:"time"`
		} `json:"lastPrint"`
	} `json:"job"`
	Progress struct {
		Filepos *int64 `json:"filepos"`
	} `json:"progress"`
	State string `json:"state"`
	Error string `json:"error"`
}

func (o *options) print(ctx context.Context, file, port string, baudrate int) error {
	name := filepath.Base(file)
	if !files.Printable(name) {
		return fmt.Errorf("%s: %w", file, files.ErrNotPrintable)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := o.dialServer(ctx)
	if err != nil {
		return err
	}
	if r == nil {
		dir, _ := o.baseDir()
		return fmt.Errorf("no server runs on %s: start it with tentacle serve", dir)
	}
	defer r.close()
	// Prints take long: no overall timeout, each request has its own.
	r.client = &http.Client{}
	if err := r.upload(ctx, name, f); err != nil {
		return fmt.Errorf("upload %s: %w", name, err)
	}
	fmt.Fprintf(o.stdout, "uploaded %s\n", name)
	if err := o.ensureConnected(ctx, r, port, baudrate); err != nil {
		return err
	}
	var before jobInfo
	if err := r.do(ctx, http.MethodGet, "/api/job", nil, &before); err != nil {
		return err
	}
	ictx, stop := interruptContext(ctx)
	defer stop()
	if err := r.do(ctx, http.MethodPost, "/api/files/local/"+escapePath(name), map[string]any{"command": "select", "print": true}, nil); err != nil {
		return fmt.Errorf("print %s: %w", name, err)
	}
	fmt.Fprintf(o.stdout, "printing %s\n", name)
	return o.follow(ictx, ctx, r, name, before.Job.LastPrint.ID)
}

// follow polls the job until the print that started after the print
// numbered last ends, showing its progress; when ictx ends first (Ctrl-C)
// it cancels the print.
func (o *options) follow(ictx, ctx context.Context, r *remote, name string, last int) error {
	bar := o.newProgress()
	defer bar.finish()
	t := time.NewTicker(jobPollInterval)
	defer t.Stop()
	idle := 0
	for {
		var job jobInfo
		err := r.do(ctx, http.MethodGet, "/api/job", nil, &job)
		switch {
		case err != nil:
			return err
		case job.Job.LastPrint.ID > last:
			bar.finish()
			lp := job.Job.LastPrint
			if lp.Result == "done" {
				fmt.Fprintf(o.stdout, "done: %s printed in %.1f s\n", name, lp.Time)
				return nil
			}
			how := "failed"
			if lp.Result == "cancelled" {
				how = "was cancelled"
			}
			fmt.Fprintf(o.stderr, "tentacle: the print of %s %s after %.1f s\n", name, how, lp.Time)
			return exitError{code: exitFailure}
		case job.Progress.Filepos != nil:
			idle = 0
			bar.counted("printing", *job.Progress.Filepos, job.Job.File.Size)
		default:
			// Not printing and no end recorded: the end is on its way, or
			// the print never started.
			if idle++; idle > 40 {
				return fmt.Errorf("the print of %s is not running (printer %s%s)", name, job.State, errorSuffix(job.Error))
			}
		}
		select {
		case <-ictx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			bar.finish()
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := r.do(cctx, http.MethodPost, "/api/job", map[string]any{"command": "cancel"}, nil)
			cancel()
			if err != nil {
				fmt.Fprintf(o.stderr, "tentacle: interrupted; cannot cancel the print: %v\n", err)
			} else {
				fmt.Fprintf(o.stderr, "tentacle: interrupted: the print of %s is cancelled\n", name)
			}
			return exitError{code: exitInterrupted}
		case <-t.C:
		}
	}
}

func errorSuffix(e string) string {
	if e == "" {
		return ""
	}
	return ": " + e
}

// ensureConnected connects the printer when it is not: to port, else the
// saved port, else VIRTUAL when offered.
func (o *options) ensureConnected(ctx context.Context, r *remote, port string, baudrate int) error {
	var c connectionInfo
	if err := r.do(ctx, http.MethodGet, "/api/connection", nil, &c); err != nil {
		return err
	}
	if connectedState(c.Current.State) {
		return nil
	}
	if port == "" {
		port = c.Options.PortPreference
	}
	if port == "" && slices.Contains(c.Options.Ports, "VIRTUAL") {
		port = "VIRTUAL"
	}
	if port == "" {
		return fmt.Errorf("the printer is not connected and no port is known: give --port (available: %s)", strings.Join(c.Options.Ports, ", "))
	}
	body := map[string]any{"command": "connect", "port": port}
	if baudrate != 0 {
		body["baudrate"] = baudrate
	}
	if err := r.do(ctx, http.MethodPost, "/api/connection", body, nil); err != nil {
		return fmt.Errorf("connect to %s: %w", port, err)
	}
	// The printer is operational once it answered.
	for end := time.Now().Add(30 * time.Second); ; {
		if err := r.do(ctx, http.MethodGet, "/api/connection", nil, &c); err != nil {
			return err
		}
		if connectedState(c.Current.State) {
			break
		}
		if time.Now().After(end) || strings.Contains(c.Current.State, "rror") {
			return fmt.Errorf("connect to %s: the printer is %s", port, c.Current.State)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(jobPollInterval):
		}
	}
	fmt.Fprintf(o.stdout, "connected to %s\n", port)
	return nil
}

// connectedState reports whether a state text is of an operational printer.
func connectedState(s string) bool {
	switch s {
	case "Operational", "Printing", "Paused", "Pausing", "Resuming", "Cancelling", "Finishing":
		return true
	}
	return false
}

// upload sends a file to POST /api/files/local, streamed.
func (r *remote) upload(ctx context.Context, name string, content io.Reader) error {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(fw, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/api/files/local", pr)
	if err != nil {
		pr.Close()
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r.apiKey != "" {
		req.Header.Set("X-Api-Key", r.apiKey)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("server at %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return answerError(r, resp)
	}
	return nil
}

// answerError is the error of an answer that is not a success.
func answerError(r *remote, resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	msg := fmt.Sprintf("server at %s answered %s", r.base, resp.Status)
	if e := (struct{ Error string }{}); json.Unmarshal(data, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	return &remoteError{status: resp.StatusCode, message: msg}
}

// escapePath escapes each element of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, el := range parts {
		parts[i] = url.PathEscape(el)
	}
	return strings.Join(parts, "/")
}
