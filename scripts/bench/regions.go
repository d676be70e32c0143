package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The page's generated regions are marked by a line
// <!-- bench:table NAME --> before and a line <!-- bench:end --> after.
var (
	beginRE = regexp.MustCompile(`^<!-- bench:table ([A-Za-z0-9_.-]+) -->$`)
	endLine = "<!-- bench:end -->"
)

// region is a marked region of a page: its name and the lines of its
// markers (0-based).
type region struct {
	name       string
	begin, end int
}

// findRegions lists a page's regions; a marker out of place (a region
// inside another, an end without a begin, a begin without an end, a name
// twice, a marker that looks like one but is misspelt) is an error.
func findRegions(lines []string) ([]region, error) {
	var out []region
	var errs []error
	seen := map[string]int{}
	open := -1
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "<!-- bench:") {
			continue
		}
		if m := beginRE.FindStringSubmatch(trimmed); m != nil {
			if open >= 0 {
				errs = append(errs, fmt.Errorf("line %d: region %q begins inside region %q (line %d), which has no %s", i+1, m[1], out[open].name, out[open].begin+1, endLine))
				out = out[:open]
			}
			if first, dup := seen[m[1]]; dup {
				errs = append(errs, fmt.Errorf("line %d: region %q again (first at line %d)", i+1, m[1], first+1))
			}
			seen[m[1]] = i
			out = append(out, region{name: m[1], begin: i, end: -1})
			open = len(out) - 1
			continue
		}
		if trimmed == endLine {
			if open < 0 {
				errs = append(errs, fmt.Errorf("line %d: %s without a region before it", i+1, endLine))
				continue
			}
			out[open].end = i
			open = -1
			continue
		}
		errs = append(errs, fmt.Errorf("line %d: %q is not a marker (want \"<!-- bench:table NAME -->\" or %q)", i+1, trimmed, endLine))
	}
	if open >= 0 {
		errs = append(errs, fmt.Errorf("line %d: region %q has no %s", out[open].begin+1, out[open].name, endLine))
		out = out[:open]
	}
	return out, errors.Join(errs...)
}

// rewrite replaces the contents of the regions render knows, keeping every
// other line. only, if not empty, limits the rewrite to that one region;
// the page must then have it. Without only, every name in want must have
// a region. A page with a marker out of place, a region render fails on
// or a region it has no name for is an error, and nothing is returned.
func rewrite(text string, want []string, only string, render func(name string) (string, error)) (string, error) {
	lines := strings.Split(text, "\n")
	regions, err := findRegions(lines)
	if err != nil {
		return "", err
	}
	var errs []error
	have := map[string]bool{}
	var b strings.Builder
	next := 0
	for _, r := range regions {
		have[r.name] = true
		if only != "" && r.name != only {
			continue
		}
		body, err := render(r.name)
		if err != nil {
			errs = append(errs, fmt.Errorf("region %q (line %d): %w", r.name, r.begin+1, err))
			continue
		}
		for _, l := range lines[next : r.begin+1] {
			b.WriteString(l)
			b.WriteString("\n")
		}
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(body, "\n"))
		b.WriteString("\n\n")
		next = r.end
	}
	b.WriteString(strings.Join(lines[next:], "\n"))
	if only != "" && !have[only] {
		errs = append(errs, fmt.Errorf("the page has no region %q", only))
	}
	if only == "" {
		for _, name := range want {
			if !have[name] {
				errs = append(errs, fmt.Errorf("the page has no region %q (add <!-- bench:table %s --> and %s where it belongs)", name, name, endLine))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return b.String(), nil
}
