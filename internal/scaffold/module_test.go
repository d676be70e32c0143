package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseGoMod(t *testing.T) {
	tests := []struct {
		name, src string
		want      goMod
		err       string
	}{
		{name: "blocks", src: "module example.com/a // the module\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/x/y v1.2.3\n\tgithub.com/z/w v0.1.0 // indirect\n)\n\nreplace github.com/x/y => ../y\n",
			want: goMod{Module: "example.com/a", Go: "1.26.0", Require: []requirement{{"github.com/x/y", "v1.2.3"}, {"github.com/z/w", "v0.1.0"}}}},
		{name: "single lines, quoted", src: "module \"example.com/b\"\ngo 1.22\nrequire github.com/x/y v1.0.0\nexclude github.com/x/y v0.9.0\n",
			want: goMod{Module: "example.com/b", Go: "1.22", Require: []requirement{{"github.com/x/y", "v1.0.0"}}}},
		{name: "no module", src: "go 1.22\n", err: "no module directive"},
		{name: "malformed requirement", src: "module m\nrequire (\n\tgithub.com/x/y\n)\n", err: "line 3: malformed requirement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGoMod([]byte(tt.src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Module != tt.want.Module || got.Go != tt.want.Go || len(got.Require) != len(tt.want.Require) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
			for i := range got.Require {
				if got.Require[i] != tt.want.Require[i] {
					t.Errorf("requirement %d: %v, want %v", i, got.Require[i], tt.want.Require[i])
				}
			}
		})
	}
}

// TestFindCheckout finds the checkout this test was built from.
func TestFindCheckout(t *testing.T) {
	dir, how := FindCheckout("")
	if !IsCheckout(dir) || how == "" {
		t.Fatalf("FindCheckout = %q, %q", dir, how)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal", "scaffold", "module.go")); err != nil {
		t.Error(err)
	}
	if IsCheckout(t.TempDir()) {
		t.Error("an empty folder is a checkout")
	}
}
