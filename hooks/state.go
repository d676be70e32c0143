package hooks

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tentacle-go/tentacle"
)

// entry is one registered handler of a hook.
type entry struct {
	plugin   string
	declared int  // the order the plugin gave; DefaultOrder when none
	hasOrder bool // whether the plugin gave an order
	order    int  // effective order
	source   OrderFrom
	fn       any // converted to the declared type, when there is one
	filter   any // a value of the hook's Spec.Filter type, or nil
	// configKey is the hook name (the hook's or an alias) of the config
	// override setting order, when source is OrderConfig.
	configKey string
	guarded   any // fn wrapped by the registry's guard, made on first use
	dead      bool
	stats     *Stats
}

func cmpEntry(a, b *entry) int {
	if c := cmp.Compare(a.order, b.order); c != 0 {
		return c
	}
	return strings.Compare(a.plugin, b.plugin)
}

// untypedSnapshot is a published untyped view; a nil *untypedSnapshot in
// hookState.untyped means stale (a change while held), rebuilt on demand.
type untypedSnapshot struct {
	list []tentacle.HookEntry
}

var emptySnapshot = &untypedSnapshot{}

// typedHook is implemented by *Hook[F]: the registry publishes a typed
// snapshot through it after every change.
type typedHook interface {
	// publish builds and swaps in a new typed snapshot of entries, which are
	// live, sorted and converted to the hook's type.
	publish(entries []*entry)
}

// hookState is everything the registry knows about one hook name. States are
// never deleted, so a *Hook[F] stays valid for the registry's lifetime.
type hookState struct {
	name     string
	spec     Spec
	declared bool

	// Guarded by Registry.mu. entries is sorted by (order, plugin) unless
	// unsorted is set, and holds dead (removed) entries while dead > 0; both
	// happen only while the registry is held, and tidy undoes them.
	entries  []*entry
	index    map[string]*entry // live entries by plugin
	unsorted bool
	dead     int
	typed    typedHook // nil unless declared with Declare[F]
	pending  bool      // typed publication deferred by Hold

	untyped atomic.Pointer[untypedSnapshot]

	// stats are the counts of every plugin that ever had a handler of the
	// hook, kept across removal (guarded by Registry.mu).
	stats map[string]*Stats
}

func newHookState(name string) *hookState {
	hs := &hookState{name: name, index: make(map[string]*entry)}
	hs.untyped.Store(emptySnapshot)
	return hs
}

// live reports whether the hook is declared or has handlers.
func (hs *hookState) live() bool { return hs.declared || len(hs.index) > 0 }

// tidy drops dead entries and restores the sort order.
func (hs *hookState) tidy() {
	if hs.dead > 0 {
		hs.entries = slices.DeleteFunc(hs.entries, func(e *entry) bool { return e.dead })
		hs.dead = 0
	}
	if hs.unsorted {
		slices.SortFunc(hs.entries, cmpEntry)
		hs.unsorted = false
	}
}

// insert adds e. Unless lazy, it keeps entries sorted (O(n) move); when lazy
// (held) it appends and leaves sorting to tidy, so a bulk add is O(n log n).
func (hs *hookState) insert(e *entry, lazy bool) {
	hs.index[e.plugin] = e
	if lazy || hs.unsorted || hs.dead > 0 {
		hs.entries = append(hs.entries, e)
		hs.unsorted = true
		return
	}
	i, _ := slices.BinarySearchFunc(hs.entries, e, cmpEntry)
	hs.entries = slices.Insert(hs.entries, i, e)
}

// remove drops plugin's entry, reporting whether it had one. When lazy it
// only marks it dead, for tidy to drop.
func (hs *hookState) remove(plugin string, lazy bool) bool {
	e := hs.index[plugin]
	if e == nil {
		return false
	}
	delete(hs.index, plugin)
	if lazy || hs.unsorted || hs.dead > 0 {
		e.dead = true
		hs.dead++
		return true
	}
	if i, ok := slices.BinarySearchFunc(hs.entries, e, cmpEntry); ok {
		hs.entries = slices.Delete(hs.entries, i, i+1)
	}
	return true
}

// buildUntyped publishes a new untyped snapshot of the (tidy) entries,
// each handler wrapped by guard when it is not nil.
func (hs *hookState) buildUntyped(guard func(plugin, hook string, handler any) any) *untypedSnapshot {
	snap := emptySnapshot
	if len(hs.entries) > 0 {
		list := make([]tentacle.HookEntry, len(hs.entries))
		for i, e := range hs.entries {
			fn := e.fn
			if guard != nil {
				if e.guarded == nil {
					e.guarded = guard(e.plugin, hs.name, e.fn)
				}
				fn = e.guarded
			}
			list[i] = tentacle.HookEntry{Plugin: e.plugin, Order: e.order, Func: fn, Filter: e.filter}
		}
		snap = &untypedSnapshot{list: list}
	}
	hs.untyped.Store(snap)
	return snap
}

// who names a handler in an error message.
func who(plugin string) string {
	if plugin == "" {
		return "handler"
	}
	return fmt.Sprintf("handler of plugin %q", plugin)
}

// filterString shows a declared filter type, nil included.
func filterString(t reflect.Type) string {
	if t == nil {
		return "none"
	}
	return t.String()
}

// typeString shows a declared type, nil included.
func typeString(t reflect.Type) string {
	if t == nil {
		return "untyped"
	}
	return t.String()
}

// fit checks handler against the declared type want (nil: any func) and
// returns it converted to want.
func fit(want reflect.Type, name, plugin string, handler any) (any, error) {
	if handler == nil {
		return nil, fmt.Errorf("hook %q: %w: %s is nil", name, ErrWrongHandlerType, who(plugin))
	}
	t := reflect.TypeOf(handler)
	wantS := "a func"
	if want != nil {
		wantS = want.String()
	}
	if t.Kind() != reflect.Func || want != nil && t != want && !t.ConvertibleTo(want) {
		return nil, fmt.Errorf("hook %q: %w: %s has type %v, want %s", name, ErrWrongHandlerType, who(plugin), t, wantS)
	}
	v := reflect.ValueOf(handler)
	if v.IsNil() {
		return nil, fmt.Errorf("hook %q: %w: %s is a nil %v", name, ErrWrongHandlerType, who(plugin), t)
	}
	if want == nil || t == want {
		return handler, nil
	}
	return v.Convert(want).Interface(), nil
}
