// Package events is the event bus of a Tentacle host: the host and plugins
// fire named events with a payload, and subscribers (the plugins that
// implement the EventHandler mixin, the browser sockets) receive those whose
// names match their patterns.
//
// OctoPrint delivers every event on one thread, so one plugin whose
// on_event blocks (a synchronous HTTP call to a smart plug, say) holds up
// every other plugin's events. Here each subscriber has its own bounded
// queue and its own goroutine:
//
//   - [Bus.Fire] never waits for a handler: it queues the event for every
//     matching subscriber and returns.
//   - A subscriber gets its events one at a time, in the order they were
//     fired, so a handler needs no locking against itself.
//   - A slow or blocked handler only delays its own events. When its queue
//     is full the oldest queued event is dropped, counted in [Stats],
//     reported to [Options.OnDrop] and logged at most once per second.
//   - A panicking handler is recovered and reported to [Options.OnFault];
//     the subscriber keeps receiving events.
//
// A subscriber goes away with [Subscription.Close], which waits, up to a
// deadline, for the event it is handling. [Bus.Close] stops accepting
// events and lets every subscriber drain its queue, up to a deadline.
//
//	bus := events.New(events.Options{})
//	sub, err := bus.Subscribe("plugin:hello", func(ev events.Event) {
//		log.Printf("%s %v", ev.Name, ev.Payload)
//	}, "Startup", events.PluginEvent("hello", "*"))
//	...
//	bus.Fire(events.PluginEvent("hello", "greeted"), map[string]any{"name": "world"})
//
// Plugins' own events are named "plugin_<id>_<name>" ([PluginEvent]), as in
// OctoPrint.
package events
