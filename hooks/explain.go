package hooks

import (
	"fmt"
	"strings"
)

// OrderFrom tells where a handler's effective order comes from.
type OrderFrom string

const (
	// OrderDefault: the plugin gives no order; the handler runs at
	// tentacle.DefaultOrder.
	OrderDefault OrderFrom = "default"
	// OrderPlugin: the order the plugin registered the handler with.
	OrderPlugin OrderFrom = "plugin"
	// OrderConfig: an override from the configuration
	// (plugins._sortingOrder.<plugin>.<hook>).
	OrderConfig OrderFrom = "config"
)

// Explanation says why a handler runs where it does.
type Explanation struct {
	// Position is the handler's 1-based position in call order.
	Position int `json:"position"`
	// Plugin is the identifier of the handler's plugin.
	Plugin string `json:"plugin"`
	// Order is the effective order.
	Order int `json:"order"`
	// Declared is the order the plugin gives, tentacle.DefaultOrder when
	// it gives none (HasDeclared false).
	Declared    int  `json:"declared"`
	HasDeclared bool `json:"has_declared"`
	// From is where Order comes from.
	From OrderFrom `json:"from"`
	// Reason says the same in a sentence, such as "order 10 set by the
	// plugin" or "order 5 from config plugins._sortingOrder.foo.x.y (the
	// plugin gives 10)", followed by `; after "bar" by identifier` when the
	// handler ties with the previous one's order.
	Reason string `json:"reason"`
}

// Explain returns, for each handler of hook name (or the hook name is an
// alias of) in call order, its effective order and where it comes from. It
// returns nil for a hook without handlers.
func (r *Registry) Explain(name string) []Explanation {
	r.mu.Lock()
	defer r.mu.Unlock()
	name = r.canonical(name)
	hs := r.hooks[name]
	if hs == nil {
		return nil
	}
	hs.tidy()
	if len(hs.entries) == 0 {
		return nil
	}
	out := make([]Explanation, len(hs.entries))
	for i, e := range hs.entries {
		var b strings.Builder
		switch e.source {
		case OrderConfig:
			fmt.Fprintf(&b, "order %d from config plugins._sortingOrder.%s.%s", e.order, e.plugin, e.configKey)
			if e.hasOrder {
				fmt.Fprintf(&b, " (the plugin gives %d)", e.declared)
			} else {
				b.WriteString(" (the plugin gives none)")
			}
		case OrderPlugin:
			fmt.Fprintf(&b, "order %d set by the plugin", e.order)
		default:
			fmt.Fprintf(&b, "default order %d (the plugin gives none)", e.order)
		}
		if i > 0 && hs.entries[i-1].order == e.order {
			fmt.Fprintf(&b, "; after %q by identifier", hs.entries[i-1].plugin)
		}
		out[i] = Explanation{
			Position:    i + 1,
			Plugin:      e.plugin,
			Order:       e.order,
			Declared:    e.declared,
			HasDeclared: e.hasOrder,
			From:        e.source,
			Reason:      b.String(),
		}
	}
	return out
}
