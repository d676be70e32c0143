package hooks

// Report reports a failure of one of the hook's handlers that the host
// recovered itself while calling the handlers of [Hook.Handlers] in its own
// loop, as [Hook.Call] does for the handlers it calls: recovered goes to
// [Options.OnFault] with the handler's plugin and the hook's name. A nil
// recovered value is not reported.
// The failure counts in the handler's [Stats].
func (h *Hook[F]) Report(plugin string, recovered any) {
	if recovered == nil {
		return
	}
	if h.reg != nil {
		h.reg.statsOf(plugin, h.name).Fail(recovered)
	}
	h.fault(plugin, recovered)
}
