// Package probe is the host side that conformance fixture plugins talk to:
// they record what the host made them do, ask whether to fail at a given
// point, and implement its two test mixins. It has no generics, so that
// interpreted fixtures can use it too.
//
// Fixtures that run in a plugin process of their own (the process tier)
// reach the host's probe through [SetRemote]; [Reach] is the host's side of
// [Fault] for them. Block and Unblock stay in the process that calls them.
package probe

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Startup is a host mixin like OctoPrint's StartupPlugin.
type Startup interface {
	OnStartup(host string, port int)
}

// Asset is a host mixin like OctoPrint's AssetPlugin; the conformance suite
// declares it restart-needing, as OctoPrint does.
type Asset interface {
	Assets() map[string][]string
}

// Hook types the conformance suite declares.
type (
	// StringHook is the type of the conformance.startup and
	// conformance.ordered hooks.
	StringHook func() string
)

var (
	mu      sync.Mutex
	events  []string
	faults  = map[string]string{}
	onPoint func(plugin, point string)
	blocked = make(chan struct{})
	remote  func(op string, args []string) (string, error)
)

// Operations a remote function gets (see SetRemote).
const (
	OpRecord = "record" // args: plugin, what; the result is ignored
	OpFault  = "fault"  // args: plugin, point; the result is the mode
)

// SetRemote makes Record and Fault in this process go to the host's probe
// through fn, for fixtures that run in a process of their own: Record calls
// fn(OpRecord, [plugin, what]); Fault calls fn(OpFault, [plugin, point]),
// whose host side is [Reach], and fails as the mode it returns says. A
// failure of fn itself panics in the fixture. nil keeps everything in this
// process again.
func SetRemote(fn func(op string, args []string) (string, error)) {
	mu.Lock()
	defer mu.Unlock()
	remote = fn
}

// call calls the remote function, if there is one.
func call(op string, args ...string) (string, bool) {
	mu.Lock()
	fn := remote
	mu.Unlock()
	if fn == nil {
		return "", false
	}
	out, err := fn(op, args)
	if err != nil {
		panic(fmt.Sprintf("probe: %s %v: %v", op, args, err))
	}
	return out, true
}

// Reset forgets every event, fault and OnPoint function, and releases the
// goroutines blocked in Block.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	events = nil
	faults = map[string]string{}
	onPoint = nil
	close(blocked)
	blocked = make(chan struct{})
}

// Block blocks until Unblock or Reset is called: what a goroutine that
// ignores its plugin's context does.
func Block() {
	mu.Lock()
	ch := blocked
	mu.Unlock()
	<-ch
}

// Unblock releases every goroutine blocked in Block.
func Unblock() {
	mu.Lock()
	defer mu.Unlock()
	close(blocked)
	blocked = make(chan struct{})
}

// OnPoint sets a function called whenever a plugin reaches a point (see
// Fault), before the fault happens: tests use it to look at the host from
// inside a plugin's callback.
func OnPoint(fn func(plugin, point string)) {
	mu.Lock()
	defer mu.Unlock()
	onPoint = fn
}

// Record notes that plugin did what.
func Record(plugin, what string) {
	if _, ok := call(OpRecord, plugin, what); ok {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	events = append(events, plugin+":"+what)
}

// Events returns every event recorded since Reset, in order.
func Events() []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), events...)
}

// EventsOf returns plugin's events without the "plugin:" prefix.
func EventsOf(plugin string) []string {
	var out []string
	for _, e := range Events() {
		if rest, ok := strings.CutPrefix(e, plugin+":"); ok {
			out = append(out, rest)
		}
	}
	return out
}

// Modes for SetFault.
const (
	ModeError = "error" // Fault returns an error
	ModePanic = "panic" // Fault panics
	ModeFalse = "false" // Fault returns ErrFalse (Check returns false)
)

// ErrFalse is what Fault returns in ModeFalse.
var ErrFalse = errors.New("probe: false")

// SetFault makes plugin fail at point (check, load, enable, initialize,
// enabled, disable, disabled, unload, defaults, migrate, hook, helper,
// sorting, uninstall, startup) in the given mode.
func SetFault(plugin, point, mode string) {
	mu.Lock()
	defer mu.Unlock()
	faults[plugin+"/"+point] = mode
}

// Fault records plugin reaching point, then fails as SetFault said: it
// returns an error, panics, or returns nil.
func Fault(plugin, point string) error {
	mode, ok := call(OpFault, plugin, point)
	if !ok {
		mode = Reach(plugin, point)
	}
	switch mode {
	case ModeError:
		return fmt.Errorf("%s failed at %s on purpose", plugin, point)
	case ModePanic:
		panic(fmt.Sprintf("%s panicked at %s on purpose", plugin, point))
	case ModeFalse:
		return ErrFalse
	}
	return nil
}

// Reach is the part of Fault that happens in the host: it records plugin
// reaching point, calls the OnPoint function and returns the mode SetFault
// set for the point ("" for none), without failing.
func Reach(plugin, point string) string {
	Record(plugin, point)
	mu.Lock()
	mode := faults[plugin+"/"+point]
	fn := onPoint
	mu.Unlock()
	if fn != nil {
		fn(plugin, point)
	}
	return mode
}

// Must panics with err when it is not nil: for callbacks that return
// nothing.
func Must(err error) {
	if err != nil {
		panic(err)
	}
}
