package serve

import (
	"fmt"
	"path/filepath"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/printer"
	"github.com/tentacle-go/tentacle/server"
)

// Paths of the connection preferences in config.yaml, OctoPrint's.
const (
	serialPortPath        = "serial.port"
	serialBaudratePath    = "serial.baudrate"
	serialAutoconnectPath = "serial.autoconnect"
)

// setupPrinter makes the server's printer, which declares the printer's
// hooks, before any plugin is enabled, and injects it into plugins.
func (s *Server) setupPrinter() error {
	p, err := printer.New(printer.Options{
		Uploads:  filepath.Join(s.dir.root, "uploads"),
		Hooks:    s.mgr.Hooks(),
		Fire:     func(event string, payload map[string]any) { s.bus.Fire(event, payload) },
		Progress: s.printProgress,
		Async:    s.isolated,
		Logger:   s.log.With("logger", "tentacle.printer"),
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.printer = p
	s.mgr.InjectFactory(server.InjectPrinter, func(info tentacle.PluginInfo) (any, error) {
		return p.For(info.Identifier), nil
	})
	return nil
}

// printProgress tells the PrintProgress plugins of a print's progress.
func (s *Server) printProgress(storage, path string, percent int) {
	callEach(s, "OnPrintProgress", server.SortPrintProgress, func(id string, p server.PrintProgress) {
		p.OnPrintProgress(storage, path, percent)
	})
}

// isolated reports whether plugin runs in a process of its own: its
// observe-only handlers are then called off the printer's send path.
func (s *Server) isolated(plugin string) bool {
	in, ok := s.mgr.Info(plugin)
	return ok && in.Process != nil
}

// autoconnect connects to the saved port when the configuration asks for
// it (serial.autoconnect), once the plugins are enabled.
func (s *Server) autoconnect() {
	if v, _ := s.store.Get(serialAutoconnectPath).(bool); !v {
		return
	}
	port, baud := s.store.GetString(serialPortPath), s.store.GetInt(serialBaudratePath)
	if err := s.printer.Connect(port, baud); err != nil {
		s.log.Warn("autoconnect failed", "port", port, "error", err)
	}
}
