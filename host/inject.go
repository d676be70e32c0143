package host

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

// injector is what [tentacle.Base] and [tentacle.Context] have in common.
type injector interface{ Injected(name string) any }

// Bus returns the event bus injected into a plugin (its Base or Context),
// or nil outside the server.
func Bus(p injector) EventBus {
	b, _ := p.Injected(InjectEventBus).(EventBus)
	return b
}

// Messages returns the plugin's messenger, or nil outside the server.
func Messages(p injector) Messenger {
	m, _ := p.Injected(InjectMessages).(Messenger)
	return m
}
