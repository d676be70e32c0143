package loglevel

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/tentacle-go/tentacle/settings"
)

// FileName is the file of the base directory that keeps the levels an
// operator set, named and shaped as OctoPrint's:
//
//	loggers:
//	  tentacle.plugins.foo:
//	    level: DEBUG
//
// Entries of loggers that are not Tentacle's, and every other key of the
// file, are kept as they are and not used.
const FileName = "logging.yaml"

// loggersKey and levelKey are where logging.yaml keeps a level:
// loggers.<name>.level.
const (
	loggersKey = "loggers"
	levelKey   = "level"
)

// OpenFile opens logging.yaml at path with the settings store, which
// writes it atomically. A file that does not parse gives a read-only store
// (see [settings.Open]) and the error; a missing file an empty store.
func OpenFile(path string) (*settings.Store, error) {
	return settings.Open(path, nil)
}

// ReadLevels returns the levels st (a logging.yaml) sets, by canonical
// name (an OctoPrint name is taken as Tentacle's). An entry whose name or
// level is not taken is left out with a warning that says why.
func ReadLevels(st *settings.Store) (map[string]slog.Level, []string) {
	out := map[string]slog.Level{}
	var warnings []string
	loggers, _ := st.Get(loggersKey).(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(loggers)) {
		entry, ok := loggers[name].(map[string]any)
		if !ok {
			continue
		}
		v, ok := entry[levelKey]
		if !ok {
			continue
		}
		canon, err := Canonical(name)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v: ignored", FileName, err))
			continue
		}
		s, _ := v.(string)
		l, err := Parse(s)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: logger %s: %v: ignored", FileName, name, err))
			continue
		}
		out[canon] = l
	}
	return out, warnings
}

// WriteLevels makes levels (by canonical name) the levels st sets, in
// place of those of Tentacle's loggers it set before, and saves it. Other
// keys of the loggers' entries, and entries of loggers that are not
// Tentacle's, are kept.
func WriteLevels(st *settings.Store, levels map[string]slog.Level) error {
	loggers, _ := st.Get(loggersKey).(map[string]any)
	out := map[string]any{}
	for name, v := range loggers {
		if _, err := Canonical(name); err != nil {
			out[name] = v // not Tentacle's: kept as it is
			continue
		}
		entry, ok := v.(map[string]any)
		if !ok {
			continue
		}
		delete(entry, levelKey)
		if len(entry) > 0 {
			out[name] = entry
		}
	}
	for name, l := range levels {
		entry, _ := out[name].(map[string]any)
		if entry == nil {
			entry = map[string]any{}
		}
		entry[levelKey] = Name(l)
		out[name] = entry
	}
	var err error
	if len(out) == 0 {
		err = st.Remove(loggersKey)
	} else {
		err = st.Set(loggersKey, out)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", FileName, err)
	}
	if err := st.Save(); err != nil {
		return fmt.Errorf("%s: %w", FileName, err)
	}
	return nil
}
