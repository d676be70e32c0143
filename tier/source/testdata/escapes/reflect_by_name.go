// The same method, called by name.
package escape

import (
	"reflect"

	"github.com/tentacle-go/tentacle"
)

func addr(v reflect.Value) []reflect.Value {
	return reflect.ValueOf(v).MethodByName("UnsafePointer").Call(nil)
}

var Plugin = tentacle.Definition{}
