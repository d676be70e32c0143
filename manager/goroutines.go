package manager

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proflabels"
)

// GoroutineLabel is the pprof label that names the plugin a goroutine works
// for. The manager sets it, to the plugin's identifier, on the goroutine that
// calls into plugin code for the lifecycle (import, check, load, the enable
// phases, activators, disable, unload, uninstall), and a host's [hooks.Loop]
// sets it around the calls of the plugin's timed hook handlers; goroutines a
// plugin starts from those calls inherit it, which is how
// [Manager.Goroutines] finds the ones it left behind. It shows in goroutine
// profiles (/debug/pprof/goroutine?debug=1) as tentacle_plugin.
const GoroutineLabel = hooks.LabelPlugin

// PluginLabels returns ctx with the goroutine label of plugin id added. A
// host that starts goroutines on a plugin's behalf (an event dispatcher, a
// request handler) runs them under it, with [pprof.Do] or
// [pprof.SetGoroutineLabels], so that they count as the plugin's:
//
//	pprof.Do(ctx, pprof.Labels(manager.GoroutineLabel, id), func(ctx context.Context) { ... })
//
// is the same as running the function after
// pprof.SetGoroutineLabels(manager.PluginLabels(ctx, id)).
func PluginLabels(ctx context.Context, id string) context.Context {
	return pprof.WithLabels(ctx, pprof.Labels(GoroutineLabel, id))
}

// labelsOnly returns a context that carries ctx's pprof labels and nothing
// else, or nil when ctx has none, so that the manager does not keep a
// caller's context (its values, its cancellation) beyond the operation.
func labelsOnly(ctx context.Context) context.Context {
	if ctx == nil {
		return nil
	}
	var kv []string
	pprof.ForLabels(ctx, func(k, v string) bool {
		kv = append(kv, k, v)
		return true
	})
	if len(kv) == 0 {
		return nil
	}
	return pprof.WithLabels(context.Background(), pprof.Labels(kv...))
}

// Goroutines returns how many live goroutines carry plugin id's goroutine
// label ([GoroutineLabel]): those the plugin started from its lifecycle
// callbacks, or from its hook handlers' calls on a host loop, and that have
// not returned, plus any a host started under [PluginLabels] and a host
// loop calling one of its handlers at that instant. For a plugin that is disabled or unloaded these are
// goroutines it leaked (it did not stop them when its context was
// cancelled). Goroutines of a previous instance of a reloaded plugin carry
// the same label. Each call takes a goroutine profile, which briefly stops
// the world: it is meant for listings and diagnostics, not hot paths.
func (m *Manager) Goroutines(id string) int {
	counts, err := goroutineCounts()
	if err != nil {
		m.log.Warn("could not count plugin goroutines", "error", err)
		return 0
	}
	return counts[id]
}

// goroutineCounts counts the live goroutines per value of GoroutineLabel.
func goroutineCounts() (map[string]int, error) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil, fmt.Errorf("goroutine profile: %w", err)
	}
	return parseGoroutineLabels(&buf, GoroutineLabel)
}

// parseGoroutineLabels reads a goroutine profile written with debug=1 and
// returns, per value of label key, how many goroutines carry it. The format
// is a header line, then one group per distinct stack and label set: a line
// "N @ 0x... 0x...", an optional line `# labels: {"k":"v", ...}` (keys and
// values quoted as Go strings), and the stack's frames, each on a line
// starting with "#\t".
func parseGoroutineLabels(r io.Reader, key string) (map[string]int, error) {
	counts := make(map[string]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	group := 0 // the goroutine count of the current group
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "# labels: "):
			labels, err := proflabels.ParseSet(strings.TrimPrefix(text, "# labels: "))
			if err != nil {
				return nil, fmt.Errorf("goroutine profile line %d: %w", line, err)
			}
			if v, ok := labels[key]; ok {
				counts[v] += group
			}
		case strings.HasPrefix(text, "#"), text == "":
			// a frame, or the blank line between groups
		default:
			n, rest, ok := strings.Cut(text, " @")
			if !ok {
				group = 0 // the header ("goroutine profile: total N")
				continue
			}
			if rest != "" && rest[0] != ' ' {
				return nil, fmt.Errorf("goroutine profile line %d: malformed group line %q", line, text)
			}
			c, err := strconv.Atoi(n)
			if err != nil {
				return nil, fmt.Errorf("goroutine profile line %d: malformed count in %q: %w", line, text, err)
			}
			group = c
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read goroutine profile: %w", err)
	}
	return counts, nil
}

// The entries of (*Manager).callSteps, which runs calls into plugin code
// that need no deadline on its own goroutine, and of (*Manager).runWorker
// and (*Manager).runPlugin, the goroutines that run the others.
var (
	callEntry      = reflect.ValueOf((*Manager).callSteps).Pointer()
	runWorkerEntry = reflect.ValueOf((*Manager).runWorker).Pointer()
	runPluginEntry = reflect.ValueOf((*Manager).runPlugin).Pointer()
)

// setLabels sets the calling goroutine's pprof labels.
func setLabels(ctx context.Context) { pprof.SetGoroutineLabels(ctx) }

// inCall reports whether the calling goroutine runs plugin code that a
// lifecycle operation called (inside (*Manager).runPlugin). A goroutine the
// plugin started has a stack of its own, without it.
func inCall() bool {
	var pcs [64]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Entry == callEntry || f.Entry == runWorkerEntry || f.Entry == runPluginEntry {
			return true
		}
		if !more {
			return false
		}
	}
}
