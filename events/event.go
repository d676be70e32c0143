package events

import (
	"errors"
	"log/slog"
	"time"
)

// Event is one event: a name such as "Startup" or "plugin_hello_greeted", a
// payload and the time it was fired. The payload is shared by every
// subscriber the event is delivered to, and by the code that fired it: a
// handler must treat it as read-only.
type Event struct {
	// Name is the event's name, e.g. "Startup", "ClientOpened" or
	// "plugin_hello_greeted" (see [PluginEvent]).
	Name string
	// Payload is the event's data; nil for events that carry none.
	Payload map[string]any
	// Time is when the event was fired, by [Options.Now].
	Time time.Time
}

// PluginEvent returns the name of plugin id's own event called name:
// "plugin_<id>_<name>", the convention OctoPrint uses for events plugins
// register. PluginEvent(id, "*") is a pattern for all of them.
func PluginEvent(id, name string) string {
	return "plugin_" + id + "_" + name
}

// DefaultQueueSize is the length of a subscriber's queue when
// [Options.QueueSize] is not positive.
const DefaultQueueSize = 1024

// ErrClosed is the error [Bus.Subscribe] wraps when the bus is closed.
var ErrClosed = errors.New("event bus closed")

// Options configures a [Bus]. The zero value is ready to use.
type Options struct {
	// Logger receives the bus's warnings: events dropped because a
	// subscriber falls behind (at most once per second per subscriber),
	// handlers abandoned on close, and panics when OnFault is nil. Default
	// slog.Default().
	Logger *slog.Logger

	// QueueSize is how many events may wait for one subscriber; when its
	// queue is full the oldest event is dropped. Default DefaultQueueSize.
	QueueSize int

	// OnFault is called when a subscriber's handler panics, on that
	// subscriber's goroutine, with the subscriber's name, the event and
	// the recovered value. A reflect.Value (what the yaegi interpreter
	// panics with) is unwrapped to its Interface(). The subscriber keeps
	// receiving events. A panic in OnFault itself is dropped. When OnFault
	// is nil, the panic is logged with its stack.
	OnFault func(subscriber string, ev Event, recovered any)

	// OnDrop is called when an event is dropped for a subscriber whose
	// queue is full, with the dropped (oldest) event. It runs on the
	// goroutine of [Bus.Fire], so it must be quick, must not block and must
	// not fire events. A panic in OnDrop is dropped. Drops are also logged, at most once per
	// second per subscriber.
	OnDrop func(subscriber string, ev Event)

	// Now returns the time stamped on events and used to limit the rate of
	// drop warnings; for tests. Default time.Now.
	Now func() time.Time
}
