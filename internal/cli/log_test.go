package cli

import (
	"bytes"
	"errors"
	"testing"
)

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf)
	core := log.With("logger", coreLogger)
	plugin := log.With("logger", "tentacle.plugins.hello", "plugin", "hello")

	core.Info("not shown: below warning")
	core.Error("not shown: the listing has it", "plugin", "hello", "phase", "load")
	core.Error("plugin origin failed", "origin", "folder", "error", errors.New("read dir: permission denied"))
	core.Warn("ignoring blocklist entry without plugin", "entry", 2)
	plugin.Warn("printer not found", "port", "")
	plugin.WithGroup("serial").Error("cannot open", "port", "/dev/ttyACM0", "baud", 115200)

	want := `tentacle: error: plugin origin failed (origin=folder error="read dir: permission denied")
tentacle: warning: ignoring blocklist entry without plugin (entry=2)
tentacle: warning: plugin "hello": printer not found (port="")
tentacle: error: plugin "hello": cannot open (serial.port=/dev/ttyACM0 serial.baud=115200)
`
	if got := buf.String(); got != want {
		t.Errorf("log output:\n%s\nwant:\n%s", got, want)
	}
}
