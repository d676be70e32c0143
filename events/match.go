package events

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// matcher is a subscriber's compiled set of patterns. Plain names and
// "prefix*" patterns, the common cases, are matched without [path.Match].
type matcher struct {
	all      bool     // "*" or no pattern: every event
	exact    []string // patterns without metacharacters
	prefixes []string // "prefix*" patterns, stored without the '*'
	globs    []glob   // everything else, for path.Match
}

// glob is a pattern for path.Match with its literal prefix, the part before
// the first metacharacter, which a matching name must start with: checking
// it first spares most path.Match calls for names that do not match.
type glob struct {
	pattern, prefix string
}

// compile validates patterns and compiles them. No pattern means every
// event. A pattern must be non-empty and well-formed for [path.Match].
func compile(patterns []string) (matcher, error) {
	var m matcher
	if len(patterns) == 0 {
		m.all = true
		return m, nil
	}
	for _, p := range patterns {
		if p == "" {
			return matcher{}, fmt.Errorf("empty pattern: %w", path.ErrBadPattern)
		}
		if _, err := path.Match(p, ""); err != nil {
			return matcher{}, fmt.Errorf("pattern %q: %w", p, err)
		}
		switch {
		case p == "*":
			m.all = true
		case !hasMeta(p):
			m.exact = append(m.exact, p)
		case strings.HasSuffix(p, "*") && !hasMeta(p[:len(p)-1]):
			m.prefixes = append(m.prefixes, p[:len(p)-1])
		default:
			m.globs = append(m.globs, glob{pattern: p, prefix: p[:strings.IndexAny(p, metaChars)]})
		}
	}
	if m.all { // the rest can never matter
		return matcher{all: true}, nil
	}
	m.exact = slices.Compact(slices.Sorted(slices.Values(m.exact)))
	return m, nil
}

// hasMeta reports whether p contains a character special to [path.Match].
func hasMeta(p string) bool {
	return strings.ContainsAny(p, metaChars)
}

// metaChars are the characters special to [path.Match].
const metaChars = `*?[\`

// match reports whether the event name matches. It agrees with path.Match
// for every pattern but "*", which matches every name, even one containing
// a '/' (path.Match's '*' stops at '/').
func (m *matcher) match(name string) bool {
	if m.all {
		return true
	}
	for _, e := range m.exact {
		if e == name {
			return true
		}
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(name, p) && !strings.Contains(name[len(p):], "/") {
			return true
		}
	}
	for _, g := range m.globs {
		if !strings.HasPrefix(name, g.prefix) {
			continue
		}
		if ok, _ := path.Match(g.pattern, name); ok {
			return true
		}
	}
	return false
}
