// Command e2ehost is the tentacle command with the server's test plugins
// added as installed (not bundled) plugins, for the end-to-end test.
package main

import (
	"os"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/cli"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/crasher"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/tier"

	_ "github.com/tentacle-go/tentacle/plugins/logging"
	_ "github.com/tentacle-go/tentacle/plugins/pluginmanager"
	_ "github.com/tentacle-go/tentacle/plugins/virtualprinter"
)

func main() {
	extra := tier.Definitions("test", false, map[string]*tentacle.Definition{
		demo.ID:    demo.New(),
		crasher.ID: crasher.New(),
	})
	os.Exit(cli.MainOrigins(os.Args[1:], os.Stdout, os.Stderr, extra))
}
