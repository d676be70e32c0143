package serve

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/printer"
	"github.com/tentacle-go/tentacle/server"
)

// newPrinterService makes the server's printer, the default of
// Options.Printer: it declares the printer's hooks in the manager's
// registry, before any plugin is enabled.
func (s *Server) newPrinterService(fire func(event string, payload map[string]any)) (server.Printer, error) {
	p, err := printer.New(printer.Options{
		Uploads:  s.dir.uploads(),
		Hooks:    s.mgr.Hooks(),
		Fire:     fire,
		Progress: s.printProgress,
		Async:    s.isolated,
		Batcher:  s.mgr.HookBatcher,
		Logger:   s.log.With("logger", "tentacle.printer"),
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	return p, nil
}

// injectPrinter injects the printer into plugins (OctoPrint's _printer):
// each plugin gets one that tags its commands with its identifier when the
// printer can (printer.Service.For).
func (s *Server) injectPrinter(p server.Printer) {
	type perPlugin interface {
		For(id string) server.Printer
	}
	s.mgr.InjectFactory(server.InjectPrinter, func(info tentacle.PluginInfo) (any, error) {
		if pp, ok := p.(perPlugin); ok {
			return pp.For(info.Identifier), nil
		}
		return p, nil
	})
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
	if v, _ := s.store.Get(autoconnectPreference).(bool); !v || s.printer.svc == nil {
		return
	}
	port, baud := s.store.GetString(portPreference), s.store.GetInt(baudratePreference)
	if err := s.printer.svc.Connect(port, baud); err != nil {
		s.log.Warn("autoconnect failed", "port", port, "error", err)
	}
}
