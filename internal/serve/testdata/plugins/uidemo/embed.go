package uidemo

import (
	"embed"
	"io/fs"

	"github.com/tentacle-go/tentacle"
)

//go:embed templates
var files embed.FS

// New returns a fresh definition of the plugin, with its templates
// embedded.
func New() *tentacle.Definition {
	sub, err := fs.Sub(files, "templates")
	if err != nil {
		panic(err)
	}
	return &tentacle.Definition{Name: "UI Demo", Version: "1.2.3", Implementation: &UIDemo{Files: sub}}
}
