package repository

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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

// OctoPrint's notices and blocklist write versions and version ranges as
// Python does (PEP 440: "1.11.0rc1", ">=0.1.0,<1", "~=1.4.2", "==1.4.*");
// Tentacle compares versions with Masterminds/semver. This file translates
// the first into the second. The translation is exact for what those lists
// hold in practice (releases, pre-releases, the comparison operators, "=="
// with a wildcard, "~=") and approximate at the edges: a post-release
// ("1.0.post1") compares equal to its release, a dev release of a
// pre-release ("1.0a1.dev2") equal to the pre-release, components after
// the third are ignored, and "===" is "==". Masterminds' own syntax ("^1.2",
// "~1.2", "1.x", "||", ranges with " - ") passes through unchanged.

// pep440 matches a PEP 440 version without epoch.
var pep440 = regexp.MustCompile(`(?i)^v?(\d+(?:\.\d+)*)` +
	`(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?` +
	`(?:[-_.]?(post|rev|r)[-_.]?(\d+)?|-(\d+))?` +
	`(?:[-_.]?(dev)[-_.]?(\d+)?)?` +
	`(?:\+([0-9a-z]+(?:[-_.][0-9a-z]+)*))?$`)

// semverOf converts a PEP 440 version into semver's syntax: "1.11rc1" is
// "1.11.0-rc.1", "1.0.dev3" is "1.0.0-0.dev.3" (before any pre-release,
// as in PEP 440), "1.0.post2" is "1.0.0+post.2". A version that is not
// PEP 440 (semver's own "1.2.3-beta.1" mostly is) is returned unchanged.
func semverOf(v string) string {
	v = strings.TrimSpace(v)
	m := pep440.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	parts := strings.Split(m[1], ".")
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	for i, p := range parts[:3] {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v
		}
		parts[i] = strconv.FormatUint(n, 10)
	}
	out := strings.Join(parts[:3], ".")
	num := func(s string) string {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return "0"
		}
		return strconv.FormatUint(n, 10)
	}
	switch pre := strings.ToLower(m[2]); {
	case pre != "":
		name := map[string]string{"a": "alpha", "alpha": "alpha", "b": "beta", "beta": "beta"}[pre]
		if name == "" {
			name = "rc"
		}
		out += "-" + name + "." + num(m[3])
	case m[7] != "":
		out += "-0.dev." + num(m[8])
	}
	var build []string
	if m[4] != "" {
		build = append(build, "post", num(m[5]))
	} else if m[6] != "" {
		build = append(build, "post", num(m[6]))
	}
	if m[9] != "" {
		build = append(build, strings.FieldsFunc(strings.ToLower(m[9]), func(r rune) bool {
			return r == '.' || r == '-' || r == '_'
		})...)
	}
	if len(build) > 0 {
		out += "+" + strings.Join(build, ".")
	}
	return out
}

// parseVersion parses a version written either way.
func parseVersion(v string) (*semver.Version, error) {
	return semver.NewVersion(semverOf(v))
}

// sameVersion reports whether a and b are the same version: the same
// string, or equal once parsed ("1.0" and "1.0.0", as PEP 440's ==).
func sameVersion(a, b string) bool {
	if strings.TrimSpace(a) == strings.TrimSpace(b) {
		return true
	}
	va, errA := parseVersion(a)
	vb, errB := parseVersion(b)
	return errA == nil && errB == nil && va.Equal(vb)
}

// clauseRE finds the operator and version of each clause of a specifier.
var clauseRE = regexp.MustCompile(`(===|~=|==|!=|<=|>=|=>|=<|~>|<|>|=|~|\^)?\s*([^\s,<>=!~^|]+)`)

var errEmptySpec = errors.New("empty version specifier")

// parseSpecifier reads a version specifier as OctoPrint's lists write them
// (PEP 440, "," meaning and) or as Masterminds does (also "||" and
// spaces), into a Masterminds constraint. bare is the operator of a
// clause without one: "" keeps Masterminds' meaning (equal), ">=" is
// OctoPrint's for its own versions ("1.3.5" meaning ">=1.3.5").
func parseSpecifier(spec, bare string) (*semver.Constraints, error) {
	var groups []string
	for group := range strings.SplitSeq(spec, "||") {
		if strings.Contains(group, " - ") { // a Masterminds range
			groups = append(groups, strings.TrimSpace(group))
			continue
		}
		if rest := strings.Trim(clauseRE.ReplaceAllString(group, ""), " \t,"); rest != "" {
			return nil, fmt.Errorf("version specifier %q: cannot read %q", spec, rest)
		}
		var clauses []string
		for _, m := range clauseRE.FindAllStringSubmatch(group, -1) {
			c, err := translateClause(m[1], m[2], bare)
			if err != nil {
				return nil, fmt.Errorf("version specifier %q: %w", spec, err)
			}
			clauses = append(clauses, c)
		}
		if len(clauses) == 0 {
			return nil, fmt.Errorf("version specifier %q: %w", spec, errEmptySpec)
		}
		groups = append(groups, strings.Join(clauses, ", "))
	}
	return semver.NewConstraint(strings.Join(groups, " || "))
}

// translateClause writes one clause in Masterminds' syntax.
func translateClause(op, ver, bare string) (string, error) {
	if op == "" {
		op = bare
	}
	switch {
	case op == "~=":
		return compatibleRelease(ver)
	case strings.HasSuffix(ver, ".*"):
		ver = strings.TrimSuffix(ver, ".*") + ".x"
	case !strings.ContainsAny(ver, "xX*"):
		ver = semverOf(ver)
	}
	if op == "===" || op == "==" {
		op = "="
	}
	return op + ver, nil
}

// compatibleRelease translates PEP 440's "~=V": at least V, and the same
// release but for its last component ("~=1.4.2" is ">=1.4.2, <1.5.0",
// "~=2.2" is ">=2.2.0, <3.0.0").
func compatibleRelease(ver string) (string, error) {
	m := pep440.FindStringSubmatch(strings.TrimSpace(ver))
	if m == nil {
		return "", fmt.Errorf("~=%s: not a version", ver)
	}
	comps := strings.Split(m[1], ".")
	if len(comps) < 2 {
		return "", fmt.Errorf("~=%s: needs a release of two components or more", ver)
	}
	upper := comps[:len(comps)-1]
	last, err := strconv.ParseUint(upper[len(upper)-1], 10, 64)
	if err != nil {
		return "", fmt.Errorf("~=%s: %w", ver, err)
	}
	upper[len(upper)-1] = strconv.FormatUint(last+1, 10)
	upper = upper[:min(len(upper), 3)]
	for len(upper) < 3 {
		upper = append(upper, "0")
	}
	return ">=" + semverOf(ver) + ", <" + strings.Join(upper, "."), nil
}
