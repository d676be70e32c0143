package serve

import (
	"sort"
	"strings"
	"unicode"

	"github.com/tentacle-go/tentacle/server"
)

// SettingsForm describes a settings form for a plugin with settings and no
// settings template of its own, made from its settings defaults. The page
// renders it and saves it through POST /api/settings (or
// Server.ChangeSettings), whose field errors are keyed by the fields' Key.
type SettingsForm struct {
	// Plugin and Name are the plugin's identifier and name.
	Plugin string `json:"plugin"`
	Name   string `json:"name"`
	// ID is the id of the element the page puts it in, as a settings
	// template's would be: "settings_plugin_<id>".
	ID string `json:"id"`
	// Fields are the leaves of the plugin's settings defaults, by path.
	Fields []SettingsField `json:"fields"`
}

// Kinds of [SettingsField] values: the kind of the default, or of the
// current value when the default is null ("any" when both are).
const (
	FieldBool    = "bool"
	FieldInteger = "integer"
	FieldNumber  = "number"
	FieldString  = "string"
	FieldList    = "list"
	FieldObject  = "object" // an empty object by default
	FieldAny     = "any"
)

// SettingsField is one setting of a [SettingsForm].
type SettingsField struct {
	// Path is the setting's dotted path within the plugin's settings
	// ("serial.port").
	Path string `json:"path"`
	// Key is its dotted path from the root of POST /api/settings's body
	// ("plugins.<id>.serial.port"), and the key of its errors there.
	Key string `json:"key"`
	// Label is made from the last key of Path: "max_temp" and "maxTemp"
	// read "Max temp".
	Label string `json:"label"`
	// Type is one of FieldBool, FieldInteger, ...
	Type string `json:"type"`
	// Value is its current value as the settings API shows it to the
	// viewer, Default its default; both null when Hidden.
	Value   any `json:"value"`
	Default any `json:"default"`
	// Restricted is the setting's restriction level
	// (server.RestrictAdmin, server.RestrictNever), or empty.
	Restricted string `json:"restricted,omitempty"`
	// Hidden: the viewer may not see the value (it reads as null).
	Hidden bool `json:"hidden,omitempty"`
	// ReadOnly: it cannot be changed through the settings API
	// (server.RestrictNever), or the viewer may not change settings.
	ReadOnly bool `json:"readonly,omitempty"`
}

// settingsForms describes a form for each of the settings plugins sps
// that the settings API shows (view), is not hidden, has no settings
// template and has defaults.
func (s *Server) settingsForms(sps []settingsPlugin, admin bool, view map[string]map[string]any, hasPane map[string]bool) []SettingsForm {
	var out []SettingsForm
	for _, sp := range sps {
		current, shown := view[sp.id]
		if !shown || hasPane[sp.id] {
			continue
		}
		info, ok := s.mgr.Info(sp.id)
		if !ok || info.Hidden {
			continue
		}
		defaults, _ := s.store.Default("plugins." + sp.id)
		dm, _ := defaults.(map[string]any)
		form := SettingsForm{Plugin: sp.id, Name: info.Name, ID: "settings_plugin_" + sp.id, Fields: []SettingsField{}}
		walk(dm, "", func(path string, def any) bool {
			if path == configVersionKey {
				return true
			}
			if m, isMap := def.(map[string]any); isMap && len(m) > 0 {
				return true // its leaves follow
			}
			value, _ := lookup(current, path)
			f := SettingsField{Path: path, Key: "plugins." + sp.id + "." + path, Label: label(path),
				Type: fieldType(def, value), Value: value, Default: def,
				Restricted: sp.restriction(path), Hidden: sp.hidden(path, admin)}
			f.ReadOnly = f.Restricted == server.RestrictNever || !admin
			if f.Hidden {
				f.Value, f.Default = nil, nil // a default can be a secret too
			}
			form.Fields = append(form.Fields, f)
			return true
		})
		if len(form.Fields) > 0 {
			out = append(out, form)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plugin < out[j].Plugin })
	return out
}

// restriction returns the restriction level of path: RestrictNever when
// a never path holds it, else RestrictAdmin when an admin path does, else
// "".
func (sp settingsPlugin) restriction(path string) string {
	level := ""
	for l, paths := range sp.restricted {
		for _, p := range paths {
			if path == p || strings.HasPrefix(path, p+".") {
				if l == server.RestrictNever || level == "" {
					level = l
				}
			}
		}
	}
	return level
}

// fieldType names the kind of a setting, by its default or, when that is
// null, its value.
func fieldType(def, value any) string {
	v := def
	if v == nil {
		v = value
	}
	switch v.(type) {
	case bool:
		return FieldBool
	case int:
		return FieldInteger
	case float64:
		return FieldNumber
	case string:
		return FieldString
	case []any:
		return FieldList
	case map[string]any:
		return FieldObject
	}
	return FieldAny
}

// label makes a label of the last key of a dotted path: words split at
// "_", "-" and lower-to-upper case changes, the first capitalised.
func label(path string) string {
	key := path[strings.LastIndex(path, ".")+1:]
	var words []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range key {
		switch {
		case r == '_' || r == '-' || r == ' ':
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	if len(words) == 0 {
		return key
	}
	out := []rune(strings.Join(words, " "))
	out[0] = unicode.ToUpper(out[0])
	return string(out)
}
