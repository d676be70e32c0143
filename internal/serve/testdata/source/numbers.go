// Package numbers is a source plugin (copied into <basedir>/plugins by the
// server's tests) whose "types" command answers the Go types of its data's
// values, through maps and slices.
package numbers

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

type Numbers struct{ tentacle.Base }

var _ server.SimpleAPI = (*Numbers)(nil)

func (*Numbers) APICommands() map[string][]string { return map[string][]string{"types": nil} }

func (*Numbers) OnAPICommand(command string, data map[string]any) (any, error) {
	return types(data), nil
}

func types(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = types(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = types(e)
		}
		return out
	}
	return fmt.Sprintf("%T", v)
}

var Plugin = tentacle.Definition{Name: "Numbers", Version: "1.0.0", Implementation: &Numbers{}}
