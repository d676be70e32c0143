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
func (s *Server) view(admin bool) SettingsView { return s.viewOf(s.settingsPlugins(), admin) }

// viewOf builds the settings answer of the settings plugins sps for a
// caller.
func (s *Server) viewOf(sps []settingsPlugin, admin bool) SettingsView {
	v := SettingsView{
		Plugins: make(map[string]map[string]any),
		Server:  map[string]any{"host": s.host, "port": s.listenPort()},
	}
	for _, sp := range sps {
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

// postSettings stores plugin settings, {"plugins": {"<id>": {...}}},
// with ChangeSettings; a refusal with errors by field answers them beside
// the message, as "field_errors".
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
	if err := s.ChangeSettings(changes); err != nil {
		if se, ok := errors.AsType[*SettingsError](err); ok {
			if len(se.Fields) > 0 {
				writeJSON(w, se.Status, settingsErrorBody{Error: se.Message, FieldErrors: se.Fields})
				return
			}
			writeError(w, se.Status, se.Message)
			return
		}
		s.settingsFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.view(true))
}

// settingsErrorBody is the answer to a refused POST /api/settings with
// errors by field.
type settingsErrorBody struct {
	Error       string            `json:"error"`
	FieldErrors map[string]string `json:"field_errors"`
}

// SettingsError is why [Server.ChangeSettings] refused a change: the HTTP
// status and message POST /api/settings answers, and the errors by field,
// keyed by dotted path from the root of the request's body
// ("plugins.<id>.<path>").
type SettingsError struct {
	Status  int
	Message string
	Fields  map[string]string
}

func (e *SettingsError) Error() string { return e.Message }

// ChangeSettings changes plugin settings as POST /api/settings does, for a
// caller that may (an admin): plugins maps identifiers to their changes,
// objects of JSON values (json.Number, float64 or int numbers). Every
// plugin's part is checked (known enabled settings plugin, no never-written
// path, values of their default's type, the plugin's own validator) before
// anything is stored; then only what differs from the defaults is saved,
// atomically, and SettingsUpdated is fired. A refused change is a
// *SettingsError; any other error says why storing failed.
func (s *Server) ChangeSettings(plugins map[string]any) error {
	// One change at a time: checked against, and applied to, the settings
	// no other request is changing.
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	known := make(map[string]settingsPlugin)
	for _, sp := range s.settingsPlugins() {
		known[sp.id] = sp
	}
	ids := make([]string, 0, len(plugins))
	for id := range plugins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var refused *SettingsError
	for _, id := range ids {
		sp, ok := known[id]
		if !ok {
			return &SettingsError{Status: http.StatusNotFound, Message: fmt.Sprintf("no enabled plugin %q with settings", id)}
		}
		change, ok := plugins[id].(map[string]any)
		if !ok {
			return &SettingsError{Status: http.StatusBadRequest, Message: fmt.Sprintf("settings of plugin %q must be an object", id)}
		}
		if err := checkNumbers(change, ""); err != nil {
			se := &SettingsError{Status: http.StatusBadRequest, Message: fmt.Sprintf("plugin %q: %v", id, err)}
			if ne, ok := errors.AsType[*numberError](err); ok {
				se.Fields = map[string]string{"plugins." + id + "." + ne.path: ne.reason}
			}
			return se
		}
		normalizeJSON(change)
		fields, err := s.checkSettings(sp, change)
		if err == nil {
			continue
		}
		if refused == nil {
			refused = &SettingsError{Status: http.StatusBadRequest, Message: fmt.Sprintf("plugin %q: %v", id, err)}
		}
		for p, msg := range fields {
			if refused.Fields == nil {
				refused.Fields = make(map[string]string)
			}
			refused.Fields["plugins."+id+"."+p] = msg
		}
	}
	if refused != nil {
		return refused
	}
	if err := s.applySettings(ids, plugins); err != nil {
		return err
	}
	s.bus.Fire(server.EventSettingsUpdated, map[string]any{"plugins": ids, "config_hash": s.configHash()})
	s.watch.changed()
	return nil
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

// checkSettings validates one plugin's requested change. It returns the
// errors by field (paths relative to the plugin's settings), if any, and
// an error that says what is wrong first.
func (s *Server) checkSettings(sp settingsPlugin, change map[string]any) (server.FieldErrors, error) {
	if sp.unknownRestrictions {
		return nil, errors.New("its restricted settings cannot be read (SettingsRestrictedPaths failed), so none can be changed")
	}
	current := s.store.Plugin(sp.id).All()
	if bad, found := badKey(change, ""); found {
		return nil, fmt.Errorf("key %q cannot be stored: settings keys are not empty and contain no dots", bad)
	}
	var fields server.FieldErrors
	var first error
	refuse := func(path, msg string) {
		if fields == nil {
			fields = make(server.FieldErrors)
			first = fmt.Errorf("%s %s", path, msg)
		}
		fields[path] = msg
	}
	walk(change, "", func(path string, v any) bool {
		if path == configVersionKey || strings.HasPrefix(path, configVersionKey+".") {
			refuse(configVersionKey, "cannot be set")
			return true
		}
		if sp.never(path) {
			refuse(path, "cannot be changed through the API")
			return true
		}
		def, ok := lookup(current, path)
		if !ok || def == nil || v == nil {
			return true
		}
		if !sameKind(def, v) {
			refuse(path, fmt.Sprintf("must be %s, not %s", kindName(def), kindName(v)))
			return true
		}
		if _, isInt := def.(int); isInt {
			if f, isFloat := v.(float64); isFloat && f != float64(int(f)) {
				refuse(path, fmt.Sprintf("must be a whole number, not %v", f))
			}
		}
		return true
	})
	if fields != nil {
		return fields, first
	}
	wholeToInt(change, current)
	// What config.yaml and JSON cannot both hold is refused before anything
	// is stored (and before the plugin's validator sees it).
	prefix := "plugins." + sp.id
	if err := settings.Validate(prefix, change); err != nil {
		if ie, ok := errors.AsType[*settings.InvalidValueError](err); ok {
			rel := strings.TrimPrefix(strings.TrimPrefix(ie.Path, prefix), ".")
			if rel == "" {
				return nil, errors.New(ie.Reason)
			}
			return server.FieldErrors{rel: ie.Reason}, fmt.Errorf("%s: %s", rel, ie.Reason)
		}
		return nil, err
	}
	if sp.validator == nil {
		return nil, nil
	}
	merged := mergeInto(current, change, func(rel string) any {
		v, _ := s.store.Default("plugins." + sp.id + "." + rel)
		return v
	})
	delete(merged, configVersionKey)
	var verr error
	if !s.guarded(sp.id, "ValidateSettings", func() { verr = sp.validator.ValidateSettings(merged) }) {
		return nil, errors.New("its settings validator failed")
	}
	if fe, ok := errors.AsType[server.FieldErrors](verr); ok && len(fe) > 0 {
		paths := fe.Paths()
		msg := fmt.Sprintf("%s: %s", paths[0], fe[paths[0]])
		if len(paths) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(paths)-1)
		}
		return fe, errors.New(msg)
	}
	return nil, verr
}

// numberError is a number of a request that settings cannot hold.
type numberError struct{ path, reason string }

func (e *numberError) Error() string { return e.path + ": " + e.reason }

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
				return &numberError{path, fmt.Sprintf("the integer %.40s is beyond ±%d (2^53-1), the integers settings keep (store it as a string)", s, int64(settings.MaxSafeInteger))}
			}
			return nil
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return &numberError{path, fmt.Sprintf("the number %.40s is beyond the range of a 64-bit float", s)}
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
