// Package asset_plugin implements the Asset mixin, which the conformance
// host declares restart-needing.
package asset_plugin

import "github.com/tentacle-go/tentacle"

type Asset struct{ tentacle.Base }

func (p *Asset) Assets() map[string][]string {
	return map[string][]string{"js": {"js/asset_plugin.js"}}
}

var Plugin = tentacle.Definition{
	Name:           "Asset Plugin",
	Version:        "1.0.0",
	Implementation: &Asset{},
}
