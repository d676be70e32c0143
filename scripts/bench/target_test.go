package main

import (
	"strings"
	"testing"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		limit, metric string
		want          limit
		show          string
	}{
		{"<= 10ns", "ns/handler", limit{"<=", 10, false}, "≤ 10 ns"},
		{"<=20ms", "ns/op", limit{"<=", 20e6, false}, "≤ 20 ms"},
		{"< 0.4us", "ns/op", limit{"<", 400, false}, "< 400 ns"},
		{"<= 100ms", "ms-interactive/op", limit{"<=", 100, false}, "≤ 100 ms"},
		{"<= 10KiB", "retained-B/plugin", limit{"<=", 10240, false}, "≤ 10 KiB"},
		{"== 0", "allocs/op", limit{"==", 0, false}, "= 0"},
		{">= 100x", "lines/s", limit{">=", 100, true}, "≥ 100x"},
		{"> 2.5", "drops/op", limit{">", 2.5, false}, "> 2.5"},
	} {
		got, err := parseLimit(tc.limit, tc.metric)
		if err != nil {
			t.Errorf("parseLimit(%q, %s): %v", tc.limit, tc.metric, err)
			continue
		}
		if got != tc.want {
			t.Errorf("parseLimit(%q, %s) = %+v, want %+v", tc.limit, tc.metric, got, tc.want)
		}
		if s := got.show(tc.metric); s != tc.show {
			t.Errorf("show(%q) = %q, want %q", tc.limit, s, tc.show)
		}
	}
}

func TestParseLimitErrors(t *testing.T) {
	for _, tc := range []struct{ limit, metric, want string }{
		{"10ns", "ns/op", "want an operator"},
		{"<= ten", "ns/op", "invalid syntax"},
		{"<= 10KB", "B/op", `unit "KB"`},
		{"<= 10ns", "allocs/op", "bare number"},
		{"<= 10parsecs", "ns/op", "unknown unit"},
		{">= manyx", "lines/s", "invalid syntax"},
	} {
		_, err := parseLimit(tc.limit, tc.metric)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseLimit(%q, %s) = %v, want an error with %q", tc.limit, tc.metric, err, tc.want)
		}
	}
}

func TestJudge(t *testing.T) {
	out := &output{
		results: results{
			"a.BenchmarkFast": {"ns/op": {9, 10, 11}, "allocs/op": {0, 0, 0}},
			"a.BenchmarkSlow": {"ns/op": {30, 31, 29}},
			"a.BenchmarkRate": {"lines/s": {2_000_000}},
			"peer/rate":       {"lines/s": {10_000}},
		},
		skipped: map[string]string{"a.BenchmarkSkipped": "no Chromium"},
	}
	for _, tc := range []struct {
		target   Target
		verdict  string
		measured string
	}{
		{Target{"fast", "a.BenchmarkFast", "ns/op", "<= 10ns", ""}, "met", "10 ns"},
		{Target{"fast, strictly", "a.BenchmarkFast", "ns/op", "< 10ns", ""}, "**not met**", "10 ns"},
		{Target{"slow", "a.BenchmarkSlow", "ns/op", "<= 10ns", ""}, "**not met**", "30 ns"},
		{Target{"no allocations", "a.BenchmarkFast", "allocs/op", "== 0", ""}, "met", "0 allocs/op"},
		{Target{"200x a peer", "a.BenchmarkRate", "lines/s", ">= 200x", "peer/rate"}, "met", "2,000,000 lines/s (200x)"},
		{Target{"300x a peer", "a.BenchmarkRate", "lines/s", ">= 300x", "peer/rate"}, "**not met**", "2,000,000 lines/s (200x)"},
		{Target{"no N² term", "a.BenchmarkSlow", "ns/op", "<= 2x", "a.BenchmarkFast"}, "**not met**", "30 ns (3x)"},
		{Target{"gone", "a.BenchmarkGone", "ns/op", "<= 1ns", ""}, "no figure (not run)", ""},
		{Target{"no metric", "a.BenchmarkSlow", "allocs/op", "== 0", ""}, "no figure (no allocs/op)", ""},
		{Target{"skipped", "a.BenchmarkSkipped", "ns/op", "<= 1ns", ""}, "no figure (skipped: no Chromium)", ""},
		{Target{"peer gone", "a.BenchmarkRate", "lines/s", ">= 2x", "peer/gone"}, "no figure (peer/gone: not run)", "2,000,000 lines/s"},
	} {
		v := judge(tc.target, out)
		if v.String() != tc.verdict || v.measured != tc.measured {
			t.Errorf("%s: %q, measured %q; want %q, %q", tc.target.Goal, v.String(), v.measured, tc.verdict, tc.measured)
		}
	}
}
