// Package versioned has a version to match blocklist constraints against.
package versioned

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Versioned",
	Version: "1.2.0",
}
