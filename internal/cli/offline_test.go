package cli

import (
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
)

// TestOfflineEntry: offline, the process a process plugin ran to be loaded
// is the command's own and gone when it exits; the entry does not show it.
func TestOfflineEntry(t *testing.T) {
	running := tier.ProcessStatus{PID: 4242, Overruns: 1, LastLines: []string{"hello"}}
	tests := []struct {
		name string
		in   *manager.ProcessInfo
		want *manager.ProcessInfo
	}{
		{"not a process plugin", nil, nil},
		{"loaded by the command", &manager.ProcessInfo{ProcessStatus: running}, nil},
		{"with a crash of its own", &manager.ProcessInfo{ProcessStatus: running, Restarts: 1, LastCrash: "exit status 3"},
			&manager.ProcessInfo{Restarts: 1, LastCrash: "exit status 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := manager.Info{Key: "p", Process: tt.in}
			got := offlineEntry(in).Process
			switch {
			case (got == nil) != (tt.want == nil):
				t.Fatalf("process %+v, want %+v", got, tt.want)
			case got != nil && (got.PID != 0 || got.Overruns != 0 || got.LastLines != nil || got.Restarts != tt.want.Restarts || got.LastCrash != tt.want.LastCrash):
				t.Errorf("process %+v, want %+v", got, tt.want)
			}
			if tt.in != nil && tt.in.PID != running.PID {
				t.Error("the manager's entry was changed")
			}
		})
	}
}
