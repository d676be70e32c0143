// Command full is a process plugin for the pack command's tests, with every
// metadata field a plugin.yaml holds and a helper.
package main

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{
	Name:          "Full: every field",
	Version:       "1.2.3",
	Description:   "Has every metadata field.",
	Author:        "Ada <ada@example.com>",
	URL:           "https://example.com/full",
	License:       "Apache-2.0",
	PrivacyPolicy: "https://example.com/full/privacy",
	Compat:        ">=1.0, <2",
	Helpers:       tentacle.Helpers{"twice": func(n int) int { return 2 * n }},
}

func main() { sdk.Serve("full", &Plugin) }
