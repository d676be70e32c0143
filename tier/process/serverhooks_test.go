package process_test

import (
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
)

// TestServerHooksAcrossProcesses: a process plugin can handle every hook
// of the tentacle server but two, whose handlers return what stays in the
// host's process: the serial factory (a live connection) and the HTTP
// routes (handlers inside a list). Those are refused at enable, with the
// reason; docs/howto-process.md names them.
func TestServerHooksAcrossProcesses(t *testing.T) {
	refused := map[string]string{
		server.HookSerialFactory: "io.ReadWriteCloser",
		server.HookHTTPRoutes:    "http.Handler",
	}
	for _, spec := range server.Hooks() {
		err := wire.Check(spec.Type)
		want, isRefused := refused[spec.Name]
		switch {
		case isRefused && err == nil:
			t.Errorf("%s (%s) crosses a process boundary; it was refused", spec.Name, spec.Type)
		case isRefused && !strings.Contains(err.Error(), want):
			t.Errorf("%s: %v, want a reason naming %s", spec.Name, err, want)
		case !isRefused && err != nil:
			t.Errorf("%s: %v; process plugins could handle it", spec.Name, err)
		}
	}
}
