package greeter

// The source tier ignores test files: this one, which the interpreter
// could not run (it imports the test harness), is never loaded.

import (
	"testing"

	"github.com/tentacle-go/tentacle/plugintest"
)

func TestGreeter(t *testing.T) {
	h := plugintest.NewSource(t, "greeter", ".", plugintest.Options{})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
}
