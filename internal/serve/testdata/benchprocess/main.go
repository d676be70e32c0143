// Command benchprocess serves testdata/plugins/gcodebench as a process
// plugin; its identifier is its executable's name without the
// "tentacle-plugin-" prefix, so that one build serves many plugins.
package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/gcodebench"
	"github.com/tentacle-go/tentacle/sdk"
)

func main() {
	id := strings.TrimPrefix(filepath.Base(os.Args[0]), "tentacle-plugin-")
	sdk.Serve(id, gcodebench.New(id))
}
