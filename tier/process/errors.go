package process

import (
	"fmt"
	"io"
	"log/slog"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func errInvalidName(id string) error {
	return fmt.Errorf("invalid identifier %q in the executable's name (want tentacle-plugin-[a-z0-9_]+)", id)
}

func errManifestID(got, want string) error {
	return fmt.Errorf("manifest: id %q, but the executable is for %q", got, want)
}
