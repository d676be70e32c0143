// Setting an unexported field of a value the host made: reflect refuses.
package escape

import (
	"context"
	"reflect"

	"github.com/tentacle-go/tentacle"
)

func init() {
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{Identifier: "x"})
	defer cancel()
	f := reflect.ValueOf(c).Elem().FieldByName("cfg")
	f.Set(reflect.Zero(f.Type()))
}

var Plugin = tentacle.Definition{}
