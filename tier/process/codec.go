package process

import (
	"reflect"
	"slices"
	"time"

	_ "github.com/tentacle-go/tentacle/internal/gcodec" // the G-code hooks' codec
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// featureCodec prefixes the name of a codec in a Description's features.
const featureCodec = "codec:"

// codecOf returns the codec of handler type t when the plugin described
// by d announced it, nil otherwise (its calls then go as JSON).
func codecOf(t reflect.Type, d *pluginpb.Description) *wire.Codec {
	c := wire.CodecFor(t)
	if c == nil || d == nil || !slices.Contains(d.Features, featureCodec+c.Name) {
		return nil
	}
	return c
}

// hookFunc returns the host's handler of type t for the plugin's handler
// of hook name: a call into the process, its arguments and results
// written by t's codec when the plugin (described by d) speaks it, as JSON
// otherwise.
func (in *instance) hookFunc(t reflect.Type, name string, timeout time.Duration, d *pluginpb.Description) reflect.Value {
	c := codecOf(t, d)
	if c == nil {
		return wire.MakeFunc(t, func(args []byte) (wire.Result, error) {
			return in.call(pluginpb.CallRequest_HOOK, name, timeout, args)
		})
	}
	return c.MakeFunc(func(args []byte) (wire.Result, error) {
		resp, err := in.send(&pluginpb.CallRequest{Kind: pluginpb.CallRequest_HOOK, Target: name, ArgsJson: args, Codec: c.Name}, timeout)
		if err != nil {
			return wire.Result{}, err
		}
		return resultOf(resp), nil
	}).Convert(t)
}
