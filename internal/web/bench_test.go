package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
)

// BenchmarkPage renders the whole page for an administrator with 100
// plugins, as GET / does.
func BenchmarkPage(b *testing.B) {
	a := &fakeAdmin{}
	for i := range 100 {
		a.plugins = append(a.plugins, manager.Info{
			Key: fmt.Sprintf("plugin%03d", i), Name: fmt.Sprintf("Plugin %d", i), Version: "1.0.0",
			Author: "Ada", Tier: "source", State: "enabled", Enabled: true, Managable: true,
			Hooks: []string{"gcode.sending"}, Mixins: []string{"server.SimpleAPI", "server.Asset"},
		})
	}
	p, err := New(Options{Admin: a, Viewer: func(*http.Request) Viewer { return admin }})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	req := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
