package cli

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
)

// coreLogger is the logger name of the manager's own records.
const coreLogger = "tentacle.plugin.core"

// newLogger returns the logger the command line gives the plugin manager:
// warnings and errors only, one human-readable line each on w:
//
//	tentacle: warning: plugin origin failed (origin=folder error="...")
//	tentacle: error: plugin "hello": could not reach the printer
//
// The manager's records about one plugin (a failed load, a shadowed
// duplicate, a source's warning) are left out: every command shows them in
// its listing or returns them as its error, so logging them too would only
// repeat them. A plugin's own warnings are printed, named after it.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(&lineHandler{w: w, mu: new(sync.Mutex)})
}

type lineHandler struct {
	w      io.Writer
	mu     *sync.Mutex
	attrs  []slog.Attr // from WithAttrs, keys already prefixed
	prefix string      // from WithGroup, "a.b."
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(append([]slog.Attr(nil), h.attrs...), h.prefixed(attrs)...)
	return &h2
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

func (h *lineHandler) prefixed(attrs []slog.Attr) []slog.Attr {
	if h.prefix == "" {
		return attrs
	}
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = slog.Attr{Key: h.prefix + a.Key, Value: a.Value}
	}
	return out
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := append([]slog.Attr(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, h.prefixed([]slog.Attr{a})...)
		return true
	})
	var logger, plugin string
	for _, a := range attrs {
		switch a.Key {
		case "logger":
			logger = a.Value.String()
		case "plugin":
			plugin = a.Value.String()
		}
	}
	if logger == coreLogger && plugin != "" {
		return nil
	}

	var b strings.Builder
	b.WriteString("tentacle: ")
	if r.Level >= slog.LevelError {
		b.WriteString("error: ")
	} else {
		b.WriteString("warning: ")
	}
	ownLog := plugin != "" && logger != coreLogger
	if ownLog {
		b.WriteString("plugin " + strconv.Quote(plugin) + ": ")
	}
	b.WriteString(r.Message)
	n := 0
	for _, a := range attrs {
		if a.Key == "logger" || ownLog && a.Key == "plugin" || a.Equal(slog.Attr{}) {
			continue
		}
		if n == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString(" ")
		}
		n++
		b.WriteString(a.Key + "=" + quoteIfNeeded(a.Value.Resolve().String()))
	}
	if n > 0 {
		b.WriteString(")")
	}
	b.WriteString("\n")

	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// quoteIfNeeded quotes s when it is empty or has spaces, quotes, '=' or
// characters that are not printable.
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for _, c := range s {
		if c <= ' ' || c == '"' || c == '=' || c == '\\' || !strconv.IsPrint(c) {
			return strconv.Quote(s)
		}
	}
	return s
}
