package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// limit is a parsed Target.Limit: op bound, the bound in the metric's own
// unit or, with times, a multiple of another figure.
type limit struct {
	op    string
	bound float64
	times bool
}

var ops = []string{"<=", ">=", "==", "<", ">"} // longest first

// parseLimit parses "<= 10ns", ">= 100x", "<= 10KiB", "== 0" for a metric,
// converting the bound to the metric's unit.
func parseLimit(s, metric string) (limit, error) {
	s = strings.TrimSpace(s)
	var l limit
	for _, op := range ops {
		if rest, ok := strings.CutPrefix(s, op); ok {
			l.op, s = op, strings.TrimSpace(rest)
			break
		}
	}
	if l.op == "" {
		return l, fmt.Errorf("limit %q: want an operator (<=, <, >=, >, ==) and a bound", s)
	}
	if num, ok := strings.CutSuffix(s, "x"); ok {
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return l, fmt.Errorf("limit %q: %w", s, err)
		}
		l.bound, l.times = v, true
		return l, nil
	}
	u := unitOf(metric)
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZµ")
	suffix := s[len(num):]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return l, fmt.Errorf("limit %q: %w", s, err)
	}
	switch {
	case suffix == "":
		l.bound = v
	case u == nanos || u == millis:
		d, err := time.ParseDuration(s)
		if err != nil {
			return l, fmt.Errorf("limit %q of %s: %w", s, metric, err)
		}
		l.bound = float64(d.Nanoseconds())
		if u == millis {
			l.bound /= 1e6
		}
	case u == byteSize:
		size := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[suffix]
		if size == 0 {
			return l, fmt.Errorf("limit %q of %s: unit %q is not B, KiB, MiB or GiB", s, metric, suffix)
		}
		l.bound = v * size
	default:
		return l, fmt.Errorf("limit %q: %s takes a bare number, not %q", s, metric, suffix)
	}
	return l, nil
}

// holds reports whether v meets the limit against bound.
func (l limit) holds(v, bound float64) bool {
	switch l.op {
	case "<=":
		return v <= bound
	case "<":
		return v < bound
	case ">=":
		return v >= bound
	case ">":
		return v > bound
	}
	return v == bound
}

// show writes the limit for a reader: "≤ 10 ns", "≥ 100x".
func (l limit) show(metric string) string {
	op := map[string]string{"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}[l.op]
	if l.times {
		return op + " " + times(l.bound)
	}
	return op + " " + value(metric, l.bound)
}

// verdict is the judgement of one target.
type verdict struct {
	target   Target
	limit    limit
	measured string // the median, and with a multiple what it is of Of
	met      bool
	missing  string // why there is no verdict: no figure, skipped
}

func (v verdict) String() string {
	switch {
	case v.missing != "":
		return "no figure (" + v.missing + ")"
	case v.met:
		return "met"
	}
	return "**not met**"
}

// judge decides a target on the run's output and the peers.
func judge(t Target, out *output) verdict {
	v := verdict{target: t}
	lim, err := parseLimit(t.Limit, t.Metric)
	if err != nil {
		v.missing = err.Error()
		return v
	}
	v.limit = lim
	med, why := median(out, t.Bench, t.Metric)
	if why != "" {
		v.missing = why
		return v
	}
	v.measured = value(t.Metric, med)
	if u := unitOf(t.Metric); u != nanos && u != millis && u != byteSize {
		v.measured += " " + t.Metric
	}
	bound := lim.bound
	if lim.times {
		of, why := median(out, t.Of, t.Metric)
		if why != "" {
			v.missing = t.Of + ": " + why
			return v
		}
		bound *= of
		v.measured += " (" + times(med/of) + ")"
	}
	v.met = lim.holds(med, bound)
	return v
}

// median returns the median of a benchmark's metric, or why there is none.
func median(out *output, key, metric string) (float64, string) {
	if reason, ok := out.skipped[key]; ok {
		if reason == "" {
			reason = "no reason given"
		}
		return 0, "skipped: " + reason
	}
	m, ok := out.results[key]
	if !ok {
		return 0, "not run"
	}
	s, ok := m[metric]
	if !ok {
		return 0, "no " + metric
	}
	return summarize(s).median, ""
}
