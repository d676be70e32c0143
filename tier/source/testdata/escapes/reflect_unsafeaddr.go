package escape

import (
	"reflect"

	"github.com/tentacle-go/tentacle"
)

func addr(v reflect.Value) uintptr { return v.UnsafeAddr() }

var Plugin = tentacle.Definition{}
