package sdk

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// countingHost is a host that answers settings requests from a map and
// counts them.
type countingHost struct {
	hostClient // nil: other calls are not expected
	mu         sync.Mutex
	values     map[string]any
	asked      int
}

func (h *countingHost) Settings(_ context.Context, req *lean.SettingsRequest) (*lean.SettingsResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch req.Op {
	case "get":
		h.asked++
		v, ok := h.values[req.Path]
		b, _ := json.Marshal(v)
		return &lean.SettingsResponse{ValueJson: b, Found: ok}, nil
	case "set":
		var v any
		_ = json.Unmarshal(req.ValueJson, &v)
		h.values[req.Path] = v
	}
	return &lean.SettingsResponse{}, nil
}

func (h *countingHost) count() int { h.mu.Lock(); defer h.mu.Unlock(); return h.asked }

// TestCallsReadSettingsOncePerGeneration: a hook handler that reads a
// setting on every call asks the host once per settings generation the
// calls carry; a call without a generation, and one after the plugin wrote
// its settings, ask again.
func TestCallsReadSettingsOncePerGeneration(t *testing.T) {
	impl := &struct{ tentacle.Base }{}
	def := &tentacle.Definition{
		Name:           "g",
		Implementation: impl,
		Hooks: tentacle.Hooks{"test.greet": func(name string) string {
			return impl.Settings().GetString("greeting") + ", " + name
		}},
		Helpers: tentacle.Helpers{"set": func(v string) error { return impl.Settings().Set("greeting", v) }},
	}
	s := newServer("g", def)
	hc := &countingHost{values: map[string]any{"greeting": "Hello"}}
	s.hostc = hc
	var in wire.InjectArgs
	in.Identifier = "g"
	args, _ := json.Marshal([]wire.InjectArgs{in})
	if _, err := s.Call(context.Background(), &lean.CallRequest{Kind: lean.CallRequest_INJECT, ArgsJson: args}); err != nil {
		t.Fatal(err)
	}
	call := func(kind lean.CallRequest_Kind, target, arg string, gen uint64) string {
		t.Helper()
		b, _ := json.Marshal([]any{arg})
		resp, err := s.Call(context.Background(), &lean.CallRequest{Kind: kind, Target: target, ArgsJson: b, SettingsGeneration: gen})
		if err != nil {
			t.Fatal(err)
		}
		return string(resp.ResultsJson)
	}
	greet := func(gen uint64) string { return call(lean.CallRequest_HOOK, "test.greet", "Ada", gen) }
	steps := []struct {
		name  string
		do    func() string
		want  string // the greeting, "" for none
		asked int    // the host's settings reads so far
	}{
		{"first call", func() string { return greet(5) }, `["Hello, Ada"]`, 1},
		{"same generation", func() string { return greet(5) }, `["Hello, Ada"]`, 1},
		{"and again", func() string { return greet(5) }, `["Hello, Ada"]`, 1},
		{"no generation", func() string { return greet(0) }, `["Hello, Ada"]`, 2},
		{"the plugin writes", func() string { call(lean.CallRequest_HELPER, "set", "Ahoy", 5); return "" }, "", 2},
		{"read after the write", func() string { return greet(5) }, `["Ahoy, Ada"]`, 3},
		{"new generation", func() string { hc.values["greeting"] = "Hi"; return greet(6) }, `["Hi, Ada"]`, 4},
		{"outside calls", func() string { return impl.Settings().GetString("greeting") }, "Hi", 5},
	}
	for _, st := range steps {
		if got := st.do(); st.want != "" && got != st.want {
			t.Errorf("%s: %s, want %s", st.name, got, st.want)
		}
		if got := hc.count(); got != st.asked {
			t.Errorf("%s: the host was asked %d times, want %d", st.name, got, st.asked)
		}
	}
}
