package virtualprinter

import (
	"slices"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/server"
)

// TestPlugin runs the plugin in a test host that declares the server's
// hooks, with settings from the configuration.
func TestPlugin(t *testing.T) {
	h := plugintest.New(t, ID, &Plugin, plugintest.Options{
		Declare: func(r *hooks.Registry) {
			for _, s := range server.Hooks() {
				if s.Name == server.HookSerialFactory || s.Name == server.HookSerialPortNames {
					if err := r.Declare(s); err != nil {
						t.Fatal(err)
					}
				}
			}
		},
		Config: "plugins:\n  virtual_printer:\n    temperatureRate: 5\n    okAfterResend: false\n    busyInterval: 1\n",
	})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	factories := h.Handlers(server.HookSerialFactory)
	if len(factories) != 1 {
		t.Fatalf("%d serial factory handlers", len(factories))
	}
	var open server.SerialFactoryHook
	if err := factories[0].As(&open); err != nil {
		t.Fatal(err)
	}
	if rw, err := open("/dev/ttyUSB0", 115200, time.Second); rw != nil || err != nil {
		t.Errorf("another port: %v, %v; want nil, nil", rw, err)
	}
	rw, err := open(Port, 115200, 30*time.Millisecond)
	if err != nil || rw == nil {
		t.Fatalf("VIRTUAL: %v, %v", rw, err)
	}
	defer rw.Close()
	p := rw.(*Printer)
	if o := p.opts; o.TemperatureRate != 5 || !o.NoOkAfterResend || o.BusyInterval != time.Second || o.ReadTimeout != 30*time.Millisecond || o.Speedup != 1 || o.Extruders != 1 {
		t.Errorf("options from the settings: %+v", o)
	}

	var names server.PortNamesHook
	if err := h.Handlers(server.HookSerialPortNames)[0].As(&names); err != nil {
		t.Fatal(err)
	}
	if got := names([]string{"/dev/ttyACM0"}); !slices.Equal(got, []string{"/dev/ttyACM0", Port}) {
		t.Errorf("port names %q", got)
	}
	if got := names([]string{Port}); !slices.Equal(got, []string{Port}) {
		t.Errorf("port names %q", got)
	}
}

func TestOptionsBeforeEnable(t *testing.T) {
	if o := (&Implementation{}).Options(); o.TemperatureRate != 0 || o.Speedup != 0 || o.NoOkAfterResend || o.BusyInterval != 0 {
		t.Errorf("options without settings: %+v", o)
	}
}
