package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// results holds the samples of each benchmark (and peer) by key,
// "pkg.BenchmarkName/sub": per metric, one value per sample.
type results map[string]map[string][]float64

func (r results) add(key, metric string, v float64) {
	m := r[key]
	if m == nil {
		m = map[string][]float64{}
		r[key] = m
	}
	m[metric] = append(m[metric], v)
}

// output is what a run of the script printed: the samples, the benchmarks
// that were skipped (with go test's reason), and the metadata lines the
// script wrote about the machine and the run.
type output struct {
	results results
	skipped map[string]string
	meta    map[string][]string
	order   []string // keys in the order first seen
}

var (
	// BenchmarkName-8   	  1000	  123.4 ns/op	  5 B/op ...
	resultRE = regexp.MustCompile(`^(Benchmark\S*)\s+(\d+)\s+(.*)$`)
	// a trailing GOMAXPROCS suffix, as go test appends it
	procsRE = regexp.MustCompile(`-\d+$`)
	skipRE  = regexp.MustCompile(`^\s*--- SKIP: (Benchmark\S*)`)
	metaRE  = regexp.MustCompile(`^(bench-[a-z0-9-]+|pkg|cpu):\s*(.*?)\s*$`)
)

// parse reads go test -bench output, as go test and the script print it.
// module is the module's path: "pkg: <module>/internal/serve" makes the
// following benchmarks' keys start with "internal/serve.". A result line
// must have an iteration count and whole value-unit pairs; any other line
// (logs, PASS, ok) is skipped.
func parse(r io.Reader, module string) (*output, error) {
	out := &output{results: results{}, skipped: map[string]string{}, meta: map[string][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	pkg, lineNo := "", 0
	var lastSkip string // a SKIP line without its reason yet
	var logged string   // the last indented line since the last unindented one
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if m := metaRE.FindStringSubmatch(line); m != nil {
			if m[1] == "pkg" {
				pkg = relPkg(m[2], module)
			} else {
				out.meta[m[1]] = append(out.meta[m[1]], m[2])
			}
			continue
		}
		if m := skipRE.FindStringSubmatch(line); m != nil {
			key := keyOf(pkg, procsRE.ReplaceAllString(m[1], ""))
			out.skipped[key] = ""
			if logged != "" {
				out.skipped[key] = skipReason(logged)
			} else {
				lastSkip = key
			}
			logged = ""
			continue
		}
		if t := strings.TrimSpace(line); t != "" && (line[0] == ' ' || line[0] == '\t') {
			// A log line of a benchmark: with -test.v, go test prints the
			// reason of a skip before the SKIP line, without it after.
			if lastSkip != "" && out.skipped[lastSkip] == "" {
				out.skipped[lastSkip] = skipReason(t)
			}
			logged = t
			continue
		}
		lastSkip, logged = "", ""
		m := resultRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		if len(fields)%2 != 0 {
			return nil, fmt.Errorf("line %d: %q: values and units do not pair up", lineNo, line)
		}
		key := keyOf(pkg, procsRE.ReplaceAllString(m[1], ""))
		if _, seen := out.results[key]; !seen {
			out.order = append(out.order, key)
		}
		for i := 0; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %q: value %q of %s: %w", lineNo, line, fields[i], fields[i+1], err)
			}
			out.results.add(key, fields[i+1], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// skipReason drops the "file.go:12: " go test puts before a skip message,
// and a trailing remark in parentheses.
func skipReason(s string) string {
	if i := strings.Index(s, ".go:"); i >= 0 {
		if j := strings.Index(s[i+4:], ": "); j >= 0 {
			s = s[i+4+j+2:]
		}
	}
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	return s
}

func relPkg(importPath, module string) string {
	if importPath == module {
		return ""
	}
	if rest, ok := strings.CutPrefix(importPath, module+"/"); ok {
		return rest
	}
	return importPath
}

func keyOf(pkg, name string) string {
	if pkg == "" {
		return name
	}
	return pkg + "." + name
}
