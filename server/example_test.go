package server_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"strings"
	"testing/fstest"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// Clock brings a tab to the web page, with a template of its own, a value
// of its own for it, and a script (server.Asset).
type Clock struct{ tentacle.Base }

var (
	_ server.Template     = (*Clock)(nil)
	_ server.TemplateVars = (*Clock)(nil)
	_ server.Asset        = (*Clock)(nil)
)

// files stands for an embed.FS (//go:embed templates static) or, in a
// source plugin, os.DirFS of a folder next to its code.
var files = fstest.MapFS{
	"clock_tab.html":  {Data: []byte(`<p>{{.Vars.zone}} time, by {{.Name}} <script src="{{.BaseURL}}static/clock.js"></script></p>`)},
	"static/clock.js": {Data: []byte(`console.log("tick")`)},
}

func (*Clock) TemplateFS() fs.FS { return files }

// Templates lists the tab; clock_tab.html is its default file.
func (*Clock) Templates() []server.TemplateConfig {
	return []server.TemplateConfig{{Type: server.TemplateTab, Name: "Clock"}}
}

func (*Clock) TemplateVars() map[string]any { return map[string]any{"zone": "<UTC>"} }

func (*Clock) AssetFS() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}

func (*Clock) Assets() map[string][]string { return map[string][]string{"js": {"clock.js"}} }

// A plugin's tab as the web page gets it from the server: the template's
// output, escaped by html/template, in the element tab_plugin_<id>.
func ExampleTemplate() {
	dir, _ := os.MkdirTemp("", "clock")
	defer os.RemoveAll(dir)
	srv, err := serve.New(serve.Options{BaseDir: dir, Port: -1, Console: io.Discard,
		Origins: []tier.Origin{tier.Definitions("example", false, map[string]*tentacle.Definition{
			"clock": {Name: "Clock plugin", Version: "1.0.0", Implementation: &Clock{}},
		})}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx) }()
	<-srv.Ready()

	ui := srv.UI(httptest.NewRequest("GET", "/", nil))
	for _, tab := range ui.Tab {
		fmt.Println(tab.ID, tab.Name)
		fmt.Println(strings.TrimSpace(string(tab.HTML)))
	}
	fmt.Println(ui.JS)
	stop()
	<-done
	// Output:
	// tab_plugin_clock Clock
	// <p>&lt;UTC&gt; time, by Clock plugin <script src="/plugin/clock/static/clock.js"></script></p>
	// [/plugin/clock/static/clock.js]
}
