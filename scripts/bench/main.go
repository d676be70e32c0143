package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

//go:embed peers.tsv
var peersTSV []byte

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command line's flags.
type options struct {
	check   bool
	raw     string
	from    string
	only    string
	print   bool
	doc     string
	timeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.check, "check", false, "run each declared benchmark once (-benchtime 1x) and check that every row's figures are there; rewrite nothing")
	fs.StringVar(&o.raw, "raw", "", "also save the output of the runs in `file`")
	fs.StringVar(&o.from, "from", "", "render from the output saved in `file` instead of running")
	fs.StringVar(&o.only, "only", "", "run and rewrite only the table `name`")
	fs.BoolVar(&o.print, "print", false, "print the tables instead of rewriting the page")
	fs.StringVar(&o.doc, "doc", "docs/benchmarks.md", "the `page` to rewrite, from the module root (or absolute)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "the longest one run may take (the test binary's -test.timeout)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./scripts/bench [-check] [-only table] [-raw file | -from file] [-print]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.only != "" && o.from == "" && !o.print && !o.check {
		return o, errors.New("-only runs a part of the benchmarks: add -print (or -check); the page is rewritten from a whole run only, or -from its saved output")
	}
	if o.from != "" && (o.check || o.raw != "") {
		return o, errors.New("-from renders saved output: it does not go with -check or -raw")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, module, err := findModule()
	if err != nil {
		return err
	}
	peers, err := parsePeers(bytes.NewReader(peersTSV))
	if err != nil {
		return err
	}
	d := declarations()
	if err := d.validate(peers); err != nil {
		return err
	}
	if o.only != "" && !reserved[o.only] && !d.hasTable(o.only) {
		return fmt.Errorf("-only %s: no such table (tables: %s)", o.only, strings.Join(d.names(), ", "))
	}

	var out *output
	if o.from != "" {
		f, err := os.Open(o.from)
		if err != nil {
			return err
		}
		defer f.Close()
		if out, err = parse(f, module); err != nil {
			return fmt.Errorf("%s: %w", o.from, err)
		}
	} else {
		funcs, err := findBenchmarks(root)
		if err != nil {
			return err
		}
		if unc := d.uncovered(funcs); len(unc) > 0 {
			var lines []string
			for _, f := range unc {
				lines = append(lines, fmt.Sprintf("%s (%s)", keyOf(f.pkg, f.name), f.pos))
			}
			return fmt.Errorf("no run in scripts/bench/declared.go covers these benchmarks; add a run (and rows that show them):\n\t%s", strings.Join(lines, "\n\t"))
		}
		if out, err = measure(o, d, root, module, stderr); err != nil {
			return err
		}
	}

	p := newPage(d, out, peers)
	names := append([]string{"machine", "summary"}, d.names()...)
	if o.print {
		var errs []error
		for _, name := range names {
			if o.only != "" && name != o.only {
				continue
			}
			body, err := p.region(name)
			if err != nil {
				errs = append(errs, err)
			}
			fmt.Fprintf(stdout, "<!-- bench:table %s -->\n\n%s\n", name, body)
		}
		p.warn(stderr)
		if err := errors.Join(errs...); err != nil {
			return err
		}
	} else {
		docPath := o.doc
		if !filepath.IsAbs(docPath) {
			docPath = filepath.Join(root, filepath.FromSlash(o.doc))
		}
		text, err := os.ReadFile(docPath)
		if err != nil {
			return err
		}
		newText, err := rewrite(string(text), names, o.only, p.region)
		if err != nil {
			return fmt.Errorf("%s: %w", o.doc, err)
		}
		p.warn(stderr)
		if o.check {
			return checked(o, d, out, p, stdout, stderr)
		}
		if err := writeFileAtomic(docPath, []byte(newText)); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "bench: rewrote %s\n", o.doc)
	}
	for _, v := range p.verdicts {
		if v.missing == "not run" {
			continue
		}
		fmt.Fprintf(stdout, "%-9s %s: %s %s\n", strings.Trim(v.String(), "*"), v.target.Goal, v.limit.show(v.target.Metric), v.measured)
	}
	return nil
}

// measure runs the runs (all, or those of -only's table) and returns
// their parsed output, saved to -raw if asked.
func measure(o options, d declared, root, module string, stderr io.Writer) (*output, error) {
	runs := d.runs
	switch {
	case o.only == "summary":
		runs = d.targetRuns()
	case o.only != "" && o.only != "machine":
		runs = d.tableRuns(o.only)
	case o.check:
		runs = checkRuns(d.runs)
	}
	var buf bytes.Buffer
	var w io.Writer = &buf
	if o.raw != "" {
		f, err := os.Create(o.raw)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		w = io.MultiWriter(&buf, f)
	}
	rn := &runner{root: root, w: w, log: stderr, check: o.check, timeout: o.timeout}
	if err := rn.run(runs); err != nil {
		return nil, err
	}
	return parse(&buf, module)
}

// checked finishes a check: every run ran a benchmark, every target has
// its figure.
func checked(o options, d declared, out *output, p *page, stdout, stderr io.Writer) error {
	if err := ranAll(o, d, out); err != nil {
		return err
	}
	if o.only == "" || o.only == "summary" {
		var errs []string
		for _, v := range p.verdicts {
			if v.missing != "" && !strings.HasPrefix(v.missing, "skipped") {
				errs = append(errs, fmt.Sprintf("target %q: %s", v.target.Goal, v.missing))
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("targets without a figure:\n\t%s", strings.Join(errs, "\n\t"))
		}
	}
	for _, w := range unshown(d, out) {
		fmt.Fprintf(stderr, "bench: warning: %s ran but no row shows it\n", w)
	}
	fmt.Fprintf(stdout, "bench: check passed: %d benchmarks ran; every row and target has its figures; %s has a region for every table\n", len(out.results)-len(p.peers), o.doc)
	return nil
}

// ranAll reports a declared run that ran no benchmark in the check (its
// regexp has gone stale), and a benchmark that ran in the check but that
// no declared run covers (a whole run would not measure it).
func ranAll(o options, d declared, out *output) error {
	var errs []string
	covered := map[string]bool{}
	for _, key := range out.order {
		runs := d.runsOf(key)
		if len(runs) == 0 {
			errs = append(errs, fmt.Sprintf("%s ran in the check but no run in scripts/bench/declared.go covers it, so a whole run would not measure it", key))
		}
		for _, r := range runs {
			covered[r.String()] = true
		}
	}
	for key := range out.skipped {
		for _, r := range d.runsOf(key) {
			covered[r.String()] = true
		}
	}
	for _, r := range d.runs {
		if o.only != "" && !containsRun(d.tableRuns(o.only), r) {
			continue
		}
		if !covered[r.String()] {
			errs = append(errs, fmt.Sprintf("run %s matches no benchmark", r))
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func containsRun(runs []Run, r Run) bool {
	for _, x := range runs {
		if x.String() == r.String() {
			return true
		}
	}
	return false
}

// unshown lists the benchmarks that ran but that no row or target names.
func unshown(d declared, out *output) []string {
	named := map[string]bool{}
	for _, r := range d.rows {
		named[r.Bench] = true
	}
	for _, t := range d.targets {
		named[t.Bench] = true
	}
	var keys []string
	for _, k := range out.order {
		if !named[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// findModule finds the module root from the working directory up, and
// the module's path.
func findModule() (root, module string, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(m), `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s: no module line", filepath.Join(dir, "go.mod"))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no go.mod in the working directory or above it: run from the repository")
		}
		dir = parent
	}
}

// writeFileAtomic replaces path with data, or leaves it as it was.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".bench-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil {
		if err := os.Chmod(f.Name(), fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return os.Rename(f.Name(), path)
}
