package serve

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// baseCurrentInterval is OctoPrint's base rate of the printer's "current"
// messages: at most one every 500 ms, times the client's throttle factor.
const baseCurrentInterval = 500 * time.Millisecond

// currentInterval is the least time between two "current" messages to the
// client: baseCurrentInterval times its throttle factor. Nothing sends
// "current" messages until the server has a printer; the factor is kept
// per client so that they follow it from the start.
func (c *socketClient) currentInterval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return baseCurrentInterval * time.Duration(c.throttle)
}

// maxThrottle bounds the throttle factor (one message every 12 days).
const maxThrottle = 1 << 21

// parseThrottle reads a throttle factor as OctoPrint does: a whole number
// of at least 1, given as a number (a fraction is cut off) or as a string
// of digits.
func parseThrottle(v json.RawMessage) (int, bool) {
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return 0, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, false
		}
		f = float64(n)
	}
	f = math.Trunc(f)
	if f < 1 || f > maxThrottle {
		return 0, false
	}
	return int(f), true
}

// nameFilter selects plugins or events by name.
type nameFilter struct {
	all   bool
	names map[string]bool
}

func (f nameFilter) has(name string) bool { return f.all || f.names[name] }

// lineFilter selects the log or message lines of state updates: all,
// none, or those a pattern matches.
type lineFilter struct {
	all bool
	re  *regexp.Regexp
}

// subscription is what a client asked for with its last subscribe message;
// a client that sent none gets everything.
type subscription struct {
	// state: the printer's state updates (current and history), with
	// their log and message lines filtered. Kept for when the server has a
	// printer.
	state                  bool
	logLines, messageLines lineFilter
	plugins, events        nameFilter
}

// everything is the subscription of a client that sent no subscribe.
func everything() subscription {
	return subscription{
		state: true, logLines: lineFilter{all: true}, messageLines: lineFilter{all: true},
		plugins: nameFilter{all: true}, events: nameFilter{all: true},
	}
}

// parseSubscription reads a subscribe message's value as OctoPrint does.
// What it leaves out is not sent: {"events": true} alone means no state
// and no plugin messages. plugins and events are true (all), false (none)
// or a list of names; state is true (with every log line, no message
// lines), false, or {"logs": ..., "messages": ...}, each true, false or a
// regular expression (Go's syntax) for the lines to keep.
func parseSubscription(v json.RawMessage) (subscription, error) {
	var in struct {
		State   json.RawMessage `json:"state"`
		Plugins json.RawMessage `json:"plugins"`
		Events  json.RawMessage `json:"events"`
	}
	if !isObject(v) || json.Unmarshal(v, &in) != nil {
		return subscription{}, errors.New("not a JSON object")
	}
	var sub subscription
	var err error
	if sub.state, sub.logLines, sub.messageLines, err = parseState(in.State); err != nil {
		return subscription{}, fmt.Errorf("state: %w", err)
	}
	if sub.plugins, err = parseNames(in.Plugins); err != nil {
		return subscription{}, fmt.Errorf("plugins: %w", err)
	}
	if sub.events, err = parseNames(in.Events); err != nil {
		return subscription{}, fmt.Errorf("events: %w", err)
	}
	return sub, nil
}

// parseNames reads true, false or a list of names; absent means none.
func parseNames(v json.RawMessage) (nameFilter, error) {
	if v == nil {
		return nameFilter{}, nil
	}
	if isNull(v) {
		return nameFilter{}, errors.New("null is neither true, false nor a list of names")
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return nameFilter{all: b}, nil
	}
	var names []string
	if err := json.Unmarshal(v, &names); err != nil || names == nil {
		return nameFilter{}, errors.New("neither true, false nor a list of names")
	}
	f := nameFilter{names: make(map[string]bool, len(names))}
	for _, n := range names {
		f.names[n] = true
	}
	return f, nil
}

// parseState reads the state part of a subscription; absent means none.
func parseState(v json.RawMessage) (on bool, logs, messages lineFilter, err error) {
	if v == nil || isNull(v) {
		return false, lineFilter{}, lineFilter{}, nil
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, lineFilter{all: b}, lineFilter{}, nil
	}
	var in struct {
		Logs     json.RawMessage `json:"logs"`
		Messages json.RawMessage `json:"messages"`
	}
	if !isObject(v) || json.Unmarshal(v, &in) != nil {
		return false, lineFilter{}, lineFilter{}, errors.New("neither true, false nor an object")
	}
	if logs, err = parseLines(in.Logs); err != nil {
		return false, lineFilter{}, lineFilter{}, fmt.Errorf("logs: %w", err)
	}
	if messages, err = parseLines(in.Messages); err != nil {
		return false, lineFilter{}, lineFilter{}, fmt.Errorf("messages: %w", err)
	}
	return true, logs, messages, nil
}

// parseLines reads true, false or a pattern; absent means none.
func parseLines(v json.RawMessage) (lineFilter, error) {
	if v == nil || isNull(v) {
		return lineFilter{}, nil
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return lineFilter{all: b}, nil
	}
	var pattern string
	if err := json.Unmarshal(v, &pattern); err != nil {
		return lineFilter{}, errors.New("neither true, false nor a pattern")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return lineFilter{}, fmt.Errorf("pattern: %w", err)
	}
	return lineFilter{re: re}, nil
}

// isObject reports whether a JSON value is an object.
func isObject(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}

// isNull reports whether a JSON value is null.
func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// connectedPayload is the value of the connected message, OctoPrint's
// keys first, then Tentacle's own (instance, safemode, restart_needed:
// the plugins whose change waits for a restart). It holds nothing
// secret: every client gets it, authenticated or not.
func (s *Server) connectedPayload() map[string]any {
	var safeMode any // null, or why
	if s.safeMode != "" {
		safeMode = s.safeMode
	}
	list := s.mgr.List()
	return map[string]any{
		"version":         Version,
		"display_version": Version,
		"branch":          nil,
		"python_version":  runtime.Version(),
		"plugin_hash":     hashOf(uiPlugins(list)),
		"config_hash":     s.configHash(),
		"debug":           false,
		"safe_mode":       safeMode,
		"online":          nil,
		"permissions":     permissions,
		"instance":        s.instance,
		"safemode":        safeMode,
		"restart_needed":  restartNeeded(list),
	}
}

// assetMixin is the name of server.Asset in listings.
var assetMixin = tentacle.Mixin{Type: reflect.TypeFor[server.Asset]()}.Name()

// uiPlugins are the entries of the plugin hash (the connected message's
// plugin_hash, which changes when an open page must be reloaded):
// "<id>:<version>" of every enabled plugin of the listing that ships files
// for the web page (server.Asset).
func uiPlugins(list []manager.Info) map[string]bool {
	ui := make(map[string]bool)
	for _, in := range list {
		if in.Enabled && slices.Contains(in.Mixins, assetMixin) {
			ui[in.Key+":"+in.Version] = true
		}
	}
	return ui
}

// pluginOfUIKey is the identifier of an entry of uiPlugins.
func pluginOfUIKey(k string) string {
	id, _, _ := strings.Cut(k, ":")
	return id
}

// hashOf is the plugin hash of the entries of uiPlugins: an MD5 (hex).
func hashOf(ui map[string]bool) string {
	keys := make([]string, 0, len(ui))
	for k := range ui {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := md5.Sum([]byte(strings.Join(keys, ",")))
	return hex.EncodeToString(sum[:])
}

// configHash is an MD5 (hex) of the configuration as config.yaml holds it,
// without its api section (the key stays out even of a hash).
func (s *Server) configHash() string {
	data := s.store.UserData()
	delete(data, "api")
	b, err := json.Marshal(data)
	if err != nil {
		b = []byte(fmt.Sprint(err))
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
