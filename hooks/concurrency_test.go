package hooks_test

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/hooks"
)

func TestZeroAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("AllocsPerRun")
	}
	const name = "x.y"
	r := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) {}})
	h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
	for i := range 5 {
		_ = r.Add("p"+strconv.Itoa(i), name, hooks.Registration{Func: appender(""), Order: i, HasOrder: true})
	}
	line := "G1 X10"
	dynName := strings.Clone(name) // not a constant: looking it up must not allocate either
	tests := []struct {
		name string
		run  func()
	}{
		{"Handlers+loop", func() {
			for _, hd := range h.Handlers() {
				line = hd.Fn(line)
			}
		}},
		{"Call", func() { h.Call(func(hd hooks.Handler[lineFunc]) { line = hd.Fn(line) }) }},
		{"CallUntil", func() { h.CallUntil(func(hd hooks.Handler[lineFunc]) bool { line = hd.Fn(line); return false }) }},
		{"untyped Handlers", func() {
			for _, e := range r.Handlers(dynName) {
				line = e.Func.(lineFunc)(line)
			}
		}},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(1000, tt.run); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, n)
		}
	}
}

func TestConcurrentDispatch(t *testing.T) {
	const name = "x.y"
	var faults atomic.Int64
	r := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) { faults.Add(1) }})
	h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
	_ = r.Add("base", name, hooks.Registration{Func: appender("."), Order: 0, HasOrder: true})

	stop := make(chan struct{})
	var dispatches atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the hot path
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			line := ""
			prev := math.MinInt
			h.Call(func(hd hooks.Handler[lineFunc]) {
				if hd.Order < prev {
					t.Errorf("out of order: %d after %d", hd.Order, prev)
				}
				prev = hd.Order
				line = hd.Fn(line)
			})
			for _, e := range r.Handlers(name) {
				_ = e.Func.(lineFunc)(line)
			}
			dispatches.Add(1)
		}
	}()
	go func() { // a reader of the other views
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = r.Explain(name)
			_ = r.Names()
		}
	}()
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 300 {
				p := fmt.Sprintf("w%d_%d", w, i%7)
				if i%50 == 0 {
					r.Hold()
				}
				_ = r.Add(p, name, hooks.Registration{Func: appender(p), Order: i % 13, HasOrder: i%3 != 0})
				if i%2 == 0 {
					r.Remove(p, name)
				}
				if i%50 == 49 {
					r.Release()
				}
				if i%100 == 0 {
					r.SetOrderOverrides(map[string]map[string]int{p: {name: -i}})
				}
			}
		}()
	}
	writers.Wait()
	for dispatches.Load() < 10 {
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	if faults.Load() != 0 {
		t.Errorf("%d faults", faults.Load())
	}
	// After the writers are done both views agree.
	if diff := cmp.Diff(placedOf(r.Handlers(name)), typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("views disagree (-untyped +typed):\n%s", diff)
	}
}
