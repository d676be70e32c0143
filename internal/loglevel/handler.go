package loglevel

import (
	"context"
	"log/slog"
)

// LoggerKey is the attribute that names a logger: a logger made with
// With(LoggerKey, "tentacle.plugins.foo", ...) logs at that name's level.
const LoggerKey = "logger"

// Handler passes the records of a logger that its name's level lets
// through to the handler it wraps. Make one with [Registry.Handler]; the
// loggers derived from it with With(LoggerKey, name) log at name's level.
type Handler struct {
	reg     *Registry
	name    string
	level   *slog.LevelVar
	next    slog.Handler
	grouped bool // WithGroup was called: a "logger" attribute is the group's, not the name
}

// Handler returns a handler for the logger named name that passes what
// name's level lets through to next.
func (r *Registry) Handler(next slog.Handler, name string) *Handler {
	return &Handler{reg: r, name: name, level: r.levelVar(name), next: next}
}

// Name returns the name of the handler's logger.
func (h *Handler) Name() string { return h.name }

// Enabled reports whether the logger's level and the wrapped handler both
// take records of level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.next.Enabled(ctx, l)
}

// Handle passes r on. A caller calls it only for the levels Enabled takes,
// as slog.Logger does.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	return h.next.Handle(ctx, r)
}

// WithAttrs returns the handler of a logger with attrs; one named
// [LoggerKey] names the logger, outside groups.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.next = h.next.WithAttrs(attrs)
	if !h.grouped {
		for _, a := range attrs {
			if a.Key == LoggerKey && a.Value.Kind() == slog.KindString {
				h2.name = a.Value.String()
				h2.level = h.reg.levelVar(h2.name)
			}
		}
	}
	return &h2
}

// WithGroup returns the handler of a logger whose attributes go into the
// group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.next = h.next.WithGroup(name)
	h2.grouped = true
	return &h2
}

// WatchLevel calls changed after each change of the level of the
// handler's logger, until stop is called; changed must not block. A
// plugin process's host uses it to tell the process its level, so that
// the process does not send lines the host would drop.
func (h *Handler) WatchLevel(changed func()) (stop func()) {
	return h.reg.Watch(h.name, changed)
}
