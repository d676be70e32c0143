package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// unit is what a metric measures, told by its name as go test prints it:
// "ns/op", "ns/handler", "host-cpu-ns/op" and "disable-ns" are times in
// nanoseconds, "ms/op" and "median-ms" in milliseconds; "B/op" and
// "retained-B/plugin" are bytes; "allocs/op" a count; "lines/s" a rate,
// the only kind where more is better.
type unit int

const (
	plain unit = iota
	nanos
	millis
	byteSize
	count
	rate
)

func unitOf(metric string) unit {
	head, tail, _ := strings.Cut(metric, "/")
	last := head[strings.LastIndex(head, "-")+1:]
	first, _, _ := strings.Cut(head, "-")
	switch {
	case last == "ns" || first == "ns":
		return nanos
	case last == "ms" || first == "ms":
		return millis
	case last == "B":
		return byteSize
	case last == "allocs":
		return count
	case tail == "s":
		return rate
	}
	return plain
}

// higherIsBetter reports whether more of the metric is better: rates.
func higherIsBetter(metric string) bool { return unitOf(metric) == rate }

// scale is a unit to show numbers in: its name and its size in the
// metric's own unit.
type scale struct {
	name string
	size float64
}

// scaleFor picks the largest unit in which v is at least 1.
func scaleFor(u unit, v float64) scale {
	v = math.Abs(v)
	switch u {
	case nanos, millis:
		ns := v
		if u == millis {
			ns = v * 1e6
		}
		s := scale{"ns", 1}
		switch {
		case ns >= 1e9:
			s = scale{"s", 1e9}
		case ns >= 1e6:
			s = scale{"ms", 1e6}
		case ns >= 1e3:
			s = scale{"µs", 1e3}
		}
		if u == millis {
			s.size /= 1e6
		}
		return s
	case byteSize:
		switch {
		case v >= 1<<30:
			return scale{"GiB", 1 << 30}
		case v >= 1<<20:
			return scale{"MiB", 1 << 20}
		case v >= 1<<10:
			return scale{"KiB", 1 << 10}
		}
		return scale{"B", 1}
	}
	return scale{"", 1}
}

// number shows v with three significant digits (whole numbers from 100 on,
// with thousands separators), without trailing zeros.
func number(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	a := math.Abs(v)
	digits := 0
	if a < 100 {
		digits = 2 - int(math.Floor(math.Log10(a)))
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if a >= 100 {
		// three significant digits, the rest zeros
		mag := math.Pow(10, math.Floor(math.Log10(a))-2)
		s = strconv.FormatFloat(math.Round(v/mag)*mag, 'f', 0, 64)
		return thousands(s)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// value shows a value of a metric in its unit: "4.7 ns", "12.7 µs",
// "7.2 KiB", "49", "2,860,000".
func value(metric string, v float64) string {
	s := scaleFor(unitOf(metric), v)
	return withUnit(number(v/s.size), s.name)
}

// valueRange shows two values in the larger one's unit: "35.2–39.1 µs".
func valueRange(metric string, lo, hi float64) string {
	s := scaleFor(unitOf(metric), hi)
	a, b := number(lo/s.size), number(hi/s.size)
	if a == b {
		return withUnit(a, s.name)
	}
	return withUnit(a+"–"+b, s.name)
}

func withUnit(n, u string) string {
	if u == "" {
		return n
	}
	return n + " " + u
}

// times shows a ratio: "31x", "1.2x", "0.013x".
func times(r float64) string { return number(r) + "x" }

// ratio is how many times better a is than b for the metric: a/b for
// rates, b/a for times and sizes.
func ratio(metric string, a, b float64) float64 {
	if higherIsBetter(metric) {
		return a / b
	}
	return b / a
}

// percent shows a spread: "±3%"; "±0.4%" below 1.
func percent(p float64) string {
	if p < 1 {
		return fmt.Sprintf("±%.1f%%", p)
	}
	return fmt.Sprintf("±%.0f%%", p)
}
