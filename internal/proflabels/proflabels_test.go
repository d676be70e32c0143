package proflabels

import (
	"context"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Current sees the calling goroutine's labels, not those of another
// goroutine that waits to call it or runs under other labels.
func TestCurrent(t *testing.T) {
	defer pprof.SetGoroutineLabels(context.Background())
	tests := []struct {
		name   string
		labels []string
		want   map[string]string
	}{
		{name: "none", want: map[string]string{}},
		{name: "one", labels: []string{"k", "v"}, want: map[string]string{"k": "v"}},
		{name: "quoted", labels: []string{"a", `x "y", z`, "b", "2"}, want: map[string]string{"a": `x "y", z`, "b": "2"}},
	}
	// Another goroutine, under labels of its own, calls Current too.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("other", "1")))
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := Current(); err != nil {
				t.Error(err)
			}
		}
	})
	defer wg.Wait()
	defer close(stop)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.labels != nil {
				ctx = pprof.WithLabels(ctx, pprof.Labels(tc.labels...))
			}
			pprof.SetGoroutineLabels(ctx)
			got, err := Current()
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("labels (-want +got):\n%s", d)
			}
		})
	}
}

//go:noinline
func parked(release chan struct{}) { <-release }

// Of finds the goroutines parked in a function, one label set per group.
func TestOf(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, v := range []string{"a", "b", "b"} {
		wg.Go(func() {
			pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("k", v)))
			parked(release)
		})
	}
	wg.Go(func() { parked(release) })
	defer wg.Wait()
	defer close(release)
	want := []map[string]string{{}, {"k": "a"}, {"k": "b"}}
	for {
		got, err := Of("proflabels.parked")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < len(want) {
			runtime.Gosched() // not all parked yet
			continue
		}
		sort.Slice(got, func(i, j int) bool { return got[i]["k"] < got[j]["k"] })
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("labels (-want +got):\n%s", d)
		}
		return
	}
}
