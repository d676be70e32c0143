package manager

import (
	"encoding/json"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
)

// TestGuardRemoteAllocs: a process plugin's untyped function, guarded, is
// called without reflection: the guard allocates nothing per call.
func TestGuardRemoteAllocs(t *testing.T) {
	var m Manager
	fn := m.guardFunc("p", PhaseCall, "helper h", wire.RemoteFunc(func(...any) ([]json.RawMessage, error) { return nil, nil })).(wire.RemoteFunc)
	if n := testing.AllocsPerRun(100, func() { _, _ = fn() }); n != 0 {
		t.Errorf("a guarded call allocates %v times, want 0", n)
	}
}
