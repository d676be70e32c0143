package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
)

// configVersionKey is the settings version the manager stores per plugin;
// the API neither shows nor takes it.
const configVersionKey = "_config_version"

// SettingsView is the answer of GET /api/settings and POST /api/settings.
type SettingsView struct {
	// Plugins holds, for every enabled settings plugin, its merged settings
	// with restricted paths read as null.
	Plugins map[string]map[string]any `json:"plugins"`
	// Server holds the server's own settings.
	Server map[string]any `json:"server"`
}

// settingsPlugin is an enabled plugin with settings, as the API sees it.
type settingsPlugin struct {
	id         string
	restricted map[string][]string
	// unknownRestrictions: SettingsRestrictedPaths failed, so nothing of the
	// plugin's settings is shown or written through the API (fail closed).
	unknownRestrictions bool
	validator           server.SettingsValidator
}

// settingsPlugins returns the enabled settings plugins, sorted.
func (s *Server) settingsPlugins() []settingsPlugin {
	var out []settingsPlugin
	for _, impl := range manager.ImplementationsOf[tentacle.SettingsPlugin](s.mgr, "") {
		sp := settingsPlugin{id: impl.Plugin}
		p, _ := s.mgr.Plugin(impl.Plugin)
		if r, ok := manager.As[server.SettingsRestricted](p); ok {
			sp.unknownRestrictions = !s.guarded(sp.id, "SettingsRestrictedPaths", func() { sp.restricted = r.SettingsRestrictedPaths() })
		}
		sp.validator, _ = manager.As[server.SettingsValidator](p)
		out = append(out, sp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// hidden reports whether path (relative to the plugin) is restricted for a
// caller with or without the API key.
func (sp settingsPlugin) hidden(path string, admin bool) bool {
	for level, paths := range sp.restricted {
		if level == server.RestrictAdmin && admin {
			continue
		}
		for _, p := range paths {
			if path == p || strings.HasPrefix(path, p+".") {
				return true
			}
		}
	}
	return false
}

// never reports whether path may never be written through the API.
func (sp settingsPlugin) never(path string) bool {
	for _, p := range sp.restricted[server.RestrictNever] {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// view builds the settings answer for a caller.
func (s *Server) view(admin bool) SettingsView {
	v := SettingsView{
		Plugins: make(map[string]map[string]any),
		Server:  map[string]any{"host": s.host, "port": s.listenPort()},
	}
	for _, sp := range s.settingsPlugins() {
		if sp.unknownRestrictions {
			continue
		}
		data := s.store.Plugin(sp.id).All()
		delete(data, configVersionKey)
		for _, p := range unencodable(data, "") {
			// Only a plugin's defaults or overlay can hold one: the store
			// refuses them. Shown as null, so that the answer is one.
			if _, seen := s.badViews.LoadOrStore(sp.id+"\x00"+p, true); !seen {
				s.log.Warn("a setting cannot be shown as JSON and reads as null", "plugin", sp.id, "path", p)
			}
		}
		for _, paths := range sp.restricted {
			for _, p := range paths {
				if sp.hidden(p, admin) {
					blank(data, strings.Split(p, "."))
				}
			}
		}
		v.Plugins[sp.id] = data
	}
	return v
}

// unencodable replaces, in place, the values of m that JSON cannot carry
// (NaN, infinities, types encoding/json refuses) with nil, and returns
// their paths.
func unencodable(m map[string]any, prefix string) []string {
	var bad []string
	var fix func(v any, path string) (any, bool)
	fix = func(v any, path string) (any, bool) {
		switch x := v.(type) {
		case nil, bool, int, string:
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, false
			}
		case map[string]any:
			for k, e := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if n, ok := fix(e, p); !ok {
					x[k] = n
					bad = append(bad, p)
				}
			}
		case []any:
			for i, e := range x {
				p := path + "." + strconv.Itoa(i)
				if n, ok := fix(e, p); !ok {
					x[i] = n
					bad = append(bad, p)
				}
			}
		default:
			if _, err := json.Marshal(v); err != nil {
				return nil, false
			}
		}
		return v, true
	}
	fix(m, prefix)
	sort.Strings(bad)
	return bad
}

// blank sets the value at path to nil where it exists.
func blank(m map[string]any, path []string) {
	for i, k := range path {
		v, ok := m[k]
		if !ok {
			return
		}
		if i == len(path)-1 {
			m[k] = nil
			return
		}
		if m, ok = v.(map[string]any); !ok {
			return
		}
	}
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.view(s.mayAdmin(r)))
}

// postSettings stores plugin settings: {"plugins": {"<id>": {...}}}. Every
// plugin's part is checked (known enabled settings plugin, no never-written
// path, values of their default's type, the plugin's own validator) before
// anything is stored; then only what differs from the defaults is saved,
// atomically, and SettingsUpdated is fired.
func (s *Server) postSettings(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var body map[string]any
	if !readJSON(w, r, &body) {
		return
	}
	for k := range body {
		if k != "plugins" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("only plugin settings can be changed here, not %q", k))
			return
		}
	}
	changes, ok := body["plugins"].(map[string]any)
	if !ok {
		writeError(w, http.StatusBadRequest, `"plugins" must be an object of plugin identifiers to settings`)
		return
	}
	// One change at a time: checked against, and applied to, the settings
	// no other request is changing.
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	known := make(map[string]settingsPlugin)
	for _, sp := range s.settingsPlugins() {
		known[sp.id] = sp
	}
	ids := make([]string, 0, len(changes))
	for id := range changes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sp, ok := known[id]
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no enabled plugin %q with settings", id))
			return
		}
		change, ok := changes[id].(map[string]any)
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("settings of plugin %q must be an object", id))
			return
		}
		if err := checkNumbers(change, ""); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("plugin %q: %v", id, err))
			return
		}
		normalizeJSON(change)
		if err := s.checkSettings(sp, change); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("plugin %q: %v", id, err))
			return
		}
	}
	if err := s.applySettings(ids, changes); err != nil {
		s.settingsFailed(w, err)
		return
	}
	s.bus.Fire(server.EventSettingsUpdated, map[string]any{"plugins": ids})
	writeJSON(w, http.StatusOK, s.view(true))
}

// applySettings stores the checked changes, leaf by leaf (null removes the
// user's value, so the default shows again), and saves. When storing or
// saving fails, every leaf is put back as it was.
func (s *Server) applySettings(ids []string, changes map[string]any) error {
	type undo struct {
		path string
		old  any
		had  bool
	}
	var undos []undo
	var err error
	for _, id := range ids {
		walk(changes[id].(map[string]any), "", func(rel string, v any) bool {
			if m, isMap := v.(map[string]any); isMap && len(m) > 0 {
				return true // its leaves follow
			}
			path := "plugins." + id + "." + rel
			old, had := s.store.UserValue(path)
			undos = append(undos, undo{path, old, had})
			if v == nil {
				err = s.store.Remove(path)
			} else {
				err = s.store.Set(path, v)
			}
			return err == nil
		})
		if err != nil {
			break
		}
	}
	if err == nil {
		err = s.store.Save()
	}
	if err != nil {
		for i := len(undos) - 1; i >= 0; i-- {
			u := undos[i]
			if u.had {
				_ = s.store.Set(u.path, u.old)
			} else {
				_ = s.store.Remove(u.path)
			}
		}
	}
	return err
}

func (s *Server) settingsFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, settings.ErrInvalidValue) {
		// checkSettings validates every value first; this is a safety net.
		writeError(w, http.StatusBadRequest, "settings cannot be changed: "+err.Error())
		return
	}
	if errors.Is(err, settings.ErrReadOnly) {
		writeError(w, http.StatusConflict, "settings cannot be changed: "+err.Error())
		return
	}
	s.log.Error("cannot store settings", "error", err)
	writeError(w, http.StatusInternalServerError, "cannot store settings: "+err.Error())
}

// checkSettings validates one plugin's requested change.
func (s *Server) checkSettings(sp settingsPlugin, change map[string]any) error {
	if sp.unknownRestrictions {
		return errors.New("its restricted settings cannot be read (SettingsRestrictedPaths failed), so none can be changed")
	}
	current := s.store.Plugin(sp.id).All()
	var err error
	if bad, found := badKey(change, ""); found {
		return fmt.Errorf("key %q cannot be stored: settings keys are not empty and contain no dots", bad)
	}
	walk(change, "", func(path string, v any) bool {
		if path == configVersionKey || strings.HasPrefix(path, configVersionKey+".") {
			err = fmt.Errorf("%s cannot be set", configVersionKey)
			return false
		}
		if sp.never(path) {
			err = fmt.Errorf("%s cannot be changed through the API", path)
			return false
		}
		def, ok := lookup(current, path)
		if !ok || def == nil || v == nil {
			return true
		}
		if !sameKind(def, v) {
			err = fmt.Errorf("%s must be %s, not %s", path, kindName(def), kindName(v))
			return false
		}
		if _, isInt := def.(int); isInt {
			if f, isFloat := v.(float64); isFloat && f != float64(int(f)) {
				err = fmt.Errorf("%s must be a whole number, not %v", path, f)
				return false
			}
		}
		return true
	})
	if err == nil {
		wholeToInt(change, current)
	}
	if err != nil {
		return err
	}
	// What config.yaml and JSON cannot both hold is refused before anything
	// is stored (and before the plugin's validator sees it).
	prefix := "plugins." + sp.id
	if err := settings.Validate(prefix, change); err != nil {
		if ie, ok := errors.AsType[*settings.InvalidValueError](err); ok {
			rel := strings.TrimPrefix(strings.TrimPrefix(ie.Path, prefix), ".")
			if rel == "" {
				return errors.New(ie.Reason)
			}
			return fmt.Errorf("%s: %s", rel, ie.Reason)
		}
		return err
	}
	if sp.validator == nil {
		return nil
	}
	merged := mergeInto(current, change, func(rel string) any {
		v, _ := s.store.Default("plugins." + sp.id + "." + rel)
		return v
	})
	delete(merged, configVersionKey)
	var verr error
	if !s.guarded(sp.id, "ValidateSettings", func() { verr = sp.validator.ValidateSettings(merged) }) {
		return errors.New("its settings validator failed")
	}
	return verr
}

// checkNumbers refuses the numbers of a JSON body (json.Number, from a
// UseNumber decoder) that settings cannot hold as they were written: a
// whole number beyond ±settings.MaxSafeInteger (2^53-1), and a number
// beyond the range of a float64 (1e400), which would become infinite. It
// names the first one's path in key order.
func checkNumbers(v any, path string) error {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err != nil || i > settings.MaxSafeInteger || i < -settings.MaxSafeInteger {
				return fmt.Errorf("%s: the integer %.40s is beyond ±%d (2^53-1), the integers settings keep (store it as a string)", path, s, settings.MaxSafeInteger)
			}
			return nil
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("%s: the number %.40s is beyond the range of a 64-bit float", path, s)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if err := checkNumbers(v[k], p); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkNumbers(e, path+"."+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// walk calls fn for every leaf (and every map, before its contents) of m.
func walk(m map[string]any, prefix string, fn func(path string, v any) bool) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if !fn(path, m[k]) {
			return false
		}
		if sub, ok := m[k].(map[string]any); ok && !walk(sub, path, fn) {
			return false
		}
	}
	return true
}

// wholeToInt turns whole floats (5.0) into ints where the current value is
// an int, so that an integer setting stays an integer in config.yaml.
func wholeToInt(change, current map[string]any) {
	for k, v := range change {
		switch v := v.(type) {
		case float64:
			if _, isInt := current[k].(int); isInt && v == float64(int(v)) {
				change[k] = int(v)
			}
		case map[string]any:
			if cm, ok := current[k].(map[string]any); ok {
				wholeToInt(v, cm)
			}
		}
	}
}

// badKey returns the path of the first key in m that is empty or contains a
// dot, and whether there is one (the path of an empty top-level key is "").
func badKey(m map[string]any, prefix string) (string, bool) {
	for k, v := range m {
		if k == "" || strings.Contains(k, ".") {
			return prefix + k, true
		}
		if sub, ok := v.(map[string]any); ok {
			if bad, found := badKey(sub, prefix+k+"."); found {
				return bad, true
			}
		}
	}
	return "", false
}

func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// mergeInto returns base with change merged in, maps key by key; a null in
// change stands for the default, which def returns for a relative path.
func mergeInto(base, change map[string]any, def func(rel string) any) map[string]any {
	return mergeAt(base, change, "", def)
}

func mergeAt(base, change map[string]any, prefix string, def func(string) any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range change {
		rel := k
		if prefix != "" {
			rel = prefix + "." + k
		}
		switch cv := v.(type) {
		case nil:
			if d := def(rel); d != nil {
				out[k] = d
			} else {
				delete(out, k)
			}
			continue
		case map[string]any:
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = mergeAt(bm, cv, rel, def)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// sameKind reports whether two settings values are of the same kind;
// every number is one kind.
func sameKind(a, b any) bool { return kindName(a) == kindName(b) }

func kindName(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case int, float64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return reflect.TypeOf(v).String()
}
