// Command levels is a process plugin for the process tier's tests of log
// levels: its helper say logs a debug and an info record numbered n, and
// reports whether its logger takes debug records.
package main

import (
	"context"
	"log/slog"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

type Levels struct{ tentacle.Base }

var impl = &Levels{}

func say(n int) bool {
	log := impl.Logger()
	log.Debug("say debug", "n", n)
	log.Info("say info", "n", n)
	return log.Enabled(context.Background(), slog.LevelDebug)
}

var Plugin = tentacle.Definition{
	Name:           "Levels",
	Version:        "1.0.0",
	Implementation: impl,
	Helpers:        tentacle.Helpers{"say": say},
}

func main() { sdk.Serve("levels", &Plugin) }
