// Package console is a plugin compiled into the notifier: it checks every
// sample against fixed limits per sensor, from its settings, and delivers
// alerts by printing them.
package console

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle"

	"example.com/tentacle-notifier/notify"
)

// Console checks limits and prints alerts.
type Console struct {
	tentacle.Base
	out io.Writer

	mu      sync.Mutex
	limits  map[string][2]float64 // sensor: low, high; read on Initialize
	outside map[string]bool       // sensors outside their limits
}

// Interface guards: a missing method is a compile error.
var (
	_ tentacle.SettingsPlugin = (*Console)(nil)
	_ tentacle.Initializer    = (*Console)(nil)
	_ notify.Sender           = (*Console)(nil)
)

// SettingsDefaults are the limits, under plugins.console.limits in the
// notifier's config.yaml.
func (c *Console) SettingsDefaults() map[string]any {
	return map[string]any{"limits": map[string]any{
		"greenhouse": map[string]any{"low": 10.0, "high": 32.0},
		"freezer":    map[string]any{"low": -30.0, "high": -12.0},
		"boiler":     map[string]any{"low": 50.0, "high": 75.0},
	}}
}

// Initialize reads the limits once: the check runs for every sample.
func (c *Console) Initialize() error {
	limits := map[string][2]float64{}
	all, _ := c.Settings().Get("limits").(map[string]any)
	for sensor := range all {
		limits[sensor] = [2]float64{
			c.Settings().GetFloat("limits." + sensor + ".low"),
			c.Settings().GetFloat("limits." + sensor + ".high"),
		}
	}
	c.mu.Lock()
	c.limits, c.outside = limits, map[string]bool{}
	c.mu.Unlock()
	return nil
}

// margin is how far inside its limits a sensor must be back, so that noise
// around a limit does not raise an alert for every sample.
const margin = 1.0

// check handles notify.CheckHook: an alert when a sensor leaves its limits,
// and one when it is back.
func (c *Console) check(s notify.Sample) []notify.Alert {
	c.mu.Lock()
	defer c.mu.Unlock()
	lim, ok := c.limits[s.Sensor]
	if !ok {
		return nil
	}
	was := c.outside[s.Sensor]
	switch {
	case s.Value < lim[0] && !was:
		c.outside[s.Sensor] = true
		return []notify.Alert{{Seq: s.Seq, Sensor: s.Sensor, Level: notify.Warning, Text: fmt.Sprintf("below %g: %.1f", lim[0], s.Value)}}
	case s.Value > lim[1] && !was:
		c.outside[s.Sensor] = true
		return []notify.Alert{{Seq: s.Seq, Sensor: s.Sensor, Level: notify.Warning, Text: fmt.Sprintf("above %g: %.1f", lim[1], s.Value)}}
	case was && s.Value >= lim[0]+margin && s.Value <= lim[1]-margin:
		c.outside[s.Sensor] = false
		return []notify.Alert{{Seq: s.Seq, Sensor: s.Sensor, Level: notify.Resolved, Text: fmt.Sprintf("back within limits: %.1f", s.Value)}}
	}
	return nil
}

// Send prints the alert.
func (c *Console) Send(a notify.Alert) error {
	_, err := fmt.Fprintf(c.out, "  console: %-8s %s at #%d, %s\n", strings.ToUpper(a.Level), a.Sensor, a.Seq, a.Text)
	return err
}

// New returns the plugin's definition; it prints alerts to out.
func New(out io.Writer) *tentacle.Definition {
	impl := &Console{out: out}
	return &tentacle.Definition{
		Name:           "Console",
		Version:        "1.0.0",
		Description:    "Checks samples against limits and prints alerts.",
		Implementation: impl,
		Hooks:          tentacle.Hooks{notify.CheckHook: tentacle.Hook(notify.Check(impl.check), 10)},
	}
}
