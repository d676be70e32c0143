// Package notify is the notifier's API for its plugins, as package server
// is the tentacle server's: what a sample and an alert are, the hook the
// notifier calls for every sample, the mixin of plugins that deliver
// alerts, and what the notifier injects. A plugin imports it with package
// tentacle (and, when it runs in a process of its own, package sdk), and
// nothing else of the notifier.
package notify

import (
	"reflect"

	"github.com/tentacle-go/tentacle"
)

// Sample is one reading of one sensor.
type Sample struct {
	Seq    int     `json:"seq"` // counts every sample the notifier checked, from 1
	Sensor string  `json:"sensor"`
	Value  float64 `json:"value"` // in degrees Celsius
}

// Alert is something a check found in a sample, for the senders to deliver.
type Alert struct {
	Seq    int    `json:"seq"` // the sample's
	Sensor string `json:"sensor"`
	Level  string `json:"level"` // Warning, Critical or Resolved
	Text   string `json:"text"`
}

// Levels of alerts.
const (
	Warning  = "warning"
	Critical = "critical"
	Resolved = "resolved"
)

// CheckHook is the name of the hook the notifier calls for every sample,
// with handlers of type [Check], in their order. It is on the notifier's
// hot path: a handler in a process of its own that does not answer within
// the notifier's budget (20 ms unless its operator says otherwise) is
// skipped for that sample, and the notifier goes on without its alerts.
const CheckHook = "notifier.sample.check"

// Check is the type of the handlers of [CheckHook]: it returns the alerts
// the sample raises, or nil.
type Check func(s Sample) []Alert

// Sender is the mixin of plugins that deliver alerts: the notifier calls
// Send on every enabled Sender, in sorting order (sorting context
// [SendContext]), for every alert any check raised. An error is logged
// against the plugin; the other senders still get the alert.
type Sender interface {
	Send(a Alert) error
}

// SendContext is the sorting context of [Sender]: a plugin's
// [tentacle.Sortable] key for it, or plugins._sortingOrder.<id>.send in the
// notifier's config.yaml, orders the senders.
const SendContext = "send"

// Mixins returns the notifier's mixins, for manager.Options.Mixins (and for
// plugintest.Options.Mixins in a plugin's tests).
func Mixins() []tentacle.Mixin {
	return []tentacle.Mixin{{
		Type: reflect.TypeFor[Sender](),
		// OctoPrint has no such mixin; Send is called while the notifier
		// runs, not in a plugin's lifecycle, and toggling a Sender needs
		// no restart.
		Proxy: func(c tentacle.RemoteCaller) any { return senderProxy{c} },
	}}
}

// senderProxy is a Sender whose code runs in a plugin's process: the
// process tier makes one for every process plugin that implements Sender,
// and each method calls the plugin's method of the same name.
type senderProxy struct{ c tentacle.RemoteCaller }

func (p senderProxy) Send(a Alert) error { return p.c.Call("Send", []any{a}) }

// InjectSensors is the name under which the notifier injects its [Sensors].
const InjectSensors = "notifier.sensors"

// Sensors is what the notifier tells plugins about its sensors.
type Sensors interface {
	// Names returns the sensors' names, sorted.
	Names() []string
}

// SensorsOf returns the notifier's sensors as injected into a plugin (given
// its implementation, which embeds tentacle.Base, or its *tentacle.Base or
// *tentacle.Context), or nil before the plugin is enabled. A plugin in a
// process of its own gets one whose calls go to the notifier.
func SensorsOf(p any) Sensors {
	switch v := tentacle.InjectedFrom(p, InjectSensors).(type) {
	case Sensors:
		return v
	case tentacle.RemoteCaller:
		return sensorsProxy{v}
	}
	return nil
}

// sensorsProxy reaches the notifier's Sensors from a plugin's process.
type sensorsProxy struct{ c tentacle.RemoteCaller }

func (p sensorsProxy) Names() (names []string) {
	_ = p.c.Call("Names", nil, &names)
	return names
}
