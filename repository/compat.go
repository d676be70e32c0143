package repository

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// CompatibleWith computes the entry's is_compatible for a host of API
// version apiVersion running on goos (a runtime.GOOS value), as
// OctoPrint's Plugin Manager does for its own host:
//
//   - OctoPrint: compatibility.tentacle, a semver constraint on the API
//     version, matches it, checked exactly as the plugin system checks a
//     plugin's Compat; true when the entry states none. An invalid
//     constraint, or an apiVersion that is not semver while there is a
//     constraint, is false. compatibility.octoprint (OctoPrint versions)
//     is not checked.
//   - OS: compatibility.os admits goos, by OctoPrint's rules (see
//     [OSCompatible]); true when the list is absent or empty.
//   - Python: always true. A Go host runs no Python, so
//     compatibility.python says nothing about it.
func (e Entry) CompatibleWith(apiVersion, goos string) IsCompatible {
	return IsCompatible{
		OctoPrint: apiCompatible(e.Compatibility.Tentacle, apiVersion),
		OS:        OSCompatible(e.Compatibility.OS, goos),
		Python:    true,
	}
}

func apiCompatible(constraint, apiVersion string) bool {
	if strings.TrimSpace(constraint) == "" {
		return true
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return false
	}
	v, err := semver.NewVersion(apiVersion)
	if err != nil {
		return false
	}
	return c.Check(v)
}

// osGroups are the names that stand for several systems in OctoPrint's
// repository (its site expands them when it renders plugins.json).
var osGroups = map[string][]string{
	"posix": {"linux", "freebsd", "macos"},
	"nix":   {"linux", "freebsd"},
}

// OSName returns OctoPrint's name for the operating system goos (a
// runtime.GOOS value): "macos" for darwin; linux, windows, freebsd and
// android are the same in both; any other is returned as it is.
func OSName(goos string) string {
	if goos == "darwin" {
		return "macos"
	}
	return goos
}

// OSCompatible reports whether an entry's compatibility.os admits goos,
// as OctoPrint decides: an empty list admits every system; names prefixed
// "!" exclude a system; when there are names without "!", goos must be
// among them. A name matches by OctoPrint's name or by the GOOS
// ("macos" and "darwin" both match darwin), without regard to case; the
// groups posix (linux, freebsd, macos) and nix (linux, freebsd) stand for
// their members. Empty names are ignored.
func OSCompatible(entries []string, goos string) bool {
	names := []string{strings.ToLower(goos), OSName(strings.ToLower(goos))}
	matches := func(name string) bool {
		if members, ok := osGroups[name]; ok {
			return slices.ContainsFunc(members, func(m string) bool { return slices.Contains(names, m) })
		}
		return slices.Contains(names, name)
	}
	positive, positiveMatch, negativeMatch := false, false, false
	for _, raw := range entries {
		name := strings.ToLower(strings.TrimSpace(raw))
		neg := strings.HasPrefix(name, "!")
		name = strings.TrimPrefix(name, "!")
		if name == "" {
			continue
		}
		switch {
		case neg:
			negativeMatch = negativeMatch || matches(name)
		default:
			positive = true
			positiveMatch = positiveMatch || matches(name)
		}
	}
	return (!positive || positiveMatch) && !negativeMatch
}
