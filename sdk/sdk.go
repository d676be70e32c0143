// Package sdk serves a plugin as a separate process: the process tier. A
// plugin author writes the same tentacle.Definition as for a compiled-in
// plugin and serves it from main:
//
//	func main() { sdk.Serve("hello", &Plugin) }
//
// The executable, named tentacle-plugin-<id>, goes into
// <basedir>/packages/<id>/ with its manifest (plugin.yaml); the host runs
// it, talks to it over unix sockets (the lean protocol: see
// docs/howto-process.md), and calls its hooks, helpers and mixins as it
// calls those of any plugin. A crash, a leak or a hang in it never reaches
// the host. The SDK links neither gRPC nor protobuf's runtime, so that the
// process is ready a few milliseconds after it was started. Built with the
// build tags netgo and osusergo, as tentacle plugins pack builds it, a
// plugin that uses no cgo of its own is linked statically and starts a few
// milliseconds sooner still (without them, a plugin that imports net, as
// net/http does, is linked with the C library wherever cgo is on).
//
// The plugin needs no list of its host's mixins: the host describes them
// when it starts the process, and the implementation implements those
// whose methods it has. Values cross the process boundary as JSON: hook
// handlers, helpers and mixin methods must have arguments and results JSON
// can carry (no channels, funcs or interfaces other than error and any),
// besides *http.Request arguments and http.Handler and fs.FS results of
// mixin methods. Calls travel over a unix socket of the plugin's own
// ("direct calls", about 30 µs a round trip, a few µs through shared
// memory on Linux).
//
// Built with the build tag tentacle_grpc, the SDK serves the earlier
// protocol instead (hashicorp/go-plugin with gRPC, direct calls beside it),
// as plugins built with earlier SDKs do; hosts run both.
package sdk

import (
	"fmt"
	"os"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/lean"
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
	if os.Getenv(lean.CookieEnv) != lean.CookieValue {
		fmt.Fprintf(os.Stderr, "%s is the tentacle plugin %q: tentacle runs it; it does nothing on its own.\n"+
			"Build it into a package with tentacle plugins pack and put that in <basedir>/packages/%s/ (docs/howto-process.md says how).\n", os.Args[0], id, id)
		os.Exit(1)
	}
	if opts.ParentCheck <= 0 {
		opts.ParentCheck = 500 * time.Millisecond
	}
	serve(newServer(id, def), opts)
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
