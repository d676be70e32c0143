package server

import (
	"github.com/tentacle-go/tentacle"
)

// Names under which the server registers its injectables, for
// [tentacle.Context.Injected].
const (
	InjectEventBus = "event_bus"
	InjectMessages = "plugin_messages"
)

// EventBus is the server's event bus as plugins see it (_event_bus).
type EventBus interface {
	// Fire publishes an event without waiting for its subscribers. A plugin
	// fires its own events as plugin_<id>_<name> (see [PluginEvent]).
	Fire(event string, payload map[string]any)
}

// Messenger sends a plugin's messages to the browser clients connected to
// the server's socket (OctoPrint's send_plugin_message). Each plugin gets
// its own, which stamps the plugin's identifier on what it sends.
type Messenger interface {
	SendPluginMessage(data any)
}

// injected returns what the host injected under name into p: a plugin
// implementation embedding tentacle.Base, its *tentacle.Base, or its
// *tentacle.Context.
func injected(p any, name string) any {
	return tentacle.InjectedFrom(p, name)
}

// Bus returns the event bus injected into a plugin (its implementation,
// Base or Context), or nil outside the server. A plugin in a process of its
// own gets one that fires on the server's bus.
func Bus(p any) EventBus {
	switch v := injected(p, InjectEventBus).(type) {
	case EventBus:
		return v
	case tentacle.RemoteCaller:
		return busProxy{v}
	}
	return nil
}

// Messages returns the plugin's messenger (given its implementation, Base
// or Context), or nil outside the server. A plugin in a process of its own
// gets one that sends through the server.
func Messages(p any) Messenger {
	switch v := injected(p, InjectMessages).(type) {
	case Messenger:
		return v
	case tentacle.RemoteCaller:
		return messengerProxy{v}
	}
	return nil
}

// busProxy and messengerProxy reach the server's injectables from a plugin
// in a process of its own.
type busProxy struct{ c tentacle.RemoteCaller }

func (b busProxy) Fire(event string, payload map[string]any) {
	_ = b.c.Call("Fire", []any{event, payload})
}

type messengerProxy struct{ c tentacle.RemoteCaller }

func (m messengerProxy) SendPluginMessage(data any) { _ = m.c.Call("SendPluginMessage", []any{data}) }
