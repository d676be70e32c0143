package tier

// HookCall is one call of a plugin's hook handler whose results are not
// wanted: an observe-only call ([server.Filter.Observe]) that the host
// delivers off its hot path.
type HookCall struct {
	// Hook is the hook's name.
	Hook string
	// Args are the handler's arguments, of the types of the hook's
	// declared handler type.
	Args []any
}

// HookBatcher is implemented by instances that take a plugin's
// observe-only hook calls several at a time (the process tier: one round
// trip for a batch when the plugin's process takes batches, one each
// otherwise). A host that has such calls queued for a plugin whose
// instance does not implement it calls the handlers one at a time.
type HookBatcher interface {
	// CallHooks calls the plugin's handlers for each of calls, in order,
	// and sets failed[i] (len(failed) == len(calls)) to what the call
	// would have panicked with had the handler been called alone (a
	// *wire.RemotePanic for a panic of the plugin's code, a
	// *wire.CallError for a call that could not be made or overran its
	// deadline); nil for a call that ended well. A failed call does not
	// stop the calls after it.
	CallHooks(calls []HookCall, failed []any)
}
