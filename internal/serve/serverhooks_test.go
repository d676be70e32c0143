package serve_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/comm"
	"github.com/tentacle-go/tentacle/server"
)

// srcAlias is a source plugin with a G-code handler under OctoPrint's name
// of the hook, with a filter.
const srcAlias = `package srcalias

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

func sending(phase string, cmd server.Command) []server.Command { return nil }

var Plugin = tentacle.Definition{
	Name: "Source alias", Version: "1.0.0",
	Hooks: tentacle.Hooks{
		"octoprint.comm.protocol.gcode.sending": tentacle.HookHandler{Func: sending, Filter: server.Filter{Commands: []string{"M106"}}},
	},
}
`

// TestServerHooks: the server declares its hooks, so that plugins of each
// tier name them by their names or OctoPrint's and are listed under the
// names; the restart-needing ones make a plugin restart-needing; an
// undeclared name is still unknown; and the printer's typed declarations
// of the same hooks work on the server's registry.
func TestServerHooks(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "srcalias.go"), srcAlias)
	gcode := server.GcodeHook(func(string, server.Command) []server.Command { return nil })
	h := start(t, setup{dir: dir, folder: true, plugins: map[string]*tentacle.Definition{
		"byalias": {Name: "By alias", Version: "1.0.0", Hooks: tentacle.Hooks{
			"octoprint.comm.protocol.gcode.sending": tentacle.HookHandler{Func: gcode, Order: 1, Filter: &server.Filter{Commands: []string{"M107"}}},
		}},
		"byname": {Name: "By name", Version: "1.0.0", Hooks: tentacle.Hooks{server.HookGcodeSending: gcode}},
		"routes": {Name: "Routes", Version: "1.0.0", Hooks: tentacle.Hooks{
			"octoprint.server.http.routes": server.RoutesHook(func() []server.Route { return nil }),
		}},
		"perms": {Name: "Permissions", Version: "1.0.0", Hooks: tentacle.Hooks{
			server.HookAccessPermissions: server.PermissionsHook(func() []server.Permission { return nil }),
		}},
		"unknown": {Name: "Unknown", Version: "1.0.0", Hooks: tentacle.Hooks{"octoprint.comm.protocol.gcode.nope": gcode}},
	}})
	m := h.srv.Manager()
	for _, id := range []string{"byalias", "byname", "srcalias"} {
		in, _ := m.Info(id)
		if !in.Enabled || len(in.RestartNeeding) != 0 {
			t.Errorf("%s: enabled %v, restart needing %q, error %+v", id, in.Enabled, in.RestartNeeding, in.Error)
		}
		if got := m.Hooks().PluginHooks(id); !slices.Equal(got, []string{server.HookGcodeSending}) {
			t.Errorf("%s's hooks = %q, want the tentacle name", id, got)
		}
	}
	for id, hook := range map[string]string{"routes": server.HookHTTPRoutes, "perms": server.HookAccessPermissions} {
		in, _ := m.Info(id)
		if !in.Enabled || !slices.Equal(in.RestartNeeding, []string{"has a handler for hook " + hook}) {
			t.Errorf("%s: enabled %v, restart needing %q, error %+v", id, in.Enabled, in.RestartNeeding, in.Error)
		}
	}
	if !m.Hooks().RestartNeeding(server.HookHTTPBodySize) {
		t.Errorf("%s is not restart-needing", server.HookHTTPBodySize)
	}
	in, _ := m.Info("unknown")
	if in.Enabled || in.Error == nil || !strings.Contains(in.Error.Message, "unknown hook") {
		t.Errorf("unknown: enabled %v, error %+v, want an unknown hook", in.Enabled, in.Error)
	}

	// The printer declares the hooks it calls typed, with the same specs.
	typed, err := comm.DeclareHooks(m.Hooks())
	if err != nil {
		t.Fatalf("comm.DeclareHooks on the server's registry: %v", err)
	}
	specs := map[string]hooks.Spec{}
	for _, s := range server.Hooks() {
		specs[s.Name] = s
	}
	if _, err := hooks.Declare[server.SerialFactoryHook](m.Hooks(), specs[server.HookSerialFactory]); err != nil {
		t.Errorf("typed serial factory: %v", err)
	}
	if _, err := hooks.Declare[server.PortNamesHook](m.Hooks(), specs[server.HookSerialPortNames]); err != nil {
		t.Errorf("typed port names: %v", err)
	}
	var got []string
	for _, hd := range typed.Sending.Handlers() {
		f, _ := hd.Filter.(server.Filter)
		got = append(got, hd.Plugin+":"+strings.Join(f.Commands, ","))
	}
	// srcalias's HookHandler gives no Order: order 0, an explicit one.
	if want := []string{"srcalias:M106", "byalias:M107", "byname:"}; !reflect.DeepEqual(got, want) {
		t.Errorf("typed sending handlers = %q, want %q", got, want)
	}
}
