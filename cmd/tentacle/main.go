// Command tentacle is the Tentacle host: a small 3D-printer host built on
// Tentacle's plugin system. Run "tentacle help" for its commands.
package main

import (
	"os"

	"github.com/tentacle-go/tentacle/internal/cli"

	// Bundled plugins.
	_ "github.com/tentacle-go/tentacle/plugins/logging"
	_ "github.com/tentacle-go/tentacle/plugins/pluginmanager"
	_ "github.com/tentacle-go/tentacle/plugins/virtualprinter"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
