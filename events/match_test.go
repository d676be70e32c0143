package events

import (
	"errors"
	"fmt"
	"path"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		patterns []string
		want     matcher
		wantErr  error
	}{
		{patterns: nil, want: matcher{all: true}},
		{patterns: []string{"*"}, want: matcher{all: true}},
		{patterns: []string{"Startup", "plugin_*", "*"}, want: matcher{all: true}},
		{patterns: []string{"Startup", "Shutdown", "Startup"}, want: matcher{exact: []string{"Shutdown", "Startup"}}},
		{patterns: []string{"plugin_*", "x*"}, want: matcher{prefixes: []string{"plugin_", "x"}}},
		{patterns: []string{"*Done", "plugin_?_*", `a\*`, "[ab]*"}, want: matcher{globs: []glob{
			{"*Done", ""}, {"plugin_?_*", "plugin_"}, {`a\*`, "a"}, {"[ab]*", ""},
		}}},
		{patterns: []string{"**"}, want: matcher{globs: []glob{{"**", ""}}}},
		{patterns: []string{"Print[SD]*"}, want: matcher{globs: []glob{{"Print[SD]*", "Print"}}}},
		{patterns: []string{"["}, wantErr: path.ErrBadPattern},
		{patterns: []string{"ok", "a[b-"}, wantErr: path.ErrBadPattern},
		{patterns: []string{""}, wantErr: path.ErrBadPattern},
		{patterns: []string{"*", "]["}, wantErr: path.ErrBadPattern}, // checked even after "*"
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.patterns), func(t *testing.T) {
			got, err := compile(tt.patterns)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("compile error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(matcher{}, glob{})); diff != "" {
				t.Errorf("compile (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchAgreesWithPathMatch checks the fast paths against path.Match:
// every pattern but "*" must give the same answer.
func TestMatchAgreesWithPathMatch(t *testing.T) {
	patterns := []string{
		"Startup", "plugin_", "plugin_*", "plugin_hello_*", "p*", "*d", "*_*", "?tartup",
		"[A-Z]*", "[^p]*", "Print[SD]*", "plugin_?_*", "a?", `plugin\_*`, `\*`, "a/*", "a/b", "plugin_x/*", "**",
	}
	names := []string{
		"", "Startup", "startup", "plugin_", "plugin_hello_greeted", "plugin_hello_", "plugin_x/y",
		"a/b", "a/", "a", "*", "Shutdown", "PrintStarted", "PrintDone", "PrintFailed", "Print", "plugin_a_b", "ab", "p", "plugin", "plugin_/", "ab/c/d",
	}
	for _, p := range patterns {
		m, err := compile([]string{p})
		if err != nil {
			t.Fatalf("compile(%q): %v", p, err)
		}
		for _, name := range names {
			want, _ := path.Match(p, name)
			if got := m.match(name); got != want {
				t.Errorf("match(%q, %q) = %v, path.Match says %v", p, name, got, want)
			}
		}
	}
}

func TestMatchStarMatchesEverything(t *testing.T) {
	m, err := compile([]string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "Startup", "a/b", "plugin_x/y/z"} {
		if !m.match(name) {
			t.Errorf(`"*" does not match %q`, name)
		}
	}
}
