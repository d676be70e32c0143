package events_test

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/events"
)

func TestOrderPerSubscriber(t *testing.T) {
	const n = 2000
	b := events.New(events.Options{QueueSize: n})
	hA, chA := names(n)
	hB, chB := names(n)
	subscribe(t, b, "a", hA)
	subscribe(t, b, "b", hB, "e*")
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("e%d", i)
		b.Fire(want[i], nil)
	}
	if diff := cmp.Diff(want, receive(t, chA, n)); diff != "" {
		t.Errorf("a got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, receive(t, chB, n)); diff != "" {
		t.Errorf("b got (-want +got):\n%s", diff)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPatterns(t *testing.T) {
	fired := []string{
		"Startup", "Shutdown", "ClientOpened", "plugin_hello_greeted", "plugin_hello_waved",
		"plugin_other_x", "plugin_", "PrintStarted", "a/b", "plugin_x/y",
	}
	tests := []struct {
		name     string
		patterns []string
		want     []string
	}{
		{name: "no pattern", patterns: nil, want: fired},
		{name: "star", patterns: []string{"*"}, want: fired},
		{name: "star among others", patterns: []string{"Startup", "*"}, want: fired},
		{name: "exact", patterns: []string{"Startup"}, want: []string{"Startup"}},
		{name: "exact, unknown", patterns: []string{"Nothing"}, want: nil},
		{name: "exact is case-sensitive", patterns: []string{"startup"}, want: nil},
		{
			name:     "prefix",
			patterns: []string{"plugin_*"},
			want:     []string{"plugin_hello_greeted", "plugin_hello_waved", "plugin_other_x", "plugin_"},
		},
		{
			name:     "plugin's own events",
			patterns: []string{events.PluginEvent("hello", "*")},
			want:     []string{"plugin_hello_greeted", "plugin_hello_waved"},
		},
		{
			name:     "several patterns",
			patterns: []string{"Startup", "Shutdown", "plugin_other_*"},
			want:     []string{"Startup", "Shutdown", "plugin_other_x"},
		},
		{
			name:     "overlapping patterns deliver once",
			patterns: []string{"plugin_hello_*", "plugin_*_greeted", "plugin_hello_greeted"},
			want:     []string{"plugin_hello_greeted", "plugin_hello_waved"},
		},
		{name: "question mark", patterns: []string{"S?utdown"}, want: []string{"Shutdown"}},
		{name: "class", patterns: []string{"[SC]*"}, want: []string{"Startup", "Shutdown", "ClientOpened"}},
		{name: "negated class", patterns: []string{"[^SCp]*"}, want: []string{"PrintStarted"}},
		{name: "suffix", patterns: []string{"*Started"}, want: []string{"PrintStarted"}},
		{name: "escaped star is literal", patterns: []string{`plugin\_`}, want: []string{"plugin_"}},
		{name: "glob star stops at slash", patterns: []string{"a*"}, want: nil},
		{name: "slash matched literally", patterns: []string{"a/*", "plugin_x/*"}, want: []string{"a/b", "plugin_x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := events.New(events.Options{})
			h, ch := names(len(fired))
			subscribe(t, b, "s", h, tt.patterns...)
			for _, name := range fired {
				b.Fire(name, nil)
			}
			if err := b.Close(context.Background()); err != nil { // drains
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, drain(ch)); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSubscribeErrors(t *testing.T) {
	nop := func(events.Event) {}
	closed := events.New(events.Options{})
	if err := closed.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		bus      *events.Bus // nil: a bus with a subscriber "taken"
		sub      string
		handler  func(events.Event)
		patterns []string
		wantIs   error
		wantMsg  string
	}{
		{name: "malformed pattern", sub: "s", handler: nop, patterns: []string{"[Start"},
			wantIs: path.ErrBadPattern, wantMsg: `subscribe "s": pattern "[Start": syntax error in pattern`},
		{name: "malformed among good", sub: "s", handler: nop, patterns: []string{"Startup", `x\`},
			wantIs: path.ErrBadPattern, wantMsg: `pattern "x\\"`},
		{name: "empty pattern", sub: "s", handler: nop, patterns: []string{""},
			wantIs: path.ErrBadPattern, wantMsg: "empty pattern"},
		{name: "duplicate name", sub: "taken", handler: nop,
			wantMsg: `subscribe "taken": a subscriber of that name exists`},
		{name: "empty name", sub: "", handler: nop, wantMsg: "empty subscriber name"},
		{name: "nil handler", sub: "s", handler: nil, wantMsg: `subscribe "s": nil handler`},
		{name: "closed bus", bus: closed, sub: "s", handler: nop, wantIs: events.ErrClosed,
			wantMsg: `subscribe "s": event bus closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.bus
			if b == nil {
				b = events.New(events.Options{})
				closeBus(t, b)
				subscribe(t, b, "taken", nop)
			}
			s, err := b.Subscribe(tt.sub, tt.handler, tt.patterns...)
			if err == nil {
				t.Fatalf("Subscribe succeeded, want an error")
			}
			if s != nil {
				t.Errorf("Subscribe returned a subscription with the error %v", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			var got []string
			for _, st := range b.Stats() {
				got = append(got, st.Subscriber)
			}
			if tt.bus == nil && !cmp.Equal(got, []string{"taken"}) {
				t.Errorf("subscribers after the failure: %q, want only taken", got)
			}
		})
	}
}

func TestNameReusableAfterClose(t *testing.T) {
	b := events.New(events.Options{})
	closeBus(t, b)
	h1, ch1 := names(8)
	s := subscribe(t, b, "plugin:hello", h1)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2, ch2 := names(8)
	subscribe(t, b, "plugin:hello", h2)
	b.Fire("Startup", nil)
	if diff := cmp.Diff([]string{"Startup"}, receive(t, ch2, 1)); diff != "" {
		t.Errorf("new subscriber got (-want +got):\n%s", diff)
	}
	if got := drain(ch1); len(got) != 0 {
		t.Errorf("closed subscriber got %q", got)
	}
}

func TestStatsSorted(t *testing.T) {
	b := events.New(events.Options{})
	closeBus(t, b)
	nop := func(events.Event) {}
	for _, name := range []string{"socket:3", "plugin:hello", "socket:10", "plugin:abc", "host"} {
		subscribe(t, b, name, nop)
	}
	gone := subscribe(t, b, "plugin:gone", nop)
	if err := gone.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range b.Stats() {
		got = append(got, st.Subscriber)
	}
	want := []string{"host", "plugin:abc", "plugin:hello", "socket:10", "socket:3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stats order (-want +got):\n%s", diff)
	}
}

func TestStatsCounts(t *testing.T) {
	b := events.New(events.Options{OnFault: func(string, events.Event, any) {}})
	h, ch := names(8)
	sub := subscribe(t, b, "s", func(ev events.Event) {
		h(ev)
		if ev.Name == "boom" {
			panic("boom")
		}
	}, "a", "boom")
	for _, name := range []string{"a", "x", "boom", "a", "y"} {
		b.Fire(name, nil)
	}
	receive(t, ch, 3)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := events.Stats{Subscriber: "s", Delivered: 3, Faults: 1}
	if diff := cmp.Diff(want, sub.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	if got := b.Stats(); len(got) != 0 {
		t.Errorf("closed bus Stats = %+v, want none", got)
	}
}

func TestEventFields(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	b := events.New(events.Options{Now: func() time.Time { return at }})
	got := make(chan events.Event, 2)
	subscribe(t, b, "s", func(ev events.Event) { got <- ev })
	payload := map[string]any{"id": "hello", "version": "1.0.0"}
	b.Fire("PluginEnabled", payload)
	b.Fire("Startup", nil)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []events.Event{
		{Name: "PluginEnabled", Payload: map[string]any{"id": "hello", "version": "1.0.0"}, Time: at},
		{Name: "Startup", Time: at},
	}
	if diff := cmp.Diff(want, drain(got)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestFireWithoutSubscribers(t *testing.T) {
	b := events.New(events.Options{})
	if !b.Fire("Startup", nil) {
		t.Error("Fire on an open bus without subscribers = false, want true")
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPluginEvent(t *testing.T) {
	tests := []struct{ id, name, want string }{
		{"hello", "greeted", "plugin_hello_greeted"},
		{"pluginmanager", "install_plugin", "plugin_pluginmanager_install_plugin"},
		{"hello", "*", "plugin_hello_*"},
		{"", "", "plugin__"},
	}
	for _, tt := range tests {
		if got := events.PluginEvent(tt.id, tt.name); got != tt.want {
			t.Errorf("PluginEvent(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
}

func TestHandlerMayFire(t *testing.T) {
	b := events.New(events.Options{QueueSize: 2, Logger: discard()})
	h, ch := names(16)
	// ping fires pong to itself and to echo, through a queue that fills up:
	// Fire from a handler must never wait for that handler.
	subscribe(t, b, "ping", func(ev events.Event) {
		if ev.Name != "ping" {
			return
		}
		for range 5 {
			b.Fire("pong", nil)
		}
	}, "ping", "pong")
	subscribe(t, b, "echo", h, "pong")
	b.Fire("ping", nil)
	receive(t, ch, 2)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
