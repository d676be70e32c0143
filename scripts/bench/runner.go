package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// runner runs the declared runs from the module root and writes
// everything they print, with the script's own metadata lines
// (bench-...: value), to w.
type runner struct {
	root    string
	w       io.Writer
	log     io.Writer // progress for the person waiting
	check   bool      // one iteration of each benchmark, one sample
	timeout time.Duration
}

// effective returns a run as the runner runs it: in a check, one sample
// of one iteration.
func (rn *runner) effective(r Run) Run {
	if rn.check {
		r.Count, r.Benchtime = 1, "1x"
	}
	return r
}

// fields records a run: package, -bench, -count, -benchtime, flags.
func (rn *runner) fields(r Run) []string {
	r = rn.effective(r)
	return append([]string{r.Pkg, r.Bench, fmt.Sprint(r.Count), r.Benchtime}, r.Flags...)
}

// testFlags returns the test binary's flags for a run.
func (rn *runner) testFlags(r Run) []string {
	r = rn.effective(r)
	flags := []string{
		"-test.run=^$", "-test.bench=" + r.Bench, "-test.benchmem", "-test.v",
		fmt.Sprintf("-test.count=%d", r.Count), "-test.benchtime=" + r.Benchtime,
		"-test.timeout=" + rn.timeout.String(),
	}
	return append(flags, r.Flags...)
}

// run builds each package's test binary once and runs the runs one after
// the other, in declared order. A run that fails (a benchmark that fails,
// a binary that does not build) stops the whole run.
func (rn *runner) run(runs []Run) error {
	start := time.Now()
	rn.meta("bench-mode", map[bool]string{true: "check (-benchtime 1x, one sample)", false: "full"}[rn.check])
	m := machine(rn.root)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		rn.meta(k, m[k])
	}
	rn.meta("bench-load-before", loadavg())
	for _, r := range runs {
		rn.meta("bench-run", strings.Join(rn.fields(r), "\t"))
	}
	dir, err := os.MkdirTemp("", "tentacle-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins := map[string]string{}
	for _, r := range runs {
		if bins[r.Pkg] != "" {
			continue
		}
		bin := filepath.Join(dir, fmt.Sprintf("%d.test", len(bins)))
		fmt.Fprintf(rn.log, "bench: go test -c %s\n", r.Pkg)
		cmd := exec.Command("go", "test", "-c", "-o", bin, r.Pkg)
		cmd.Dir = rn.root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build the tests of %s: %w\n%s", r.Pkg, err, out)
		}
		bins[r.Pkg] = bin
	}
	for _, r := range runs {
		fmt.Fprintf(rn.log, "bench: %s\n", rn.effective(r))
		t0 := time.Now()
		var tail bytes.Buffer
		cmd := exec.Command(bins[r.Pkg], rn.testFlags(r)...)
		cmd.Dir = filepath.Join(rn.root, filepath.FromSlash(pkgDir(r.Pkg)))
		cmd.Stdout = io.MultiWriter(rn.w, &tailWriter{buf: &tail, max: 8 << 10})
		cmd.Stderr = cmd.Stdout
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("run %s: %w; its output ends:\n%s", r, err, tail.String())
		}
		fmt.Fprintf(rn.log, "bench:   %s\n", time.Since(t0).Round(100*time.Millisecond))
	}
	rn.meta("bench-load-after", loadavg())
	rn.meta("bench-elapsed", time.Since(start).Round(time.Second).String())
	return nil
}

func (rn *runner) meta(key, value string) {
	fmt.Fprintf(rn.w, "%s: %s\n", key, value)
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	buf *bytes.Buffer
	max int
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

// machine describes the machine and the checkout: what a reader needs to
// weigh the figures.
func machine(root string) map[string]string {
	m := map[string]string{
		"bench-date":  time.Now().UTC().Format("2006-01-02 15:04 MST"),
		"bench-go":    runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"bench-cores": fmt.Sprint(runtime.NumCPU()),
	}
	if v, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		// the toolchain that builds the tests, which may differ from the
		// one running the script
		m["bench-go"] = strings.TrimSpace(string(v)) + " " + runtime.GOOS + "/" + runtime.GOARCH
	}
	if n := os.Getenv("GOMAXPROCS"); n != "" {
		m["bench-gomaxprocs"] = n
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["bench-cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var kb float64
			if _, err := fmt.Sscanf(line, "MemTotal: %f kB", &kb); err == nil {
				m["bench-memory"] = fmt.Sprintf("%.0f GiB", kb/(1<<20))
			}
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	if c := git("rev-parse", "--short=12", "HEAD"); c != "" {
		m["bench-commit"] = c + " " + git("log", "-1", "--format=%s")
		if git("status", "--porcelain", "--untracked-files=no") != "" {
			m["bench-dirty"] = "yes"
		}
	}
	return m
}

// loadavg returns the load averages over 1, 5 and 15 minutes.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
