package hooks

import (
	"path"
	"strings"
)

// Match reports whether the hook name matches any of the glob patterns, as
// OctoPrint's hook_matches_hooks does with fnmatch. Patterns follow
// [path.Match]: '*' matches any run of characters (hook names contain no '/',
// so it matches across dots), '?' one character, '[...]' a class ('[^...]'
// negates it). Match is false for an empty name, for no patterns and for
// empty patterns; a malformed pattern matches nothing.
func Match(name string, patterns ...string) bool {
	if name == "" {
		return false
	}
	for _, p := range patterns {
		if p == "" {
			continue
		}
		if ok, err := path.Match(p, name); err == nil && ok {
			return true
		}
	}
	return false
}

// validName reports whether name is a valid hook name: one or more
// non-empty, dot-separated segments of ASCII letters, digits, '_' and '-'.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for seg := range strings.SplitSeq(name, ".") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}
