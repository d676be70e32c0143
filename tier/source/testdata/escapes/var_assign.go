// Assigning a package variable of the standard library would change it
// for the whole server.
package escape

import (
	"errors"
	"io"

	"github.com/tentacle-go/tentacle"
)

func init() { io.EOF = errors.New("not the end") }

var Plugin = tentacle.Definition{}
