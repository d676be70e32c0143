// Package virtualprinter is the tentacle server's bundled Virtual Printer:
// a simulated Marlin printer on an in-memory line, offered as the port
// VIRTUAL. It checks line numbers and checksums and asks for resends as
// firmware does, heats its hotends and bed at a set rate in simulated
// time, waits for temperatures (M109, M190), reports them by itself
// (M155), is busy for a while on homing, levelling and dwelling, reports
// its position (M114), firmware and capabilities (M115), has no SD card,
// and takes debug commands ("!!DEBUG:...") that provoke what a real
// printer does only sometimes: corrupted lines, lost acknowledgements,
// errors, action commands.
//
// The simulator, [Printer], is usable on its own as an io.ReadWriteCloser,
// in tests and benchmarks of the protocol.
package virtualprinter

import (
	"io"
	"slices"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// ID is the plugin's identifier.
const ID = "virtual_printer"

// Port is the name of the port the plugin serves.
const Port = "VIRTUAL"

// Implementation is the plugin's implementation.
type Implementation struct {
	tentacle.Base
}

var _ tentacle.SettingsPlugin = (*Implementation)(nil)

// Plugin is the plugin's definition.
var Plugin = tentacle.Definition{
	Name:        "Virtual Printer",
	Version:     "1.0.0",
	Description: "A simulated Marlin printer on the port VIRTUAL, for trying the server without a printer.",
	Author:      "The Tentacle Authors",
	License:     "Apache-2.0",
}

func init() {
	impl := &Implementation{}
	Plugin.Implementation = impl
	Plugin.Hooks = tentacle.Hooks{
		server.HookSerialFactory:   server.SerialFactoryHook(impl.Open),
		server.HookSerialPortNames: server.PortNamesHook(PortNames),
	}
	tentacle.Register(ID, &Plugin)
}

// SettingsDefaults implements tentacle.SettingsPlugin: the simulation's
// settings, under plugins.virtual_printer.
func (p *Implementation) SettingsDefaults() map[string]any {
	return map[string]any{
		"temperatureRate":  20.0, // °C per simulated second
		"simulatedSpeedup": 1.0,  // simulated seconds per second
		"extruders":        1,
		"okAfterResend":    true,
		"busyInterval":     2.0, // simulated seconds between keepalives
	}
}

// Options returns the options of a new printer from the plugin's
// settings (the defaults before the plugin is enabled).
func (p *Implementation) Options() Options {
	var o Options
	s := p.Settings()
	if s == nil {
		return o
	}
	o.TemperatureRate = s.GetFloat("temperatureRate")
	o.Speedup = s.GetFloat("simulatedSpeedup")
	o.Extruders = s.GetInt("extruders")
	o.NoOkAfterResend = s.Has("okAfterResend") && !s.GetBool("okAfterResend")
	o.BusyInterval = time.Duration(s.GetFloat("busyInterval") * float64(time.Second))
	return o
}

// Open is the handler of the serial factory hook: a new printer for the
// port VIRTUAL, nil, nil for any other port.
func (p *Implementation) Open(port string, _ int, readTimeout time.Duration) (io.ReadWriteCloser, error) {
	if port != Port {
		return nil, nil
	}
	o := p.Options()
	o.ReadTimeout = readTimeout
	return New(o), nil
}

// PortNames is the handler of the port names hook: it adds VIRTUAL.
func PortNames(candidates []string) []string {
	if slices.Contains(candidates, Port) {
		return candidates
	}
	return append(candidates, Port)
}
