// net/http/cgi runs programs.
package escape

import (
	"net/http/cgi"

	"github.com/tentacle-go/tentacle"
)

var h = &cgi.Handler{Path: "/bin/sh"}

var Plugin = tentacle.Definition{}
