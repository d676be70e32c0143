package serve_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/gcodedemo"
	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
)

// gcodeTiers starts a server with the bundled virtual printer and the
// plugin gcodedemo in each tier: compiled in, interpreted from
// <basedir>/plugins/gcodedemo, and run in a process from
// <basedir>/packages/gcodedemo. The code is the same.
var gcodeTiers = []struct {
	name  string
	setup func(t *testing.T) setup
}{
	{"builtin", func(t *testing.T) setup {
		return setup{plugins: map[string]*tentacle.Definition{gcodedemo.ID: gcodedemo.New()}}
	}},
	{"source", func(t *testing.T) setup {
		dir := t.TempDir()
		folder := filepath.Join(dir, "plugins", gcodedemo.ID)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(folder, "gcodedemo.go"), string(readFile(t, filepath.Join("testdata", "plugins", "gcodedemo", "gcodedemo.go"))))
		return setup{dir: dir, plugins: map[string]*tentacle.Definition{}, folder: true}
	}},
	{"process", func(t *testing.T) setup {
		exe := filepath.Join(t.TempDir(), "gcodeprocess")
		if out, err := exec.Command("go", "build", "-o", exe, "./testdata/gcodeprocess").CombinedOutput(); err != nil {
			t.Fatalf("go build ./testdata/gcodeprocess: %v\n%s", err, out)
		}
		dir := t.TempDir()
		installPackage(t, dir, gcodedemo.ID, "G-code demo", exe, "1.0.0")
		return setup{dir: dir, plugins: map[string]*tentacle.Definition{}, packages: true}
	}},
}

// printed is what gcodedemo reports of a print.
type printed struct {
	Sent     int            `json:"sent"`
	OKs      int            `json:"oks"`
	Codes    map[string]int `json:"codes"`
	Position string         `json:"position"`
}

// waitFor polls cond every 20 ms for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobState returns GET /api/job's state and last print's result.
func (h *harness) jobState(t *testing.T) (state, last string) {
	t.Helper()
	v := h.do(http.MethodGet, "/api/job", "", nil).want(t, "job", http.StatusOK).decoded(t)
	state, _ = v["state"].(string)
	job, _ := v["job"].(map[string]any)
	if lp, ok := job["lastPrint"].(map[string]any); ok {
		last, _ = lp["result"].(string)
	}
	return state, last
}

// TestPrintTiers prints a file through the REST API on the virtual
// printer, with the same G-code plugin in each tier: its filtered handler
// under OctoPrint's hook name rewrites M107 and suppresses M300, its
// observe-only handler sees every command sent, its received handler the
// "ok" lines and the position report; every move of the file runs once.
func TestPrintTiers(t *testing.T) {
	for _, tc := range gcodeTiers {
		t.Run(tc.name, func(t *testing.T) {
			su := tc.setup(t)
			su.bundled = map[string]*tentacle.Definition{virtualprinter.ID: &virtualprinter.Plugin}
			h := start(t, su)
			if in, ok := h.srv.Manager().Info(gcodedemo.ID); !ok || !in.Enabled {
				t.Fatalf("gcodedemo is not enabled: %+v", in)
			}
			h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": virtualprinter.Port}).want(t, "connect", http.StatusNoContent)
			waitFor(t, "Operational", func() bool { s, _ := h.jobState(t); return s == "Operational" })
			h.do(http.MethodPost, "/api/plugin/"+gcodedemo.ID, h.key, map[string]any{"command": "reset"}).want(t, "reset", http.StatusNoContent)

			const moves = 300
			var file strings.Builder
			file.WriteString("; a test print\nM83\nM107\nM300 S440 P200\nM118 panic\nM118 slow\n")
			for i := range moves {
				fmt.Fprintf(&file, "G1 X%d E1 ; move %d\n", i%100, i)
			}
			up := h.upload(h.key, "cube.gcode", file.String(), "print", "true").want(t, "upload", http.StatusCreated).decoded(t)
			if up["effectivePrint"] != true {
				t.Fatalf("upload did not start the print: %v", up)
			}
			waitFor(t, "the print's end", func() bool { _, last := h.jobState(t); return last != "" })
			if _, last := h.jobState(t); last != "done" {
				t.Fatalf("the print ended %q", last)
			}
			h.do(http.MethodPost, "/api/printer/command", h.key, map[string]any{"command": "M114"}).want(t, "M114", http.StatusNoContent)
			var got printed
			// The observe-only handler of a process plugin gets its calls
			// off the send path: they may still be arriving.
			waitFor(t, "the position report and every sent command", func() bool {
				h.getJSON("/api/plugin/"+gcodedemo.ID, &got)
				return got.Position != "" && got.Codes["M114"] == 1
			})
			if got.Codes["M107"] != 0 || got.Codes["M106"] != 1 || got.Codes["M300"] != 0 {
				t.Errorf("commands sent by code %v: want M106 once (M107 rewritten), no M107, no M300", got.Codes)
			}
			// The handler that panicked and the one that overran (in a
			// process, past its budget; elsewhere it only took its time)
			// left their lines to go on, and are counted against the
			// plugin.
			if got.Codes["M118"] != 2 {
				t.Errorf("%d M118 lines sent, want 2: a failed handler leaves the line to go on", got.Codes["M118"])
			}
			in, _ := h.srv.Manager().Info(gcodedemo.ID)
			if in.Faults < 1 {
				t.Errorf("gcodedemo has %d faults, want the panic counted", in.Faults)
			}
			if tc.name == "process" && (in.Process == nil || in.Process.Overruns < 1) {
				t.Errorf("gcodedemo's process: %+v, want the overrun counted", in.Process)
			}
			if got.Codes["G1"] != moves {
				t.Errorf("%d moves sent, want %d", got.Codes["G1"], moves)
			}
			if !strings.Contains(got.Position, fmt.Sprintf("E:%d.00", moves)) {
				t.Errorf("position %q: every move extrudes 1 mm, want E:%d.00", got.Position, moves)
			}
			if got.OKs < moves {
				t.Errorf("%d ok lines seen, want at least %d", got.OKs, moves)
			}
		})
	}
}

// TestPluginToggledWhilePrinting disables and enables a G-code plugin
// over and over while a file prints: the print needs no reconnect, and
// every move runs once (the relative extrusion adds up).
func TestPluginToggledWhilePrinting(t *testing.T) {
	h := start(t, setup{
		plugins: map[string]*tentacle.Definition{gcodedemo.ID: gcodedemo.New()},
		bundled: map[string]*tentacle.Definition{virtualprinter.ID: &virtualprinter.Plugin},
	})
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": virtualprinter.Port}).want(t, "connect", http.StatusNoContent)
	waitFor(t, "Operational", func() bool { s, _ := h.jobState(t); return s == "Operational" })
	const moves = 20000
	h.upload(h.key, "long.gcode", "M83\n"+strings.Repeat("G1 X1 E1\n", moves), "print", "true").want(t, "upload", http.StatusCreated)
	m := h.srv.Manager()
	toggles := 0
	for {
		if _, last := h.jobState(t); last != "" {
			if last != "done" {
				t.Fatalf("the print ended %q", last)
			}
			break
		}
		if _, err := m.Disable(context.Background(), gcodedemo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Enable(context.Background(), gcodedemo.ID); err != nil {
			t.Fatal(err)
		}
		toggles++
	}
	if toggles == 0 {
		t.Fatal("the print ended before the plugin was toggled once")
	}
	h.do(http.MethodPost, "/api/printer/command", h.key, map[string]any{"command": "M114"}).want(t, "M114", http.StatusNoContent)
	var got printed
	waitFor(t, "the position report", func() bool {
		h.getJSON("/api/plugin/"+gcodedemo.ID, &got)
		return got.Position != ""
	})
	if !strings.Contains(got.Position, fmt.Sprintf("E:%d.00", moves)) {
		t.Errorf("position %q after %d toggles: want E:%d.00, every move once", got.Position, toggles, moves)
	}
}
