package tentacle

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidIdentifier(t *testing.T) {
	cases := map[string]bool{
		"hello": true, "hello_world": true, "a1": true, "_x": true, "0": true,
		"": false, "Hello": false, "hello-world": false, "hello.world": false, "../x": false, "a b": false,
		strings.Repeat("a", MaxIdentifierLength): true, strings.Repeat("a", MaxIdentifierLength+1): false,
	}
	for id, want := range cases {
		if got := ValidIdentifier(id); got != want {
			t.Errorf("ValidIdentifier(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestRegister(t *testing.T) {
	t.Cleanup(unregisterAll)
	unregisterAll()
	def := &Definition{Name: "B"}
	Register("b_plugin", def)
	Register("a_plugin", &Definition{Name: "A"})
	if got := Registered(); len(got) != 2 || got[0] != "a_plugin" || got[1] != "b_plugin" {
		t.Errorf("Registered() = %v, want sorted", got)
	}
	if got, ok := Registration("b_plugin"); !ok || got != def {
		t.Errorf("Registration(b_plugin) = %v, %v", got, ok)
	}
	if _, ok := Registration("c"); ok {
		t.Error("Registration of an unknown plugin found something")
	}
	panics := []struct {
		name string
		id   string
		def  *Definition
		want string
	}{
		{"duplicate", "a_plugin", &Definition{}, `tentacle: Register called twice for plugin "a_plugin"`},
		{"empty id", "", &Definition{}, `tentacle: Register called with invalid identifier ""`},
		{"invalid id", "My-Plugin", &Definition{}, `invalid identifier "My-Plugin"`},
		{"nil definition", "c_plugin", nil, `nil definition for "c_plugin"`},
	}
	for _, tc := range panics {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			Register(tc.id, tc.def)
		})
	}
}

func TestBaseBeforeInjection(t *testing.T) {
	var b Base
	if b.Identifier() != "" || b.PluginName() != "" || b.Settings() != nil || b.PluginManager() != nil || b.Context() != nil {
		t.Error("accessors before injection are not zero")
	}
	b.Logger().Info("must not panic")
	if _, err := b.DataFolder(); err == nil {
		t.Error("DataFolder before injection did not fail")
	}
}

func TestContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "hello")
	c, cancel := NewContext(context.Background(), ContextConfig{
		Identifier: "hello",
		Info:       PluginInfo{Identifier: "hello", Name: "Hello", Version: "1.0"},
		DataFolder: dir,
		Injected:   map[string]any{"printer": 42},
	})
	var b Base
	b.SetContext(c)
	if b.Identifier() != "hello" || b.PluginName() != "Hello" || b.PluginVersion() != "1.0" || b.Injected("printer") != 42 {
		t.Errorf("accessors: %q %q %q %v", b.Identifier(), b.PluginName(), b.PluginVersion(), b.Injected("printer"))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("data folder created before first use")
	}
	got, err := b.DataFolder()
	if err != nil || got != dir {
		t.Fatalf("DataFolder = %q, %v", got, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("data folder not created: %v", err)
	}
	b.Logger().Info("a nil logger is replaced")
	if c.Err() != nil {
		t.Fatal("context cancelled early")
	}
	cancel()
	if c.Err() == nil {
		t.Error("context not cancelled")
	}
}

func TestContextWithoutDataFolder(t *testing.T) {
	c, cancel := NewContext(nil, ContextConfig{Identifier: "hello"})
	defer cancel()
	if _, err := c.DataFolder(); err == nil || !strings.Contains(err.Error(), `plugin "hello"`) {
		t.Errorf("DataFolder error = %v, want one naming the plugin", err)
	}
}
