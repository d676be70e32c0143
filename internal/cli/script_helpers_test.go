package cli_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tentacle-go/tentacle/internal/serve"
)

// The scripts' commands for the Plugin Manager's commands: files to
// install from, and a server to compare with.

// fileserver serves the files of a folder over HTTP for the rest of the
// script, at the URL it puts in $FILES: "fileserver DIR".
func fileserver(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fileserver DIR")
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(ts.MkAbs(args[0]))))
	ts.Defer(srv.Close)
	ts.Setenv("FILES", srv.URL)
}

// envsubst writes a copy of a file with $NAME and ${NAME} replaced by the
// script's environment: "envsubst SRC DST".
func envsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envsubst SRC DST")
	}
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
}

// archive packs a folder, under its own name, into a .zip, .tgz or .tar
// archive: "archive DIR OUT".
func archive(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: archive DIR OUT (OUT ending in .zip, .tgz or .tar)")
	}
	dir, out := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	f, err := os.Create(out)
	ts.Check(err)
	defer f.Close()
	var add func(name string, data []byte) error
	var closers []io.Closer
	switch filepath.Ext(out) {
	case ".zip":
		zw := zip.NewWriter(f)
		add = func(name string, data []byte) error {
			w, err := zw.Create(name)
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}
		closers = append(closers, zw)
	case ".tgz", ".tar":
		var w io.Writer = f
		if filepath.Ext(out) == ".tgz" {
			gz := gzip.NewWriter(f)
			w = gz
			closers = append(closers, gz)
		}
		tw := tar.NewWriter(w)
		add = func(name string, data []byte) error {
			if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
				return err
			}
			_, err := tw.Write(data)
			return err
		}
		closers = append([]io.Closer{tw}, closers...)
	default:
		ts.Fatalf("archive: %s: want .zip, .tgz or .tar", out)
	}
	ts.Check(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(dir), path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return add(filepath.ToSlash(rel), data)
	}))
	for _, c := range closers {
		ts.Check(c.Close())
	}
}

// waitserving waits until the server of a base directory, started in the
// background, serves: its run file names it and it answers there.
// "waitserving DIR". It fails after a minute, or at once when the server
// has exited.
func waitserving(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitserving DIR")
	}
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		var ri serve.RunInfo
		data, err := os.ReadFile(filepath.Join(ts.MkAbs(args[0]), serve.RunFile))
		if err != nil || json.Unmarshal(data, &ri) != nil {
			continue
		}
		resp, err := client.Get(ri.URL + "/api/server")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	ts.Fatalf("the server of %s did not serve within a minute", args[0])
}

// twin runs a tentacle command on two base directories, $WORK/served
// (whose server runs) and $WORK/offline (whose does not), and checks that
// both print the same and exit with the same status: "[!] twin ARGS...".
// stdout and stderr are then the output they share; the status must be 0,
// or with !, not 0 (TestExitStatus checks which).
func twin(ts *testscript.TestScript, neg bool, args []string) {
	type run struct {
		status         int
		stdout, stderr string
	}
	var runs [2]run
	for i, dir := range []string{"served", "offline"} {
		err := ts.Exec("tentacle", append([]string{"--basedir", ts.MkAbs(dir)}, args...)...)
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			runs[i].status = ee.ExitCode()
		case err != nil:
			ts.Fatalf("%v", err)
		}
		runs[i].stdout, runs[i].stderr = ts.ReadFile("stdout"), ts.ReadFile("stderr")
	}
	if runs[0] != runs[1] {
		ts.Fatalf("served and offline differ:\nserved:  %s\noffline: %s", describeRun(runs[0].status, runs[0].stdout, runs[0].stderr),
			describeRun(runs[1].status, runs[1].stdout, runs[1].stderr))
	}
	if failed := runs[0].status != 0; failed != neg {
		ts.Fatalf("exit status %d\n%s%s", runs[0].status, runs[0].stdout, runs[0].stderr)
	}
}

func describeRun(status int, stdout, stderr string) string {
	return fmt.Sprintf("exit status %d\nstdout:\n%sstderr:\n%s", status, stdout, stderr)
}
