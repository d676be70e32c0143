// The same through its address.
package escape

import (
	"crypto/rand"
	"io"
	"strings"

	"github.com/tentacle-go/tentacle"
)

func init() {
	r := &rand.Reader
	*r = io.Reader(strings.NewReader("predictable"))
}

var Plugin = tentacle.Definition{}
