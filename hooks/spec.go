package hooks

import (
	"errors"
	"reflect"
	"time"

	"github.com/tentacle-go/tentacle"
)

// Spec declares a hook that a host calls.
type Spec struct {
	// Name is the hook's name, such as "tentacle.comm.protocol.gcode.sending":
	// dot-separated segments of letters, digits, '_' and '-'.
	Name string
	// Type is the handler's func type. Nil means untyped: any func is
	// accepted.
	Type reflect.Type
	// RestartNeeding marks a hook whose handlers cannot be added or removed
	// while the host runs: a plugin with a handler for it needs a restart to
	// be enabled or disabled.
	RestartNeeding bool
	// Obsolete, when non-empty, marks the hook obsolete: registering a
	// handler for it fails, and the error carries this text (what to use
	// instead).
	Obsolete string
	// Doc describes the hook: when it is called and what a handler returns.
	Doc string
	// Budget is how long one handler of the hook may take when it runs in
	// a process of its own (the process tier), where a call can be
	// abandoned: one that overruns is counted against its plugin and
	// skipped, and the dispatch goes on as if the handler was not there
	// (fail open). A host sets it for hooks on a hot path, such as one
	// called for every G-code line. Zero means the tier's default. Compiled
	// and interpreted handlers run in the host's process and have no
	// budget.
	Budget time.Duration
	// Aliases are other names of the hook, such as the name OctoPrint
	// gives it: a handler registered under an alias is registered under
	// Name, so that a plugin ported from another host keeps its names.
	Aliases []string
	// Filter is the type of the filter a handler of the hook may carry
	// ([tentacle.HookHandler.Filter]), which the host evaluates before it
	// calls the handler. Nil: the hook takes no filters, and a handler
	// with one is refused.
	Filter reflect.Type
}

// DefaultPluginPrefix is the default [Options.PluginPrefix].
const DefaultPluginPrefix = "tentacle.plugin."

// Options configures a [Registry].
type Options struct {
	// PluginPrefix is the prefix of hook names that plugins define for
	// themselves (tentacle.plugin.<id>.<name>). Such a hook may get handlers
	// without being declared; its handlers are then untyped. Empty means
	// [DefaultPluginPrefix].
	PluginPrefix string
	// RestartNeeding lists glob patterns (see [Match]) of hook names that
	// make a plugin restart-needing, in addition to the specs flagged
	// [Spec.RestartNeeding].
	RestartNeeding []string
	// OnFault, when not nil, is called when [Hook.Call] or [Hook.CallUntil]
	// recovers a panic from a handler, with the plugin's identifier, the
	// hook's name and the recovered value. It runs on the dispatching
	// goroutine, so it should be quick.
	OnFault func(plugin, hook string, recovered any)
	// Guard, when not nil, wraps each handler as [Registry.Handlers] hands
	// it out (the handlers a plugin calls itself, through
	// [tentacle.HookEntry.As]), once per registered handler: it returns a
	// function of the handler's own type that recovers a failure of the
	// handler, as a manager does to count it against the handler's plugin.
	// [Hook.Call] and [Hook.Handlers] call the handlers as registered.
	Guard func(plugin, hook string, handler any) any
}

// Errors returned by [Registry.Add], [Registry.Validate] and
// [Registry.Declare], wrapped with the hook's name and the plugin's
// identifier; test for them with [errors.Is].
var (
	// ErrUnknownHook: the hook is neither declared nor under the plugin
	// prefix, or its name is invalid.
	ErrUnknownHook = errors.New("unknown hook")
	// ErrWrongHandlerType: the handler is nil, not a func, or does not fit
	// the declared type.
	ErrWrongHandlerType = errors.New("wrong handler type")
	// ErrObsoleteHook: the hook is obsolete and takes no handlers.
	ErrObsoleteHook = errors.New("obsolete hook")
	// ErrDuplicateHandler: the plugin already has a handler for the hook.
	ErrDuplicateHandler = errors.New("duplicate handler")
	// ErrWrongFilter: the handler carries a filter the hook does not take:
	// the hook declares no [Spec.Filter] (or is not declared), or the
	// filter is not of the declared type.
	ErrWrongFilter = errors.New("wrong filter")
)

// Registration is a handler as [Registry.Add] registers it.
type Registration struct {
	// Func is the handler: a func of the hook's type.
	Func any
	// Order is the handler's order; it counts only when HasOrder is set,
	// else the handler runs at [tentacle.DefaultOrder].
	Order    int
	HasOrder bool
	// Filter is the handler's filter ([tentacle.HookHandler.Filter]): nil,
	// or a value of (or a non-nil pointer to) the hook's [Spec.Filter]
	// type, which the registry stores as a value.
	Filter any
	// Timed asks for the time of each call in the handler's [Stats]: set it
	// for plugins whose calls cost a microsecond or more (the plugins
	// folder, installed packages), where reading the clock twice is
	// nothing; a compiled-in handler's call costs a few nanoseconds and is
	// only counted. A timed handler's calls on a host's [Loop] are also
	// labelled for profiles. A plugin's handler registered again with the
	// other timing (the plugin came back in another tier) starts new
	// counts.
	Timed bool
	// Tier is the tier of the handler's plugin ("source", "process"), the
	// value of the tentacle_tier profile label of a timed handler's calls
	// (see [Loop]); empty: no such label.
	Tier string
}

// Unwrap returns a value of a plugin's [tentacle.Hooks] as a
// Registration: a [tentacle.HookHandler] (or a pointer to one) with its
// order and filter, anything else as a handler without order or filter.
func Unwrap(v any) Registration {
	switch h := v.(type) {
	case tentacle.HookHandler:
		return Registration{Func: h.Func, Order: h.Order, HasOrder: true, Filter: h.Filter}
	case *tentacle.HookHandler:
		if h == nil {
			return Registration{}
		}
		return Registration{Func: h.Func, Order: h.Order, HasOrder: true, Filter: h.Filter}
	}
	return Registration{Func: v, Order: tentacle.DefaultOrder}
}
