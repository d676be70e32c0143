package main

import "testing"

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		metric string
		v      float64
		want   string
	}{
		{"ns/op", 4.7, "4.7 ns"},
		{"ns/op", 11.53, "11.5 ns"},
		{"ns/op", 126.4, "126 ns"},
		{"ns/op", 1190, "1.19 µs"},
		{"ns/op", 13_700_000, "13.7 ms"},
		{"ns/op", 1_800_400_000, "1.8 s"},
		{"ns/handler", 0, "0 ns"},
		{"host-cpu-ns/op", 26_500, "26.5 µs"},
		{"disable-ns", 4500, "4.5 µs"},
		{"ms/op", 21.6, "21.6 ms"},
		{"median-ms", 0.35, "350 µs"},
		{"ms-interactive/op", 72, "72 ms"},
		{"B/op", 530, "530 B"},
		{"retained-B/plugin", 3994, "3.9 KiB"},
		{"B/op", 2.3 * (1 << 20), "2.3 MiB"},
		{"allocs/op", 49, "49"},
		{"allocs/op", 18_640, "18,600"},
		{"lines/s", 2_862_000, "2,860,000"},
		{"lines/s", 77.2, "77.2"},
		{"drops/op", 0.0125, "0.0125"},
	} {
		if got := value(tc.metric, tc.v); got != tc.want {
			t.Errorf("value(%s, %v) = %q, want %q", tc.metric, tc.v, got, tc.want)
		}
	}
}

func TestValueRange(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{35_200, 39_100, "35.2–39.1 µs"},
		{900, 1100, "0.9–1.1 µs"},
		{5, 5, "5 ns"},
	} {
		if got := valueRange("ns/op", tc.lo, tc.hi); got != tc.want {
			t.Errorf("valueRange(%v, %v) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestRatio(t *testing.T) {
	for _, tc := range []struct {
		metric string
		a, b   float64
		want   string
	}{
		{"lines/s", 2_860_000, 91_000, "31.4x"},
		{"ns/handler", 2.5, 925, "370x"},
		{"ns/op", 800, 400, "0.5x"},
	} {
		if got := times(ratio(tc.metric, tc.a, tc.b)); got != tc.want {
			t.Errorf("ratio(%s, %v, %v) = %q, want %q", tc.metric, tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want string
	}{{0, "±0.0%"}, {0.44, "±0.4%"}, {3.4, "±3%"}, {31.6, "±32%"}} {
		if got := percent(tc.p); got != tc.want {
			t.Errorf("percent(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
