// Command conformance serves the conformance suite's fixture plugins
// (internal/conformance/testdata/plugins) as process plugins, for the
// process tier's run of the suite (tier/process/conformance_test.go). One
// executable holds them all: run as tentacle-plugin-<fixture>, it serves
// that fixture, with probe calls going to the host's probe through
// sdk.Invoke (functions probe.record and probe.fault) and the suite's host mixins (probe.Startup, probe.Asset)
// declared to the SDK.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle/internal/conformance/fixtures"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/sdk"
)

func main() {
	exe := filepath.Base(os.Args[0])
	name, ok := strings.CutPrefix(exe, "tentacle-plugin-")
	def, known := fixtures.All[name]
	switch {
	case !ok || !known:
		fmt.Fprintf(os.Stderr, "%s: no conformance fixture of that name\n", exe)
		os.Exit(2)
	case def == nil:
		fmt.Fprintf(os.Stderr, "%s: the fixture %s declares no plugin\n", exe, name)
		os.Exit(2)
	}
	probe.SetRemote(func(op string, args []string) (string, error) {
		// The host offers probe.record and probe.fault (process.Options.Functions).
		anys := make([]any, len(args))
		for i, a := range args {
			anys[i] = a
		}
		raw, err := sdk.Invoke("probe."+op, anys...)
		if err != nil {
			return "", err
		}
		var mode string
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &mode); err != nil {
				return "", err
			}
		}
		return mode, nil
	})
	// The plugin's identifier is its folder's name (<packages>/<id>/): a
	// fixture can be put in as another plugin (the rescan tests do).
	id := filepath.Base(filepath.Dir(os.Args[0]))
	sdk.Serve(id, def)
}
