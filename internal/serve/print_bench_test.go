package serve_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/proctest"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/gcodebench"
	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
)

// benchSource is gcodebench as a source plugin; %s is its handler.
const benchSource = `package bench

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

func sending(phase string, cmd server.Command) []server.Command {
	if cmd.Gcode == "M600" {
		return server.Suppress()
	}
	return nil
}

var Plugin = tentacle.Definition{Name: "bench", Version: "1.0.0", Hooks: tentacle.Hooks{server.HookGcodeSending: %s}}
`

var (
	benchExeOnce sync.Once
	benchExe     string
	benchExeErr  error
)

// benchProcessExe builds testdata/benchprocess once per run.
func benchProcessExe(b testing.TB) string {
	benchExeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tentacle-benchprocess-")
		if err != nil {
			benchExeErr = err
			return
		}
		benchExe = filepath.Join(dir, "benchprocess")
		if out, err := exec.Command("go", "build", "-o", benchExe, "./testdata/benchprocess").CombinedOutput(); err != nil {
			benchExeErr = fmt.Errorf("go build ./testdata/benchprocess: %v\n%s", err, out)
		}
	})
	if benchExeErr != nil {
		b.Fatal(benchExeErr)
	}
	return benchExe
}

// BenchmarkPrintLines prints b.N lines of a file on the virtual printer
// through the server's whole send path (queuing to sent, numbered and
// checksummed, each line acknowledged by the printer's ok), with 0, 5 or
// 50 plugins handling the sending hook in each tier. Their handlers look
// at every line (filter=all) or ask for M117 only, 1% of the file's lines
// (filter=1%). In the process tier they may also only observe every line
// of the sent hook (filter=observe: delivered in order off the send path,
// in batches); "skipped%" is the share of their calls skipped because a
// plugin's queue was full. "cpu-ns/op" is the CPU time the server's
// process (not a plugin's) used per line, a steadier figure than the
// wall clock on a loaded machine.
func BenchmarkPrintLines(b *testing.B) {
	for _, tierName := range []string{"builtin", "source", "process"} {
		for _, n := range []int{0, 5, 50} {
			for _, filter := range []string{"all", "1%", "observe"} {
				if n == 0 && filter != "all" || filter == "observe" && tierName != "process" {
					continue
				}
				b.Run(fmt.Sprintf("tier=%s/handlers=%d/filter=%s", tierName, n, filter), func(b *testing.B) {
					benchPrint(b, tierName, n, filter)
				})
			}
		}
	}
}

func benchPrint(b *testing.B, tierName string, n int, filter string) {
	su := setup{dir: b.TempDir(), plugins: map[string]*tentacle.Definition{},
		bundled: map[string]*tentacle.Definition{virtualprinter.ID: &virtualprinter.Plugin},
		config:  "plugins:\n  _autoEnable: true\n"}
	prefix := "bencha"
	handler := "tentacle.Hook(sending, tentacle.DefaultOrder)"
	switch filter {
	case "1%":
		prefix = "benchf"
		handler = `tentacle.Filtered(sending, server.Filter{Commands: []string{"M117"}})`
	case "observe":
		prefix = "bencho" // gcodebench's observer of the sent hook
	}
	for i := range n {
		id := fmt.Sprintf("%s%02d", prefix, i)
		switch tierName {
		case "builtin":
			su.plugins[id] = gcodebench.New(id)
		case "source":
			su.folder = true
			if err := os.MkdirAll(filepath.Join(su.dir, "plugins", id), 0o755); err != nil {
				b.Fatal(err)
			}
			writeFile(b, filepath.Join(su.dir, "plugins", id, "bench.go"), fmt.Sprintf(benchSource, handler))
		case "process":
			su.packages = true
			installPackage(b, su.dir, id, id, benchProcessExe(b), "1.0.0")
		}
	}
	// The file: 1% M117 lines.
	var file strings.Builder
	for i := range b.N {
		if i%100 == 99 {
			file.WriteString("M117 progress\n")
		} else {
			file.WriteString("G1 X10.5 Y20.25 E0.5\n")
		}
	}
	h := start(b, su)
	writeFile(b, filepath.Join(su.dir, "uploads", "bench.gcode"), file.String())
	for i := range n {
		id := fmt.Sprintf("%s%02d", prefix, i)
		if in, ok := h.srv.Manager().Info(id); !ok || !in.Enabled {
			b.Fatalf("%s is not enabled: %+v", id, in)
		}
	}
	if r := h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": virtualprinter.Port}); r.status != http.StatusNoContent {
		b.Fatalf("connect: %d %s", r.status, r.body)
	}
	jobState := func() (state, last string) {
		var v struct {
			State string `json:"state"`
			Job   struct {
				LastPrint struct{ Result string } `json:"lastPrint"`
			} `json:"job"`
		}
		h.getJSON("/api/job", &v)
		return v.State, v.Job.LastPrint.Result
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if s, _ := jobState(); s == "Operational" {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the printer is not operational")
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := proctest.CPUTime()
	if r := h.do(http.MethodPost, "/api/files/local/bench.gcode", h.key, map[string]any{"command": "select", "print": true}); r.status != http.StatusNoContent {
		b.Fatalf("select and print: %d %s", r.status, r.body)
	}
	for {
		if _, last := jobState(); last != "" {
			if last != "done" {
				b.Fatalf("the print ended %q", last)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(proctest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	if filter == "observe" {
		var skipped uint64
		for _, st := range h.srv.Manager().Hooks().Stats() {
			if strings.HasPrefix(st.Plugin, prefix) {
				skipped += st.Skipped
			}
		}
		b.ReportMetric(100*float64(skipped)/float64(b.N*n), "skipped%")
	}
}
