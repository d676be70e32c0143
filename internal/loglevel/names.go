// Package loglevel keeps the levels of the tentacle server's loggers, as
// OctoPrint's logging settings do: each logger has a dotted name
// (tentacle.plugins.<id>, tentacle.events, ...), a level set for a name
// applies to the loggers below it unless one of them has its own, and a
// change applies at once to every logger of the name, without a restart.
//
// A [Registry] holds the levels; its [Handler] filters the records of a
// logger by the level of the logger's name, which it takes from the
// "logger" attribute given to With. The levels set by an operator are kept
// in logging.yaml in OctoPrint's shape (see [OpenFile], [ReadLevels] and [WriteLevels]).
package loglevel

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Root is the name of the server's own logger, above every other: records
// without a logger name count as its.
const Root = "tentacle"

// OctoPrint's level names, the only ones the logging API answers with.
const (
	Debug    = "DEBUG"
	Info     = "INFO"
	Warning  = "WARNING"
	Error    = "ERROR"
	Critical = "CRITICAL"
)

// LevelCritical is OctoPrint's CRITICAL, which slog lacks: above error.
const LevelCritical = slog.LevelError + 4

// Names are the level names Parse takes, in OctoPrint's order.
var Names = []string{Debug, Info, Warning, Error, Critical}

var levels = map[string]slog.Level{
	Debug: slog.LevelDebug, Info: slog.LevelInfo, Warning: slog.LevelWarn,
	"WARN": slog.LevelWarn, Error: slog.LevelError, Critical: LevelCritical,
}

// Parse reads a level name: one of OctoPrint's (DEBUG, INFO, WARNING,
// ERROR, CRITICAL) or WARN, in any case. Anything else is an error that
// names the level and the names taken.
func Parse(name string) (slog.Level, error) {
	if l, ok := levels[strings.ToUpper(strings.TrimSpace(name))]; ok {
		return l, nil
	}
	return 0, fmt.Errorf("unknown log level %s: the levels are %s", strconv.Quote(name), strings.Join(Names, ", "))
}

// Name returns OctoPrint's name of a level: the nearest of DEBUG, INFO,
// WARNING, ERROR and CRITICAL at or below it, DEBUG below debug.
func Name(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return Critical
	case l >= slog.LevelError:
		return Error
	case l >= slog.LevelWarn:
		return Warning
	case l >= slog.LevelInfo:
		return Info
	}
	return Debug
}

// octoPrintRoot is OctoPrint's name of its own logger, which stands for
// Tentacle's.
const octoPrintRoot = "octoprint"

// Canonical returns Tentacle's name of a logger: tentacle or a name below
// it (tentacle.plugins.<id>), with OctoPrint's names taken as Tentacle's
// (octoprint.plugins.<id> is tentacle.plugins.<id>, octoprint is
// tentacle). The parts between dots are letters, digits, '_' and '-'. Any
// other name is an error that says why.
func Canonical(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == octoPrintRoot:
		n = Root
	case strings.HasPrefix(n, octoPrintRoot+"."):
		n = Root + n[len(octoPrintRoot):]
	}
	if n != Root && !strings.HasPrefix(n, Root+".") {
		return "", fmt.Errorf("logger %s is not one of Tentacle's: their names are tentacle or start with tentacle. (octoprint. is taken as tentacle.)", strconv.Quote(name))
	}
	for _, part := range strings.Split(n, ".") {
		if part == "" {
			return "", fmt.Errorf("logger %s has an empty part between dots", strconv.Quote(name))
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return "", fmt.Errorf("logger %s has the character %q: names are letters, digits, '_' and '-' between dots", strconv.Quote(name), c)
			}
		}
	}
	return n, nil
}

// PluginLogger is the name of plugin id's logger.
func PluginLogger(id string) string { return Root + ".plugins." + id }

// parent returns the name above name, and false for a name without one.
func parent(name string) (string, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	return name[:i], true
}

// ParseLevels reads levels by logger name, as the logging API and the
// command line take them: each name canonical (see [Canonical]) and each
// level one [Parse] takes. A bad name or level is an error naming it, and
// nothing is taken.
func ParseLevels(in map[string]string) (map[string]slog.Level, error) {
	out := make(map[string]slog.Level, len(in))
	for _, name := range slices.Sorted(maps.Keys(in)) {
		canon, err := Canonical(name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(in[name])
		if err != nil {
			return nil, fmt.Errorf("logger %s: %w", canon, err)
		}
		out[canon] = l
	}
	return out, nil
}

// Format returns levels by name with OctoPrint's level names.
func Format(levels map[string]slog.Level) map[string]string {
	out := make(map[string]string, len(levels))
	for name, l := range levels {
		out[name] = Name(l)
	}
	return out
}
