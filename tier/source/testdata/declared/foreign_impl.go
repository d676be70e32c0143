// Package foreign_impl's implementation is a type of another package,
// whose methods the source does not show.
package foreign_impl

import (
	"bytes"

	"github.com/tentacle-go/tentacle"
)

var Plugin = tentacle.Definition{Name: "Foreign", Implementation: &bytes.Buffer{}}
