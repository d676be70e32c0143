package main

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		samples []float64
		want    summary
		spread  float64
	}{
		{nil, summary{}, 0},
		{[]float64{7}, summary{1, 7, 7, 7}, 0},
		{[]float64{3, 1, 2}, summary{3, 2, 1, 3}, 50},
		{[]float64{4, 1, 3, 2}, summary{4, 2.5, 1, 4}, 60},
		{[]float64{10, 10, 11, 10, 9.5}, summary{5, 10, 9.5, 11}, 10},
		{[]float64{0, 0}, summary{2, 0, 0, 0}, 0},
	} {
		got := summarize(tc.samples)
		if got != tc.want {
			t.Errorf("summarize(%v) = %+v, want %+v", tc.samples, got, tc.want)
		}
		if s := got.spread(); math.Abs(s-tc.spread) > 1e-9 {
			t.Errorf("spread of %v = %v, want %v", tc.samples, s, tc.spread)
		}
	}
}

func TestSummarizeKeepsSamples(t *testing.T) {
	s := []float64{3, 1, 2}
	summarize(s)
	if s[0] != 3 || s[1] != 1 {
		t.Errorf("summarize sorted its argument: %v", s)
	}
}
