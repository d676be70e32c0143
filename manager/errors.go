package manager

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// Phase names a step of a plugin's lifecycle. Errors carry the phase they
// happened in, and listings show it.
type Phase string

// The phases, in the order they run. The enable phases run in exactly this
// order: Enable, Register, Inject, Initialize, Migrate, Enabled, then the
// host's activators (whose phases are their names).
const (
	PhaseDiscover   Phase = "discover"   // an origin could not read the plugin
	PhaseGate       Phase = "gate"       // a gate (disabled, blocklist, compat, safe mode) refused it
	PhaseImport     Phase = "import"     // the tier loads the plugin's code
	PhaseCheck      Phase = "check"      // Definition.Check
	PhaseLoad       Phase = "load"       // Definition.Load
	PhaseEnable     Phase = "enable"     // Definition.Enable
	PhaseRegister   Phase = "register"   // hooks, helpers, mixins, settings overlay
	PhaseInject     Phase = "inject"     // settings defaults, context, injectables
	PhaseInitialize Phase = "initialize" // Initializer.Initialize
	PhaseMigrate    Phase = "migrate"    // SettingsMigrator.OnSettingsMigrate
	PhaseEnabled    Phase = "enabled"    // EnableListener.OnPluginEnabled
	PhaseDisable    Phase = "disable"    // Definition.Disable, OnPluginDisabled, deregistration
	PhaseUnload     Phase = "unload"     // Definition.Unload, closing the instance
	PhaseUninstall  Phase = "uninstall"  // OnPluginPendingUninstall, removing files
	PhaseReload     Phase = "reload"     // a reload as a whole (unknown plugin, gone from its origin)
	PhaseHook       Phase = "hook"       // a hook handler, at call time
	PhaseCall       Phase = "call"       // a mixin method called by the host
)

// LifecycleError is the error of a plugin's lifecycle step: which plugin,
// in which phase, and why. Use errors.As to get it and errors.Is to test the
// cause.
type LifecycleError struct {
	Plugin string
	Phase  Phase
	Err    error
}

func (e *LifecycleError) Error() string {
	return fmt.Sprintf("plugin %q: %s: %v", e.Plugin, e.Phase, e.Err)
}

func (e *LifecycleError) Unwrap() error { return e.Err }

// Sentinel causes, wrapped in a [LifecycleError].
var (
	// ErrUnknownPlugin: no plugin has that identifier.
	ErrUnknownPlugin = errors.New("unknown plugin")
	// ErrNotToggleable: a hidden bundled plugin cannot be enabled or
	// disabled, nor can a plugin that can never run be disabled.
	ErrNotToggleable = errors.New("cannot be enabled or disabled")
	// ErrNotManagable: bundled plugins cannot be uninstalled.
	ErrNotManagable = errors.New("cannot be uninstalled")
	// ErrGated: a gate keeps the plugin from running; the message says which.
	ErrGated = errors.New("not allowed to run")
	// ErrNotLoaded: the plugin's code is not loaded.
	ErrNotLoaded = errors.New("not loaded")
	// ErrGone: no origin provides the plugin any more.
	ErrGone = errors.New("no origin provides it any more")
	// ErrReentrant: a lifecycle operation (Enable, Disable, Reload,
	// Rescan, ...) was asked for from plugin code that the operation under
	// way is running (a lifecycle callback such as Initialize or
	// OnStartup, or a host's activator): it would wait for the operation
	// under way, which waits for the callback. Start a goroutine that the
	// callback does not wait for instead.
	ErrReentrant = errors.New("called from a lifecycle callback of the operation under way, which it would wait for")
)

// PanicError is a panic recovered from plugin code.
type PanicError struct {
	Value any
	Stack []byte
	// Location is where in the plugin's own code the panic happened
	// (file:line), when its tier knows (see tier.PanicLocator). For source
	// plugins it is the first statement of the function that panicked: the
	// interpreter reports no finer position.
	Location string
}

func (e *PanicError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("panic: %v at %s", e.Value, e.Location)
	}
	return fmt.Sprintf("panic: %v", e.Value)
}

// locate adds to a *PanicError in err where the panic happened in inst's
// code, when inst can tell.
func locate(err error, inst tier.Instance) error {
	var pe *PanicError
	if err == nil || inst == nil || !errors.As(err, &pe) || pe.Location != "" {
		return err
	}
	if pl, ok := inst.(tier.PanicLocator); ok {
		pe.Location = pl.LastPanic()
	}
	return err
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recovered turns a value recovered from plugin code into the error that
// describes the failure: a *PanicError, with the stack, for a panic (of a
// process plugin's code, recovered in its process: its value); for a call
// into a plugin's process that failed although its code did not panic (a
// *wire.CallError: it overran its deadline, the process was gone), that
// failure. An interpreter panics with a reflect.Value wrapping the real
// value; unwrap it.
func recovered(r any) error {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	var ce *wire.CallError
	if err, ok := r.(error); ok && errors.As(err, &ce) {
		return ce.Err
	}
	if rp, ok := r.(*wire.RemotePanic); ok {
		r = rp.Value
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}

// guard calls fn and turns a panic into an error.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	return fn()
}

// lifecycleErr wraps err as a *LifecycleError for id and phase, unless it is
// nil or already one.
func lifecycleErr(id string, phase Phase, err error) error {
	if err == nil {
		return nil
	}
	var le *LifecycleError
	if errors.As(err, &le) && le.Plugin == id {
		return err
	}
	return &LifecycleError{Plugin: id, Phase: phase, Err: err}
}
