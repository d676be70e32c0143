package sdk

import (
	"fmt"
	"os"
	"reflect"

	_ "github.com/tentacle-go/tentacle/internal/gcodec" // the G-code hooks' codec
	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// featureHookBatch is the Description feature of a plugin that takes
// observe-only hook calls in batches (lean.CallRequest_HOOK_BATCH).
const featureHookBatch = "hook-batch"

// FeaturesEnv, set to "off" in a plugin's environment, keeps it from
// announcing what this SDK speaks beyond the first protocol
// (pluginpb.Description.features): the host then calls it as it calls a
// plugin built before them, one observe-only call at a time (for the
// tests of that path).
const FeaturesEnv = "TENTACLE_PLUGIN_FEATURES"

// features returns what this SDK announces in its Description.
func features() []string {
	if os.Getenv(FeaturesEnv) == "off" {
		return nil
	}
	out := []string{featureHookBatch}
	for _, name := range wire.CodecNames() {
		out = append(out, featureCodec+name)
	}
	return out
}

// featureCodec prefixes the name of a codec in the Description's
// features (pluginpb.CallRequest.codec).
const featureCodec = "codec:"

// callFn calls fn with args written as JSON (codec "") or by the named
// codec; results false: they are not wanted.
func (s *server) callFn(fn reflect.Value, codec string, args []byte, results bool) (wire.Result, error) {
	if codec == "" {
		return wire.Call(fn, args, s.hold)
	}
	c := wire.CodecNamed(codec)
	if c == nil || fn.Type() != c.Type && wire.CodecFor(fn.Type()) != c {
		return wire.Result{}, fmt.Errorf("codec %q: not one of this plugin's for %v", codec, fn.Type())
	}
	return c.Call(fn, args, results)
}

// callBatch calls the plugin's hook handlers for each call of a batch, in
// order. A call that panics or fails is reported in the response's
// failures and the batch goes on; the results are not wanted.
func (s *server) callBatch(req *lean.CallRequest) *lean.CallResponse {
	resp := &lean.CallResponse{}
	var (
		last string
		fn   reflect.Value
	)
	for i, c := range req.Batch {
		if i == 0 || c.Target != last {
			last, fn = c.Target, reflect.Value{}
			if v, ok := s.def.Hooks[c.Target]; ok {
				h, _, _ := unwrapHook(v)
				fn = reflect.ValueOf(h)
			}
		}
		if !fn.IsValid() || fn.Kind() != reflect.Func || fn.IsNil() {
			resp.Failures = append(resp.Failures, &lean.BatchFailure{Index: uint32(i),
				Failure: fmt.Sprintf("plugin %q: %s %q: %v", s.id, lean.CallRequest_HOOK, c.Target, wire.ErrNoFunc)})
			continue
		}
		res, err := s.callFn(fn, c.Codec, c.ArgsJson, false)
		switch {
		case err != nil:
			resp.Failures = append(resp.Failures, &lean.BatchFailure{Index: uint32(i),
				Failure: fmt.Sprintf("plugin %q: %s %q: %v", s.id, lean.CallRequest_HOOK, c.Target, err)})
		case res.Panicked != "":
			resp.Failures = append(resp.Failures, &lean.BatchFailure{Index: uint32(i), Panic: res.Panicked})
		}
	}
	return resp
}
