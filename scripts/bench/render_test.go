package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/page.golden.md")

// fixture is a small set of declarations over testdata/run.txt.
func fixture() (declared, results) {
	d := declared{
		runs: []Run{
			{"./hooks", "Dispatch", 3, "0.5s", nil},
			{"./internal/serve", "PrintLines|Browser", 3, "0.5s", []string{"-test.cpu=2"}},
		},
		tables: []Table{
			{"dispatch", []string{"handlers"}, []Column{
				{"per line", "ns/op", Spread, false},
				{"per handler call", "ns/handler", Range, false},
				{"allocs", "allocs/op", Median, false},
				{"vs Python", "ns/handler", Ratio, false},
				{"target", "", Verdict, false},
			}},
			{"sendpath", []string{"tier", "handlers"}, []Column{
				{"lines/s", "lines/s", Spread, false},
				{"per handler call", "ns/op", PerN, false},
				{"vs OctoPrint", "lines/s", Ratio, false},
				{"target", "", Verdict, false},
			}},
			{"browser", []string{"benchmark"}, []Column{
				{"to interactive", "ms-interactive/op", Median, false},
				{"target", "", Verdict, false},
			}},
		},
		rows: []Row{
			{"dispatch", "1", "hooks.BenchmarkDispatch/call/1", "", 0},
			{"dispatch", "50", "hooks.BenchmarkDispatch/call/50", "peer/chain/50", 0},
			{"dispatch", "50, Python", "peer/chain/50", "", 0},
			{"sendpath", "builtin | 5", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=1%", "peer/send/5", 5},
			{"browser", "`BrowserPageLoad`", "internal/serve.BenchmarkBrowserPageLoad", "", 0},
		},
		targets: []Target{
			{"dispatch, 1 handler", "hooks.BenchmarkDispatch/call/1", "ns/handler", "<= 10ns", ""},
			{"dispatch, 50 handlers, allocations", "hooks.BenchmarkDispatch/call/50", "allocs/op", "== 0", ""},
			{"send path against OctoPrint", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=1%", "lines/s", ">= 20x", "peer/send/5"},
			{"page interactive", "internal/serve.BenchmarkBrowserPageLoad", "ms-interactive/op", "<= 100ms", ""},
		},
	}
	peers := results{
		"peer/chain/50": {"ns/op": {46259}, "ns/handler": {925}},
		"peer/send/5":   {"lines/s": {91000}},
	}
	return d, peers
}

func renderFixture(t *testing.T) (string, *page) {
	t.Helper()
	d, peers := fixture()
	if err := d.validate(peers); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "run.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := parse(f, "example.com/mod")
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(filepath.Join("testdata", "page.md"))
	if err != nil {
		t.Fatal(err)
	}
	p := newPage(d, out, peers)
	got, err := rewrite(string(in), append([]string{"machine", "summary"}, d.names()...), "", p.region)
	if err != nil {
		t.Fatal(err)
	}
	return got, p
}

// TestFromFixture renders testdata/page.md from testdata/run.txt as -from
// does and compares it with testdata/page.golden.md (go test -update
// rewrites that).
func TestFromFixture(t *testing.T) {
	got, p := renderFixture(t)
	golden := filepath.Join("testdata", "page.golden.md")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("rendered page differs from %s (go test -update to accept):\n%s", golden, got)
	}
	if len(p.warnings) != 1 || !strings.Contains(p.warnings[0], "BenchmarkBrowserPageLoad was skipped: no Chromium found") {
		t.Errorf("warnings = %q, want one for the skipped browser benchmark", p.warnings)
	}
	again, err := rewrite(got, nil, "", p.region)
	if err != nil || again != got {
		t.Errorf("rendering the rendered page again changed it (%v)", err)
	}
}

func TestTableErrors(t *testing.T) {
	d, peers := fixture()
	out := &output{
		results: results{
			"hooks.BenchmarkDispatch/call/1": {"ns/op": {10}, "ns/handler": {10}},
			"a.BenchmarkOpt":                 {"ns/op": {1}},
		},
		skipped: map[string]string{},
	}
	p := newPage(d, out, peers)
	_, err := p.region("dispatch")
	for _, want := range []string{
		"table dispatch: hooks.BenchmarkDispatch/call/1 reports no allocs/op (column \"allocs\")",
		"table dispatch: hooks.BenchmarkDispatch/call/50 did not run",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("region(dispatch) = %v, want an error with %q", err, want)
		}
	}
	opt := Table{"opt", []string{"b"}, []Column{{"t", "ns/op", Median, false}, {"extra", "extra/op", Median, true}}}
	p.d.tables = append(p.d.tables, opt)
	p.d.rows = append(p.d.rows, Row{"opt", "x", "a.BenchmarkOpt", "", 0})
	if _, err := p.region("opt"); err == nil || !strings.Contains(err.Error(), `no benchmark reports extra/op (column "extra")`) {
		t.Errorf("an optional column no row fills: %v", err)
	}
	if _, err := p.region("nosuch"); err == nil || !strings.Contains(err.Error(), `no table "nosuch"`) {
		t.Errorf("an unknown table: %v", err)
	}
}

func TestMachineSaysCheck(t *testing.T) {
	for _, tc := range []struct {
		mode string
		says bool
	}{{"full", false}, {"check (-benchtime 1x, one sample)", true}} {
		p := &page{out: &output{meta: map[string][]string{"bench-mode": {tc.mode}}}}
		if got := strings.Contains(p.machine(), "from a check"); got != tc.says {
			t.Errorf("mode %q: the machine region says it is a check: %v, want %v", tc.mode, got, tc.says)
		}
	}
}
