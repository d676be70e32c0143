package serve

import (
	"sort"
	"strings"
	"unicode"

	"github.com/tentacle-go/tentacle/internal/web"
	"github.com/tentacle-go/tentacle/server"
)

// settingsForms describes a form for each of the settings plugins sps
// that the settings API shows (view), is not hidden, has no settings
// template and has defaults.
func (s *Server) settingsForms(sps []settingsPlugin, admin bool, view map[string]map[string]any, hasPane map[string]bool) []web.SettingsForm {
	var out []web.SettingsForm
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
		form := web.SettingsForm{Plugin: sp.id, Name: info.Name, ID: "settings_plugin_" + sp.id, Fields: []web.SettingsField{}}
		walk(dm, "", func(path string, def any) bool {
			if path == configVersionKey {
				return true
			}
			if m, isMap := def.(map[string]any); isMap && len(m) > 0 {
				return true // its leaves follow
			}
			value, _ := lookup(current, path)
			f := web.SettingsField{Path: path, Key: "plugins." + sp.id + "." + path, Label: label(path),
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
		return web.FieldBool
	case int:
		return web.FieldInteger
	case float64:
		return web.FieldNumber
	case string:
		return web.FieldString
	case []any:
		return web.FieldList
	case map[string]any:
		return web.FieldObject
	}
	return web.FieldAny
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
