package wire

import (
	"errors"
	"reflect"
)

// CallError is what a function that calls into a plugin's process panics
// with when the call failed although the plugin's code did not panic: it
// overran its deadline, or the process was gone. The host recovers it where
// it calls plugin code, as a panic, and records it as a fault of the
// plugin with this error (not as a panic).
type CallError struct{ Err error }

func (e *CallError) Error() string { return e.Err.Error() }

func (e *CallError) Unwrap() error { return e.Err }

// Recovered is the error result of a plugin's function, as another plugin
// gets it from the host (a helper, or a handler of a hook), when the
// function failed (it panicked, its process overran the call's deadline or
// was gone) and the host recovered the failure and recorded it as a fault
// of the function's plugin. The failure is not the caller's: a function
// made by [TypedAs] returns Err as its final error result, and zero values
// when it has none, instead of panicking in the caller's code.
type Recovered struct{ Err error }

func (e *Recovered) Error() string { return e.Err.Error() }

func (e *Recovered) Unwrap() error { return e.Err }

// recoveredResults returns the results of a function of type t, whose
// results are outTypes and, when hasErr, an error, that failed with rec:
// zero values and rec.Err.
func recoveredResults(t reflect.Type, outTypes []reflect.Type, hasErr bool, rec *Recovered) []reflect.Value {
	results := make([]reflect.Value, 0, t.NumOut())
	for _, ot := range outTypes {
		results = append(results, reflect.Zero(ot))
	}
	if hasErr {
		err := rec.Err
		results = append(results, reflect.ValueOf(&err).Elem())
	}
	return results
}

// asRecovered returns err as a *Recovered, if it is one.
func asRecovered(err error) (*Recovered, bool) {
	var rec *Recovered
	ok := errors.As(err, &rec)
	return rec, ok
}
