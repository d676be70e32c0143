package events_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/events"
)

func TestSlowHandlerDoesNotDelayOthers(t *testing.T) {
	const n = 100
	b := events.New(events.Options{})
	started := make(chan struct{})
	release := make(chan struct{})
	var slowGot []string // written only by the slow handler
	slow := subscribe(t, b, "plugin:slow", func(ev events.Event) {
		if len(slowGot) == 0 {
			close(started)
			<-release
		}
		slowGot = append(slowGot, ev.Name)
	})
	fast, ch := names(n)
	subscribe(t, b, "plugin:fast", fast)

	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("e%d", i)
		if !b.Fire(want[i], nil) {
			t.Fatalf("Fire(%q) = false", want[i])
		}
	}
	<-started
	// The fast subscriber gets all 100 while the slow one is still blocked
	// on its first event.
	if diff := cmp.Diff(want, receive(t, ch, n)); diff != "" {
		t.Errorf("fast got (-want +got):\n%s", diff)
	}
	if st := slow.Stats(); st.Delivered != 0 || st.Queued != n-1 {
		t.Errorf("slow Stats = %+v while blocked, want 0 delivered and %d queued", st, n-1)
	}
	close(release)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, slowGot); diff != "" {
		t.Errorf("slow got, after release (-want +got):\n%s", diff)
	}
}

type fault struct {
	Subscriber, Event string
	Value             any
}

// faults collects OnFault reports, errors by their message.
type faults struct {
	mu  sync.Mutex
	got []fault
}

func (f *faults) onFault(sub string, ev events.Event, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := v.(error); ok {
		v = err.Error()
	}
	f.got = append(f.got, fault{sub, ev.Name, v})
}

func (f *faults) list() []fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got
}

func TestPanickingHandler(t *testing.T) {
	tests := []struct {
		name  string
		panic any
		want  any
	}{
		{name: "string", panic: "boom", want: "boom"},
		{name: "error", panic: errors.New("bad payload"), want: "bad payload"},
		{name: "int", panic: 42, want: 42},
		{name: "reflect.Value unwrapped", panic: reflect.ValueOf("interpreted boom"), want: "interpreted boom"},
		{name: "invalid reflect.Value kept", panic: reflect.Value{}, want: reflect.Value{}},
		{name: "nil", panic: nil, want: (&runtime.PanicNilError{}).Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f faults
			b := events.New(events.Options{OnFault: f.onFault})
			h, ch := names(8)
			sub := subscribe(t, b, "plugin:broken", func(ev events.Event) {
				if ev.Name == "Boom" {
					panic(tt.panic)
				}
				h(ev)
			})
			oh, och := names(8)
			subscribe(t, b, "plugin:ok", oh)
			for _, name := range []string{"Before", "Boom", "After", "Boom", "Last"} {
				b.Fire(name, nil)
			}
			if err := b.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := []fault{{"plugin:broken", "Boom", tt.want}, {"plugin:broken", "Boom", tt.want}}
			if diff := cmp.Diff(want, f.list(), cmp.Comparer(func(a, b reflect.Value) bool {
				return a.IsValid() == b.IsValid()
			})); diff != "" {
				t.Errorf("faults (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"Before", "After", "Last"}, drain(ch)); diff != "" {
				t.Errorf("panicking subscriber got (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"Before", "Boom", "After", "Boom", "Last"}, drain(och)); diff != "" {
				t.Errorf("other subscriber got (-want +got):\n%s", diff)
			}
			if st := sub.Stats(); st.Delivered != 5 || st.Faults != 2 {
				t.Errorf("Stats = %+v, want 5 delivered, 2 faults", st)
			}
		})
	}
}

func TestPanicLoggedWithoutOnFault(t *testing.T) {
	log, lb := logger()
	b := events.New(events.Options{Logger: log})
	h, ch := names(1)
	subscribe(t, b, "plugin:broken", func(ev events.Event) {
		if ev.Name == "Boom" {
			panic("kaboom")
		}
		h(ev)
	})
	b.Fire("Boom", nil)
	b.Fire("After", nil)
	receive(t, ch, 1)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := lb.String()
	for _, want := range []string{"event handler panicked", "subscriber=plugin:broken", "event=Boom", "panic=kaboom", "isolation_test.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestPanickingCallbacks(t *testing.T) {
	b := events.New(events.Options{
		QueueSize: 1,
		Logger:    discard(),
		OnFault:   func(string, events.Event, any) { panic("in OnFault") },
		OnDrop:    func(string, events.Event) { panic("in OnDrop") },
	})
	h, ch := names(8)
	release := make(chan struct{})
	subscribe(t, b, "s", func(ev events.Event) {
		if ev.Name == "block" {
			<-release
			panic("in handler")
		}
		h(ev)
	})
	b.Fire("block", nil)
	b.Fire("dropped", nil)
	b.Fire("kept", nil) // drops "dropped" if the handler is still blocked: OnDrop panics
	close(release)
	b.Fire("last", nil)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := drain(ch)
	if len(got) == 0 || got[len(got)-1] != "last" {
		t.Errorf("after panicking callbacks the subscriber got %q, want it to end with last", got)
	}
}

func TestOverflowDropsOldest(t *testing.T) {
	var mu sync.Mutex
	var dropped []string
	b := events.New(events.Options{
		QueueSize: 3,
		Logger:    discard(),
		OnDrop: func(sub string, ev events.Event) {
			mu.Lock()
			defer mu.Unlock()
			dropped = append(dropped, sub+" "+ev.Name)
		},
	})
	started := make(chan struct{})
	release := make(chan struct{})
	h, ch := names(10)
	sub := subscribe(t, b, "plugin:slow", func(ev events.Event) {
		if ev.Name == "e0" {
			close(started)
			<-release
		}
		h(ev)
	})
	b.Fire("e0", nil)
	<-started // e0 is in flight
	for i := 1; i < 10; i++ {
		b.Fire(fmt.Sprintf("e%d", i), nil)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "plugin:slow", Dropped: 6, Queued: 3}, sub.Stats()); diff != "" {
		t.Errorf("Stats while blocked (-want +got):\n%s", diff)
	}
	close(release)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"e0", "e7", "e8", "e9"}, drain(ch)); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	wantDropped := []string{"plugin:slow e1", "plugin:slow e2", "plugin:slow e3",
		"plugin:slow e4", "plugin:slow e5", "plugin:slow e6"}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(wantDropped, dropped); diff != "" {
		t.Errorf("OnDrop (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "plugin:slow", Delivered: 4, Dropped: 6}, sub.Stats()); diff != "" {
		t.Errorf("final Stats (-want +got):\n%s", diff)
	}
}

func TestDropLogRateLimited(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	log, lb := logger()
	b := events.New(events.Options{QueueSize: 1, Logger: log, Now: clock})
	started := make(chan struct{})
	release := make(chan struct{})
	subscribe(t, b, "plugin:slow", func(ev events.Event) {
		if ev.Name == "first" {
			close(started)
			<-release
		}
	})
	b.Fire("first", nil)
	<-started
	count := func() int { return strings.Count(lb.String(), "dropping its oldest events") }
	steps := []struct {
		advance time.Duration
		fire    int
		want    int // log lines so far
	}{
		{fire: 1, want: 0},  // fills the queue
		{fire: 10, want: 1}, // drops: logged once
		{advance: 999 * time.Millisecond, fire: 5, want: 1}, // within the second
		{advance: time.Millisecond, fire: 5, want: 2},       // a second after the first log
		{advance: 10 * time.Second, fire: 1, want: 3},
	}
	for i, st := range steps {
		advance(st.advance)
		for range st.fire {
			b.Fire("more", nil)
		}
		if got := count(); got != st.want {
			t.Errorf("step %d: %d drop warnings, want %d:\n%s", i, got, st.want, lb.String())
		}
	}
	close(release)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lb.String(), "subscriber=plugin:slow") {
		t.Errorf("drop warning does not name the subscriber:\n%s", lb.String())
	}
}

func TestHandlerGoexit(t *testing.T) {
	log, lb := logger()
	b := events.New(events.Options{Logger: log})
	closeBus(t, b)
	sub := subscribe(t, b, "plugin:exits", func(ev events.Event) {
		if ev.Name == "exit" {
			runtime.Goexit()
		}
	})
	b.Fire("exit", nil)
	eventually(t, "exit logged", func() bool { return strings.Contains(lb.String(), "runtime.Goexit") })
	// The subscription stopped itself: later events are refused rather
	// than queued for a goroutine that is gone, and Close does not wait.
	b.Fire("later", nil)
	if err := sub.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "plugin:exits", Delivered: 1, Dropped: 1}, sub.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}
