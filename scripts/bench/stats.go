package main

import (
	"math"
	"slices"
)

// summary is what the page shows of a metric's samples.
type summary struct {
	n                int
	median, min, max float64
}

// summarize returns the median (of an even number of samples, the mean of
// the middle two), the smallest and the largest sample.
func summarize(samples []float64) summary {
	if len(samples) == 0 {
		return summary{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return summary{n: n, median: med, min: s[0], max: s[n-1]}
}

// spread is the largest deviation of a sample from the median, in percent
// of the median; 0 with one sample or a zero median.
func (s summary) spread() float64 {
	if s.n < 2 || s.median == 0 {
		return 0
	}
	return 100 * math.Max(s.max-s.median, s.median-s.min) / math.Abs(s.median)
}
