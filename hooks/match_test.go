package hooks_test

import (
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name     string
		hook     string
		patterns []string
		want     bool
	}{
		// Ported from OctoPrint's test_hook_matches_hooks (None becomes
		// the empty string or a nil slice).
		{"exact in list", "tentacle.some_hook", []string{"tentacle.some_hook", "tentacle.another_hook"}, true},
		{"prefix wildcard", "tentacle.some_hook", []string{"tentacle.*"}, true},
		{"trailing wildcard", "tentacle.some_hook", []string{"tentacle.some_hook*"}, true},
		{"leading wildcard", "tentacle.some_hook", []string{"tentacle.*_hook"}, true},
		{"non-matching subtree", "tentacle.some_hook", []string{"tentacle.another_hook.*"}, false},
		{"empty hook", "", []string{"tentacle.some_hook"}, false},
		{"empty hook, catch-all", "", []string{"*"}, false},
		{"no patterns", "tentacle.some_hook", []string{}, false},
		{"nil patterns", "tentacle.some_hook", nil, false},
		{"only an empty pattern", "tentacle.some_hook", []string{""}, false},

		// Beyond OctoPrint's cases.
		{"star crosses dots", "tentacle.server.http.routes.extra", []string{"tentacle.server.http.*"}, true},
		{"prefix without dot", "tentacle.server.httpx", []string{"tentacle.server.http.*"}, false},
		{"exact only", "tentacle.printer.factory.x", []string{"tentacle.printer.factory"}, false},
		{"question mark", "tentacle.a1", []string{"tentacle.a?"}, true},
		{"class", "tentacle.b", []string{"tentacle.[abc]"}, true},
		{"negated class", "tentacle.b", []string{"tentacle.[^abc]"}, false},
		{"empty then match", "x.y", []string{"", "x.*"}, true},
		{"malformed pattern", "tentacle.[", []string{"tentacle.["}, false},
		{"malformed then valid", "x.y", []string{"x.[", "x.y"}, true},
		{"case sensitive", "Tentacle.x", []string{"tentacle.*"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hooks.Match(tt.hook, tt.patterns...); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.hook, tt.patterns, got, tt.want)
			}
		})
	}
}

// Ported from OctoPrint's test_hook_matches_hooks_varargs.
func TestMatchVarargs(t *testing.T) {
	if !hooks.Match("tentacle.some_hook", "tentacle.some_hook", "tentacle.another_hook") {
		t.Error("varargs: exact not matched")
	}
	if hooks.Match("tentacle.some_hook") {
		t.Error("no varargs: matched")
	}
}
