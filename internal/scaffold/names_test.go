package scaffold

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestNames derives the skeleton's names from identifiers, odd ones
// included: every name is one the go command and gofmt take.
func TestNames(t *testing.T) {
	tests := []struct {
		id, tier                string
		pkg, typ, display, file string
	}{
		{"hello", "source", "hello", "Hello", "Hello", "hello"},
		{"hello_world", "builtin", "hello_world", "HelloWorld", "Hello World", "hello_world"},
		{"hello", "process", "main", "Hello", "Hello", "main"},
		{"3d_printer", "source", "plugin_3d_printer", "Plugin3dPrinter", "3d Printer", "3d_printer"},
		{"plugin", "source", "plugin", "PluginImpl", "Plugin", "plugin"},
		{"i_d", "builtin", "i_d", "IDImpl", "I D", "i_d"},
		{"main", "source", "plugin_main", "Main", "Main", "main"},
		{"func", "builtin", "plugin_func", "Func", "Func", "func"},
		{"_x", "builtin", "plugin_x", "X", "X", "_x"},
		{"a__b", "source", "a__b", "AB", "A B", "a__b"},
		{"hello_test", "source", "hello_test", "HelloTest", "Hello Test", "plugin"},
		{"serial_linux", "source", "serial_linux", "SerialLinux", "Serial Linux", "plugin"},
		{"linux", "source", "linux", "Linux", "Linux", "linux"},
	}
	for _, tt := range tests {
		d := newData(tt.id, tt.tier)
		if d.Package != tt.pkg || d.Type != tt.typ || d.Name != tt.display || d.File != tt.file {
			t.Errorf("%s (%s): package %q, type %q, name %q, file %q; want %q, %q, %q, %q",
				tt.id, tt.tier, d.Package, d.Type, d.Name, d.File, tt.pkg, tt.typ, tt.display, tt.file)
		}
	}
}

// TestRender renders every tier for odd identifiers: the Go files are
// gofmt-formatted (render formats them, and fails on Go that does not
// parse) and declare what the tiers look for.
func TestRender(t *testing.T) {
	for _, tier := range Tiers {
		for _, id := range []string{"hello", "3d", "plugin", "main", "go", "hello_test", "x_windows_amd64"} {
			files, err := render(newData(id, tier))
			if err != nil {
				t.Fatalf("%s (%s): %v", id, tier, err)
			}
			src := string(files[0].data)
			for _, want := range []string{"var Plugin = tentacle.Definition{", "Implementation: &", "_ server.SimpleAPI"} {
				if !strings.Contains(src, want) {
					t.Errorf("%s (%s): %s lacks %q", id, tier, files[0].Name, want)
				}
			}
			for _, f := range files {
				if _, err := parser.ParseFile(token.NewFileSet(), f.Name, f.data, 0); err != nil {
					t.Errorf("%s (%s): %v", id, tier, err)
				}
			}
		}
	}
}

func TestCompat(t *testing.T) {
	for api, want := range map[string]string{"1.0.0": ">=1.0, <2", "2.3.1": ">=2.3, <3", "1": ">=1.0, <2"} {
		if got := compat(api); got != want {
			t.Errorf("compat(%q) = %q, want %q", api, got, want)
		}
	}
}
