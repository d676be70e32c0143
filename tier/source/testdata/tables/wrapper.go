// A plugin's own type passed as an io.Writer to a package it imports,
// without importing io: the interpreter needs io's interface wrapper.
package wrapper

import (
	"log/slog"
	"strings"

	"github.com/tentacle-go/tentacle"
)

type sink struct{ b *strings.Builder }

func (s sink) Write(p []byte) (int, error) { return s.b.Write(p) }

func logged(msg string) string {
	var b strings.Builder
	slog.New(slog.NewTextHandler(sink{&b}, nil)).Info(msg)
	return b.String()
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": logged}}
