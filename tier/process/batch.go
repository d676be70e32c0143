package process

import (
	"errors"
	"reflect"
	"slices"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// featureHookBatch is the Description feature of a plugin process that
// takes observe-only hook calls in batches (pluginpb.CallRequest_HOOK_BATCH).
const featureHookBatch = "hook-batch"

// batchShare is how many calls of a batch share one per-call deadline on
// top of the first: a batch of n calls gets the hook's deadline times
// 1 + n/batchShare (a batch of 256 five deadlines), enough for calls that
// each take a small part of the deadline, and not so much that a plugin
// that stopped answering holds its queue for long.
const batchShare = 64

var _ tier.HookBatcher = (*instance)(nil)

// CallHooks implements tier.HookBatcher: one HOOK_BATCH round trip for
// the calls when the plugin's process announced the feature, one call
// each otherwise (a plugin built before batches).
func (in *instance) CallHooks(calls []tier.HookCall, failed []any) {
	if len(calls) == 0 {
		return
	}
	in.mu.Lock()
	p := in.p
	in.mu.Unlock()
	if p == nil || p.desc == nil || !slices.Contains(p.desc.Features, featureHookBatch) {
		for i, c := range calls {
			failed[i] = in.callOne(c)
		}
		return
	}
	req := &pluginpb.CallRequest{Kind: pluginpb.CallRequest_HOOK_BATCH, Target: calls[0].Hook,
		Batch: make([]*pluginpb.BatchedCall, 0, len(calls))}
	items := make([]pluginpb.BatchedCall, len(calls))
	var timeout time.Duration
	var enc argEncoder
	for i, c := range calls {
		if c.Hook != enc.hook {
			enc = in.argEncoder(c.Hook, p.desc)
			timeout = max(timeout, in.hookTimeout(c.Hook))
		}
		args, codec, err := enc.encode(c.Args)
		if err != nil {
			failed[i] = err
			continue
		}
		items[i] = pluginpb.BatchedCall{Target: c.Hook, ArgsJson: args, Codec: codec}
		req.Batch = append(req.Batch, &items[i])
	}
	if len(req.Batch) == 0 {
		return
	}
	timeout += timeout * time.Duration(len(req.Batch)) / batchShare
	resp, err := in.send(req, timeout)
	if err != nil {
		for i := range calls {
			if failed[i] == nil {
				failed[i] = &wire.CallError{Err: err}
			}
		}
		return
	}
	// The failures index req.Batch, which skips the calls whose arguments
	// did not encode.
	sent := make([]int, 0, len(req.Batch))
	for i := range calls {
		if failed[i] == nil {
			sent = append(sent, i)
		}
	}
	for _, f := range resp.Failures {
		if int(f.Index) >= len(sent) {
			continue
		}
		i := sent[f.Index]
		if f.Panic != "" {
			failed[i] = &wire.RemotePanic{Value: f.Panic}
		} else {
			failed[i] = &wire.CallError{Err: errors.New(f.Failure)}
		}
	}
}

// callOne makes one observe-only call alone; it returns what the call's
// handler would have panicked with, or nil.
func (in *instance) callOne(c tier.HookCall) any {
	args, _, err := in.argEncoder(c.Hook, nil).encode(c.Args)
	if err != nil {
		return err
	}
	res, err := in.call(pluginpb.CallRequest_HOOK, c.Hook, in.hookTimeout(c.Hook), args)
	switch {
	case err != nil:
		return &wire.CallError{Err: err}
	case res.Panicked != "":
		return &wire.RemotePanic{Value: res.Panicked}
	}
	return nil
}

// argEncoder encodes the arguments of calls of one hook as the plugin's
// handler takes them: by the codec of the hook's declared type when the
// plugin (described by d; nil: JSON) speaks it, as JSON values of that
// type otherwise, as they are when the host declares no type.
type argEncoder struct {
	hook  string
	t     reflect.Type // nil: none declared
	codec *wire.Codec
}

func (in *instance) argEncoder(hook string, d *pluginpb.Description) argEncoder {
	e := argEncoder{hook: hook}
	if t, ok := in.hookType(hook); ok && t.Kind() == reflect.Func {
		e.t, e.codec = t, codecOf(t, d)
	}
	return e
}

// encode encodes one call's arguments; codec is the codec's name, "" for
// JSON.
func (e argEncoder) encode(args []any) (data []byte, codec string, err error) {
	if e.t == nil || e.t.NumIn() != len(args) {
		data, err = wire.EncodeArgs(args)
		return data, "", err
	}
	if e.codec != nil {
		if data, err := e.codec.EncodeArgs(args); err == nil {
			return data, e.codec.Name, nil
		}
	}
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		v := reflect.ValueOf(a)
		if !v.IsValid() || !v.Type().AssignableTo(e.t.In(i)) {
			data, err = wire.EncodeArgs(args)
			return data, "", err
		}
		vals[i] = v
	}
	data, err = wire.Encode(vals)
	return data, "", err
}
