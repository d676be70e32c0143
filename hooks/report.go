package hooks

// Report reports a failure of one of the hook's handlers that the host
// recovered itself while calling the handlers of [Hook.Handlers] in its own
// loop, as [Hook.Call] does for the handlers it calls: recovered goes to
// [Options.OnFault] with the handler's plugin and the hook's name. A nil
// recovered value is not reported.
func (h *Hook[F]) Report(plugin string, recovered any) { h.fault(plugin, recovered) }
