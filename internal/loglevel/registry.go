package loglevel

import (
	"log/slog"
	"maps"
	"slices"
	"sync"
)

// Registry holds the levels of a server's loggers. A logger's effective
// level is the level set for its name, else for the nearest name above it
// (tentacle.plugins.foo, tentacle.plugins, tentacle), else the registry's
// default. Every name a handler was made for has a *slog.LevelVar holding
// its effective level, which a change updates at once: a logger's check of
// its level is one atomic load.
//
// A Registry is safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	fallback slog.Level                // of names without a level of their own or above
	set      map[string]slog.Level     // the levels set, by name
	vars     map[string]*slog.LevelVar // the effective level of every name in use
	watchers map[string]map[*watcher]struct{}
}

// watcher is a function called after the effective level of a name
// changed.
type watcher struct{ fn func() }

// NewRegistry returns a registry whose loggers without a level of their
// own or above log at fallback and above.
func NewRegistry(fallback slog.Level) *Registry {
	return &Registry{
		fallback: fallback,
		set:      map[string]slog.Level{},
		vars:     map[string]*slog.LevelVar{},
		watchers: map[string]map[*watcher]struct{}{},
	}
}

// levelVar returns name's effective level, made on first use.
func (r *Registry) levelVar(name string) *slog.LevelVar {
	r.mu.Lock()
	defer r.mu.Unlock()
	lv, ok := r.vars[name]
	if !ok {
		lv = new(slog.LevelVar)
		lv.Set(r.effectiveLocked(name))
		r.vars[name] = lv
	}
	return lv
}

// Effective returns the level name's loggers log at.
func (r *Registry) Effective(name string) slog.Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.effectiveLocked(name)
}

func (r *Registry) effectiveLocked(name string) slog.Level {
	for n, ok := name, true; ok; n, ok = parent(n) {
		if l, set := r.set[n]; set {
			return l
		}
	}
	return r.fallback
}

// Levels returns the levels set, by name.
func (r *Registry) Levels() map[string]slog.Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.set)
}

// Names returns, sorted, the names of the loggers in use, those with a
// level set, and every name above them.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	add := func(name string) {
		for n, ok := name, true; ok && !seen[n]; n, ok = parent(n) {
			seen[n] = true
		}
	}
	for n := range r.vars {
		add(n)
	}
	for n := range r.set {
		add(n)
	}
	return slices.Sorted(maps.Keys(seen))
}

// Replace makes levels the levels set, in place of all those set before
// (the names must be canonical, see [Canonical]). The loggers whose
// effective level changed log at their new level from the moment Replace
// returns; their watchers are called before it returns.
func (r *Registry) Replace(levels map[string]slog.Level) {
	r.mu.Lock()
	r.set = maps.Clone(levels)
	if r.set == nil {
		r.set = map[string]slog.Level{}
	}
	var notify []func()
	for name, lv := range r.vars {
		if l := r.effectiveLocked(name); l != lv.Level() {
			lv.Set(l)
			for w := range r.watchers[name] {
				notify = append(notify, w.fn)
			}
		}
	}
	r.mu.Unlock()
	for _, fn := range notify {
		fn()
	}
}

// Watch calls changed after each change of name's effective level, until
// the returned stop is called. changed runs on the goroutine that made the
// change and must not block.
func (r *Registry) Watch(name string, changed func()) (stop func()) {
	r.levelVar(name)
	w := &watcher{fn: changed}
	r.mu.Lock()
	if r.watchers[name] == nil {
		r.watchers[name] = map[*watcher]struct{}{}
	}
	r.watchers[name][w] = struct{}{}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.watchers[name], w)
		if len(r.watchers[name]) == 0 {
			delete(r.watchers, name)
		}
	}
}
