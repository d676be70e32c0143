package sdk

import (
	"testing"

	"github.com/tentacle-go/tentacle/internal/lean"
)

// TestSettingsCache: answers are kept for the generation of the calls,
// used only while a call of it is in flight, and dropped by a write or a
// call of another generation.
func TestSettingsCache(t *testing.T) {
	var c settingsCache
	r := &lean.SettingsResponse{ValueJson: []byte(`"x"`), Found: true}
	has := func(op, path string) bool { _, ok := c.get(op, path); return ok }

	c.put(0, "get", "a", r) // no call in flight: not kept
	if has("get", "a") || c.generation() != 0 {
		t.Fatal("kept outside a call")
	}
	c.begin(0) // a call without a generation keeps nothing
	if c.generation() != 0 {
		t.Fatal("a call without a generation counts")
	}
	c.end(0)

	c.begin(5)
	c.put(c.generation(), "get", "a", r)
	if !has("get", "a") || has("has", "a") || has("get", "b") {
		t.Fatal("kept by op and path")
	}
	c.begin(5) // a second call of the same generation keeps them
	if !has("get", "a") {
		t.Fatal("dropped by a call of the same generation")
	}
	c.end(5)
	if !has("get", "a") {
		t.Fatal("dropped while a call is still in flight")
	}
	c.put(4, "get", "old", r) // read under an older generation: not kept
	if has("get", "old") {
		t.Fatal("kept an answer of another generation")
	}
	c.drop()
	if has("get", "a") {
		t.Fatal("kept after a write")
	}
	c.put(5, "get", "a", r)
	c.begin(6) // a newer generation drops the older answers
	if has("get", "a") || c.generation() != 6 {
		t.Fatal("kept across generations")
	}
	c.put(6, "get", "a", r)
	c.end(5)
	c.end(6) // the last call ends: nothing is answered outside calls
	if has("get", "a") || c.generation() != 0 {
		t.Fatal("answered outside a call")
	}
	c.begin(6) // the next call of the same generation: answered again
	if !has("get", "a") {
		t.Fatal("not kept for the next call of the same generation")
	}
	c.end(6)
	c.begin(7)
	if has("get", "a") {
		t.Fatal("kept for a call of another generation")
	}
	c.end(7)
	for op, want := range map[string]bool{"get": true, "has": true, "all": true, "global_get": true, "set": false, "remove": false, "save": false, "global_set": false} {
		if cacheable(op) != want {
			t.Errorf("cacheable(%s) = %v", op, !want)
		}
	}
}
