// reflect.NewAt with the address of a value: a settable value anywhere.
package escape

import (
	"reflect"

	"github.com/tentacle-go/tentacle"
)

func poke(v reflect.Value) {
	w := reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
	w.Set(reflect.Zero(v.Type()))
}

var Plugin = tentacle.Definition{}
