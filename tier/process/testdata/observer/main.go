// Command observer is a process plugin with observe-only handlers of the
// G-code sent hook and the received hook, for the process tier's tests of
// batched calls. Its handlers note each call, in order, for its helper
// "seen"; the sent command "M999" panics, "M0 <duration>" sleeps that
// long, "M112" ends the process.
package main

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

var (
	mu   sync.Mutex
	seen []string
)

func note(s string) {
	mu.Lock()
	seen = append(seen, s)
	mu.Unlock()
}

func sent(phase string, cmd server.Command) []server.Command {
	switch {
	case cmd.Line == "M999":
		panic("observer: M999")
	case cmd.Line == "M112":
		os.Exit(3)
	case strings.HasPrefix(cmd.Line, "M0 "):
		if d, err := time.ParseDuration(strings.TrimPrefix(cmd.Line, "M0 ")); err == nil {
			time.Sleep(d)
		}
	}
	note(phase + " " + cmd.Line + " " + strings.Join(cmd.Tags, ","))
	return nil
}

func received(line string) string {
	note("received " + line)
	return line
}

// seenSoFar returns the calls noted since the last time, and forgets them.
func seenSoFar() []string {
	mu.Lock()
	defer mu.Unlock()
	out := seen
	seen = nil
	return out
}

var Plugin = tentacle.Definition{
	Name:    "Observer",
	Version: "1.0.0",
	Hooks: tentacle.Hooks{
		server.HookGcodeSent:     tentacle.HookHandler{Func: sent, Filter: server.Filter{Observe: true}},
		server.HookGcodeReceived: tentacle.HookHandler{Func: received, Filter: server.Filter{Observe: true}},
	},
	Helpers: tentacle.Helpers{"seen": seenSoFar},
}

func main() { sdk.Serve("observer", &Plugin) }
