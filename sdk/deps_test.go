package sdk_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// heavy are the packages a plugin executable built with the SDK must not
// link: their package initialisation costs a plugin process tens of
// milliseconds at every start (go-plugin and gRPC, protobuf's descriptor
// packages, and what they pull in).
var heavy = []string{
	"github.com/hashicorp/go-plugin",
	"google.golang.org/grpc",
	"google.golang.org/protobuf/reflect/protodesc",
	"google.golang.org/protobuf/types/descriptorpb",
	"net/rpc",
	"encoding/gob",
	"golang.org/x/net/trace",
	"html/template",
}

// TestPluginLinksNoHeavyPackages: a plugin built with the SDK (the process
// tier's test plugin hello) links none of heavy; built with the
// tentacle_grpc tag, the earlier protocol's SDK, it links them all but
// protodesc and descriptorpb (which the check would otherwise not be
// shown to find).
func TestPluginLinksNoHeavyPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	const plugin = "github.com/tentacle-go/tentacle/tier/process/testdata/hello"
	for _, tc := range []struct {
		tags string
		want []string // of heavy, linked
	}{
		{"", nil},
		{"tentacle_grpc", []string{"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "net/rpc", "encoding/gob"}},
	} {
		out, err := exec.Command("go", "list", "-tags="+tc.tags, "-deps", plugin).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		deps := strings.Fields(string(out))
		var linked []string
		for _, h := range heavy {
			if slices.Contains(deps, h) {
				linked = append(linked, h)
			}
		}
		for _, w := range tc.want {
			if !slices.Contains(linked, w) {
				t.Errorf("tags %q: %s not linked; the check cannot see it", tc.tags, w)
			}
		}
		if tc.want == nil && len(linked) > 0 {
			t.Errorf("a plugin built with the SDK links %v", linked)
		}
	}
}
