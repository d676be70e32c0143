package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/manager"
)

// basedir is the layout of a base directory.
type basedir struct{ root string }

// The folders of a base directory, created on first start.
var layout = []string{"plugins", "packages", "data", "logs", "uploads"}

func makeBaseDir(root string) (basedir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return basedir{}, fmt.Errorf("server: base directory %s: %w", root, err)
	}
	// The base directory holds the API key: only its owner may look in.
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return basedir{}, fmt.Errorf("server: create base directory: %w", err)
	}
	for _, sub := range layout {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			return basedir{}, fmt.Errorf("server: create base directory layout: %w", err)
		}
	}
	return basedir{root: abs}, nil
}

func (d basedir) config() string  { return filepath.Join(d.root, "config.yaml") }
func (d basedir) logFile() string { return filepath.Join(d.root, "logs", "tentacle.log") }
func (d basedir) marker() string  { return filepath.Join(d.root, ".incomplete_startup") }
func (d basedir) uploads() string { return filepath.Join(d.root, "uploads") }

// RunFile is the file, in the base directory, in which a running server
// says where it listens (JSON: url, pid), for the command line to find it
// whatever its --host and --port. It is removed when the server stops.
const RunFile = ".server.json"

// RunInfo is what RunFile holds.
type RunInfo struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
	// Instance identifies the run; GET /api/server answers the same, so a
	// client can tell this server from another one on the same address.
	Instance string `json:"instance"`
}

func (d basedir) runFile() string { return filepath.Join(d.root, RunFile) }

// SocketDir is the folder, in the base directory, of the unix sockets of
// the plugin processes (process.Options.SocketDir): made while plugin
// processes run, removed when the last one stops; what a server that was
// killed left in it is removed at the next start.
const SocketDir = ".run"

// CheckRecordsFile is the file, in the base directory, in which the process
// tier keeps the SHA-256 checks of executables that passed
// (process.Options.CheckRecords).
const CheckRecordsFile = ".process-checks.json"

// startRecord is what the marker file of an incomplete start holds: when
// the start began and which plugin's code was running, if any.
type startRecord struct {
	Started time.Time `json:"started"`
	PID     int       `json:"pid"`
	// Running lists the plugins whose code was running, oldest first (more
	// than one when a slow AfterStartup overlaps another plugin's enable).
	Running []runningPlugin `json:"running,omitempty"`
	// Plugin and Phase name one running plugin (older markers; kept for
	// them).
	Plugin string `json:"plugin,omitempty"`
	Phase  string `json:"phase,omitempty"`
}

// runningPlugin is one plugin whose code was running.
type runningPlugin struct {
	Plugin string    `json:"plugin"`
	Phase  string    `json:"phase"`
	Since  time.Time `json:"since"`
}

// suspects returns the plugins the record says were running.
func (r *startRecord) suspects() []runningPlugin {
	out := append([]runningPlugin(nil), r.Running...)
	if r.Plugin != "" {
		out = append(out, runningPlugin{Plugin: r.Plugin, Phase: r.Phase})
	}
	return out
}

// startMarker is the file <basedir>/.incomplete_startup: written when a
// start begins, rewritten whenever the code of a plugin that is not bundled
// starts or stops running during the start, removed once the start is
// complete (or the server stops cleanly). If the process dies during the
// start, the next start finds it and knows which plugin was running.
type startMarker struct {
	path   string
	mu     sync.Mutex
	rec    startRecord
	active bool // the start is in progress: trace writes the file
}

// readMarker returns the record a previous, incomplete start left, if any.
func readMarker(path string) (*startRecord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec startRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		// An unreadable marker still says the start did not complete.
		return &startRecord{}, nil
	}
	return &rec, nil
}

// begin writes the marker of a new start.
func (m *startMarker) begin() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rec = startRecord{Started: time.Now().UTC(), PID: os.Getpid()}
	m.active = true
	return m.writeLocked()
}

// enter records that plugin's code starts running in phase.
func (m *startMarker) enter(plugin, phase string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.active {
		return
	}
	m.rec.Running = append(m.rec.Running, runningPlugin{Plugin: plugin, Phase: phase, Since: time.Now().UTC()})
	_ = m.writeLocked() // best effort: the start goes on without it
}

// leave records that plugin's code for phase returned.
func (m *startMarker) leave(plugin, phase string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.active {
		return
	}
	for i := len(m.rec.Running) - 1; i >= 0; i-- {
		if r := m.rec.Running[i]; r.Plugin == plugin && r.Phase == phase {
			m.rec.Running = append(m.rec.Running[:i:i], m.rec.Running[i+1:]...)
			break
		}
	}
	_ = m.writeLocked()
}

// trace is the manager's Trace: only plugins that are not bundled can be
// quarantined, so only their calls are recorded, and of those only the ones
// whose code runs in the server's process: a process plugin cannot end
// the server's start, and one that crashes is restarted instead.
func (m *startMarker) trace(ev manager.TraceEvent) {
	if ev.Bundled || ev.Isolated {
		return
	}
	if ev.Done {
		m.leave(ev.Plugin, string(ev.Phase))
		return
	}
	m.enter(ev.Plugin, string(ev.Phase))
}

// complete removes the marker: the start completed.
func (m *startMarker) complete() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.active {
		return nil
	}
	m.active = false
	if err := os.Remove(m.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeLocked writes the record, replacing the file by a rename so that
// it is never seen (or left by a crash) half written (no fsync: it must
// survive the process, not the machine).
func (m *startMarker) writeLocked() error {
	data, err := json.Marshal(m.rec)
	if err != nil {
		return err
	}
	tmp := m.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, m.path)
}
