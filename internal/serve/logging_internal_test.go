package serve

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// logServer opens the log of a new base directory whose config.yaml is
// config, as New does, and returns the server and its logs folder.
func logServer(t *testing.T, config string, files map[string]string) (*Server, string) {
	t.Helper()
	dir, err := makeBaseDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := filepath.Dir(dir.logFile())
	if err := os.WriteFile(dir.config(), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(logs, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{opts: Options{Console: io.Discard}, dir: dir}
	if err := s.openLog(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.logFile.Close() })
	return s, logs
}

// logLines logs n info records of about 1 KB each, numbered from 0.
func logLines(s *Server, n int) {
	pad := strings.Repeat("x", 1000)
	for i := range n {
		s.log.Info("line", "n", i, "pad", pad)
	}
}

// backups returns the names of the rotated files in the logs folder.
func backups(t *testing.T, logs string) []string {
	t.Helper()
	entries, err := os.ReadDir(logs)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != "tentacle.log" {
			out = append(out, e.Name())
		}
	}
	return out
}

// waitFor waits until ok holds; lumberjack compresses and removes rotated
// files on a goroutine of its own. The deadline only guards against a
// hang.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("still not %s", what)
		}
	}
}

// TestLogRotationKeepsEveryLine: with rotation at 1 MB and compression,
// 3.5 MB of records make three compressed rotated files and the current
// one, and every record is in exactly one of them.
func TestLogRotationKeepsEveryLine(t *testing.T) {
	s, logs := logServer(t, "logging:\n  maxSize: 1\n  maxBackups: 10\n  compress: true\n", nil)
	const n = 3500
	logLines(s, n)
	waitFor(t, "compressed", func() bool {
		b := backups(t, logs)
		return len(b) == 3 && !slices.ContainsFunc(b, func(name string) bool { return !strings.HasSuffix(name, ".log.gz") })
	})
	s.logFile.Close()

	seen := make(map[int]int)
	for _, name := range append(backups(t, logs), "tentacle.log") {
		f, err := os.Open(filepath.Join(logs, name))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var i int
			if _, after, ok := strings.Cut(sc.Text(), " n="); ok {
				if _, err := fmt.Sscanf(after, "%d", &i); err == nil {
					seen[i]++
				}
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
	}
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("record %d is in the logs %d times, want once", i, seen[i])
		}
	}
}

// TestLogRotationRemovesOldFiles: rotated files beyond maxBackups go, the
// newest kept; and so do those older than maxAge days.
func TestLogRotationRemovesOldFiles(t *testing.T) {
	t.Run("maxBackups", func(t *testing.T) {
		s, logs := logServer(t, "logging:\n  maxSize: 1\n  maxBackups: 2\n  maxAge: 0\n  compress: false\n", nil)
		logLines(s, 1100) // a rotation
		waitFor(t, "rotated once", func() bool { return len(backups(t, logs)) == 1 })
		first := backups(t, logs)[0]
		time.Sleep(2 * time.Millisecond) // rotated files are named by the millisecond
		logLines(s, 3300)                // three more
		waitFor(t, "down to two rotated files", func() bool { return len(backups(t, logs)) == 2 })
		if slices.Contains(backups(t, logs), first) {
			t.Errorf("the oldest rotated file %s was kept, newer ones removed: %v", first, backups(t, logs))
		}
	})
	t.Run("maxAge", func(t *testing.T) {
		old := "tentacle-2001-02-03T04-05-06.000.log"
		s, logs := logServer(t, "logging:\n  maxSize: 1\n  maxBackups: 0\n  maxAge: 1\n  compress: false\n",
			map[string]string{old: "old\n", "other.log": "not a rotated file\n"})
		logLines(s, 1100)
		waitFor(t, "without the old file", func() bool { return !slices.Contains(backups(t, logs), old) })
		b := backups(t, logs)
		if len(b) != 2 || !slices.Contains(b, "other.log") {
			t.Errorf("rotated files %v; want other.log and the new rotated one", b)
		}
	})
}

// TestLogRotationSettings: config.yaml's logging section, with defaults
// and warnings for values of the wrong kind.
func TestLogRotationSettings(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		want         logRotation
		warnings     []string
	}{
		{name: "defaults", want: logRotation{maxSize: 10, maxBackups: 10, maxAge: 30, compress: true}},
		{name: "set", config: "logging:\n  maxSize: 5\n  maxBackups: 0\n  maxAge: 7\n  compress: false\n",
			want: logRotation{maxSize: 5, maxBackups: 0, maxAge: 7, compress: false}},
		{name: "wrong", config: "logging:\n  maxSize: 0\n  maxBackups: many\n  maxAge: -1\n  compress: yes please\n",
			want: logRotation{maxSize: 10, maxBackups: 10, maxAge: 30, compress: true},
			warnings: []string{
				"config.yaml: logging.maxSize is 0, not a whole number of megabytes of at least 1: the default 10 applies",
				"config.yaml: logging.maxBackups is many, not a whole number of files (0: all): the default 10 applies",
				"config.yaml: logging.maxAge is -1, not a whole number of days (0: no limit): the default 30 applies",
				"config.yaml: logging.compress is yes please, not true or false: the default true applies",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := logServer(t, tc.config, nil)
			s.logFile.Close()
			lf := s.logFile.(*logFile).out
			got := logRotation{maxSize: lf.MaxSize, maxBackups: lf.MaxBackups, maxAge: lf.MaxAge, compress: lf.Compress}
			if got != tc.want {
				t.Errorf("rotation %+v, want %+v", got, tc.want)
			}
			data, err := os.ReadFile(s.dir.logFile())
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.warnings {
				if !strings.Contains(string(data), fmt.Sprintf("level=WARN msg=%q", w)) {
					t.Errorf("the log has no warning %q:\n%s", w, data)
				}
			}
		})
	}
}

// TestLogFileClosed: once closed, the log file takes no more writes (a
// record logged after the stop does not open it again).
func TestLogFileClosed(t *testing.T) {
	s, _ := logServer(t, "", nil)
	s.log.Info("before")
	s.logFile.Close()
	s.log.Info("after")
	data, err := os.ReadFile(s.dir.logFile())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "msg=before") || strings.Contains(string(data), "msg=after") {
		t.Errorf("log file:\n%s\nwant the record before the close, not the one after", data)
	}
}

// TestLogFileMode: logs may hold secrets: a new log file, and each file a
// rotation makes, is readable by its owner only.
func TestLogFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	s, logs := logServer(t, "logging:\n  maxSize: 1\n  compress: false\n", nil)
	logLines(s, 1100)
	waitFor(t, "rotated", func() bool { return len(backups(t, logs)) == 1 })
	for _, name := range append(backups(t, logs), "tentacle.log") {
		fi, err := os.Stat(filepath.Join(logs, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}
