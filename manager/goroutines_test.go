package manager

import (
	"context"
	"io"
	"log/slog"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/proflabels"
	"github.com/tentacle-go/tentacle/tier"
)

// sampleProfile is a goroutine profile (debug=1) captured from Go 1.26, with
// the count of the last group raised to 2 as for two goroutines on the same
// stack.
const sampleProfile = `goroutine profile: total 5
1 @ 0x442931 0x47cd1d 0x4c8771 0x4c85a5 0x4c5429 0x4dc0bd 0x44ca75 0x483e41
#	0x4c8770	runtime/pprof.writeRuntimeProfile+0xb0	/usr/local/go/src/runtime/pprof/pprof.go:851
#	0x4c85a4	runtime/pprof.writeGoroutine+0x44	/usr/local/go/src/runtime/pprof/pprof.go:784
#	0x4c5428	runtime/pprof.(*Profile).WriteTo+0x148	/usr/local/go/src/runtime/pprof/pprof.go:408
#	0x4dc0bc	main.main+0x17c				/tmp/cap/main.go:18
#	0x44ca74	runtime.main+0x2d4			/usr/local/go/src/runtime/proc.go:290

1 @ 0x47d92e 0x4158ee 0x415432 0x4dc179 0x483e41
# labels: {"tentacle_plugin":"tidy"}
#	0x4dc178	main.main.func2.1+0x18	/tmp/cap/main.go:16

1 @ 0x47d92e 0x4158ee 0x415432 0x4dc279 0x483e41
# labels: {"host":"a \"quoted\", value", "tentacle_plugin":"leaky"}
#	0x4dc278	main.main.func1.2+0x18	/tmp/cap/main.go:13

2 @ 0x47d92e 0x4158ee 0x415432 0x4dc2b9 0x483e41
# labels: {"host":"a \"quoted\", value", "tentacle_plugin":"leaky"}
#	0x4dc2b8	main.main.func1.1+0x18	/tmp/cap/main.go:12
`

func TestParseGoroutineLabels(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		key     string
		want    map[string]int
		wantErr string
	}{
		{name: "sample", profile: sampleProfile, key: GoroutineLabel, want: map[string]int{"tidy": 1, "leaky": 3}},
		{name: "other key, quoted value", profile: sampleProfile, key: "host", want: map[string]int{`a "quoted", value`: 3}},
		{name: "absent key", profile: sampleProfile, key: "nope", want: map[string]int{}},
		{name: "empty", profile: "", key: GoroutineLabel, want: map[string]int{}},
		{name: "no labels", profile: "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/x.go:1\n", key: GoroutineLabel, want: map[string]int{}},
		{name: "empty label set", profile: "1 @ 0x1\n# labels: {}\n", key: GoroutineLabel, want: map[string]int{}},
		{name: "bad count", profile: "x @ 0x1\n", key: GoroutineLabel, wantErr: "line 1: malformed count"},
		{name: "bad label set", profile: "1 @ 0x1\n# labels: {\"k\" \"v\"}\n", key: GoroutineLabel, wantErr: "line 2"},
		{name: "unterminated label set", profile: "1 @ 0x1\n# labels: {\"k\":\"v\"\n", key: GoroutineLabel, wantErr: "expected , or }"},
		{name: "unquoted key", profile: "1 @ 0x1\n# labels: {k:\"v\"}\n", key: GoroutineLabel, wantErr: "not a quoted string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseGoroutineLabels(strings.NewReader(tc.profile), tc.key)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
		})
	}
}

// labelsOf returns the labels of the goroutines that carry label key=value,
// as printed in a goroutine profile.
func labelsOf(t *testing.T, key, value string) []string {
	t.Helper()
	var b strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(b.String(), "\n") {
		set, ok := strings.CutPrefix(line, "# labels: ")
		if !ok {
			continue
		}
		labels, err := proflabels.ParseSet(set)
		if err != nil {
			t.Fatal(err)
		}
		if labels[key] == value {
			out = append(out, set)
		}
	}
	return out
}

type spawner struct {
	tentacle.Base
	release chan struct{}
}

// OnPluginEnabled starts a goroutine that runs until release is closed.
func (s *spawner) OnPluginEnabled() {
	go func() { <-s.release }()
}

// Plugin code runs with the plugin's goroutine label on top of the labels of
// the operation's context; goroutines it starts keep them; the caller gets
// the operation's labels back, not the plugin's.
func TestPluginGoroutineLabels(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tests := []struct {
		name      string
		hostLabel string // "" for an operation context without labels
		want      string // the spawned goroutine's labels
	}{
		{name: "no operation labels", want: `{"tentacle_plugin":"spawner"}`},
		{name: "operation labels", hostLabel: "op-7", want: `{"host":"op-7", "tentacle_plugin":"spawner"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			var m *Manager
			defer func() {
				// Let the spawned goroutine end before the next case
				// counts the same plugin's goroutines.
				close(release)
				for deadline := time.Now().Add(10 * time.Second); m != nil && m.Goroutines("spawner") > 0; {
					if time.Now().After(deadline) {
						t.Fatal("the spawned goroutine did not end")
					}
					time.Sleep(time.Millisecond)
				}
			}()
			m, err := New(Options{
				Origins: []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{
					"spawner": {Name: "Spawner", Implementation: &spawner{release: release}},
				})},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.hostLabel != "" {
				ctx = pprof.WithLabels(ctx, pprof.Labels("host", tc.hostLabel))
			}
			// Run the operation on a goroutine whose labels are those of
			// ctx, as pprof.Do would leave them.
			after := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				pprof.SetGoroutineLabels(ctx)
				if err := m.Start(ctx); err != nil {
					t.Error(err)
				}
				if err := m.Shutdown(ctx); err != nil {
					t.Error(err)
				}
				// This goroutine must not count as the plugin's.
				go func() { <-after }()
			}()
			<-done
			if n := m.Goroutines("spawner"); n != 1 {
				t.Errorf("Goroutines(spawner) = %d, want 1 (the one it started)", n)
			}
			if got := labelsOf(t, GoroutineLabel, "spawner"); len(got) != 1 || got[0] != tc.want {
				t.Errorf("spawned goroutine labels %q, want [%s]", got, tc.want)
			}
			if in, _ := m.Info("spawner"); in.LeftoverGoroutines != 1 {
				t.Errorf("listing after unload: leftover_goroutines = %d, want 1", in.LeftoverGoroutines)
			}
			if tc.hostLabel != "" {
				if got := labelsOf(t, "host", tc.hostLabel); len(got) != 2 {
					t.Errorf("goroutines labelled host=%s: %q, want the plugin's and the caller's", tc.hostLabel, got)
				}
			}
			close(after)
		})
	}
}

func TestPluginLabels(t *testing.T) {
	ctx := PluginLabels(pprof.WithLabels(context.Background(), pprof.Labels("host", "x")), "hello")
	got := map[string]string{}
	pprof.ForLabels(ctx, func(k, v string) bool { got[k] = v; return true })
	if d := cmp.Diff(map[string]string{"host": "x", GoroutineLabel: "hello"}, got); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}
	if labelsOnly(context.Background()) != nil {
		t.Error("labelsOnly of a context without labels is not nil")
	}
}
