package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A Run is one invocation of a package's test binary: the benchmarks its
// -bench regexp matches, Count samples of each, each sample run for
// Benchtime. Flags are further flags for the test binary, in its own
// spelling (-test.cpu=1).
type Run struct {
	Pkg       string // package directory from the module root: "./hooks"
	Bench     string // -test.bench regexp, as go test's -bench
	Count     int    // samples of each benchmark (-test.count)
	Benchtime string // -test.benchtime: "1s", "200ms" or "20x"
	Flags     []string
}

func (r Run) String() string {
	s := fmt.Sprintf("%s -bench '%s' -count %d -benchtime %s", r.Pkg, r.Bench, r.Count, r.Benchtime)
	if len(r.Flags) > 0 {
		s += " " + strings.Join(r.Flags, " ")
	}
	return s
}

// A Table is one generated region of the page, <!-- bench:table Name -->:
// a label column per entry of Labels, then Columns, one line per Row that
// names the table.
type Table struct {
	Name    string
	Labels  []string
	Columns []Column
}

// A Column shows one metric of each row's benchmark.
type Column struct {
	Head   string
	Metric string // as go test prints it: "ns/op", "B/op", "allocs/op", "lines/s", ...
	Show   Show
	// Optional: a row whose benchmark does not report Metric shows a
	// dash. At least one row of the table must report it.
	Optional bool
}

// Show is how a column shows its metric.
type Show int

const (
	Median  Show = iota // the median of the samples
	Spread              // the median and the largest deviation from it: "4.7 ns ±3%"
	Range               // the smallest and the largest sample: "35–39 µs"
	PerN                // the median divided by the row's N; a dash where N is 0
	Ratio               // the median against the row's Peer: "31x" (faster or larger)
	Verdict             // the verdicts of the targets on the row's benchmark; Metric unused
)

// A Row is one line of a table: Labels (its label cells, separated by
// " | ") and the benchmark whose figures fill the columns. Bench is
// "pkg.BenchmarkName/sub" as go test prints it, pkg the package's
// directory from the module root ("internal/serve"; "" for the root
// package, without the dot), or a peer of peers.tsv ("octoprint/...").
type Row struct {
	Table  string
	Labels string
	Bench  string
	Peer   string // the peer of Ratio columns
	N      int    // the divisor of PerN columns (calls in one op)
}

func (r Row) labels() []string {
	parts := strings.Split(r.Labels, "|")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// A Target is a goal one metric of one benchmark must meet, judged on its
// median. Limit is an operator (<=, <, >=, >, ==) and a bound in the
// metric's unit ("10ns", "20ms", "10KiB", "0", "2.5"), or a multiple of
// the same metric of Of ("100x": at least or at most 100 times Of's
// median).
type Target struct {
	Goal   string // what the summary calls it
	Bench  string
	Metric string
	Limit  string
	Of     string // a benchmark or peer, with an "x" Limit
}

// declared bundles what the script knows: runs, tables, rows, targets.
type declared struct {
	runs    []Run
	tables  []Table
	rows    []Row
	targets []Target
}

// reserved regions are rendered from the run itself, not from rows.
var reserved = map[string]bool{"machine": true, "summary": true}

// validate checks the declarations against each other: every row names a
// table and a benchmark exactly one run covers (or a peer), every target a
// row's benchmark and a limit it can judge, every table has rows.
func (d declared) validate(peers results) error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	tables := map[string]*Table{}
	for i := range d.tables {
		t := &d.tables[i]
		if reserved[t.Name] {
			fail("table %q: the name is reserved for a generated region", t.Name)
		}
		if tables[t.Name] != nil {
			fail("table %q declared twice", t.Name)
		}
		tables[t.Name] = t
	}
	for _, r := range d.runs {
		if r.Count < 1 {
			fail("run %s: count must be at least 1", r)
		}
		if _, err := compileBench(r.Bench); err != nil {
			fail("run %s: %v", r, err)
		}
	}
	used := map[string]bool{}
	for _, r := range d.rows {
		t := tables[r.Table]
		if t == nil {
			fail("row %q: no table %q", r.Bench, r.Table)
			continue
		}
		used[r.Table] = true
		if n := len(r.labels()); n != len(t.Labels) {
			fail("row %q of table %q: %d labels, the table has %d", r.Bench, r.Table, n, len(t.Labels))
		}
		if _, ok := peers[r.Bench]; ok {
			continue
		}
		if r.Peer != "" {
			if _, ok := peers[r.Peer]; !ok {
				fail("row %q: no peer %q in peers.tsv", r.Bench, r.Peer)
			}
		}
		switch n := len(d.runsOf(r.Bench)); n {
		case 0:
			fail("row %q of table %q: no run covers it and it is no peer", r.Bench, r.Table)
		case 1:
		default:
			fail("row %q: %d runs cover it; its samples would mix", r.Bench, n)
		}
	}
	for _, t := range d.tables {
		if !used[t.Name] {
			fail("table %q has no rows", t.Name)
		}
		for _, c := range t.Columns {
			if c.Show == Ratio && !hasPeerRow(d.rows, t.Name) {
				fail("table %q: column %q shows a ratio but no row names a peer", t.Name, c.Head)
			}
		}
	}
	for _, tg := range d.targets {
		if len(d.runsOf(tg.Bench)) == 0 {
			fail("target %q: no run covers %q", tg.Goal, tg.Bench)
		}
		if _, err := parseLimit(tg.Limit, tg.Metric); err != nil {
			fail("target %q: %v", tg.Goal, err)
		}
		lim, _ := parseLimit(tg.Limit, tg.Metric)
		if lim.times && tg.Of == "" {
			fail("target %q: limit %q is a multiple but names no Of", tg.Goal, tg.Limit)
		}
		if !lim.times && tg.Of != "" {
			fail("target %q: Of %q needs a multiple (\"100x\") as its limit", tg.Goal, tg.Of)
		}
		if tg.Of != "" && len(d.runsOf(tg.Of)) == 0 {
			if _, ok := peers[tg.Of]; !ok {
				fail("target %q: Of %q is neither a covered benchmark nor a peer", tg.Goal, tg.Of)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the declarations are inconsistent:\n\t%s", strings.Join(errs, "\n\t"))
	}
	return nil
}

func hasPeerRow(rows []Row, table string) bool {
	for _, r := range rows {
		if r.Table == table && r.Peer != "" {
			return true
		}
	}
	return false
}

// runsOf returns the runs whose package and -bench regexp cover a
// benchmark key.
func (d declared) runsOf(key string) []Run {
	pkg, name, ok := splitKey(key)
	if !ok {
		return nil
	}
	var out []Run
	for _, r := range d.runs {
		if pkgDir(r.Pkg) != pkg {
			continue
		}
		if m, err := compileBench(r.Bench); err == nil && m.matches(name) {
			out = append(out, r)
		}
	}
	return out
}

// tableRuns returns the runs that feed a table's rows, in declared order.
func (d declared) tableRuns(table string) []Run {
	need := map[string]bool{}
	for _, r := range d.rows {
		if r.Table == table {
			for _, run := range d.runsOf(r.Bench) {
				need[run.String()] = true
			}
		}
	}
	var out []Run
	for _, r := range d.runs {
		if need[r.String()] {
			out = append(out, r)
		}
	}
	return out
}

// splitKey splits "internal/serve.BenchmarkX/sub" into its package
// directory and the benchmark's name.
func splitKey(key string) (pkg, name string, ok bool) {
	i := strings.Index(key, "Benchmark")
	if i < 0 {
		return "", "", false
	}
	switch {
	case i == 0:
		return "", key, true
	case key[i-1] == '.':
		return key[:i-1], key[i:], true
	}
	return "", "", false
}

// pkgDir turns a run's "./internal/serve" into "internal/serve" ("" for ".").
func pkgDir(p string) string {
	p = strings.TrimPrefix(strings.TrimPrefix(p, "./"), ".")
	return strings.TrimSuffix(p, "/")
}

// benchMatcher is go test's -bench regexp: one regexp per level of a
// benchmark's name, split at the slashes outside brackets and parentheses.
type benchMatcher []*regexp.Regexp

func compileBench(expr string) (benchMatcher, error) {
	var m benchMatcher
	for _, part := range splitLevels(expr) {
		re, err := regexp.Compile(part)
		if err != nil {
			return nil, fmt.Errorf("-bench %q: %w", expr, err)
		}
		m = append(m, re)
	}
	return m, nil
}

// matches reports whether go test runs the benchmark name (levels beyond
// the regexp's match anything, as in go test).
func (m benchMatcher) matches(name string) bool {
	for i, elem := range strings.Split(name, "/") {
		if i >= len(m) {
			break
		}
		if !m[i].MatchString(elem) {
			return false
		}
	}
	return true
}

func splitLevels(expr string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '/':
			if depth == 0 {
				parts = append(parts, expr[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, expr[start:])
}

func (d declared) hasTable(name string) bool {
	for _, t := range d.tables {
		if t.Name == name {
			return true
		}
	}
	return false
}

// names lists the tables' names in declared order.
func (d declared) names() []string {
	var out []string
	for _, t := range d.tables {
		out = append(out, t.Name)
	}
	return out
}

// targetRuns returns the runs that the targets' benchmarks need.
func (d declared) targetRuns() []Run {
	need := map[string]bool{}
	for _, t := range d.targets {
		for _, key := range []string{t.Bench, t.Of} {
			for _, r := range d.runsOf(key) {
				need[r.String()] = true
			}
		}
	}
	var out []Run
	for _, r := range d.runs {
		if need[r.String()] {
			out = append(out, r)
		}
	}
	return out
}

// checkRuns returns the runs of a check: for each package (and set of
// extra flags) one run of every benchmark, so that a sub-benchmark that
// no declared run's regexp covers runs too, and the check can tell.
func checkRuns(runs []Run) []Run {
	var out []Run
	seen := map[string]bool{}
	for _, r := range runs {
		k := r.Pkg + "\x00" + strings.Join(r.Flags, "\x00")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Run{Pkg: r.Pkg, Bench: ".", Count: 1, Benchtime: "1x", Flags: r.Flags})
	}
	return out
}
