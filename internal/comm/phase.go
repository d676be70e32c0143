package comm

import (
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// gcodePhase is one phase of the G-code hooks.
type gcodePhase struct {
	name     string // server.PhaseQueuing, ...
	tag      string // "phase:<name>"
	observed bool   // results are ignored (queued, sent)
	chain    chain[server.GcodeHook]
	c        *Conn
}

func newPhase(c *Conn, name string, hook *hooks.Hook[server.GcodeHook]) *gcodePhase {
	p := &gcodePhase{name: name, tag: "phase:" + name, c: c,
		observed: name == server.PhaseQueued || name == server.PhaseSent}
	p.chain.hook = hook
	p.chain.async = c.opts.Async
	return p
}

// apply runs the phase's handlers on *cmd, as OctoPrint's comm layer
// does: each handler sees what the previous ones made of the command. On
// return *cmd is the command to go on with, unless the handlers expanded
// it into several (many; the queuing phase only) or a handler suppressed
// it (drop). It allocates nothing when no handler changes the command. l
// is the loop whose goroutine calls (nil: another's). A phase without
// handlers costs a check that inlines into the caller.
func (p *gcodePhase) apply(l *hooks.Loop, cmd *server.Command) (many []server.Command, drop bool) {
	if p.chain.hook == nil || len(p.chain.hook.Handlers()) == 0 {
		return nil, false
	}
	return p.applyAll(l, cmd)
}

// applyAll is apply of a phase that has handlers.
func (p *gcodePhase) applyAll(l *hooks.Loop, cmd *server.Command) (many []server.Command, drop bool) {
	ix := p.chain.handlers()
	if ix == nil || ix.n == 0 {
		return nil, false
	}
	r := run{loop: l, ix: ix, list: ix.forCode(cmd.Gcode), cur: *cmd}
	for r.i < len(r.list) && !r.drop {
		p.runFrom(&r)
	}
	if r.drop {
		return nil, true
	}
	*cmd = r.cur
	return r.many, false
}

// run is the state of one command's way through a phase's handlers.
type run struct {
	loop *hooks.Loop // the goroutine's, or nil
	ix   *chainIndex[server.GcodeHook]
	list []entry[server.GcodeHook] // the handlers to go through
	i    int                       // the next one
	full bool                      // list is every handler: match each filter
	cur  server.Command
	many []server.Command // an expansion, when not nil
	drop bool
}

// runFrom calls the handlers from r.i on, under one deferred recover: a
// handler that panics is reported against its plugin and counts as no
// result, and apply goes on with the next one. The common case, a handler
// that changes nothing, runs on locals.
func (p *gcodePhase) runFrom(r *run) {
	defer func() {
		if v := recover(); v != nil {
			r.loop.Enter()
			p.chain.hook.Report(r.list[r.i].Plugin, v)
			r.i++
		}
	}()
	list, cur, name, l := r.list, r.cur, p.name, r.loop
	for i := r.i; i < len(list); i++ {
		r.i = i
		e := &list[i]
		if r.many != nil || r.full || e.async {
			r.cur = cur
			if p.step(r, e) {
				return
			}
			list, cur, i = r.list, r.cur, r.i
			continue
		}
		t := e.Stats.BeginOn(l)
		res := e.Fn(name, cur)
		e.Stats.EndOn(l, t)
		if len(res) == 0 || p.observed {
			continue
		}
		r.cur = cur
		if p.changed(r, e, res) {
			return
		}
		list, cur, i = r.list, r.cur, r.i
	}
	r.i = len(list)
}

// step runs one handler in the uncommon cases: an expansion, a command
// that changed on the way, an observer called off the send path. It
// reports whether the command was dropped.
func (p *gcodePhase) step(r *run, e *entry[server.GcodeHook]) bool {
	switch {
	case r.many != nil:
		r.many, r.drop = p.applyMany(r.loop, e, r.many)
		return r.drop
	case r.full && len(e.filter.Commands) > 0 && !e.filter.MatchesCommand(r.cur.Gcode):
		e.Stats.Skip()
		return false
	case e.async:
		p.c.async.deliver(e.Plugin, observed{hook: p.chain.hook.Name(), phase: p.name, cmd: r.cur, gcode: e.Fn, st: e.Stats, report: p.chain.hook.Report})
		return false
	}
	t := e.Stats.BeginOn(r.loop)
	res := e.Fn(p.name, r.cur)
	e.Stats.EndOn(r.loop, t)
	if len(res) == 0 || p.observed {
		return false
	}
	return p.changed(r, e, res)
}

// changed applies a handler's result to r. It reports whether the command
// was dropped.
func (p *gcodePhase) changed(r *run, e *entry[server.GcodeHook], res []server.Command) bool {
	next, more, dropped := p.normalize(e.Plugin, r.cur, res)
	switch {
	case dropped:
		r.drop = true
		return true
	case more != nil:
		r.many = more
	default:
		r.cur = next
	}
	if !r.full {
		// The command changed: the handlers after this one are matched
		// against what it became.
		r.list, r.i, r.full = r.ix.all, e.pos, true
	}
	return false
}

// applyMany runs one handler on each command of an expansion. A panic
// leaves the expansion as it was.
func (p *gcodePhase) applyMany(l *hooks.Loop, e *entry[server.GcodeHook], cmds []server.Command) ([]server.Command, bool) {
	next := make([]server.Command, 0, len(cmds))
	for _, c := range cmds {
		if len(e.filter.Commands) > 0 && !e.filter.MatchesCommand(c.Gcode) {
			e.Stats.Skip()
			next = append(next, c)
			continue
		}
		t := e.Stats.BeginOn(l)
		res := e.Fn(p.name, c)
		e.Stats.EndOn(l, t)
		if len(res) == 0 || p.observed {
			next = append(next, c)
			continue
		}
		one, more, dropped := p.normalize(e.Plugin, c, res)
		switch {
		case dropped:
		case more != nil:
			next = append(next, more...)
		default:
			next = append(next, one)
		}
	}
	return next, len(next) == 0
}

// normalize turns a handler's result into the command(s) to go on with,
// following OctoPrint's conventions (see [server.GcodeHook]).
func (p *gcodePhase) normalize(plugin string, cmd server.Command, res []server.Command) (one server.Command, many []server.Command, drop bool) {
	n := 0
	for _, r := range res {
		if r.Line == "" {
			continue // OctoPrint's (None,): this entry is dropped
		}
		c := cmd
		if r.Type != "" {
			c.Type = r.Type
		}
		if r.Line != cmd.Line {
			c.Line = r.Line
			c.Gcode, c.Subcode = CodeOf(r.Line)
			c.Tags = withTags(cmd.Tags, r.Tags, "source:rewrite", p.tag, "plugin:"+plugin)
		} else if len(r.Tags) > 0 {
			c.Tags = withTags(cmd.Tags, r.Tags)
		}
		n++
		switch n {
		case 1:
			one = c
		case 2:
			many = append(make([]server.Command, 0, len(res)), one, c)
		default:
			many = append(many, c)
		}
	}
	switch {
	case n == 0:
		return cmd, nil, true
	case n > 1 && p.name != server.PhaseQueuing:
		p.c.logf("plugin %s: hook %s returned %d commands for %q: only the queuing phase may expand a command; sending it unchanged",
			plugin, p.name, n, cmd.Line)
		return cmd, nil, false
	}
	return one, many, false
}

// withTags returns a new slice with the tags of have, then those of add
// and extra that are not there yet.
func withTags(have, add []string, extra ...string) []string {
	out := make([]string, 0, len(have)+len(add)+len(extra))
	out = append(out, have...)
	for _, list := range [2][]string{add, extra} {
		for _, t := range list {
			if !contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
