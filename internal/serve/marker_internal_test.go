package serve

import (
	"path/filepath"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
)

// TestMarkerRecordsInProcessCodeOnly: the start marker records the calls
// into plugins whose code runs in the server's process and could end its
// start; bundled plugins and plugins in processes of their own are left
// out.
func TestMarkerRecordsInProcessCodeOnly(t *testing.T) {
	m := &startMarker{path: filepath.Join(t.TempDir(), ".incomplete_startup")}
	if err := m.begin(); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []manager.TraceEvent{
		{Plugin: "folder_plugin", Phase: manager.PhaseInitialize},
		{Plugin: "bundled_plugin", Bundled: true, Phase: manager.PhaseInitialize},
		{Plugin: "process_plugin", Isolated: true, Phase: manager.PhaseInitialize},
	} {
		m.trace(ev)
	}
	rec, err := readMarker(m.path)
	if err != nil || rec == nil {
		t.Fatalf("marker: %v, %v", rec, err)
	}
	if len(rec.Running) != 1 || rec.Running[0].Plugin != "folder_plugin" {
		t.Errorf("running %+v; want folder_plugin alone", rec.Running)
	}
}
