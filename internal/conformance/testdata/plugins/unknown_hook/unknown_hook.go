// Package unknown_hook registers a handler for a hook nobody declared.
package unknown_hook

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Unknown Hook",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.no_such_hook": func() string { return "" }},
}
