// Package hooks is the hook registry of a Tentacle host: the place the plugin
// manager registers hook handlers into, and the typed, lock-free dispatch a
// host's hot path uses to call them.
//
// A host declares the hooks it calls, either untyped with [Registry.Declare]
// or typed with [Declare], which returns a [Hook] whose handlers are already
// converted to the handler's func type:
//
//	sending := hooks.MustDeclare[func(line string) string](reg, hooks.Spec{
//		Name: "tentacle.comm.protocol.gcode.sending",
//	})
//
// The plugin manager adds a plugin's handlers when it enables the plugin and
// removes them when it disables it. Every change builds a new sorted snapshot
// and swaps it in atomically, so a dispatch loop takes no lock, allocates
// nothing and sees a change on its next call:
//
//	for _, h := range sending.Handlers() {
//		line = h.Fn(line)
//	}
//
// [Hook.Call] does the same but recovers a panicking handler, reports it to
// [Options.OnFault] and goes on with the next one.
//
// A spec may give a hook other names ([Spec.Aliases]), such as OctoPrint's
// name of it: a handler added under an alias is registered under the hook's
// name, which is the one listings ([Registry.PluginHooks],
// [Registry.Names]) show; every method that takes a hook name takes an
// alias too, and so does an order override. An alias may not be another
// hook's name or alias.
//
// A spec may also declare the type of the filter a handler carries
// ([Spec.Filter], [tentacle.HookHandler.Filter]): the registry checks it
// when it adds the handler ([ErrWrongFilter]) and hands it to the host in
// [Handler.Filter] and [tentacle.HookEntry.Filter], and the host decides
// which calls it lets through. A hook without a filter type refuses a
// handler with a filter.
//
// Each handler carries its counts ([Handler.Stats]): Call and CallUntil
// count its calls and failures, a host's own dispatch loop counts with
// [Stats.Begin], [Stats.End] and [Stats.Skip], and [Registry.Stats] lists
// them all. A compiled-in handler's call is counted with a plain
// increment and no allocation; the calls of handlers registered with
// [Registration.Timed] are timed too. A goroutine of the host's that calls
// hooks, such as a printer connection's read loop, can be a [Loop]: it
// runs under a profile label of its own, and the calls of timed handlers it
// makes ([Hook.CallOn], [Stats.BeginOn]) under their plugin's, hook's and
// tier's, so that a CPU profile splits by plugin.
//
// Handlers run in ascending (order, plugin identifier). A handler registered
// without an order gets [tentacle.DefaultOrder]; unlike OctoPrint, order 0 is
// a real order. The configuration can override the order of any handler
// ([Registry.SetOrderOverrides]), and [Registry.Explain] tells where each
// effective order came from.
package hooks
