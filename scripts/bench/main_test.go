package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"-check"}, ""},
		{[]string{"-only", "toggle", "-print"}, ""},
		{[]string{"-only", "toggle", "-from", "run.txt"}, ""},
		{[]string{"-only", "toggle"}, "-only runs a part of the benchmarks"},
		{[]string{"-from", "run.txt", "-check"}, "does not go with -check or -raw"},
		{[]string{"-from", "run.txt", "-raw", "x.txt"}, "does not go with -check or -raw"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-nosuch"}, "flag provided but not defined"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseFlags(%q): %v", tc.args, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseFlags(%q) = %v, want an error with %q", tc.args, err, tc.err)
		}
	}
}

func TestCheckRuns(t *testing.T) {
	runs := []Run{
		{"./a", "X", 5, "1s", nil},
		{"./a", "Y/sub", 3, "20x", nil},
		{"./b", "Z", 5, "1s", nil},
		{"./a", "W", 5, "1s", []string{"-test.cpu=1"}},
	}
	want := []Run{
		{"./a", ".", 1, "1x", nil},
		{"./b", ".", 1, "1x", nil},
		{"./a", ".", 1, "1x", []string{"-test.cpu=1"}},
	}
	if got := checkRuns(runs); !reflect.DeepEqual(got, want) {
		t.Errorf("checkRuns = %v, want %v", got, want)
	}
}

func TestRanAll(t *testing.T) {
	d := declared{runs: []Run{
		{"./a", "X/one", 5, "1s", nil},
		{"./a", "Stale", 5, "1s", nil},
		{"./b", "Z", 5, "1s", nil},
	}}
	out := &output{
		results: results{"a.BenchmarkX/one": {}, "a.BenchmarkX/two": {}},
		skipped: map[string]string{"b.BenchmarkZ": "no Chromium"},
		order:   []string{"a.BenchmarkX/one", "a.BenchmarkX/two"},
	}
	err := ranAll(options{}, d, out)
	for _, want := range []string{
		"a.BenchmarkX/two ran in the check but no run in scripts/bench/declared.go covers it",
		"run ./a -bench 'Stale' -count 5 -benchtime 1s matches no benchmark",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ranAll = %v, want an error with %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "Z") {
		t.Errorf("a skipped benchmark's run counts as run: %v", err)
	}
}

// TestRunFromLeavesPageOnError renders a page from output that lacks most
// of the declared rows: the error names them, and the page is as it was.
func TestRunFromLeavesPageOnError(t *testing.T) {
	page, orig := copyPage(t)
	err := run([]string{"-from", filepath.Join("testdata", "run.txt"), "-doc", page}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "hooks.BenchmarkDispatch/direct-loop/1 did not run") {
		t.Errorf("run = %v, want an error naming a row that did not run", err)
	}
	if got, _ := os.ReadFile(page); string(got) != string(orig) {
		t.Error("the page changed although rendering failed")
	}
}

// TestRunFromRewrites renders the page from the output of a check of the
// whole repository (testdata/check.txt, made by -check -raw) as -from
// does, and checks that it is rewritten in place and that a second
// rewrite changes nothing.
func TestRunFromRewrites(t *testing.T) {
	raw := filepath.Join("testdata", "check.txt")
	page, _ := copyPage(t)
	var stdout strings.Builder
	if err := run([]string{"-from", raw, "-doc", page}, &stdout, io.Discard); err != nil {
		t.Fatalf("%v\n(after adding rows or runs, refresh the fixture from the repository root: go run ./scripts/bench -check -raw scripts/bench/testdata/check.txt)", err)
	}
	first, _ := os.ReadFile(page)
	if !strings.Contains(string(first), "These figures are from a check") {
		t.Error("the machine region does not say the figures are from a check")
	}
	if !strings.Contains(stdout.String(), "met") {
		t.Errorf("no verdicts printed:\n%s", stdout.String())
	}
	if err := run([]string{"-from", raw, "-doc", page}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(page); string(second) != string(first) {
		t.Error("a second rewrite from the same output changed the page")
	}
}

// copyPage copies docs/benchmarks.md into a temporary folder and returns
// the copy's path and the page's content.
func copyPage(t *testing.T) (string, []byte) {
	t.Helper()
	page := filepath.Join(t.TempDir(), "benchmarks.md")
	orig, err := os.ReadFile(filepath.Join("..", "..", "docs", "benchmarks.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	return page, orig
}
