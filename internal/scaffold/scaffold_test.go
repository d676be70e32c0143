package scaffold

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkout is the tentacle checkout of this test.
func checkout(t *testing.T) string {
	t.Helper()
	dir, _ := FindCheckout("")
	if dir == "" {
		t.Skip("no tentacle checkout (built with -trimpath?)")
	}
	return dir
}

// TestWriteRefuses refuses what it must, and then writes nothing at all.
func TestWriteRefuses(t *testing.T) {
	parent := t.TempDir()
	if err := os.Mkdir(filepath.Join(parent, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"invalid identifier", Options{ID: "Hello-World", Tier: "source"}, `invalid identifier "Hello-World"`},
		{"too long", Options{ID: strings.Repeat("a", 65), Tier: "source"}, "invalid identifier"},
		{"unknown tier", Options{ID: "hello", Tier: "python"}, `unknown tier "python"`},
		{"ignored name", Options{ID: "_hidden", Tier: "source"}, "ignores names that start with _"},
		{"folder exists", Options{ID: "taken", Tier: "builtin"}, "taken: already exists"},
		{"file exists", Options{ID: "file", Tier: "process"}, "file: already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Dir = parent
			_, err := Write(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write: %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(tt.want, "exists") && !errors.Is(err, ErrExists) {
				t.Errorf("%v is not ErrExists", err)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 2 {
				t.Errorf("%s holds %d entries, want the 2 it had", parent, len(entries))
			}
		})
	}
}

// TestWriteModule: a skeleton outside any module gets a go.mod of its own,
// with the tentacle checkout or telling what is missing; a builtin or
// source skeleton inside a module joins it; a process skeleton never does.
func TestWriteModule(t *testing.T) {
	co := checkout(t)
	sum, err := os.ReadFile(filepath.Join(co, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	inModule := t.TempDir()
	if err := os.WriteFile(filepath.Join(inModule, "go.mod"), []byte("module example.com/host\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		dir     string // default a temporary folder
		mod     []string
		noMod   []string
		sum     bool
		module  string
		note    string
		warning string
	}{
		{name: "checkout", opts: Options{ID: "hello", Tier: "source", Checkout: co, CheckoutFrom: "found"},
			mod: []string{"module example.com/tentacle-plugin-hello\n", "require github.com/tentacle-go/tentacle v0.0.0\n",
				"\tgoogle.golang.org/grpc v", "// indirect\n", "replace github.com/tentacle-go/tentacle => " + co + "\n"},
			sum: true, module: "example.com/tentacle-plugin-hello", note: "from " + co + ", found, with a replace directive"},
		{name: "module path", opts: Options{ID: "hello", Tier: "process", Checkout: co, Module: "github.com/ada/hello"},
			mod: []string{"module github.com/ada/hello\n"}, sum: true, module: "github.com/ada/hello"},
		{name: "no checkout", opts: Options{ID: "hello", Tier: "builtin"},
			mod: []string{"require github.com/tentacle-go/tentacle v0.0.0\n"}, noMod: []string{"replace", "indirect"},
			module: "example.com/tentacle-plugin-hello", warning: "no tentacle checkout found"},
		{name: "released", opts: Options{ID: "hello", Tier: "process", Version: "v1.2.0"},
			mod: []string{"require github.com/tentacle-go/tentacle v1.2.0\n"}, noMod: []string{"replace"},
			module: "example.com/tentacle-plugin-hello", note: "run go mod tidy"},
		{name: "in a module", opts: Options{ID: "hello", Tier: "builtin", Checkout: co}, dir: filepath.Join(inModule, "plugins"),
			module: "example.com/host", note: "part of the module example.com/host", warning: "does not require github.com/tentacle-go/tentacle"},
		{name: "in the tentacle module", opts: Options{ID: "hello", Tier: "source", Checkout: co}, dir: filepath.Join(co, "internal", "scaffold", "testdata", "nothing"),
			module: TentacleModule, note: "part of the module " + TentacleModule},
		{name: "process in a module", opts: Options{ID: "hello", Tier: "process", Checkout: co}, dir: inModule,
			mod: []string{"module example.com/tentacle-plugin-hello\n"}, sum: true, module: "example.com/tentacle-plugin-hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Dir = tt.dir
			if tt.dir == "" {
				tt.opts.Dir = t.TempDir()
			}
			if strings.HasPrefix(tt.opts.Dir, co) {
				// Planned only: nothing is written into the checkout.
				res := Result{}
				files, err := plan(withDefaults(tt.opts), tt.opts.Dir, &res)
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, res, tt.module, tt.note, tt.warning)
				for _, f := range files {
					if f.Name == "go.mod" {
						t.Errorf("a go.mod inside the tentacle module")
					}
				}
				return
			}
			res, err := Write(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res, tt.module, tt.note, tt.warning)
			mod, err := os.ReadFile(filepath.Join(res.Dir, "go.mod"))
			if len(tt.mod) == 0 {
				if err == nil {
					t.Errorf("a go.mod in a module's package:\n%s", mod)
				}
				return
			}
			for _, want := range tt.mod {
				if !strings.Contains(string(mod), want) {
					t.Errorf("go.mod lacks %q:\n%s", want, mod)
				}
			}
			for _, not := range tt.noMod {
				if strings.Contains(string(mod), not) {
					t.Errorf("go.mod has %q:\n%s", not, mod)
				}
			}
			got, err := os.ReadFile(filepath.Join(res.Dir, "go.sum"))
			if tt.sum != (err == nil) || tt.sum && !bytes.Equal(got, sum) {
				t.Errorf("go.sum: %v (want one: %v, the checkout's)", err, tt.sum)
			}
		})
	}
}

func checkResult(t *testing.T, res Result, module, note, warning string) {
	t.Helper()
	if res.Module != module {
		t.Errorf("module %q, want %q", res.Module, module)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, note) {
		t.Errorf("notes %q lack %q", notes, note)
	}
	if warnings := strings.Join(res.Warnings, "\n"); warning == "" && warnings != "" || !strings.Contains(warnings, warning) {
		t.Errorf("warnings %q, want %q", warnings, warning)
	}
}
