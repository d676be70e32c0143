// A real *log.Logger, whose Fatal exits the server.
package escape

import (
	"log/slog"

	"github.com/tentacle-go/tentacle"
)

func stop() {
	l := slog.NewLogLogger(slog.Default().Handler(), slog.LevelError)
	l.Fatal("bye")
}

var Plugin = tentacle.Definition{}
