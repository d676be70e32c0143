package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		results results
		skipped map[string]string
		meta    map[string][]string
	}{
		{
			name: "samples of a sub-benchmark with custom metrics",
			in: "pkg: example.com/mod/hooks\n" +
				"BenchmarkDispatch/call/1-2 \t 100 \t 11.5 ns/op \t 11.5 ns/handler \t 0 B/op \t 0 allocs/op\n" +
				"BenchmarkDispatch/call/1-2 \t 100 \t 12.5 ns/op \t 12.5 ns/handler \t 0 B/op \t 0 allocs/op\n",
			results: results{"hooks.BenchmarkDispatch/call/1": {
				"ns/op": {11.5, 12.5}, "ns/handler": {11.5, 12.5}, "B/op": {0, 0}, "allocs/op": {0, 0},
			}},
		},
		{
			name: "the root package, no GOMAXPROCS suffix, a name with = and %",
			in: "pkg: example.com/mod\n" +
				"BenchmarkX/filter=1% 1 5 lines/s\n",
			results: results{"BenchmarkX/filter=1%": {"lines/s": {5}}},
		},
		{
			name: "package lines switch the prefix; other lines are skipped",
			in: "goos: linux\npkg: example.com/mod/a\nBenchmarkA-2 1 1 ns/op\nPASS\nok  \texample.com/mod/a\t0.1s\n" +
				"pkg: example.com/mod/b\nBenchmarkA\n    a_test.go:3: a log line\nBenchmarkA-2 1 2 ns/op\n--- BENCH: BenchmarkA-2\n",
			results: results{"a.BenchmarkA": {"ns/op": {1}}, "b.BenchmarkA": {"ns/op": {2}}},
		},
		{
			name:    "a skip with -test.v: the reason before the SKIP line",
			in:      "pkg: example.com/mod/s\nBenchmarkB\n    b_test.go:37: no Chromium found (set X to fail)\n--- SKIP: BenchmarkB\n",
			results: results{},
			skipped: map[string]string{"s.BenchmarkB": "no Chromium found"},
		},
		{
			name:    "a skip without -test.v: the reason after it",
			in:      "pkg: example.com/mod/s\n--- SKIP: BenchmarkB/sub-2\n    b_test.go:37: not here\nBenchmarkC-2 1 3 ns/op\n",
			results: results{"s.BenchmarkC": {"ns/op": {3}}},
			skipped: map[string]string{"s.BenchmarkB/sub": "not here"},
		},
		{
			name:    "the script's own lines",
			in:      "bench-run: ./a\t.\t5\t1s\nbench-run: ./b\t.\t5\t1s\nbench-cores: 2\n",
			results: results{},
			meta:    map[string][]string{"bench-run": {"./a\t.\t5\t1s", "./b\t.\t5\t1s"}, "bench-cores": {"2"}},
		},
		{
			name:    "a package outside the module keeps its path",
			in:      "pkg: other.org/x\nBenchmarkY-2 1 1 ns/op\n",
			results: results{"other.org/x.BenchmarkY": {"ns/op": {1}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := parse(strings.NewReader(tc.in), "example.com/mod")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.results, tc.results) {
				t.Errorf("results = %v, want %v", out.results, tc.results)
			}
			if tc.skipped == nil {
				tc.skipped = map[string]string{}
			}
			if !reflect.DeepEqual(out.skipped, tc.skipped) {
				t.Errorf("skipped = %q, want %q", out.skipped, tc.skipped)
			}
			if tc.meta == nil {
				tc.meta = map[string][]string{}
			}
			if !reflect.DeepEqual(out.meta, tc.meta) {
				t.Errorf("meta = %q, want %q", out.meta, tc.meta)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"BenchmarkA-2 1 5 ns/op 3\n", "line 1"},
		{"BenchmarkA-2 1 five ns/op\n", `value "five" of ns/op`},
	} {
		_, err := parse(strings.NewReader(tc.in), "example.com/mod")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parse(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}
