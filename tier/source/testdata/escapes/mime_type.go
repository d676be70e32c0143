// The MIME table the server's static files are served with.
package escape

import (
	"mime"

	"github.com/tentacle-go/tentacle"
)

func retype() error { return mime.AddExtensionType(".js", "text/html") }

var Plugin = tentacle.Definition{}
