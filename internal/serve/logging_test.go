package serve_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
)

// chatty is a compiled-in plugin whose "say" command logs a debug and an
// info record, numbered with the command's n.
type chatty struct{ tentacle.Base }

func (*chatty) APICommands() map[string][]string { return map[string][]string{"say": {"n"}} }

func (p *chatty) OnAPICommand(_ string, data map[string]any) (any, error) {
	p.Logger().Debug("chatty debug", "n", data["n"])
	p.Logger().Info("chatty info", "n", data["n"])
	return map[string]any{}, nil
}

// chattySource is chatty as a source plugin.
const chattySource = `package chatty

import "github.com/tentacle-go/tentacle"

type C struct{ tentacle.Base }

func (*C) APICommands() map[string][]string { return map[string][]string{"say": {"n"}} }

func (p *C) OnAPICommand(command string, data map[string]any) (any, error) {
	p.Logger().Debug("chatty debug", "n", data["n"])
	p.Logger().Info("chatty info", "n", data["n"])
	return map[string]any{}, nil
}

var Plugin = tentacle.Definition{Name: "Chatty", Version: "1.0.0", Implementation: &C{}}
`

// startChatty starts a server on dir with chatty in the given tier.
func startChatty(t *testing.T, dir, tier string) *harness {
	t.Helper()
	if tier == "source" {
		if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "plugins", "chatty.go"), chattySource)
		return start(t, setup{dir: dir, folder: true})
	}
	return start(t, setup{dir: dir, plugins: map[string]*tentacle.Definition{
		"chatty": {Name: "Chatty", Version: "1.0.0", Implementation: &chatty{}},
	}})
}

// chattySay has chatty log its records numbered n, and reports which of them
// are in tentacle.log.
func chattySay(t *testing.T, h *harness, n int) (debug, info bool) {
	t.Helper()
	if r := h.do("POST", "/api/plugin/chatty", h.key, map[string]any{"command": "say", "n": n}); r.status != http.StatusOK {
		t.Fatalf("say %d: %d %s", n, r.status, r.body)
	}
	log := string(readFile(t, h.path("logs", "tentacle.log")))
	nth := fmt.Sprintf("n=%d", n)
	return hasLine(log, `msg="chatty debug"`, nth, "logger=tentacle.plugins.chatty"), hasLine(log, `msg="chatty info"`, nth)
}

// A plugin's level set through the logging API applies at once, in every
// tier that runs in the server's process, is kept in logging.yaml, and
// applies again at the next start. (The process tier: tier/process.)
func TestLogLevelsAtRuntime(t *testing.T) {
	for _, tier := range []string{"builtin", "source"} {
		t.Run(tier, func(t *testing.T) {
			dir := t.TempDir()
			h := startChatty(t, dir, tier)
			if debug, info := chattySay(t, h, 1); debug || !info {
				t.Fatalf("before any level is set: debug logged %v, info %v; want info only", debug, info)
			}
			// OctoPrint's name for the plugin's logger.
			r := h.do("PUT", "/plugin/logging/setup/levels", h.key, map[string]any{"octoprint.plugins.chatty": "DEBUG"})
			if r.status != http.StatusOK || !cmp.Equal(decode(t, r.body), map[string]any{"tentacle.plugins.chatty": "DEBUG"}) {
				t.Fatalf("PUT levels: %d %s", r.status, r.body)
			}
			if debug, _ := chattySay(t, h, 2); !debug {
				t.Errorf("no debug record after the level was set to DEBUG")
			}
			if got, want := string(readFile(t, h.path("logging.yaml"))), "loggers:\n  tentacle.plugins.chatty:\n    level: DEBUG\n"; got != want {
				t.Errorf("logging.yaml:\n%s\nwant:\n%s", got, want)
			}
			if err := h.stop(); err != nil {
				t.Fatal(err)
			}

			h = startChatty(t, dir, tier)
			if debug, _ := chattySay(t, h, 3); !debug {
				t.Errorf("the level of logging.yaml did not apply at the next start")
			}
			// The levels given replace all those set: none.
			if r := h.do("PUT", "/plugin/logging/setup/levels", h.key, map[string]any{}); r.status != http.StatusOK || string(r.body) != "{}\n" {
				t.Fatalf("PUT no levels: %d %s", r.status, r.body)
			}
			if debug, info := chattySay(t, h, 4); debug || !info {
				t.Errorf("after the level was unset: debug logged %v, info %v; want info only", debug, info)
			}
		})
	}
}

func decode(t *testing.T, body []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// Levels are set all or nothing: a bad logger name or level, or a body
// that is not a JSON object of strings, is refused with 400, a message
// that names what is wrong, and nothing changed.
func TestLogLevelsRefused(t *testing.T) {
	h := start(t, setup{})
	for _, tc := range []struct {
		name, body, ctype, want string
	}{
		{"unknown level", `{"tentacle.plugins.demo": "DEBUG", "tentacle.events": "VERBOSE"}`, "application/json",
			`logger tentacle.events: unknown log level "VERBOSE": the levels are DEBUG, INFO, WARNING, ERROR, CRITICAL`},
		{"not Tentacle's", `{"tornado.access": "DEBUG"}`, "application/json", `logger "tornado.access" is not one of Tentacle's`},
		{"bad name", `{"tentacle.plugins.a b": "DEBUG"}`, "application/json", `logger "tentacle.plugins.a b" has the character ' '`},
		{"number", `{"tentacle": 10}`, "application/json", `logger "tentacle": the level must be a string`},
		{"array", `["DEBUG"]`, "application/json", "Invalid log level configuration"},
		{"not JSON", `{`, "application/json", "Invalid log level configuration"},
		{"form", `tentacle=DEBUG`, "application/x-www-form-urlencoded", "Expected content-type JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("PUT", "/plugin/logging/setup/levels", h.key, tc.body, "Content-Type", tc.ctype)
			if r.status != http.StatusBadRequest || !strings.Contains(r.errorMessage(), tc.want) {
				t.Errorf("%d %s; want 400 with %q", r.status, r.body, tc.want)
			}
		})
	}
	if r := h.do("GET", "/plugin/logging/setup/levels", h.key, nil); string(r.body) != "{}\n" {
		t.Errorf("levels after refused requests: %s", r.body)
	}
	if _, err := os.Stat(h.path("logging.yaml")); !os.IsNotExist(err) {
		t.Errorf("logging.yaml written by refused requests: %v", err)
	}
}

// A logging.yaml that does not parse is left as it is: its levels do not
// apply, and setting levels is refused with 409, until it is fixed.
func TestLogLevelsFileDoesNotParse(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "logging.yaml"), "loggers: [\n")
	h := start(t, setup{dir: dir})
	r := h.do("PUT", "/plugin/logging/setup/levels", h.key, map[string]any{"tentacle": "DEBUG"})
	if r.status != http.StatusConflict || !strings.Contains(r.errorMessage(), "logging.yaml") {
		t.Errorf("PUT levels: %d %s; want 409 naming logging.yaml", r.status, r.body)
	}
	if got := string(readFile(t, h.path("logging.yaml"))); got != "loggers: [\n" {
		t.Errorf("logging.yaml changed: %q", got)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if log := string(readFile(t, h.path("logs", "tentacle.log"))); !hasLine(log, "level=WARN", "logging.yaml does not parse") {
		t.Errorf("no warning about logging.yaml in the log:\n%s", log)
	}
}

// The logging plugin answers in OctoPrint's shapes.
func TestLoggingShapes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "logging.yaml"), "loggers:\n  tentacle.plugins.demo:\n    level: DEBUG\n")
	h := start(t, setup{dir: dir})
	for path, fixture := range map[string]string{
		"/plugin/logging/":      "logging_all.json",
		"/plugin/logging/logs":  "logging_logs.json",
		"/plugin/logging/setup": "logging_setup.json",
	} {
		r := h.do("GET", path, h.key, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		checkShape(t, fixture, r.body)
	}

	var files struct {
		Files []struct {
			Name string
			Size int64
			Refs struct{ Resource, Download string }
		}
		Free, Total uint64
	}
	if err := json.Unmarshal(h.do("GET", "/plugin/logging/logs", h.key, nil).body, &files); err != nil {
		t.Fatal(err)
	}
	if len(files.Files) != 1 || files.Files[0].Name != "tentacle.log" || files.Files[0].Size == 0 || files.Total == 0 {
		t.Errorf("files: %+v; want tentacle.log alone, with its size, and the disk's total", files)
	} else if ref := h.url + "/plugin/logging/logs/tentacle.log"; files.Files[0].Refs.Resource != ref || files.Files[0].Refs.Download != ref {
		t.Errorf("refs %+v; want both %s", files.Files[0].Refs, ref)
	}

	var st struct {
		Loggers []string
		Levels  map[string]string
	}
	if err := json.Unmarshal(h.do("GET", "/plugin/logging/setup", h.key, nil).body, &st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tentacle", "tentacle.plugin.core", "tentacle.plugins", "tentacle.plugins.demo", "tentacle.plugins.logging", "tentacle.events"} {
		if !slices.Contains(st.Loggers, want) {
			t.Errorf("loggers %v lack %s", st.Loggers, want)
		}
	}
	if !cmp.Equal(st.Levels, map[string]string{"tentacle.plugins.demo": "DEBUG"}) {
		t.Errorf("levels %v; want those of logging.yaml", st.Levels)
	}
}

// Log files are downloaded and deleted by name, only inside the logs
// folder, only *.log and *.log.gz, never the file being written.
func TestLogFiles(t *testing.T) {
	dir := t.TempDir()
	// Rotated files of a minute ago (older ones go at the start: logging.maxAge).
	// Not compressed at the start either: logging.compress is false.
	stamp := func(ago time.Duration) string {
		return time.Now().UTC().Add(-ago).Format("2006-01-02T15-04-05.000")
	}
	plain, gz := "tentacle-"+stamp(time.Minute)+".log", "tentacle-"+stamp(2*time.Minute)+".log.gz"
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "logs", plain), "old records\n")
	writeFile(t, filepath.Join(dir, "logs", gz), "gzip")
	writeFile(t, filepath.Join(dir, "logs", "notes.txt"), "not a log\n")
	h := start(t, setup{dir: dir, config: "logging:\n  compress: false\n"})

	r := h.do("GET", "/plugin/logging/logs/"+plain, h.key, nil)
	if r.status != http.StatusOK || string(r.body) != "old records\n" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %v", r.status, r.body, r.header)
	}
	if r := h.do("GET", "/plugin/logging/logs/"+gz, h.key, nil); r.header.Get("Content-Type") != "application/gzip" {
		t.Errorf("download of a compressed file: Content-Type %q", r.header.Get("Content-Type"))
	}
	for _, name := range []string{"notes.txt", "..%2Fconfig.yaml", "missing.log", ".hidden.log"} {
		if r := h.do("GET", "/plugin/logging/logs/"+name, h.key, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 404", name, r.status, r.body)
		}
		if r := h.do("DELETE", "/plugin/logging/logs/"+name, h.key, nil); r.status != http.StatusNotFound {
			t.Errorf("DELETE %s: %d %s, want 404", name, r.status, r.body)
		}
	}
	if r := h.do("DELETE", "/plugin/logging/logs/tentacle.log", h.key, nil); r.status != http.StatusConflict {
		t.Errorf("DELETE tentacle.log: %d %s, want 409", r.status, r.body)
	}
	if r := h.do("DELETE", "/plugin/logging/logs/"+plain, h.key, nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE a rotated file: %d %s, want 204", r.status, r.body)
	}
	var files struct{ Files []struct{ Name string } }
	if err := json.Unmarshal(h.do("GET", "/plugin/logging/logs", h.key, nil).body, &files); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files.Files {
		names = append(names, f.Name)
	}
	if want := []string{gz, "tentacle.log"}; !cmp.Equal(names, want) {
		t.Errorf("files after the delete %v, want %v", names, want)
	}
	for _, name := range []string{"config.yaml", "logs/notes.txt"} {
		if _, err := os.Stat(h.path(name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Logs may hold secrets: reading them, as setting levels, needs an admin.
func TestLoggingNeedsAnAdmin(t *testing.T) {
	h, ada, bob, guest := threeCallers(t)
	for _, path := range []string{"/plugin/logging/", "/plugin/logging/logs", "/plugin/logging/logs/tentacle.log", "/plugin/logging/setup", "/plugin/logging/setup/levels"} {
		for _, c := range []struct {
			who  *cookieClient
			name string
			want int
		}{{ada, "ada", 200}, {bob, "bob", 403}, {guest, "guest", 401}} {
			if r := c.who.do("GET", path, nil); r.status != c.want {
				t.Errorf("%s GET %s: %d %s, want %d", c.name, path, r.status, r.body, c.want)
			}
		}
		if r := h.do("GET", path, "wrong", nil); r.status != http.StatusForbidden {
			t.Errorf("GET %s with a wrong key: %d, want 403", path, r.status)
		}
	}
	if r := bob.write("PUT", "/plugin/logging/setup/levels", map[string]any{"tentacle": "DEBUG"}); r.status != http.StatusForbidden {
		t.Errorf("bob PUT levels: %d %s, want 403", r.status, r.body)
	}
	if r := ada.do("PUT", "/plugin/logging/setup/levels", map[string]any{"tentacle": "DEBUG"}); r.status != http.StatusBadRequest {
		t.Errorf("ada PUT levels without the CSRF token: %d %s, want 400", r.status, r.body)
	}
	if r := ada.write("PUT", "/plugin/logging/setup/levels", map[string]any{"tentacle": "DEBUG"}); r.status != http.StatusOK {
		t.Errorf("ada PUT levels: %d %s, want 200", r.status, r.body)
	}
}

// By default the log file has no debug records; a level in logging.yaml,
// under OctoPrint's name or Tentacle's, applies from the start.
func TestLogFileLevelsFromTheStart(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		debug      bool
	}{
		{"default", "", false},
		{"tentacle name", "loggers:\n  tentacle.plugin:\n    level: DEBUG\n", true},
		{"octoprint name", "loggers:\n  octoprint.plugin:\n    level: DEBUG\n", true},
		{"other logger", "loggers:\n  tentacle.events:\n    level: DEBUG\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.file != "" {
				writeFile(t, filepath.Join(dir, "logging.yaml"), tc.file)
			}
			h := start(t, setup{dir: dir, plugins: map[string]*tentacle.Definition{demo.ID: demo.New()}})
			if err := h.stop(); err != nil {
				t.Fatal(err)
			}
			log := string(readFile(t, h.path("logs", "tentacle.log")))
			if got := hasLine(log, "level=DEBUG", `msg="plugin enabled"`, "plugin=demo"); got != tc.debug {
				t.Errorf("the manager's debug record in the log: %v, want %v:\n%s", got, tc.debug, log)
			}
		})
	}
}
