package loglevel_test

import (
	"bytes"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/internal/loglevel"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want slog.Level
		err  string
	}{
		{in: "DEBUG", want: slog.LevelDebug},
		{in: "info", want: slog.LevelInfo},
		{in: "WARNING", want: slog.LevelWarn},
		{in: "Warn", want: slog.LevelWarn},
		{in: " ERROR ", want: slog.LevelError},
		{in: "CRITICAL", want: loglevel.LevelCritical},
		{in: "LOUD", err: `unknown log level "LOUD": the levels are DEBUG, INFO, WARNING, ERROR, CRITICAL`},
		{in: "", err: `unknown log level ""`},
		{in: "DEBUG-4", err: `unknown log level "DEBUG-4"`},
	} {
		got, err := loglevel.Parse(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
		case err != nil || got != tc.want:
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestName(t *testing.T) {
	for l, want := range map[slog.Level]string{
		slog.LevelDebug - 4: "DEBUG", slog.LevelDebug: "DEBUG", slog.LevelInfo: "INFO", slog.LevelInfo + 2: "INFO",
		slog.LevelWarn: "WARNING", slog.LevelError: "ERROR", loglevel.LevelCritical: "CRITICAL",
	} {
		if got := loglevel.Name(l); got != want {
			t.Errorf("Name(%v) = %q, want %q", l, got, want)
		}
	}
}

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "tentacle", want: "tentacle"},
		{in: "tentacle.plugins.foo", want: "tentacle.plugins.foo"},
		{in: "octoprint", want: "tentacle"},
		{in: "octoprint.plugins.foo_bar-2", want: "tentacle.plugins.foo_bar-2"},
		{in: "octoprint.events", want: "tentacle.events"},
		{in: "tornado.access", err: `logger "tornado.access" is not one of Tentacle's`},
		{in: "tentaclex", err: `logger "tentaclex" is not one of Tentacle's`},
		{in: "tentacle..foo", err: "empty part between dots"},
		{in: "tentacle.plugins.", err: "empty part between dots"},
		{in: "tentacle.plugins.a b", err: "has the character ' '"},
		{in: "tentacle.plugins.a/b", err: "has the character '/'"},
	} {
		got, err := loglevel.Canonical(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Canonical(%q) = %q, %v; want error with %q", tc.in, got, err, tc.err)
			}
		case err != nil || got != tc.want:
			t.Errorf("Canonical(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseLevels(t *testing.T) {
	got, err := loglevel.ParseLevels(map[string]string{"octoprint.plugins.foo": "debug", "tentacle": "WARNING"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]slog.Level{"tentacle.plugins.foo": slog.LevelDebug, "tentacle": slog.LevelWarn}; !maps.Equal(got, want) {
		t.Errorf("ParseLevels = %v, want %v", got, want)
	}
	for in, wantErr := range map[string]string{
		"tentacle.plugins.foo": `logger tentacle.plugins.foo: unknown log level "VERBOSE"`,
		"foo":                  `logger "foo" is not one of Tentacle's`,
	} {
		if _, err := loglevel.ParseLevels(map[string]string{in: "VERBOSE"}); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseLevels(%s: VERBOSE) = %v, want %q", in, err, wantErr)
		}
	}
}

// logLines returns a logger of name on reg, and what it wrote.
func logLines(reg *loglevel.Registry, name string) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	h := reg.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 4,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}), loglevel.Root)
	log := slog.New(h)
	if name != "" {
		log = log.With(loglevel.LoggerKey, name)
	}
	return log, &buf
}

func TestRegistryHierarchy(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	reg.Replace(map[string]slog.Level{"tentacle.plugins": slog.LevelWarn, "tentacle.plugins.foo": slog.LevelDebug})
	for name, want := range map[string]slog.Level{
		"tentacle":                  slog.LevelInfo,
		"tentacle.events":           slog.LevelInfo,
		"tentacle.plugins":          slog.LevelWarn,
		"tentacle.plugins.bar":      slog.LevelWarn,
		"tentacle.plugins.foo":      slog.LevelDebug,
		"tentacle.plugins.foo.repo": slog.LevelDebug,
		"tentacle.plugins.foobar":   slog.LevelWarn,
	} {
		if got := reg.Effective(name); got != want {
			t.Errorf("Effective(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestHandlerFollowsChanges(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	foo, fooOut := logLines(reg, "tentacle.plugins.foo")
	bar, barOut := logLines(reg, "tentacle.plugins.bar")
	root, rootOut := logLines(reg, "")

	foo.Debug("hidden")
	reg.Replace(map[string]slog.Level{"tentacle.plugins.foo": slog.LevelDebug, "tentacle": slog.LevelError})
	foo.Debug("shown")
	bar.Warn("hidden too") // below tentacle's ERROR now
	bar.Error("bar error")
	root.Info("root hidden")
	reg.Replace(nil)
	foo.Debug("hidden again")
	foo.Info("info again")

	if got, want := fooOut.String(), "level=DEBUG msg=shown logger=tentacle.plugins.foo\nlevel=INFO msg=\"info again\" logger=tentacle.plugins.foo\n"; got != want {
		t.Errorf("foo wrote:\n%s\nwant:\n%s", got, want)
	}
	if got, want := barOut.String(), "level=ERROR msg=\"bar error\" logger=tentacle.plugins.bar\n"; got != want {
		t.Errorf("bar wrote:\n%s\nwant:\n%s", got, want)
	}
	if got := rootOut.String(); got != "" {
		t.Errorf("root wrote %q", got)
	}
}

func TestHandlerGroupKeepsName(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	reg.Replace(map[string]slog.Level{"tentacle.plugins.foo": slog.LevelDebug})
	foo, out := logLines(reg, "tentacle.plugins.foo")
	foo.WithGroup("req").With(loglevel.LoggerKey, "tentacle.plugins.other").Debug("in group")
	if !strings.Contains(out.String(), "msg=\"in group\"") {
		t.Errorf("a logger attribute inside a group renamed the logger: %q", out.String())
	}
}

func TestWatch(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	foo, _ := logLines(reg, "tentacle.plugins.foo")
	calls := 0
	stop := foo.Handler().(interface{ WatchLevel(func()) func() }).WatchLevel(func() { calls++ })
	reg.Replace(map[string]slog.Level{"tentacle.plugins.bar": slog.LevelDebug}) // not foo's
	reg.Replace(map[string]slog.Level{"tentacle.plugins": slog.LevelDebug})     // foo's, from above
	reg.Replace(map[string]slog.Level{"tentacle.plugins": slog.LevelDebug, "tentacle.events": slog.LevelError})
	if calls != 1 {
		t.Errorf("watcher called %d times, want 1 (only when foo's level changed)", calls)
	}
	stop()
	reg.Replace(nil)
	if calls != 1 {
		t.Errorf("watcher called after stop")
	}
}

func TestNames(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	logLines(reg, "tentacle.plugins.foo.repository")
	reg.Replace(map[string]slog.Level{"tentacle.events": slog.LevelDebug})
	want := []string{"tentacle", "tentacle.events", "tentacle.plugins", "tentacle.plugins.foo", "tentacle.plugins.foo.repository"}
	if diff := cmp.Diff(want, reg.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
}

func TestReadLevels(t *testing.T) {
	st, err := loglevel.OpenFile(filepath.Join("testdata", "logging.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, warnings := loglevel.ReadLevels(st)
	if want := map[string]slog.Level{"tentacle.plugins.foo": slog.LevelDebug, "tentacle.events": slog.LevelWarn}; !maps.Equal(got, want) {
		t.Errorf("levels = %v, want %v", got, want)
	}
	wantWarnings := []string{
		`logging.yaml: logger tentacle.printer: unknown log level "LOUD": the levels are DEBUG, INFO, WARNING, ERROR, CRITICAL: ignored`,
		`logging.yaml: logger "tornado.access" is not one of Tentacle's: their names are tentacle or start with tentacle. (octoprint. is taken as tentacle.): ignored`,
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestWriteLevelsKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logging.yaml")
	data, err := os.ReadFile(filepath.Join("testdata", "logging.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := loglevel.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := loglevel.WriteLevels(st, map[string]slog.Level{"tentacle.plugins.bar": loglevel.LevelCritical, "tentacle.web": slog.LevelDebug}); err != nil {
		t.Fatal(err)
	}
	st2, err := loglevel.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"handlers": map[string]any{"file": map[string]any{"backupCount": 6}},
		"loggers": map[string]any{
			"tentacle.plugins.bar": map[string]any{"level": "CRITICAL"},
			"tentacle.web":         map[string]any{"level": "DEBUG", "propagate": false},
			"tornado.access":       map[string]any{"level": "INFO"},
		},
	}
	if diff := cmp.Diff(want, st2.UserData()); diff != "" {
		t.Errorf("logging.yaml after the write (-want +got):\n%s", diff)
	}
	got, _ := loglevel.ReadLevels(st2)
	if want := map[string]slog.Level{"tentacle.plugins.bar": loglevel.LevelCritical, "tentacle.web": slog.LevelDebug}; !maps.Equal(got, want) {
		t.Errorf("levels read back = %v, want %v", got, want)
	}

	// No levels and nothing else: the loggers section goes.
	if err := loglevel.WriteLevels(st2, nil); err != nil {
		t.Fatal(err)
	}
	if loggers := st2.Get("loggers"); !cmp.Equal(loggers, map[string]any{"tentacle.web": map[string]any{"propagate": false}, "tornado.access": map[string]any{"level": "INFO"}}) {
		t.Errorf("loggers after clearing = %v", loggers)
	}
}

func TestWriteLevelsRefusedOnAFileThatDoesNotParse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logging.yaml")
	if err := os.WriteFile(path, []byte("loggers: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := loglevel.OpenFile(path)
	if err == nil {
		t.Fatal("OpenFile took a file that does not parse")
	}
	err = loglevel.WriteLevels(st, map[string]slog.Level{"tentacle": slog.LevelDebug})
	if err == nil || !strings.Contains(err.Error(), "logging.yaml") {
		t.Errorf("WriteLevels = %v, want an error naming logging.yaml", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "loggers: [\n" {
		t.Errorf("the file was changed: %q", data)
	}
}
