// Command full is a process plugin for the pack command's tests, with every
// metadata field a plugin.yaml holds, a helper, and everything its
// declares section says: a hook handler, mixins (one of them
// restart-needing) and a settings overlay.
package main

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

// Full needs a restart to be toggled.
type Full struct{ tentacle.Base }

func (*Full) RestartNeedingPlugin() {}

func (*Full) Initialize() error { return nil }

var Plugin = tentacle.Definition{
	Name:            "Full: every field",
	Version:         "1.2.3",
	Description:     "Has every metadata field.",
	Author:          "Ada <ada@example.com>",
	URL:             "https://example.com/full",
	License:         "Apache-2.0",
	PrivacyPolicy:   "https://example.com/full/privacy",
	Compat:          ">=1.0, <2",
	Implementation:  &Full{},
	Hooks:           tentacle.Hooks{"tentacle.plugin.full.note": func(s string) string { return s }},
	Helpers:         tentacle.Helpers{"twice": func(n int) int { return 2 * n }},
	SettingsOverlay: map[string]any{"plugins": map[string]any{"full": map[string]any{"colour": "green"}}},
}

func main() { sdk.Serve("full", &Plugin) }
