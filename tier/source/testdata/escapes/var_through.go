// Writing through a package variable: the server's HTTP client, the host
// API's sentinel error, a dot-imported variable.
package escape

import (
	. "io"
	"net/http"
	"time"

	"github.com/tentacle-go/tentacle"
)

func init() {
	http.DefaultClient.Timeout = time.Nanosecond
	tentacle.ErrNoHelper = nil
	EOF = nil
}

var Plugin = tentacle.Definition{}
