// Package sdk serves a plugin as a separate process: the process tier. A
// plugin author writes the same tentacle.Definition as for a compiled-in
// plugin and serves it from main:
//
//	func main() { sdk.Serve("hello", &Plugin) }
//
// The executable, named tentacle-plugin-<id>, goes into
// <basedir>/packages/<id>/ with its manifest (plugin.yaml); the host runs
// it, talks to it over gRPC (hashicorp/go-plugin), and calls its hooks,
// helpers and mixins as it calls those of any plugin. A crash, a leak or a
// hang in it never reaches the host.
//
// The plugin needs no list of its host's mixins: the host describes them
// when it starts the process, and the implementation implements those
// whose methods it has. Values cross the process boundary as JSON: hook
// handlers, helpers and mixin methods must have arguments and results JSON
// can carry (no channels, funcs or interfaces other than error and any),
// besides *http.Request arguments and http.Handler and fs.FS results of
// mixin methods. Calls travel over a unix socket of the plugin's own
// ("direct calls", about 30 µs a round trip) and, when that is not
// available, over gRPC.
package sdk

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// Options configure Serve.
type Options struct {
	// ParentCheck is how often the process checks that the host that
	// started it still runs, and exits when it does not; default 500 ms.
	ParentCheck time.Duration
}

// Serve serves plugin id's definition to the host that started this
// process, and returns when the host goes away. Run by hand, it explains
// what it is and exits.
func Serve(id string, def *tentacle.Definition) { ServeOptions(id, def, Options{}) }

// ServeOptions is Serve with options.
func ServeOptions(id string, def *tentacle.Definition, opts Options) {
	if os.Getenv(transport.Handshake.MagicCookieKey) != transport.Handshake.MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s is the tentacle plugin %q: tentacle runs it; it does nothing on its own.\n"+
			"Build it into a package with tentacle plugins pack and put that in <basedir>/packages/%s/ (docs/howto-process.md says how).\n", os.Args[0], id, id)
		os.Exit(1)
	}
	if opts.ParentCheck <= 0 {
		opts.ParentCheck = 500 * time.Millisecond
	}
	srv := newServer(id, def)
	// Logs of plugin code that uses slog's default logger reach the host
	// as the plugin's logger's do; go-plugin's own only when they matter.
	slog.SetDefault(newLogger())
	srv.direct = listenDirect(srv)
	defer srv.direct.close()
	go watchParent(os.Getppid(), opts.ParentCheck, srv.direct.close)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: transport.Handshake,
		Logger:          hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: stderr, JSONFormat: true}),
		Plugins: map[string]plugin.Plugin{
			transport.PluginName: &transport.GRPCPlugin{Serve: func(b *plugin.GRPCBroker) pluginpb.PluginServer {
				srv.broker = b
				return srv
			}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}

// watchParent ends the process when the host that started it is gone
// (killed, even with SIGKILL, which leaves no chance to stop its children).
func watchParent(ppid int, every time.Duration, cleanup func()) {
	for {
		time.Sleep(every)
		if os.Getppid() != ppid {
			cleanup()
			os.Exit(3)
		}
	}
}
