package main

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDeclarations checks the script's own declarations: every row, run,
// target and peer fits together.
func TestDeclarations(t *testing.T) {
	peers, err := parsePeers(bytes.NewReader(peersTSV))
	if err != nil {
		t.Fatal(err)
	}
	if err := declarations().validate(peers); err != nil {
		t.Fatal(err)
	}
}

// TestEveryBenchmarkHasARun is the check's first step, run with the
// tests: a Benchmark function of the module that no run covers.
func TestEveryBenchmarkHasARun(t *testing.T) {
	funcs, err := findBenchmarks(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(funcs) == 0 {
		t.Fatal("found no benchmarks in the module")
	}
	for _, f := range declarations().uncovered(funcs) {
		t.Errorf("%s (%s): no run in declared.go covers it", keyOf(f.pkg, f.name), f.pos)
	}
}

func TestFindBenchmarks(t *testing.T) {
	funcs, err := findBenchmarks(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range funcs {
		got = append(got, keyOf(f.pkg, f.name)+" "+f.pos)
	}
	want := []string{"a.BenchmarkA a/a_test.go:5", "a.Benchmark a/a_test.go:7", "BenchmarkRoot root_test.go:5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findBenchmarks = %q, want %q", got, want)
	}
	d := declared{runs: []Run{{"./a", "A$", 1, "1x", nil}}}
	var unc []string
	for _, f := range d.uncovered(funcs) {
		unc = append(unc, keyOf(f.pkg, f.name))
	}
	if want := []string{"a.Benchmark", "BenchmarkRoot"}; !reflect.DeepEqual(unc, want) {
		t.Errorf("uncovered = %q, want %q", unc, want)
	}
}

func TestBenchMatcher(t *testing.T) {
	for _, tc := range []struct {
		expr, name string
		want       bool
	}{
		{".", "BenchmarkX/sub", true},
		{"Dispatch", "BenchmarkDispatch/call/1", true},
		{"Dispatch", "BenchmarkAddRemove", false},
		{"PrintLines/tier=builtin", "BenchmarkPrintLines/tier=builtin/handlers=5", true},
		{"PrintLines/tier=builtin", "BenchmarkPrintLines/tier=source/handlers=5", false},
		{"PrintLines/tier=builtin", "BenchmarkPrintLines", true}, // the parent runs to find its subs
		{"A|B", "BenchmarkB", true},
		{"X[/]Y", "BenchmarkX/Y", false}, // one level: the slash is in brackets
		{"^BenchmarkA$", "BenchmarkAB", false},
	} {
		m, err := compileBench(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.matches(tc.name); got != tc.want {
			t.Errorf("-bench %q matches %q: %v, want %v", tc.expr, tc.name, got, tc.want)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	good, peers := fixture()
	for _, tc := range []struct {
		name   string
		change func(d *declared)
		want   string
	}{
		{"a row of no table", func(d *declared) { d.rows[0].Table = "nosuch" }, `no table "nosuch"`},
		{"a row no run covers", func(d *declared) { d.rows[0].Bench = "events.BenchmarkFire" }, `row "events.BenchmarkFire" of table "dispatch": no run covers it`},
		{"two runs cover a row", func(d *declared) { d.runs = append(d.runs, Run{"./hooks", ".", 1, "1s", nil}) }, "2 runs cover it"},
		{"labels do not fit", func(d *declared) { d.rows[0].Labels = "1 | 2" }, "2 labels, the table has 1"},
		{"an unknown peer", func(d *declared) { d.rows[1].Peer = "peer/nosuch" }, `no peer "peer/nosuch"`},
		{"a table without rows", func(d *declared) { d.tables = append(d.tables, Table{"empty", nil, nil}) }, `table "empty" has no rows`},
		{"a reserved name", func(d *declared) { d.tables[0].Name = "summary"; d.rows[0].Table = "summary" }, "reserved"},
		{"a bad limit", func(d *declared) { d.targets[0].Limit = "about 10ns" }, "want an operator"},
		{"a multiple without Of", func(d *declared) { d.targets[0].Limit = "<= 2x" }, "names no Of"},
		{"Of without a multiple", func(d *declared) { d.targets[0].Of = "peer/send/5" }, "needs a multiple"},
		{"a bad regexp", func(d *declared) { d.runs[0].Bench = "(" }, "missing closing )"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := declared{
				runs:    append([]Run(nil), good.runs...),
				tables:  append([]Table(nil), good.tables...),
				rows:    append([]Row(nil), good.rows...),
				targets: append([]Target(nil), good.targets...),
			}
			tc.change(&d)
			err := d.validate(peers)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validate = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestParsePeers(t *testing.T) {
	got, err := parsePeers(strings.NewReader("# comment\n\nop/a\tns/op\t5943\tone line\nop/a\tlines/s\t91000\tthe rate\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (results{"op/a": {"ns/op": {5943}, "lines/s": {91000}}}); !reflect.DeepEqual(got, want) {
		t.Errorf("parsePeers = %v, want %v", got, want)
	}
	for _, tc := range []struct{ in, want string }{
		{"op/a ns/op 5 spaces\n", "1 fields, want 4"},
		{"op/a\tns/op\tmany\tx\n", "value of op/a ns/op"},
		{"op/a\tns/op\t1\tx\nop/a\tns/op\t2\tx\n", "op/a ns/op given twice"},
		{"op/BenchmarkA\tns/op\t1\tx\n", `may not contain "Benchmark"`},
	} {
		if _, err := parsePeers(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parsePeers(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}
