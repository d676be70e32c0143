package comm

import (
	"sync/atomic"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// The loops whose goroutines call the protocol's hooks ([hooks.Loop]): a
// Conn's read loop, which runs a print, and its temperature poll run under
// tentacle_loop=comm, the workers of observe-only handlers under
// tentacle_loop=comm.async. A command sent from another goroutine
// ([Conn.Send]) runs the hooks of its queuing and queued phases, and of the
// sending and sent phases when that goroutine sends it, unlabelled.
var (
	commLoop  = hooks.NewLoop("comm")
	asyncLoop = hooks.NewLoop("comm.async")
)

// chain is one hook as the protocol calls it: its handlers indexed by the
// codes their filters ask for, rebuilt when the hook's handlers change (an
// atomic snapshot; a plugin enabled or disabled mid-print is seen on the
// next line).
type chain[F any] struct {
	hook  *hooks.Hook[F]
	async func(plugin string) bool
	index atomic.Pointer[chainIndex[F]]
}

// entry is one handler with what the dispatch needs to know of its filter.
type entry[F any] struct {
	hooks.Handler[F]
	pos      int           // its place among all the hook's handlers
	filtered bool          // it has a filter that is not the zero Filter
	filter   server.Filter // its filter
	async    bool          // it observes only and runs in a process of its own
}

// chainIndex is the handlers of one snapshot: every handler in order, the
// ones without commands in their filter, and per code named by a filter
// the handlers a command with that code meets.
type chainIndex[F any] struct {
	first   *hooks.Handler[F] // identifies the snapshot: its first element
	n       int
	all     []entry[F]
	general []entry[F]
	byCode  map[string][]entry[F]
}

// handlers returns the current index.
func (c *chain[F]) handlers() *chainIndex[F] {
	if c == nil || c.hook == nil {
		return nil
	}
	hs := c.hook.Handlers()
	ix := c.index.Load()
	if ix != nil && ix.n == len(hs) && (len(hs) == 0 || ix.first == &hs[0]) {
		return ix
	}
	ix = buildIndex(hs, c.async)
	c.index.Store(ix)
	return ix
}

func buildIndex[F any](hs []hooks.Handler[F], async func(string) bool) *chainIndex[F] {
	ix := &chainIndex[F]{n: len(hs)}
	if len(hs) == 0 {
		return ix
	}
	ix.first = &hs[0]
	for i, h := range hs {
		e := entry[F]{Handler: h, pos: i}
		if f, ok := h.Filter.(server.Filter); ok {
			e.filter = f
			e.filtered = len(f.Commands) > 0 || len(f.Prefixes) > 0 || f.Observe
			e.async = f.Observe && async != nil && async(h.Plugin)
		}
		ix.all = append(ix.all, e)
		if len(e.filter.Commands) == 0 {
			ix.general = append(ix.general, e)
		}
	}
	for _, e := range ix.all {
		for _, code := range e.filter.Commands {
			if ix.byCode == nil {
				ix.byCode = map[string][]entry[F]{}
			}
			if _, done := ix.byCode[code]; done {
				continue
			}
			var list []entry[F]
			for _, o := range ix.all {
				if o.filter.MatchesCommand(code) {
					list = append(list, o)
				}
			}
			ix.byCode[code] = list
		}
	}
	return ix
}

// forCode returns the handlers a command with code meets.
func (ix *chainIndex[F]) forCode(code string) []entry[F] {
	if ix.byCode != nil {
		if list, ok := ix.byCode[code]; ok {
			return list
		}
	}
	return ix.general
}

// Hooks are the typed hooks a [Conn] calls. A nil field is a hook without
// handlers.
type Hooks struct {
	Queuing, Queued, Sending, Sent *hooks.Hook[server.GcodeHook]
	Received                       *hooks.Hook[server.ReceivedHook]
	Error                          *hooks.Hook[server.ErrorHook]
	AtCommandQueuing               *hooks.Hook[server.AtCommandHook]
	AtCommandSending               *hooks.Hook[server.AtCommandHook]
	Action                         *hooks.Hook[server.ActionHook]
	FirmwareInfo                   *hooks.Hook[server.FirmwareInfoHook]
	FirmwareCapabilities           *hooks.Hook[server.FirmwareCapabilityHook]
	Temperatures                   *hooks.Hook[server.TemperaturesHook]
}

// DeclareHooks declares the protocol's hooks in reg, with the specs of
// [server.Hooks], and returns them typed.
func DeclareHooks(reg *hooks.Registry) (Hooks, error) {
	specs := map[string]hooks.Spec{}
	for _, s := range server.Hooks() {
		specs[s.Name] = s
	}
	var h Hooks
	var err error
	declare := func(name string, dst any) {
		if err != nil {
			return
		}
		switch p := dst.(type) {
		case **hooks.Hook[server.GcodeHook]:
			*p, err = hooks.Declare[server.GcodeHook](reg, specs[name])
		case **hooks.Hook[server.ReceivedHook]:
			*p, err = hooks.Declare[server.ReceivedHook](reg, specs[name])
		case **hooks.Hook[server.ErrorHook]:
			*p, err = hooks.Declare[server.ErrorHook](reg, specs[name])
		case **hooks.Hook[server.AtCommandHook]:
			*p, err = hooks.Declare[server.AtCommandHook](reg, specs[name])
		case **hooks.Hook[server.ActionHook]:
			*p, err = hooks.Declare[server.ActionHook](reg, specs[name])
		case **hooks.Hook[server.FirmwareInfoHook]:
			*p, err = hooks.Declare[server.FirmwareInfoHook](reg, specs[name])
		case **hooks.Hook[server.FirmwareCapabilityHook]:
			*p, err = hooks.Declare[server.FirmwareCapabilityHook](reg, specs[name])
		case **hooks.Hook[server.TemperaturesHook]:
			*p, err = hooks.Declare[server.TemperaturesHook](reg, specs[name])
		}
	}
	declare(server.HookGcodeQueuing, &h.Queuing)
	declare(server.HookGcodeQueued, &h.Queued)
	declare(server.HookGcodeSending, &h.Sending)
	declare(server.HookGcodeSent, &h.Sent)
	declare(server.HookGcodeReceived, &h.Received)
	declare(server.HookGcodeError, &h.Error)
	declare(server.HookAtCommandQueuing, &h.AtCommandQueuing)
	declare(server.HookAtCommandSending, &h.AtCommandSending)
	declare(server.HookAction, &h.Action)
	declare(server.HookFirmwareInfo, &h.FirmwareInfo)
	declare(server.HookFirmwareCapabilities, &h.FirmwareCapabilities)
	declare(server.HookTemperaturesReceived, &h.Temperatures)
	return h, err
}
