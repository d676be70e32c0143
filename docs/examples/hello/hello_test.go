package hello

import (
	"errors"
	"net/http"
	"testing"

	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/server"
)

// TestHello runs the quickstart's plugin in a test host, with a greeting
// set in config.yaml, and calls its simple API. The source tier ignores
// _test.go files, so this file may stay in the plugin's folder.
func TestHello(t *testing.T) {
	h := plugintest.New(t, "hello", &Plugin, plugintest.Options{
		Config: "plugins:\n  hello:\n    greeting: Hi\n",
	})
	if err := h.Err(); err != nil {
		t.Fatal(err) // names the phase that failed, such as initialize
	}
	impl := Plugin.Implementation.(*Hello)

	got, err := impl.OnAPICommand("greet", map[string]any{"command": "greet", "name": "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if g := got.(map[string]any)["greeting"]; g != "Hi, Ada!" {
		t.Errorf("greeting = %q, want %q", g, "Hi, Ada!")
	}

	_, err = impl.OnAPICommand("greet", map[string]any{"command": "greet", "name": " "})
	var apiErr *server.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("greeting a blank name: %v, want a 400 APIError", err)
	}
}
