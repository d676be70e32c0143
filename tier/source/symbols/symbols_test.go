package symbols

import (
	"bytes"
	"os"
	"testing"

	"github.com/traefik/yaegi/extract"
)

// TestSymbolsUpToDate fails when the generated files do not match what
// yaegi extract makes of the packages now: run go generate.
func TestSymbolsUpToDate(t *testing.T) {
	for path, file := range map[string]string{
		"github.com/tentacle-go/tentacle":        "github_com-tentacle-go-tentacle.go",
		"github.com/tentacle-go/tentacle/server": "github_com-tentacle-go-tentacle-server.go",
	} {
		var buf bytes.Buffer
		ext := extract.Extractor{Dest: "symbols", Exclude: []string{"^Register$", "^Registered$", "^Registration$"}}
		if _, err := ext.Extract(path, path, &buf); err != nil {
			t.Fatalf("extract %s: %v", path, err)
		}
		have, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, buf.Bytes()) {
			t.Errorf("%s is stale: run go generate ./tier/source/symbols", file)
		}
	}
	api := Symbols["github.com/tentacle-go/tentacle/tentacle"]
	if _, ok := api["Definition"]; !ok {
		t.Error("Definition is not among the symbols of package tentacle")
	}
	if _, ok := api["Register"]; ok {
		t.Error("source plugins can call tentacle.Register")
	}
}
